"""Sessions page: start, resume and abort sessions, release a cover study's share; the status of
each (with why a paused one is paused) and each participant's headphone screening; for a cover
study its coverage (coverage_view.py). The table is read on a worker thread (sessions_data.py)
with a progress bar; a newer refresh supersedes a running one."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from gui.common.context import AUDIO_STARTING, AppContext, ConsoleState
from gui.console.coverage_view import CoverageView
from gui.console.sessions_data import SessionLine, SessionsTable, participant_codes, sessions_data, study_design
from gui.common.widgets import JobStrip, local_time, show_error
from gui.common.workers import LatestJob, server_unreachable
from tasks.adaptive.blocks import adaptive_pending
from tasks.dataset.loader import Cancelled
from tasks.dataset.paths import UnsafePathError
from tasks.study.plan import PlanError
from tasks.study.studies import DatasetChangedError, StudyError
from tasks.study.runner import SessionRunner
from tasks.study.enrolment import start_or_resume
from tasks.labserver.station import station_name
from tasks.study.ownership import interrupted_elsewhere, live, station_label
from db.leases import lease_of


COLUMNS = ("Session", "Study", "Participant", "Status", "Progress", "Screening", "Started", "Ended", "Station",
           "Last answer")  # in order
# on a lab server other stations' sessions move on their own: the table is read again this often
SERVER_REFRESH_MS = 5000


class SessionsPage(QWidget):
    def __init__(self, ctx: AppContext, state: ConsoleState, open_participant_window: Callable[[int], None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.state = ctx, state
        self.open_participant_window = open_participant_window
        self.participant = QComboBox()
        self.participant.setObjectName("sessionParticipant")
        self.start_button = QPushButton(self.tr("&Start or resume session"))
        self.start_button.setObjectName("startSession")
        self.start_button.clicked.connect(self.start)
        self.abort_button = QPushButton(self.tr("A&bort selected"))
        self.abort_button.clicked.connect(self.abort_selected)
        self.release_button = QPushButton(self.tr("&Release share"))
        self.release_button.setObjectName("releaseShare")
        self.release_button.setToolTip(self.tr("Select a session of a cover study to release its share"))
        self.release_button.setEnabled(False)
        self.release_button.clicked.connect(self.release_selected)

        self.takeover_button = QPushButton(self.tr("&Take over selected…"))
        self.takeover_button.setToolTip(self.tr("Continue here a session interrupted on another station"))
        self.takeover_button.clicked.connect(self.take_over_selected)
        self.package_button = QPushButton(self.tr("Take-home &package…"))
        self.package_button.setToolTip(self.tr("Write a study package for this participant to run at home"))
        self.package_button.clicked.connect(self.make_package)
        self.import_button = QPushButton(self.tr("&Import results…"))
        self.import_button.clicked.connect(self.import_results)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.job = LatestJob(self)
        self.job.succeeded.connect(self.show_lines)
        self.job.failed.connect(lambda msg: self.message.setText(self.tr("Not read: {why}.").format(why=msg)))
        self.job.crashed.connect(lambda tb: show_error(self, self.tr("Internal error"), tb))
        # the lab server away: the console's status line says so (no dialog); the next read that
        # reaches it takes the line away
        self.job.unreachable.connect(state.server_unreachable)
        self.job.succeeded.connect(lambda _data: state.server_reachable())
        self.progress = JobStrip(self.job)
        self.lines: list[SessionLine] = []
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Participant:")))
        top.addWidget(self.participant, 1)
        top.addWidget(self.start_button)
        top.addWidget(self.abort_button)
        top.addWidget(self.release_button)
        top.addWidget(self.takeover_button)
        top.addWidget(self.package_button)
        top.addWidget(self.import_button)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("sessionsTable")
        self.table.setHorizontalHeaderLabels([self.tr("Session"), self.tr("Study"), self.tr("Participant"),
                                              self.tr("Status"), self.tr("Progress"), self.tr("Screening"),
                                              self.tr("Started"), self.tr("Ended"), self.tr("Station"),
                                              self.tr("Last answer")])
        header = self.table.horizontalHeader()
        for col, name in enumerate(COLUMNS):
            # the two texts that can be long share the spare width; the others fit their contents
            header.setSectionResizeMode(col, QHeaderView.Stretch if name in ("Status", "Screening")
                                        else QHeaderView.ResizeToContents)
        self.detail = QLabel()
        self.detail.setObjectName("sessionDetail")
        self.detail.setWordWrap(True)
        self.table.itemSelectionChanged.connect(self.show_detail)
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)  # the session number is the first column
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        self.coverage = CoverageView(ctx.db)
        layout.addWidget(self.coverage, 1)
        for sig in (state.participantsChanged, state.sessionsChanged, state.studyChanged):
            sig.connect(self.refresh)
        self.refresh()
        if ctx.db.dialect.name != "sqlite":
            # the table only (read on the worker): a server that is away must not block the GUI thread
            self.server_timer = QTimer(self)
            self.server_timer.timeout.connect(self.refresh_table)
            self.server_timer.start(SERVER_REFRESH_MS)

    def refresh(self) -> None:
        """The participant chooser at once (one small query); the table on a worker."""
        try:
            codes = participant_codes(self.ctx.db)
        except Exception as exc:  # noqa: BLE001 - only a server that is away is caught, the rest re-raised
            if not server_unreachable(exc):
                raise
            self.state.server_unreachable(str(getattr(exc, "orig", exc)).strip())
            self.refresh_table()  # the table's read says when the server is back
            return
        current = self.participant.currentText()
        self.participant.clear()
        self.participant.addItems(codes)
        if current in codes:
            self.participant.setCurrentText(current)
        self.refresh_table()

    def refresh_table(self) -> None:
        self.job.start(self.tr("Reading the sessions…"), sessions_data, self.ctx.db, user_errors=(Cancelled,))
        study = self.state.study
        self.coverage.refresh(self.state.dataset, study, study_design(study.protocol_json) if study else None)

    def status_text(self, x: SessionLine) -> str:
        if x.status == "paused" and x.pause_reason:
            return self.tr("paused: {why}").format(why=x.pause_reason)
        return x.status

    def show_lines(self, data: SessionsTable) -> None:
        lines = data.lines
        self.lines = lines
        if data.warnings:
            self.message.setText("\n".join(data.warnings))
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(lines))
        for row, x in enumerate(lines):
            cells = [str(x.session_id), x.study, x.participant, self.status_text(x), x.progress_text,
                     x.screening or self.tr("not screened"), local_time(x.started_at), local_time(x.ended_at),
                     x.station, local_time(x.last_answer_at)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # a long pause reason or screening summary in full
                self.table.setItem(row, col, item)
        self.table.setUpdatesEnabled(True)
        self.show_detail()

    def show_detail(self) -> None:
        """The selected session's status and screening in full, under the table."""
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        self.show_release(self.lines[rows[0]] if rows and rows[0] < len(self.lines) else None)
        if not rows or rows[0] >= len(self.lines):
            self.detail.setText(self.tr("Select a session to see its status and screening in full."))
            return
        x = self.lines[rows[0]]
        where = self.tr(", at home") if x.take_home else ""
        self.detail.setText(self.tr("Session {id} ({code}, study {study!r}{where}): {status}. "
                                    "Screening: {screening}.").format(
            id=x.session_id, code=x.participant, study=x.study, where=where, status=self.status_text(x),
            screening=x.screening or self.tr("not screened")))

    def show_release(self, x: SessionLine | None) -> None:
        """Release share: enabled for a cover session that may be given up; else disabled, and
        its tooltip says why."""
        if x is None:
            self.release_button.setEnabled(False)
            self.release_button.setToolTip(self.tr("Select a session of a cover study to release its share"))
            return
        why = x.release_blocked
        self.release_button.setEnabled(not why)
        if why:
            self.release_button.setToolTip(self.tr("Not offered: {why}.").format(why=why))
        elif x.take_home and x.status == "planned":
            self.release_button.setToolTip(self.tr("A take-home package not returned: its share goes back to the "
                                                   "pool; should its results still come, they are imported and "
                                                   "their answers kept"))
        else:
            self.release_button.setToolTip(self.tr("A cover study: give up the rest of the selected session's "
                                                   "share; its unanswered trials go back to the pool, its answers "
                                                   "stay"))

    def shutdown(self) -> None:
        self.job.shutdown()
        self.coverage.shutdown()

    def start(self) -> None:
        study, ds = self.state.study, self.state.dataset
        code = self.participant.currentText()
        if study is None or ds is None:
            show_error(self, self.tr("Session"), self.tr("Open a study on the Study page first."))
            return
        if not code:
            show_error(self, self.tr("Session"), self.tr("Add a participant first."))
            return
        if self.state.audio_state == AUDIO_STARTING:
            # the session records the output device: wait until it is open
            self.message.setText(self.tr("Audio is still starting; start the session in a moment."))
            return
        try:
            # on the GUI thread: storing the plan from a worker while the window ran crashed the
            # process (a segmentation fault in the event loop, PySide6 6.11) in 2 of 3 test runs
            session = start_or_resume(self.ctx.db, ds, study, code, self.ctx.app_version,
                                      station=station_name(self.ctx.db, self.ctx.station),
                                      shares=self.ctx.cover_shares(),
                                      **(self.ctx.audio.session_fields() if self.ctx.audio else {}))
            self._session_ready(session, code)
        except (DatasetChangedError, PlanError, StudyError) as exc:
            show_error(self, self.tr("Session"), str(exc))
        except Exception as exc:
            if not server_unreachable(exc):
                raise
            self._start_needs_server(exc)

    def _start_needs_server(self, exc: BaseException) -> None:
        """The lab server cannot be reached: one calm line on the page and the console's status
        line, no dialog (a participant's window may be in front) and no traceback."""
        from tasks.labserver.needs_server import start_refused

        link = self.ctx.station_link
        line = start_refused(link.outbox.count() if link is not None else 0)
        self.message.setText(line)
        self.state.server_unreachable(str(exc).strip().splitlines()[0] if str(exc).strip() else line)

    def _session_ready(self, session, code: str) -> None:
        if session.status == "completed" and not adaptive_pending(self.ctx.db, session.id):
            self.message.setText(self.tr("{code} has completed this study.").format(code=code))
            return
        lease, here = lease_of(session), station_label(self.ctx.station)
        if session.status == "running" and live(lease) and lease.holder_station != here:
            self.message.setText(self.tr("The session of {code} is running on station {station}.").format(
                code=code, station=lease.holder_station))
            return
        if interrupted_elsewhere(lease, here):
            self.message.setText(self.tr("The session of {code} was interrupted on station {station}: select it and "
                                         "take it over to continue it here.").format(code=code,
                                                                                     station=lease.holder_station))
            return
        self.state.sessionsChanged.emit()
        self.open_participant_window(session.id)

    def abort_selected(self) -> None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if not rows:
            return
        session_id = int(self.table.item(rows.pop(), 0).text())
        answer = QMessageBox.question(self, self.tr("Abort session"),
                                      self.tr("Abort session {id}? Its answers stay stored.").format(id=session_id))
        if answer == QMessageBox.Yes:
            SessionRunner(self.ctx.db, session_id).abort("by the experimenter")
            self.refresh()

    def release_selected(self) -> None:
        """Ask, then release the selected cover session's share (tasks/cover/release.py)."""
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        if not rows or rows[0] >= len(self.lines) or not self.lines[rows[0]].releasable:
            return
        x = self.lines[rows[0]]
        box = QMessageBox(QMessageBox.Question, self.tr("Release share"), self.tr(
            "Release the share of session {id} ({code})? Its {left} unanswered trials go back to the pool for "
            "other participants and the session cannot be resumed; its {answered} answers stay stored and count."
        ).format(id=x.session_id, code=x.participant, left=x.planned - x.answered, answered=x.answered) + (
            " " + self.tr("Its take-home package is not back: should its results still come, they are imported and "
                          "their answers kept (some runs may then have more answers than the study asks for).")
            if x.take_home else ""),
            QMessageBox.Yes | QMessageBox.Cancel, self)
        box.setObjectName("releaseConfirm")
        box.setDefaultButton(QMessageBox.Cancel)
        box.finished.connect(lambda _r: self._release(x.session_id) if box.clickedButton() is box.button(
            QMessageBox.Yes) else None)
        self.release_box = box
        box.open()

    def _release(self, session_id: int) -> None:
        from tasks.cover.release import release_share

        try:
            station = station_name(self.ctx.db, self.ctx.station)
            returned = release_share(self.ctx.db, session_id, by=self.tr("the experimenter at station {station}").format(
                station=station) if station else self.tr("the experimenter"))
        except StudyError as exc:
            self.message.setText(self.tr("Not released: {why}.").format(why=exc))
            return
        self.message.setText(self.tr("Session {id} released: {n} unanswered test trials went back to the pool.")
                             .format(id=session_id, n=returned))
        self.state.sessionsChanged.emit()  # this page's refresh, and any other page that counts sessions

    def take_over_selected(self) -> None:
        from gui.console.takeover import TakeOver

        rows = {i.row() for i in self.table.selectedIndexes()}
        if not rows:
            self.message.setText(self.tr("Select the interrupted session to take over."))
            return
        self.takeover = TakeOver(self, self.ctx, self.message.setText, self.open_participant_window)
        self.takeover.ask(int(self.table.item(rows.pop(), 0).text()))

    def make_package(self, out_dir: str | None = None, files: dict[str, str] | None = None) -> None:
        """Write a take-home package. Without ``out_dir`` the package dialog asks where, and for
        the lab's texts (information, consent, return instructions); ``files``: those texts by
        key when ``out_dir`` is given."""
        from gui.console.package_dialog import PackageDialog
        from tasks.takehome.packages import unknown_participants

        study, ds, code = self.state.study, self.state.dataset, self.participant.currentText()
        if study is None or ds is None or not code:
            show_error(self, self.tr("Package"), self.tr("Open a study and choose a participant first."))
            return
        if out_dir is not None:
            self.write_package(out_dir, files or {})
            return
        self.package_dialog = PackageDialog(self.ctx.settings, study.name, code, self,
                                            new_participant=bool(unknown_participants(self.ctx.db, [code])))
        self.package_dialog.accepted.connect(self._package_chosen)
        self.package_dialog.open()

    def _package_chosen(self) -> None:
        dialog = self.package_dialog
        dialog.remember()
        if not dialog.out_dir():
            self.message.setText(self.tr("No package written: choose the folder to write it into."))
            return
        self.write_package(dialog.out_dir(), dialog.files())

    def write_package(self, out_dir: str, files: dict[str, str]) -> None:
        from tasks.dataset.paths import inside_folder
        from tasks.takehome.adaptive_data import screening_of
        from tasks.takehome.packages import make_package, package_file_name, read_package_text, unknown_participants

        study, ds, code = self.state.study, self.state.dataset, self.participant.currentText().strip()
        what = {"information": "study information", "consent": "consent", "return_instructions": "return instructions"}
        try:
            new = unknown_participants(self.ctx.db, [code])  # make_package adds them: said below
            texts = {key: read_package_text(Path(path), what[key]) for key, path in files.items()}
            path = make_package(self.ctx.db, ds, study.name, code, inside_folder(out_dir, package_file_name(study.name, code)),
                                self.ctx.app_version, texts=texts or None, screening=screening_of(self.ctx.settings),
                                shares=self.ctx.cover_shares())
        except (StudyError, DatasetChangedError, PlanError, OSError, UnsafePathError) as exc:
            self.message.setText(self.tr("No package written: {why}").format(why=exc))
            return
        names = ", ".join(Path(files[k]).name for k in ("information", "consent", "return_instructions") if k in files)
        self.message.setText(self.tr("Package written: {path}. The participant opens it with the installed app.")
                             .format(path=path) + " " + (self.tr("With the lab's texts: {names}.").format(names=names)
                                                         if names else self.tr("Without texts of the lab's own."))
                             + ("" if not new else " " + self.tr("Participant {code} was not in the database: "
                                                                 "added.").format(code=code)))
        if new:
            self.state.participantsChanged.emit()  # the chooser and the Participants page show them

    def import_results(self, paths: list[str] | None = None) -> None:
        from tasks.takehome.files import BundleError
        from tasks.takehome.importing import import_results

        if paths is None:
            paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Results bundles"), "", "Zip (*.zip)")
        lines = []
        durations: dict = {}  # dataset root -> clip durations, read once for all the bundles
        for p in paths:
            try:
                r = import_results(self.ctx.db, Path(p), durations)
                lines.append(self.tr("{status}: {code} ({n} responses)").format(status=r.status, code=r.participant,
                                                                                  n=r.responses))
                if r.after_release:
                    lines.append(self.tr("  returned after its share was released: its answers are kept and count; "
                                         "{n} of its runs now have more answers than the study asks for").format(
                        n=r.units_past_k))
            except BundleError as exc:
                lines.append(self.tr("refused: {err}").format(err=exc))
        self.message.setText("\n".join(lines))
        self.state.participantsChanged.emit()
