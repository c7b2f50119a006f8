"""Study page: the dataset (with its validation report), variants, protocol and seed."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)
from sqlmodel import Session as DbSession

from db import repo
from gui.context import AppContext, ConsoleState
from gui.widgets import TaskStrip, show_error
from gui.workers import Worker
from tasks.items import VARIANT_SOURCE, VARIANTS
from tasks.loader import Cancelled, NotADatasetError, format_report, load_dataset
from tasks.plan import PROTOCOLS, PlanError, Protocol, plan_size
from tasks.sessions import DatasetChangedError, open_study, study_protocol

LOAD_ERRORS = (NotADatasetError, Cancelled, OSError)


def load_builtin_or_folder(folder: str | None, builtin, progress, should_cancel):
    root = Path(folder) if folder else builtin(progress=progress, should_cancel=should_cancel)
    return load_dataset(root, progress=progress, should_cancel=should_cancel)


class StudyPage(QWidget):
    def __init__(self, ctx: AppContext, state: ConsoleState, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.state = ctx, state
        self.folder = QLineEdit()
        self.folder.setPlaceholderText(self.tr("Built-in item bank (no dataset chosen)"))
        self.folder.setReadOnly(True)
        browse = QPushButton(self.tr("&Choose dataset folder…"))
        browse.clicked.connect(self.choose_folder)
        builtin = QPushButton(self.tr("Use &built-in bank"))
        builtin.clicked.connect(lambda: self.load(None))
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setObjectName("validationReport")
        self.tasks = TaskStrip()

        ds_box = QGroupBox(self.tr("Dataset"))
        ds_layout = QVBoxLayout(ds_box)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        row.addWidget(builtin)
        ds_layout.addLayout(row)
        ds_layout.addWidget(self.tasks)
        ds_layout.addWidget(self.report, 1)

        self.variant_boxes: dict[str, QCheckBox] = {}
        var_box = QGroupBox(self.tr("Variants (one block each, in this order)"))
        grid = QGridLayout(var_box)
        for i, v in enumerate(VARIANTS):
            box = QCheckBox(v)
            box.setChecked(v in ("pc", "tr", "sr"))
            self.variant_boxes[v] = box
            grid.addWidget(box, i // 4, i % 4)

        self.study_name = QLineEdit("pilot")
        self.protocol = QComboBox()
        self.protocol.addItems(PROTOCOLS)
        self.items_per_group = self._spin(0, 10000, 3, self.tr("all items"))
        self.practice = self._spin(0, 20, 2)
        self.catch_every = self._spin(0, 500, 0, self.tr("none"))
        self.break_every = self._spin(0, 1000, 40, self.tr("none"))
        self.max_replays = self._spin(0, 20, 2)
        self.spacing = self._spin(0, 100, 3)
        self.seed = self._spin(0, 2**31 - 1, 1)
        self.reference_dbfs = QDoubleSpinBox()
        self.reference_dbfs.setRange(-60.0, 0.0)
        self.reference_dbfs.setValue(-20.0)
        self.reference_dbfs.setSuffix(" dBFS")
        self.reference_db_spl = QDoubleSpinBox()
        self.reference_db_spl.setRange(20.0, 100.0)
        self.reference_db_spl.setValue(70.0)
        self.reference_db_spl.setSuffix(" dB SPL")
        reference_row = QHBoxLayout()
        reference_row.addWidget(self.reference_dbfs)
        reference_row.addWidget(QLabel(self.tr("means")))
        reference_row.addWidget(self.reference_db_spl)
        proto_box = QGroupBox(self.tr("Study and protocol"))
        form = QFormLayout(proto_box)
        form.addRow(self.tr("Study &name"), self.study_name)
        form.addRow(self.tr("&Protocol"), self.protocol)
        form.addRow(self.tr("Items per sub-category"), self.items_per_group)
        form.addRow(self.tr("Practice trials per block"), self.practice)
        form.addRow(self.tr("Catch trial every"), self.catch_every)
        form.addRow(self.tr("Break every"), self.break_every)
        form.addRow(self.tr("Maximum replays"), self.max_replays)
        form.addRow(self.tr("Runs of one item at least … apart"), self.spacing)
        form.addRow(self.tr("&Seed"), self.seed)
        form.addRow(self.tr("Digital reference"), reference_row)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        form.addRow(self.counts)
        open_button = QPushButton(self.tr("&Open or create study"))
        open_button.setObjectName("openStudy")
        open_button.clicked.connect(self.open_study)
        form.addRow(open_button)
        for w in (self.protocol, self.items_per_group, self.practice, self.catch_every, self.spacing):
            (w.currentIndexChanged if isinstance(w, QComboBox) else w.valueChanged).connect(self.update_counts)
        for box in self.variant_boxes.values():
            box.toggled.connect(self.update_counts)

        right = QVBoxLayout()
        right.addWidget(var_box)
        right.addWidget(proto_box)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(ds_box, 3)
        layout.addLayout(right, 2)
        self.state.datasetChanged.connect(self.update_counts)

    def _spin(self, lo: int, hi: int, value: int, special: str | None = None) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(lo, hi)
        spin.setValue(value)
        if special:
            spin.setSpecialValueText(special)
        return spin

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("STAR-Bench folder"))
        if folder:
            self.load(folder)

    def load(self, folder: str | None) -> None:
        if self.tasks.busy:
            return
        worker = Worker(load_builtin_or_folder, folder, self.ctx.builtin_bank, user_errors=LOAD_ERRORS)
        worker.succeeded.connect(lambda ds: self._loaded(folder, ds))
        # a cancelled load (Cancel, or the window closing) is not an error to show
        worker.failed.connect(lambda msg: None if worker.cancelled else show_error(self, self.tr("Dataset"), msg))
        worker.crashed.connect(lambda tb: show_error(self, self.tr("Internal error"), tb))
        self.tasks.start(worker, self.tr("Validating…") if folder else self.tr("Preparing the built-in bank…"))

    def _loaded(self, folder: str | None, ds) -> None:
        self.folder.setText(folder or "")
        self.report.setPlainText(format_report(ds))
        self.ctx.settings.set("dataset_root", folder)
        for v, box in self.variant_boxes.items():
            box.setEnabled(VARIANT_SOURCE[v] in ds.items)
            if not box.isEnabled():
                box.setChecked(False)
        self.state.set_dataset(ds)

    def current_protocol(self) -> Protocol:
        variants = [v for v in VARIANTS if self.variant_boxes[v].isChecked()]
        return Protocol(mode=self.protocol.currentText(), variants=variants,
                        items_per_group=self.items_per_group.value() or None,
                        practice_per_block=self.practice.value(), catch_every=self.catch_every.value(),
                        break_every=self.break_every.value(), max_replays=self.max_replays.value(),
                        min_run_spacing=self.spacing.value(), seed=self.seed.value(),
                        reference_dbfs=self.reference_dbfs.value(), reference_db_spl=self.reference_db_spl.value())

    def update_counts(self) -> None:
        ds = self.state.dataset
        if ds is None:
            self.counts.setText(self.tr("Load a dataset to see the plan size."))
            return
        try:
            kinds = plan_size(ds, self.current_protocol())
        except PlanError as exc:
            self.counts.setText(str(exc))
            return
        self.counts.setText(self.tr("Each participant: {test} test, {practice} practice and {catch} catch trials.")
                            .format(**kinds))

    def open_study(self) -> None:
        ds = self.state.dataset
        name = self.study_name.text().strip()
        if ds is None or not name:
            show_error(self, self.tr("Study"), self.tr("Load a dataset and give the study a name first."))
            return
        try:
            protocol = self.current_protocol()
            with DbSession(self.ctx.db) as s:
                existing = repo.get_study(s, name)
            study = open_study(self.ctx.db, ds, name, protocol)
        except (PlanError, DatasetChangedError) as exc:
            show_error(self, self.tr("Study"), str(exc))
            return
        if existing is not None and study_protocol(study) != protocol:
            self.counts.setText(self.tr("Study {name!r} exists: its stored protocol stays in force.").format(name=name))
        self.ctx.settings.set("last_study", name)
        self.state.set_study(study)
