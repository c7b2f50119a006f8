"""Results page: humans against imported models, per-category bars, per-participant table,
exports. The numbers come from tasks.compare, exactly as the command line writes them."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSplitter, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)
from PySide6.QtCore import Qt

from gui.context import AppContext, ConsoleState
from gui.widgets import BarChart, TaskStrip, show_error
from gui.workers import Worker
from tasks.compare import build_rows, read_models, write_compare
from tasks.export import ExportError, answered_test_records, export, load_records
from tasks.scoring import LEADERBOARD_COLUMNS, LEADERBOARD_KEYS, leaderboard_row, score_all


def export_job(db, out: Path, version: str, models: Path | None, progress, should_cancel):
    progress(0, 2, "exporting")
    result = export(db, out, version)
    progress(1, 2, "comparing")
    write_compare(out / "compare", load_records(db), read_models(models) if models else [])
    progress(2, 2, "done")
    return result


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
        self.board.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.board.setEditTriggers(QTableWidget.NoEditTriggers)
        self.chart = BarChart()
        self.people = QTableWidget(0, 5)
        self.people.setHorizontalHeaderLabels([self.tr("Participant"), self.tr("Answered"), "pc MA", "tr OA", "sr OA"])
        self.people.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.people.setEditTriggers(QTableWidget.NoEditTriggers)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.board)
        bottom = QSplitter(Qt.Horizontal)
        bottom.addWidget(self.chart)
        bottom.addWidget(self.people)
        bottom.setSizes([600, 400])
        split.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tasks)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)

    def pick_models(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Model results (work_dir)"))
        if folder:
            self.models_dir.setText(folder)
            self.refresh()

    def models_path(self) -> Path | None:
        return Path(self.models_dir.text()) if self.models_dir.text() else None

    def refresh(self) -> None:
        records = load_records(self.ctx.db, self.state.study.name if self.state.study else None)
        try:
            models = read_models(self.models_path()) if self.models_path() else []
        except OSError as exc:
            show_error(self, self.tr("Models"), str(exc))
            models = []
        rows = build_rows(records, models)
        self.board.setRowCount(len(rows))
        self.board.setVerticalHeaderLabels([r.name + (f" (n={r.n})" if r.n else "") for r in rows])
        for i, r in enumerate(rows):
            for j, key in enumerate(LEADERBOARD_KEYS):
                v, ci = r.values.get(key), r.ci.get(key)
                text = "–" if v is None else f"{v:.1f}" + (f"  [{ci[0]:.1f}, {ci[1]:.1f}]" if ci else "")
                self.board.setItem(i, j, QTableWidgetItem(text))
        shown = [r for r in rows if r.kind in ("human-mean", "model", "chance")][:6]
        keys = ["pc_range", "pc_sensitivity", "tr_continuous", "tr_discrete", "sr_localization", "sr_relation",
                "sr_trajectory", "ma"]
        names = dict((k, h) for k, h, _a, _c in LEADERBOARD_COLUMNS)
        short = {"human-mean": lambda r: r.name.split(",")[0].replace("Human (", "Humans (") + f" n={r.n}",
                 "model": lambda r: r.name, "chance": lambda r: self.tr("Chance")}
        self.chart.set_data([names[k] if k != "ma" else self.tr("Overall MA") for k in keys],
                            [(short[r.kind](r), [r.values.get(k) for k in keys], [r.ci.get(k) for k in keys])
                             for r in shown])
        by_person: dict[str, list] = {}
        for rec in answered_test_records(records):
            by_person.setdefault(rec.participant.code, []).append(rec.run_result())
        self.people.setRowCount(len(by_person))
        for i, (code, results) in enumerate(sorted(by_person.items())):
            row = leaderboard_row(score_all(results))
            cells = [code, str(len(results))] + ["–" if row[k] is None else f"{row[k]:.1f}"
                                                  for k in ("pc_ma", "tr_oa", "sr_oa")]
            for j, text in enumerate(cells):
                self.people.setItem(i, j, QTableWidgetItem(text))
        warnings = [w for m in models for w in m.warnings]
        self.status.setText("\n".join(warnings[:5]) if warnings else
                            self.tr("{n} answered test trials.").format(n=sum(len(v) for v in by_person.values())))

    def export(self, out: str | None = None) -> None:
        out = out or QFileDialog.getExistingDirectory(self, self.tr("Export into folder"))
        if not out or self.tasks.busy:
            return
        worker = Worker(export_job, self.ctx.db, Path(out), self.ctx.app_version, self.models_path(),
                        user_errors=(ExportError, OSError))
        worker.succeeded.connect(lambda res: self.status.setText(
            self.tr("Exported {n} responses into {out}.").format(n=res.responses, out=res.out_dir)))
        worker.failed.connect(lambda msg: show_error(self, self.tr("Export"), msg))
        worker.crashed.connect(lambda tb: show_error(self, self.tr("Internal error"), tb))
        self.tasks.start(worker, self.tr("Exporting…"))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()
