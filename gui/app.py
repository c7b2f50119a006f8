"""Starting the application: theme, translations, console, participant windows, and the offer
to resume a session that a crash interrupted.

Importing this module costs PySide6 and nothing heavier: the database layer, the audio engine
and the participant window are imported where they are first needed (see gui/launch.py for the
order at start-up and docs/gui-scale.md for the measurements).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.console.window import ConsoleWindow
from gui.common.context import AUDIO_NONE, AUDIO_READY, AUDIO_STARTING, AppContext

if TYPE_CHECKING:
    from db.models import Session as SessionRow
    from gui.participant.window import ParticipantWindow

I18N_DIR = Path(__file__).resolve().parent / "i18n"
# how often a station tries to deliver its journal while it holds answers (on a thread of its own)
DELIVERY_INTERVAL_MS = 5000


def install_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own strings and ours for the system locale (English is the source language)."""
    translators = []
    for name, folder in (("qtbase", QLibraryInfo.path(QLibraryInfo.TranslationsPath)), ("starlab", str(I18N_DIR))):
        t = QTranslator(app)
        if t.load(QLocale(), name, "_", folder):
            app.installTranslator(t)
            translators.append(t)
    return translators


def crashed_sessions(ctx: AppContext) -> list[tuple[SessionRow, str, str, int]]:
    """Sessions left 'running' by this station (the app ended without pausing them) whose window
    is gone: (session, code, study, answered). A session another station runs, or one interrupted
    on another station, is not among them (tasks.study.ownership: that needs a take-over)."""
    from sqlmodel import Session as DbSession

    from db import repo
    from db.leases import lease_of
    from db.models import Participant, Study
    from tasks.study.ownership import offered_here, station_label

    here = station_label(ctx.station)
    with DbSession(ctx.db) as s:
        out = []
        for x in repo.unfinished_sessions(s):
            # a take-home session (a cover package's share, or a partial bundle's) runs at home
            if offered_here(lease_of(x), here) and not x.take_home:
                out.append((x, s.get(Participant, x.participant_id).code, s.get(Study, x.study_id).name,
                            repo.count_answered(s, x.id)))
        return out


def describe_output(audio) -> str:
    choice = audio.presenter.choice
    return f"{choice.name} ({choice.host_api}), {choice.sample_rate_hz} Hz"


class Application:
    """The lab app on an open database. ``ctx.audio`` may be filled in later: ``audio_starting``
    then ``audio_opened`` (the output is opened after the console's first paint)."""

    def __init__(self, ctx: AppContext, app: QApplication | None, console: ConsoleWindow | None = None,
                 audio_pending: bool = False):
        self.ctx, self.app = ctx, app
        self.bridge = None
        self.audio_settled: list = []  # callbacks waiting for the output to be open (or known absent)
        self.delivery = QTimer()
        self.delivery.setInterval(DELIVERY_INTERVAL_MS)
        self.delivery.timeout.connect(self.deliver_journal)
        self.console = console or ConsoleWindow()
        if audio_pending:
            self.audio_starting()
        else:
            self.audio_opened(ctx.audio, "")
        self.console.attach(ctx)

    def audio_starting(self) -> None:
        self.console.state.set_audio(AUDIO_STARTING, "")

    def audio_opened(self, audio, why_not: str) -> None:
        """The output is open (``audio``), or there is none (None, with the reason)."""
        self.ctx.audio = audio
        if audio is not None:
            from gui.common.bridge import EngineBridge

            self.bridge = EngineBridge(audio.presenter.engine.events)
            ctx = self.ctx

            def audio_page(_parent):
                from gui.console.audio_page import AudioPage

                return AudioPage(ctx)

            self.console.set_audio(audio_page, self.participant_window)
            self.console.state.set_audio(AUDIO_READY, describe_output(audio))
        else:
            self.console.set_audio(None, None)
            self.console.state.set_audio(AUDIO_NONE, why_not)
        waiting, self.audio_settled = self.audio_settled, []
        for callback in waiting:
            callback()

    def when_audio_settled(self, callback) -> None:
        if self.console.state.audio_state == AUDIO_STARTING:
            self.audio_settled.append(callback)
        else:
            callback()

    def participant_window(self, session_id: int, state) -> ParticipantWindow:
        from audio.hrtf import HrtfError
        from gui.participant.screening import standard_screening, station_screening
        from gui.participant.window import ParticipantWindow
        from tasks.study.ownership import new_holder, station_label

        self.ctx.audio.reconfigure()
        try:
            screening = station_screening(self.ctx.settings, self.ctx.audio.presenter.choice.sample_rate_hz)
        except HrtfError as exc:  # checked when the option is chosen; the file may have gone since
            print(f"warning: no localization check ({exc})", file=sys.stderr)
            screening = standard_screening
        return ParticipantWindow(self.ctx.db, session_id, state.dataset, self.ctx.audio.presenter, self.bridge,
                                 str(self.ctx.settings.get("participant_exit_pin")),
                                 auto_play=bool(self.ctx.settings.get("auto_play")), screening=screening,
                                 station_link=self.station_link(),
                                 holder=new_holder(station_label(self.ctx.station)))

    def station_link(self):
        """The station's link to a lab server with its journal (made once); None on a SQLite file."""
        if self.ctx.station_link is None and self.ctx.db.dialect.name == "postgresql":
            from db.outbox import Outbox, default_outbox_path
            from tasks.dataset.paths import path_component
            from tasks.labserver.station import StationLink, station_name

            name = station_name(self.ctx.db, self.ctx.station)
            link = StationLink(self.ctx.db, Outbox(default_outbox_path(self.ctx.data_dir, path_component(name))), name)
            link.deliver_on_record = False  # the delivery timer does it, between the participant's answers
            self.ctx.station_link = link
            self.delivery.start()
        return self.ctx.station_link

    def deliver_journal(self) -> None:
        """The delivery timer: take the outcome of the last delivery and start another on its own
        thread while the station's journal holds answers (the participant's window never waits
        for an unreachable server); a server still away leaves them for the next tick."""
        link = self.ctx.station_link
        if link is None:
            return
        link.poll_background()
        if link.outbox.count():
            link.deliver_in_background()

    def start(self) -> None:
        """Show the console, load the dataset (the crashed session's, the last one, or the
        built-in bank), reopen the last study and offer to resume a crashed session."""
        from sqlmodel import Session as DbSession

        from db import repo

        self.console.show()
        if self.station_link() is not None:
            # answers a crash left in the journal reach the server first (a refusal or an
            # unreachable server is kept as the link's state, not raised)
            self.ctx.station_link.deliver_in_background()
            self.ctx.station_link.join_background()
        crashed = crashed_sessions(self.ctx)
        study_name = crashed[0][2] if crashed else self.ctx.settings.get("last_study")
        with DbSession(self.ctx.db) as s:
            study = repo.get_study(s, study_name) if study_name else None
        # the study's own folder (the built-in bank's too), else the last folder or the bank
        folder = study.dataset_root if study is not None else self.ctx.settings.get("dataset_root")
        page = self.console.study_page
        page.study_name.setText(study.name if study else "pilot")

        def loaded() -> None:
            self.console.state.datasetChanged.disconnect(loaded)
            if study is not None:
                self.console.state.set_study(study)
            if crashed:  # resuming needs the output: ask once it is open
                self.when_audio_settled(lambda: self.offer_resume(crashed[0]))

        self.console.state.datasetChanged.connect(loaded)
        page.load(folder)

    def offer_resume(self, crashed) -> None:
        session, code, study, answered = crashed
        box = QMessageBox(QMessageBox.Question, self.console.tr("Resume session"),
                          self.console.tr("The session of {code} in study {study!r} was interrupted after {n} answers. "
                                          "Resume it at the same trial?").format(code=code, study=study, n=answered),
                          QMessageBox.Yes | QMessageBox.No, self.console)
        box.setObjectName("resumeBox")
        box.finished.connect(lambda result: self._resume_answer(result, session.id))
        box.open()
        self.resume_box = box


    def _resume_answer(self, result: int, session_id: int) -> None:
        if QMessageBox.StandardButton(result) == QMessageBox.StandardButton.Yes:
            self.console.open_participant_window(session_id)


def results_folder() -> Path:
    """Where a take-home results bundle is written: Documents when it exists, else home."""
    home = Path.home()
    return home / "Documents" if (home / "Documents").is_dir() else home


class TakeHome:
    """Participant mode: run one study package in the take-home flow (gui/takehome/flow.py),
    which ends with the results bundle to send back. ``start_window``: the first screen
    (gui/takehome/start.py) the launcher showed; the flow replaces it."""

    def __init__(self, ctx: AppContext, app: QApplication, package: Path, screening=None, out_dir: Path | None = None,
                 open_url=None, start_window=None):
        from gui.participant.screening import standard_screening

        self.ctx, self.app, self.package = ctx, app, package
        self.screening_given = screening is not None  # else: the checks the package asks for
        self.screening = screening or standard_screening
        self.out_dir = out_dir or results_folder()
        self.open_url = open_url  # None: the desktop's file manager (QDesktopServices)
        self.start_window = start_window
        self.window = None

    @property
    def bundle(self) -> Path | None:
        return self.window.bundle if self.window is not None else None

    def start(self) -> None:
        """Everything at once on this thread (the launcher runs ``prepare_package`` on a worker
        and calls ``show`` instead)."""
        from gui.takehome.start import PackageProblem, prepare_package

        if self.ctx.audio is None:
            return self.no_output("")
        try:
            prepared = prepare_package(self.ctx, self.package, hrtf=not self.screening_given)
        except PackageProblem as exc:
            return self._fail(str(exc))
        self.show(prepared)

    def no_output(self, why: str) -> None:
        if self.start_window is not None:
            self.start_window.show_no_output(why)
            return
        self._fail(QApplication.translate("TakeHome", "No sound output was found on this computer. Plug in your "
                                                      "headphones, check the computer's sound output, then open "
                                                      "the study package again."))

    def show(self, prepared) -> None:
        """The flow on the prepared package (gui.takehome.start.PreparedPackage)."""
        from gui.takehome.flow import TakeHomeFlow

        if not self.screening_given and prepared.hrirs is not None:
            # the package asks for the localization check: its HRTF was read on the worker
            from gui.participant.screening import with_localization

            self.screening = with_localization(self.screening, prepared.hrirs)
        extra = {"open_url": self.open_url} if self.open_url is not None else {}
        self.window = TakeHomeFlow(self.ctx, prepared.opened, prepared.dataset, prepared.minutes,
                                   prepared.n_questions, self.screening, self.out_dir, **extra)
        if self.app is not None:
            self.window.closed.connect(self.app.quit)
        self.window.show_for_participant()
        if self.start_window is not None:
            self.start_window.hide()

    def _fail(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Critical, "STAR Listening Lab", message, QMessageBox.Ok, self.start_window)
        box.setObjectName("takeHomeError")
        box.finished.connect(lambda _r: self.app.quit() if self.app is not None else None)
        box.open()
        self.error_box = box
