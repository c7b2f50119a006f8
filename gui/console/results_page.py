"""Results page: the human-vs-model report on screen. Tabs: the leaderboard (grouped pc / tr /
sr headers), the report's figures (bars per category and sub-category with every imported model,
human minus model, variant contrasts, item analysis), the psychometric functions and thresholds (with
the adaptive blocks' thresholds), the participants with the safety
ceiling's attenuations. Buttons: Export (the kit-layout files and compare) and Export report
(report.html with every figure, tables as CSV and LaTeX).

The leaderboard's numbers come from tasks.results.compare, exactly as the command line writes them; the
figures from tasks.analysis (the report's own functions). Each is computed in a child process
driven by a worker thread (results_data.py, gui/common/processes.py) with a progress bar - first the
leaderboard, then the figures, so the numbers show while the bootstrap runs; a newer request
supersedes (terminates) a running one. matplotlib is imported only in those child processes."""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem,
    QTabWidget, QVBoxLayout, QWidget,
)

from db.engine import connect_target
from gui.common.context import AppContext, ConsoleState
from gui.console.export_folder import export_status, with_export_folder
from gui.console.figure_view import FigureView
from gui.console.psychometric_view import PsychometricView
from gui.console.leaderboard_table import LeaderboardTable
from gui.console.results_data import (
    ResultsData, export_and_count_job, figures_from_url, report_from_url, results_from_url, stored_leaderboard,
)
from gui.common.processes import run_in_process
from gui.common.widgets import JobStrip, TaskStrip, show_error
from gui.common.workers import LatestJob, Worker
from tasks.dataset.loader import Cancelled

# the report's figures, one tab each, by the names of tasks.analysis.page_data.FIGURES (repeated
# here so that building the page does not import the analysis package)
FIGURE_TABS = ("bars_categories", "bars_subcategories", "human_vs_model", "variant_contrasts", "items")


def leaderboard_job(engine, study: str | None, models: Path | None, exclude: bool, cache_dir: Path, *, progress,
                    should_cancel) -> ResultsData:
    """The leaderboard kept in the cache when the database has not changed since (read here, on
    the worker thread: no child process to start), else computed in a child process (which
    neither queries the database's state nor reads the cache file again)."""
    kept, state = stored_leaderboard(engine, study, models, exclude, cache_dir, progress=progress,
                                     should_cancel=should_cancel)
    if kept is not None:
        return kept
    return run_in_process(results_from_url, connect_target(engine), study, models, exclude, cache_dir, state,
                          progress=progress, should_cancel=should_cancel)



class ResultsPage(QWidget):
    def __init__(self, ctx: AppContext, state: ConsoleState, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.state = ctx, state
        self.models_dir = QLineEdit()
        self.models_dir.setPlaceholderText(self.tr("Model results folder (the kit's work_dir), optional"))
        pick = QPushButton(self.tr("Import &models…"))
        pick.clicked.connect(self.pick_models)
        refresh = QPushButton(self.tr("&Refresh"))
        refresh.clicked.connect(self.refresh)
        self.export_button = QPushButton(self.tr("&Export…"))
        self.export_button.setObjectName("exportButton")
        self.export_button.clicked.connect(lambda: self.export())
        self.report_button = QPushButton(self.tr("Export re&port…"))
        self.report_button.setObjectName("exportReportButton")
        self.report_button.setToolTip(self.tr("report.html with every figure, the tables as CSV and LaTeX, "
                                              "the figures as PNG and PDF, human-majority/"))
        self.report_button.clicked.connect(lambda: self.export_report())
        self.exclude_failed = QCheckBox(self.tr("E&xclude participants who failed screening"))
        self.exclude_failed.setObjectName("excludeFailedScreening")
        self.exclude_failed.setToolTip(self.tr("Leaves them out of the leaderboard, the figures and the exported "
                                               "report (a headphone-screening test below its pass mark)"))
        self.exclude_failed.toggled.connect(lambda _on: self.refresh())
        self.excluded_note = QLabel()
        self.excluded_note.setObjectName("excludedNote")
        self.excluded_note.setWordWrap(True)
        self.tasks = TaskStrip()
        self.job = LatestJob(self)
        self.job.succeeded.connect(self.show_data)
        self.job.failed.connect(self._failed)
        self.job.crashed.connect(lambda tb: show_error(self, self.tr("Internal error"), tb))
        self.job.unreachable.connect(self._unreachable)
        self.job.succeeded.connect(lambda _data: state.server_reachable())
        self.progress = JobStrip(self.job)
        # the figures: a second child process, started once the leaderboard is shown
        self.figure_job = LatestJob(self)
        self.figure_job.succeeded.connect(self.show_figures)
        self.figure_job.failed.connect(self._figures_failed)
        self.figure_job.crashed.connect(lambda tb: show_error(self, self.tr("Internal error"), tb))
        self.figure_job.unreachable.connect(self._unreachable)
        self.figure_progress = JobStrip(self.figure_job)
        # once drawn, one strip says how fresh both are
        self.figure_job.started.connect(lambda _label: self.figure_progress.setVisible(True))
        self.figure_job.succeeded.connect(self._figures_timed)
        self.attenuation = QLabel()
        self.attenuation.setObjectName("attenuationSummary")
        self.attenuation.setWordWrap(True)
        self.data: ResultsData | None = None
        self.figures = None  # tasks.analysis.page_data.PageReport of the figures shown
        # (study, models folder) of the numbers shown and of the computation under way; stale
        # when sessions or participants changed since
        self.shown: tuple | None = None
        self.computing: tuple | None = None
        self.stale = True
        for signal in (state.sessionsChanged, state.participantsChanged):
            signal.connect(self.mark_stale)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.report_path: Path | None = None
        self.report_note = QLabel()
        self.report_note.setObjectName("reportWritten")
        self.report_note.setWordWrap(True)
        self.open_report_button = QPushButton(self.tr("&Open report"))
        self.open_report_button.setObjectName("openReportButton")
        self.open_report_button.clicked.connect(self.open_report)
        self.open_url = QDesktopServices.openUrl  # how a written report is opened (the system's browser)
        report_row = QHBoxLayout()
        report_row.addWidget(self.report_note, 1)
        report_row.addWidget(self.open_report_button)
        self.report_row = QWidget()
        self.report_row.setLayout(report_row)
        report_row.setContentsMargins(0, 0, 0, 0)
        self.report_row.setVisible(False)
        top = QHBoxLayout()
        top.addWidget(self.models_dir, 1)
        for b in (pick, refresh, self.export_button, self.report_button):
            top.addWidget(b)
        options = QHBoxLayout()
        options.addWidget(self.exclude_failed)
        options.addWidget(self.excluded_note, 1)

        self.board = LeaderboardTable()
        self.board_note = QLabel()
        self.board_note.setWordWrap(True)
        board_tab = QWidget()
        board_column = QVBoxLayout(board_tab)
        board_column.addWidget(self.board, 1)
        board_column.addWidget(self.board_note)
        self.people = QTableWidget(0, 7)
        self.people.setObjectName("participantResults")
        self.people.setHorizontalHeaderLabels([self.tr("Participant"), self.tr("Answered"), "pc MA", "tr OA", "sr OA",
                                               self.tr("Attenuated"), self.tr("Max dB")])
        self.people.horizontalHeaderItem(5).setToolTip(self.tr("Answered trials the safety ceiling turned down"))
        self.people.horizontalHeaderItem(6).setToolTip(self.tr("The largest attenuation applied to this participant"))
        self.people.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.people.horizontalHeader().setStretchLastSection(True)
        self.people.verticalHeader().setVisible(False)
        self.people.setEditTriggers(QTableWidget.NoEditTriggers)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("resultsTabs")
        self.tabs.addTab(board_tab, self.tr("Leaderboard"))
        self.figure_views: dict[str, FigureView] = {}
        titles = {"bars_categories": self.tr("Categories"), "bars_subcategories": self.tr("Sub-categories"),
                  "human_vs_model": self.tr("Human vs models"), "variant_contrasts": self.tr("Variant contrasts"),
                  "items": self.tr("Item analysis")}
        for name in FIGURE_TABS:
            view = FigureView(name)
            view.set_message(self.tr("Not computed yet."))
            self.figure_views[name] = view
            self.tabs.addTab(view, titles[name])
        self.psychometric = PsychometricView()
        self.tabs.addTab(self.psychometric, self.tr("Psychometric"))
        self.tabs.addTab(self.people, self.tr("Participants"))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(options)
        layout.addWidget(self.tasks)
        layout.addWidget(self.progress)
        layout.addWidget(self.figure_progress)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.report_row)
        layout.addWidget(self.attenuation)
        layout.addWidget(self.status)

    def message_views(self) -> list:
        """The tabs that show a message while there is no figure (computing, an error)."""
        return [*self.figure_views.values(), self.psychometric]

    def pick_models(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Model results (work_dir)"))
        if folder:
            self.models_dir.setText(folder)
            self.refresh()

    def models_path(self) -> Path | None:
        return Path(self.models_dir.text()) if self.models_dir.text() else None

    def inputs(self) -> tuple:
        return (self.state.study.name if self.state.study else None, self.models_path(),
                self.exclude_failed.isChecked())

    def cache_dir(self) -> Path:
        """Where the leaderboard and figures are kept until the database changes (results_cache.py)."""
        return Path(self.ctx.data_dir) / "results-cache"

    def mark_stale(self) -> None:
        self.stale = True

    def refresh(self) -> None:
        """Recompute on a worker; a recomputation still running is cancelled and its result dropped
        (the figures of the old inputs too: they start again once the leaderboard is back)."""
        study = self.state.study.name if self.state.study else None
        self.computing, self.stale = self.inputs(), False
        self.figure_job.cancel()
        for view in self.message_views():
            view.set_message(self.tr("Waiting for the leaderboard…"))
        self.excluded_note.setText("")
        self.job.start(self.tr("Computing the results…"), leaderboard_job, self.ctx.db, study, self.models_path(),
                       self.exclude_failed.isChecked(), self.cache_dir(), user_errors=(Cancelled,))

    def _unreachable(self, message: str) -> None:
        """The lab server is away: said on this page and in the console's status line, no dialog."""
        self.stale = True  # computed again when the page is next shown or Refresh is pressed
        self.status.setText(self.tr("Not computed: the lab server cannot be reached now; try again when it is back."))
        self.state.server_unreachable(message)

    def _failed(self, message: str) -> None:
        self.status.setText(self.tr("Not computed: {why}.").format(why=message))
        for view in self.message_views():
            view.set_message(self.tr("Not computed: {why}.").format(why=message))

    def figure_width_px(self) -> int:
        """The width the figures are rendered for: a figure tab's, in device pixels (the tabs share
        one size; a tab not shown yet has not been laid out, so the width comes from the tab widget)."""
        view = self.figure_views["bars_categories"]
        style = self.tabs.style()
        inside = self.tabs.width() - 2 * style.pixelMetric(style.PixelMetric.PM_DefaultFrameWidth)
        margins = view.widget().layout().contentsMargins()
        width = inside - view.verticalScrollBar().sizeHint().width() - margins.left() - margins.right()
        return int(max(480, width) * view.devicePixelRatioF())

    def start_figures(self) -> None:
        from tasks.analysis.responses import ReportError

        study, models, exclude = self.computing if self.computing else self.inputs()
        for view in self.message_views():
            view.set_message(self.tr("Drawing the figures (bootstrap resampling)…"))
        self.figure_job.start(self.tr("Drawing the report's figures…"), run_in_process, figures_from_url,
                              connect_target(self.ctx.db), study, models, self.figure_width_px(), exclude,
                              self.cache_dir(), user_errors=(ReportError, Cancelled))

    def show_data(self, data: ResultsData) -> None:
        self.data, self.shown, self.figures = data, self.computing, None
        self._show_board()
        self.excluded_note.setText(self.excluded_text(data))
        self.people.setUpdatesEnabled(False)
        self.people.setRowCount(len(data.people))
        for i, p in enumerate(data.people):
            cells = [p.code, str(p.answered)] + ["–" if v is None else f"{v:.1f}" for v in (p.pc_ma, p.tr_oa, p.sr_oa)]
            cells += [str(p.attenuated), f"{p.max_attenuation_db:.1f}" if p.attenuated else "–"]
            for j, text in enumerate(cells):
                self.people.setItem(i, j, QTableWidgetItem(text))
        self.people.setUpdatesEnabled(True)
        self.attenuation.setText(self.tr("Safety ceiling: none of the {n} answered trials was attenuated.")
                                 .format(n=data.attenuation.answered) if data.attenuation.attenuated == 0 else
                                 self.tr("Safety ceiling: {k} of {n} answered trials attenuated, by {mean:.1f} dB on "
                                         "average (at most {max:.1f} dB).")
                                 .format(k=data.attenuation.attenuated, n=data.attenuation.answered,
                                         mean=data.attenuation.mean_attenuation_db,
                                         max=data.attenuation.max_attenuation_db))
        self.status.setText("\n".join(data.warnings[:5]) if data.warnings else
                            self.tr("{n} answered test trials.").format(n=data.answered_test))
        if data.answered_test:
            self.start_figures()
        else:
            self.figure_progress.setVisible(False)
            for view in self.message_views():
                view.set_message(self.tr("No answered test trial yet: nothing to draw."))

    def excluded_text(self, data: ResultsData) -> str:
        if not self.exclude_failed.isChecked():
            return self.tr("Everyone is counted, whatever their headphone screening.")
        if not data.excluded:
            return self.tr("No participant failed screening: nobody is excluded.")
        return self.tr("Excluded (failed screening) from the leaderboard, figures and report: {who}.").format(
            who="; ".join(data.excluded))

    def _show_board(self) -> None:
        boot = self.figures.human_boot_ci if self.figures is not None else None
        self.board.show_rows(self.data.rows, boot)
        if boot:
            self.board_note.setText(self.tr(
                "Brackets: the human mean's 95% interval for people and items both sampled (crossed design, "
                "variance components by the method of moments), as in report.html; other rows: the t interval. "
                "Hover a cell for the exact values."))
        elif not self.data.answered_test:
            self.board_note.setText(self.tr("No answered test trial yet: the rows shown are the paper's."))
        else:
            self.board_note.setText(self.tr("Brackets: 95% t interval across participants (the crossed interval "
                                            "follows with the figures). Hover a cell for the exact values."))

    def show_figures(self, report) -> None:
        """report: tasks.analysis.page_data.PageReport."""
        self.figures = report
        drawn = {f.name: f for f in report.figures}
        for name, view in self.figure_views.items():
            f = drawn.get(name)
            if f is None:
                view.set_message(report.missing.get(name, self.tr("Nothing to draw.")))
            else:
                view.set_figure(f.png, f.caption, f.responders)
        if report.psychometric is not None:
            self.psychometric.show_report(report.psychometric)
        if self.data is not None:
            self._show_board()
            # what only the figures' reading found (e.g. model ids not checked against the dataset)
            extra = [w for w in report.warnings if w not in self.data.warnings]
            if extra:
                self.status.setText("\n".join([self.status.text()] + extra[:3]))

    def _figures_timed(self, _report) -> None:
        self.progress.label.setText(self.tr("{numbers}; figures in {s:.1f} s").format(
            numbers=self.progress.label.text(), s=time.perf_counter() - self.figure_progress.started_at))
        self.figure_progress.setVisible(False)

    def _figures_failed(self, message: str) -> None:
        if message == "cancelled" and self.job.busy:
            return  # superseded by the recomputation under way
        for view in self.message_views():
            view.set_message(self.tr("No figures: {why}.").format(why=message))

    def export(self, out: str | None = None) -> None:
        if not self.tasks.busy:  # the folder: gui/console/export_folder.py (creates a new one after asking)
            with_export_folder(self, self.ctx.settings, out, self._export_into)

    def _export_into(self, out: Path) -> None:
        from tasks.results.trial_records import ExportError

        worker = Worker(run_in_process, export_and_count_job, connect_target(self.ctx.db), Path(out),
                        self.ctx.app_version, self.models_path(), user_errors=(ExportError, OSError, Cancelled))
        worker.succeeded.connect(lambda done: self.status.setText(export_status(self, done)))
        worker.failed.connect(lambda msg: show_error(self, self.tr("Export"), msg))
        worker.crashed.connect(lambda tb: show_error(self, self.tr("Internal error"), tb))
        worker.unreachable.connect(self._unreachable)
        self.tasks.start(worker, self.tr("Exporting…"))

    def export_report(self, out: str | None = None) -> None:
        """Write the report into a folder (asked for with the Export dialog unless given)."""
        if not self.tasks.busy:
            with_export_folder(self, self.ctx.settings, out, self._report_into)

    def _report_into(self, out: Path) -> None:
        from tasks.analysis.responses import ReportError

        study = self.state.study.name if self.state.study else None
        worker = Worker(run_in_process, report_from_url, connect_target(self.ctx.db), Path(out), self.models_path(),
                        study, self.exclude_failed.isChecked(), user_errors=(ReportError, OSError, Cancelled))
        worker.succeeded.connect(self._report_written)
        worker.failed.connect(self._report_failed)
        worker.crashed.connect(lambda tb: show_error(self, self.tr("Internal error"), tb))
        worker.unreachable.connect(self._unreachable)
        self.tasks.start(worker, self.tr("Writing the report…"))

    def _report_written(self, summary) -> None:
        """summary: results_data.ReportWritten."""
        self.report_path = summary.report_html
        text = self.tr("Report written: {path} ({f} figures, {t} tables; {p} participants, models: {m}).").format(
            path=self.report_path, f=len(summary.figures), t=len(summary.tables), p=summary.participants,
            m=", ".join(summary.models) or self.tr("none"))
        if summary.excluded:
            text += " " + self.tr("Left out for failed screening: {codes}.").format(codes=", ".join(summary.excluded))
        if summary.warnings:
            text += " " + self.tr("{n} warnings, listed at the end of the report.").format(n=len(summary.warnings))
        self.report_note.setText(text)
        self.open_report_button.setEnabled(True)
        self.report_row.setVisible(True)

    def _report_failed(self, message: str) -> None:
        self.report_note.setText(self.tr("No report written: {why}").format(why=message))
        self.report_path = None
        self.report_row.setVisible(True)
        self.open_report_button.setEnabled(False)
        show_error(self, self.tr("Export report"), message)

    def open_report(self) -> None:
        if self.report_path is None:
            return
        if not self.open_url(QUrl.fromLocalFile(str(self.report_path))):
            show_error(self, self.tr("Export report"), self.tr(
                "No program opened {path}: open it from a file manager or a browser.").format(path=self.report_path))

    def showEvent(self, event) -> None:
        """Coming back to the page recomputes only what is out of date: a paper-scale study takes
        minutes, and a computation under way for the same inputs is left to finish."""
        super().showEvent(event)
        wanted = self.inputs()
        if self.job.busy and self.computing == wanted:
            return  # (figures under way for the numbers shown: the next condition leaves them be)
        if not self.stale and self.shown == wanted:
            return
        self.refresh()

    def shutdown(self) -> None:
        """For closing the window: stop the exports and the recomputations and wait for them."""
        self.tasks.cancel()
        self.tasks.wait()
        self.job.shutdown()
        self.figure_job.shutdown()
