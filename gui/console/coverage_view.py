"""The Sessions page's coverage of a cover study (docs/cover-design.md): per sub-category the
units with 0, 1, ..., K answers so far, a bar of the answers given out of those needed, and the
answers, participants and person-hours still needed. Read with
tasks/cover/coverage.coverage_summary on a worker (a LatestJob) whenever the Sessions page
refreshes; hidden unless the open study is a cover study."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QGroupBox, QHeaderView, QLabel, QProgressBar, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from gui.common.widgets import show_error
from gui.common.workers import LatestJob
from tasks.cover.coverage import CoverageSummary
from tasks.dataset.loader import Cancelled
from tasks.study.studies import StoredDataError


def coverage_data(engine, dataset, study_id: int, progress, should_cancel) -> CoverageSummary:
    """On a worker: the study's coverage, read in one session of the database."""
    from sqlmodel import Session as DbSession

    from db.models import Study
    from tasks.cover.coverage import coverage_summary

    progress(0, 1, "counting answers per unit")
    with DbSession(engine) as s:
        study = s.get(Study, study_id)
        if study is None:
            raise Cancelled("the study is gone")
        summary = coverage_summary(s, dataset, study)
    if should_cancel():
        raise Cancelled("cancelled")
    progress(1, 1, "done")
    return summary


def answered_share(group) -> tuple[int, int]:
    """(answers given, counted up to K per unit; answers the group needs in all)."""
    k = len(group.by_answers) - 1
    return sum(a * n for a, n in enumerate(group.by_answers)), group.runs * k


class CoverageView(QGroupBox):
    def __init__(self, engine, parent: QWidget | None = None):
        super().__init__(parent)
        self.engine = engine
        self.setObjectName("coverageView")
        self.setTitle(self.tr("Coverage of the cover study"))
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("coverageTable")
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.needed = QLabel()
        self.needed.setObjectName("coverageNeeded")
        self.needed.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.needed)
        self.job = LatestJob(self)
        self.job.succeeded.connect(self.show_summary)
        self.job.failed.connect(lambda msg: self.needed.setText(self.tr("Coverage not read: {why}.").format(why=msg)))
        # the lab server away: said here too, so that the counts shown are not taken for today's
        self.job.unreachable.connect(lambda msg: self.needed.setText(
            self.tr("Coverage not read: the lab server cannot be reached ({why}).").format(why=msg)))
        self.job.crashed.connect(lambda tb: show_error(self, self.tr("Internal error"), tb))
        self.summary: CoverageSummary | None = None
        self.setVisible(False)

    def refresh(self, dataset, study, design: str | None) -> None:
        """Read the coverage again (a cover study with its dataset loaded), else hide."""
        if study is None or dataset is None or design != "cover":
            self.job.cancel()
            self.setVisible(False)
            return
        self.setVisible(True)
        self.job.start(self.tr("Reading the coverage…"), coverage_data, self.engine, dataset, study.id,
                       user_errors=(Cancelled, StoredDataError, OSError))

    def show_summary(self, summary: CoverageSummary) -> None:
        self.summary = summary
        k = summary.responses_per_run
        headers = [self.tr("Sub-category"), self.tr("Units")] + [
            self.tr("{a} answers").format(a=a) if a != 1 else self.tr("1 answer") for a in range(k + 1)]
        headers.append(self.tr("Answers given"))
        self.table.setUpdatesEnabled(False)
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(summary.groups))
        for row, group in enumerate(summary.groups):
            cells = [group.group, str(group.runs)] + [str(n) for n in group.by_answers]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 2 and group.by_answers[0]:
                    item.setToolTip(self.tr("{n} units not answered yet").format(n=group.by_answers[0]))
                self.table.setItem(row, col, item)
            given, wanted = answered_share(group)
            bar = QProgressBar()
            bar.setRange(0, max(1, wanted))
            bar.setValue(given)
            bar.setFormat(f"{given}/{wanted}")
            self.table.setCellWidget(row, len(headers) - 1, bar)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(len(headers) - 1, QHeaderView.Stretch)
        self.table.setUpdatesEnabled(True)
        if summary.answers_needed == 0:
            self.needed.setText(self.tr("Every unit has its {k} answers: the study is covered.").format(k=k))
        else:
            self.needed.setText(self.tr(
                "Still needed: {a} answers (each unit {k} times), about {p} participants and {h:.1f} "
                "person-hours.").format(a=summary.answers_needed, k=k, p=summary.participants_needed,
                                        h=summary.person_hours_needed))

    def shutdown(self) -> None:
        self.job.shutdown()
