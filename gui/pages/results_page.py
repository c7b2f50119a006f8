"""Results page: humans against imported models, per-category bars, per-participant table,
the safety ceiling's attenuations, exports. The numbers come from tasks.compare, exactly as the
command line writes them, computed in a child process driven by a worker thread (results_data.py,
gui/processes.py) with a progress bar; a newer request supersedes (terminates) a running one."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSplitter, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from gui.context import AppContext, ConsoleState
from gui.pages.results_data import ResultsData, results_from_url
from gui.processes import run_in_process
from gui.widgets import BarChart, JobStrip, TaskStrip, show_error
from gui.workers import LatestJob, Worker
from tasks.loader import Cancelled
from tasks.scoring import LEADERBOARD_COLUMNS, LEADERBOARD_KEYS


def export_job(db_url: str, out: Path, version: str, models: Path | None, progress, should_cancel):
    """The export and the comparison, run in a child process (gui/processes.py)."""
    from db.engine import make_engine
    from tasks.compare import export_and_compare, read_models

    db = make_engine(db_url)
    try:
        progress(0, 2, "exporting and comparing")
        # the comparison from the export's own read and scoring: the compare command's files,
        # without reading and scoring every response a second time
        result, _files = export_and_compare(db, out, version, read_models(models) if models else [])
        progress(2, 2, "done")
        return result
    finally:
        db.dispose()


def db_url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


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
        self.export_button.clicked.connect(self.export)
        self.tasks = TaskStrip()
        self.job = LatestJob(self)
        self.job.succeeded.connect(self.show_data)
        self.job.failed.connect(self._failed)
        self.job.crashed.connect(lambda tb: show_error(self, self.tr("Internal error"), tb))
        self.progress = JobStrip(self.job)
        self.attenuation = QLabel()
        self.attenuation.setObjectName("attenuationSummary")
        self.attenuation.setWordWrap(True)
        self.data: ResultsData | None = None
        # (study, models folder) of the numbers shown and of the computation under way; stale
        # when sessions or participants changed since
        self.shown: tuple | None = None
        self.computing: tuple | None = None
        self.stale = True
        for signal in (state.sessionsChanged, state.participantsChanged):
            signal.connect(self.mark_stale)
        self.status = QLabel()
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.models_dir, 1)
        for b in (pick, refresh, self.export_button):
            top.addWidget(b)

        headers = [h for _k, h, _a, _c in LEADERBOARD_COLUMNS]
        self.board = QTableWidget(0, len(headers))
        self.board.setObjectName("leaderboard")
        self.board.setHorizontalHeaderLabels(headers)
        self.board.horizontalHeader().setStretchLastSection(True)
        self.board.setEditTriggers(QTableWidget.NoEditTriggers)
        self.chart = BarChart()
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
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.board)
        bottom = QSplitter(Qt.Horizontal)
        bottom.addWidget(self.chart)
        bottom.addWidget(self.people)
        bottom.setSizes([540, 460])
        split.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tasks)
        layout.addWidget(self.progress)
        layout.addWidget(split, 1)
        layout.addWidget(self.attenuation)
        layout.addWidget(self.status)

    def pick_models(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Model results (work_dir)"))
        if folder:
            self.models_dir.setText(folder)
            self.refresh()

    def models_path(self) -> Path | None:
        return Path(self.models_dir.text()) if self.models_dir.text() else None

    def inputs(self) -> tuple:
        return (self.state.study.name if self.state.study else None, self.models_path())

    def mark_stale(self) -> None:
        self.stale = True

    def refresh(self) -> None:
        """Recompute on a worker; a recomputation still running is cancelled and its result dropped."""
        study = self.state.study.name if self.state.study else None
        self.computing, self.stale = self.inputs(), False
        self.job.start(self.tr("Computing the results…"), run_in_process, results_from_url, db_url(self.ctx.db),
                       study, self.models_path(), user_errors=(Cancelled,))

    def _failed(self, message: str) -> None:
        self.status.setText(self.tr("Not computed: {why}.").format(why=message))

    def show_data(self, data: ResultsData) -> None:
        self.data, self.shown = data, self.computing
        rows = data.rows
        self.board.setRowCount(len(rows))
        self.board.setVerticalHeaderLabels([r.name + (f" (n={r.n})" if r.n else "") for r in rows])
        for i, r in enumerate(rows):
            for j, key in enumerate(LEADERBOARD_KEYS):
                v, ci = r.values.get(key), r.ci.get(key)
                # the interval on a second line, so that a column is as wide as its interval, not clipped
                text = "–" if v is None else f"{v:.1f}" + (f"\n[{ci[0]:.1f}, {ci[1]:.1f}]" if ci else "")
                item = QTableWidgetItem(text)
                if ci:
                    item.setToolTip(self.tr("{v:.2f}, 95% CI {lo:.2f} to {hi:.2f}").format(v=v, lo=ci[0], hi=ci[1]))
                self.board.setItem(i, j, item)
        self.board.resizeColumnsToContents()
        self.board.resizeRowsToContents()
        shown = [r for r in rows if r.kind in ("human-mean", "model", "chance")][:6]
        keys = ["pc_range", "pc_sensitivity", "tr_continuous", "tr_discrete", "sr_localization", "sr_relation",
                "sr_trajectory", "ma"]
        names = dict((k, h) for k, h, _a, _c in LEADERBOARD_COLUMNS)
        short = {"human-mean": lambda r: r.name.split(",")[0].replace("Human (", "Humans (") + f" n={r.n}",
                 "model": lambda r: r.name, "chance": lambda r: self.tr("Chance")}
        self.chart.set_data([names[k] if k != "ma" else self.tr("Overall MA") for k in keys],
                            [(short[r.kind](r), [r.values.get(k) for k in keys], [r.ci.get(k) for k in keys])
                             for r in shown])
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

    def export(self, out: str | None = None) -> None:
        out = out or QFileDialog.getExistingDirectory(self, self.tr("Export into folder"))
        if not out or self.tasks.busy:
            return
        from tasks.export import ExportError

        worker = Worker(run_in_process, export_job, db_url(self.ctx.db), Path(out), self.ctx.app_version,
                        self.models_path(), user_errors=(ExportError, OSError, Cancelled))
        worker.succeeded.connect(lambda res: self.status.setText(
            self.tr("Exported {n} responses into {out}.").format(n=res.responses, out=res.out_dir)))
        worker.failed.connect(lambda msg: show_error(self, self.tr("Export"), msg))
        worker.crashed.connect(lambda tb: show_error(self, self.tr("Internal error"), tb))
        self.tasks.start(worker, self.tr("Exporting…"))

    def showEvent(self, event) -> None:
        """Coming back to the page recomputes only what is out of date: a paper-scale study takes
        minutes, and a computation under way for the same inputs is left to finish."""
        super().showEvent(event)
        wanted = self.inputs()
        if self.job.busy and self.computing == wanted:
            return
        if not self.stale and self.shown == wanted:
            return
        self.refresh()

    def shutdown(self) -> None:
        """For closing the window: stop the export and the recomputation and wait for them."""
        self.tasks.cancel()
        self.tasks.wait()
        self.job.shutdown()
