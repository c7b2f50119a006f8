"""Study page: the dataset (with its validation report), variants, protocol and seed, the adaptive
threshold blocks (gui/console/adaptive_box.py), the design and the session length
(gui/console/design_box.py); what is in
force (the open study's stored protocol, the digital reference and where it comes from, the
longest clip accepted, the station's safety ceiling)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFileDialog, QFormLayout, QFrame, QScrollArea, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
    QPlainTextEdit, QPushButton, QVBoxLayout, QWidget,
)
from sqlmodel import Session as DbSession

from db import repo
from gui.common.context import AppContext, ConsoleState
from gui.console.adaptive_box import AdaptiveBox
from gui.console.design_box import DesignBox
from gui.common.widgets import CheckedDoubleSpinBox, CheckedSpinBox, TaskStrip, local_time, show_error, with_note
from gui.common.workers import Worker
from tasks.dataset.items import VARIANT_SOURCE, VARIANTS
from tasks.dataset.loader import Cancelled, NotADatasetError, format_report, load_dataset
from audio.safety import HARD_MAXIMUM_DB_SPL
from tasks.study.plan import (PROTOCOLS, PlanError, Protocol, declared_reference, plan_size, practice_shortfall,
                        protocol_for)
from tasks.study.studies import DatasetChangedError, StoredDataError, open_study, study_protocol

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
        self.loading = False  # a dataset is being read: its reference is not known yet (update_in_force)
        self.tasks.finished.connect(self._load_ended)

        ds_box = QGroupBox(self.tr("Dataset"))
        ds_layout = QVBoxLayout(ds_box)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        row.addWidget(builtin)
        ds_layout.addLayout(row)
        ds_layout.addLayout(self._renderer_row())
        ds_layout.addWidget(self.renderer_note)
        ds_layout.addWidget(self.localization_check)
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
        defaults = Protocol()
        self.outside_note = ""  # stored protocol values the form cannot show, in words
        self.max_clip_duration_s = defaults.max_clip_duration_s  # not edited here; shown, and kept from a stored protocol
        self.reference_dbfs = CheckedDoubleSpinBox()
        self.reference_dbfs.setRange(-60.0, 0.0)
        self.reference_dbfs.setValue(defaults.reference_dbfs)
        self.reference_dbfs.setSuffix(" dBFS")
        self.reference_db_spl = CheckedDoubleSpinBox()
        self.reference_db_spl.setRange(20.0, HARD_MAXIMUM_DB_SPL)
        self.reference_db_spl.setValue(defaults.reference_db_spl)
        self.reference_db_spl.setSuffix(" dB SPL")
        self.reference_db_spl.limit_note = self.tr("hard maximum {m:g} dB SPL").format(m=HARD_MAXIMUM_DB_SPL)
        reference_row = QHBoxLayout()
        reference_row.setContentsMargins(0, 0, 0, 0)
        reference_row.addWidget(with_note(self.reference_dbfs), 1)
        reference_row.addWidget(QLabel(self.tr("means")))
        reference_row.addWidget(with_note(self.reference_db_spl), 1)
        reference_box = QWidget()
        reference_box.setLayout(reference_row)
        proto_box = QGroupBox(self.tr("Study and protocol"))
        proto_layout = QVBoxLayout(proto_box)
        form = QFormLayout()
        proto_layout.addLayout(form)
        form.addRow(self.tr("Study &name"), self.study_name)
        form.addRow(self.tr("&Protocol"), self.protocol)
        form.addRow(self.tr("Items per sub-category"), with_note(self.items_per_group))
        form.addRow(self.tr("Practice trials per block"), with_note(self.practice))
        form.addRow(self.tr("Catch trial every"), with_note(self.catch_every))
        form.addRow(self.tr("Break every"), with_note(self.break_every))
        form.addRow(self.tr("Maximum replays"), with_note(self.max_replays))
        form.addRow(self.tr("Runs of one item at least … apart"), with_note(self.spacing))
        form.addRow(self.tr("&Seed"), with_note(self.seed))
        form.addRow(self.tr("Digital reference"), reference_box)
        # the notes go below the form, in a box layout: a QFormLayout row gives a wrapped label
        # less height than its text needs once the column is narrow (the lines were clipped)
        self.in_force = QLabel()
        self.in_force.setObjectName("inForce")
        self.in_force.setWordWrap(True)
        proto_layout.addWidget(self.in_force)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        proto_layout.addWidget(self.counts)
        open_button = QPushButton(self.tr("&Open or create study"))
        open_button.setObjectName("openStudy")
        open_button.clicked.connect(self.open_study)
        proto_layout.addWidget(open_button)
        # in the box, whose layout gives a wrapped text its height (directly in the scrolling column
        # a two-line status was given one line and drawn clipped)
        self.study_status = QLabel()
        self.study_status.setObjectName("studyStatus")
        self.study_status.setWordWrap(True)
        proto_layout.addWidget(self.study_status)
        for w in (self.protocol, self.items_per_group, self.practice, self.catch_every, self.spacing):
            (w.currentIndexChanged if isinstance(w, QComboBox) else w.valueChanged).connect(self.update_counts)
        for box in self.variant_boxes.values():
            box.toggled.connect(self.update_counts)
        for spin in (self.reference_dbfs, self.reference_db_spl):
            spin.valueChanged.connect(self.update_in_force)

        self.adaptive = AdaptiveBox()
        self.adaptive.changed.connect(self.update_counts)
        self.design = DesignBox(ctx.db)
        self.design.changed.connect(self.update_counts)
        # the protocol's parts in the scrolling column; the dataset and the session length beside
        # them (at 1280x720 the three boxes under the dataset left the length's lines no room)
        right = QVBoxLayout()
        right.addWidget(var_box)
        right.addWidget(proto_box)
        right.addWidget(self.adaptive)
        right.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(ds_box, 1)
        left.addWidget(self.design)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        # the protocol column scrolls when its notes (practice shortfalls, the status) outgrow the window
        right_column = QWidget()
        right_column.setLayout(right)
        right.setContentsMargins(0, 0, 0, 0)
        right_scroll = QScrollArea()
        right_scroll.setWidget(right_column)
        right_scroll.setWidgetResizable(True)
        right_scroll.setFrameShape(QFrame.NoFrame)
        right_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        # always there, so that wrapped notes are laid out for the width they get (a bar appearing
        # after the layout narrowed the column and clipped their last lines)
        right_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOn)
        layout.addWidget(right_scroll, 1)
        self.state.datasetChanged.connect(self.update_counts)
        self.state.studyChanged.connect(self._study_changed)
        self.update_in_force()
        self.filled: Protocol | None = None  # what the program last put in the form (is it edited since?)
        self._mark_filled()

    def _renderer_row(self) -> QHBoxLayout:
        """How the built-in bank renders its spatial items (station settings bank_renderer and
        bank_hrtf_file; docs/hrtf.md): each choice is a bank folder of its own, made on first use."""
        self.localization_check = QCheckBox(self.tr("Add the binaural localization check (left/right/front/back)"))
        self.localization_check.setObjectName("localizationCheck")
        self.localization_check.setToolTip(self.tr(
            "A third headphone check after the antiphase and Huggins checks, rendered through the HRTF of the "
            "built-in bank's setting; this station's sessions run it (docs/hrtf.md)"))
        self.localization_check.setChecked(bool(self.ctx.settings.get("screening_localization")))
        self.localization_check.toggled.connect(self.set_localization_check)
        self.renderer = QComboBox()
        self.renderer.setObjectName("bankRenderer")
        self.renderer.addItem(self.tr("HRTF: MIT KEMAR (default)"), ("hrtf", None))
        self.renderer.addItem(self.tr("HRTF: a SOFA file…"), ("hrtf", "sofa"))
        self.renderer.addItem(self.tr("Spherical head (no pinna)"), ("spherical", None))
        hrtf_file = self.ctx.settings.get("bank_hrtf_file")
        index = 2 if self.ctx.settings.get("bank_renderer") == "spherical" else (1 if hrtf_file else 0)
        self.renderer.setCurrentIndex(index)
        self.renderer_note = QLabel()
        self.renderer_note.setObjectName("rendererNote")
        self.renderer_note.setWordWrap(True)
        self._show_renderer()
        self.renderer.activated.connect(self.choose_renderer)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Built-in bank's spatial items:")))
        row.addWidget(self.renderer, 1)
        return row

    def choose_renderer(self, index: int, sofa_file: str | None = None) -> None:
        """Store the renderer; a SOFA file is asked for (``sofa_file`` given: no dialog)."""
        renderer, wants_file = self.renderer.itemData(index)
        path = None
        if wants_file:
            path = sofa_file or QFileDialog.getOpenFileName(self, self.tr("HRTF (SOFA file)"), "",
                                                            self.tr("SOFA files (*.sofa)"))[0]
            if not path:  # cancelled: back to what is stored
                self.renderer.setCurrentIndex(2 if self.ctx.settings.get("bank_renderer") == "spherical"
                                              else (1 if self.ctx.settings.get("bank_hrtf_file") else 0))
                return
            if not Path(path).is_file():
                self.renderer_note.setText(self.tr("{path}: no such file; the renderer is unchanged.").format(path=path))
                return
        self.ctx.settings.set("bank_renderer", renderer)
        self.ctx.settings.set("bank_hrtf_file", path)
        self._show_renderer()

    def set_localization_check(self, on: bool) -> None:
        hrtf_file = self.ctx.settings.get("bank_hrtf_file")
        if on and hrtf_file and not Path(hrtf_file).is_file():
            self.renderer_note.setText(self.tr("The localization check needs the HRTF file {path}, which is "
                                               "missing: choose another HRTF first.").format(path=hrtf_file))
            self.localization_check.setChecked(False)
            return
        self.ctx.settings.set("screening_localization", bool(on))

    def _show_renderer(self) -> None:
        renderer, hrtf_file = self.ctx.settings.get("bank_renderer"), self.ctx.settings.get("bank_hrtf_file")
        what = (self.tr("spherical-head model (ITD/ILD only)") if renderer == "spherical"
                else self.tr("HRTF {name}").format(name=Path(hrtf_file).name) if hrtf_file
                else self.tr("HRTF MIT KEMAR"))
        self.renderer_note.setText(self.tr("{what}; used the next time the built-in bank is loaded.").format(what=what))

    def _spin(self, lo: int, hi: int, value: int, special: str | None = None) -> CheckedSpinBox:
        spin = CheckedSpinBox()
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
        self.loading = True
        self.update_in_force()

    def _load_ended(self) -> None:
        """Loaded, failed or cancelled: what the form shows is what is in force again."""
        self.loading = False
        self.update_in_force()

    def _loaded(self, folder: str | None, ds) -> None:
        self.folder.setText(folder or "")
        self.report.setPlainText(format_report(ds))
        self.ctx.settings.set("dataset_root", folder)
        for v, box in self.variant_boxes.items():
            box.setEnabled(VARIANT_SOURCE[v] in ds.items)
            if not box.isEnabled():
                box.setChecked(False)
        # a new study on this dataset takes the reference the dataset declares, else the default
        fresh = protocol_for(ds)
        self.reference_dbfs.setValue(fresh.reference_dbfs)
        self.reference_db_spl.setValue(fresh.reference_db_spl)
        self.loading = False  # the reference is known now
        self.state.set_dataset(ds)
        self.update_in_force()
        self._mark_filled()

    def current_protocol(self) -> Protocol:
        variants = [v for v in VARIANTS if self.variant_boxes[v].isChecked()]
        return Protocol(mode=self.protocol.currentText(), variants=variants,
                        items_per_group=self.items_per_group.value() or None,
                        practice_per_block=self.practice.value(), catch_every=self.catch_every.value(),
                        break_every=self.break_every.value(), max_replays=self.max_replays.value(),
                        min_run_spacing=self.spacing.value(), seed=self.seed.value(),
                        reference_dbfs=self.reference_dbfs.value(), reference_db_spl=self.reference_db_spl.value(),
                        max_clip_duration_s=self.max_clip_duration_s, **self.adaptive.fields(),
                        **self.design.fields())

    def _mark_filled(self) -> None:
        try:
            self.filled = self.current_protocol()
        except PlanError:  # a form the program cannot read back counts as edited
            self.filled = None

    def show_protocol(self, protocol: Protocol) -> list[str]:
        """Fill the form from a protocol (a reopened study's stored one). Returns the fields whose
        stored value lies outside what the form can show (a protocol made on the command line)."""
        self.protocol.setCurrentText(protocol.mode)
        for v, box in self.variant_boxes.items():
            box.setChecked(v in protocol.variants)
        outside = []
        for spin, label, value in (
                (self.items_per_group, "items per sub-category", protocol.items_per_group or 0),
                (self.practice, "practice trials per block", protocol.practice_per_block),
                (self.catch_every, "catch trial every", protocol.catch_every),
                (self.break_every, "break every", protocol.break_every),
                (self.max_replays, "maximum replays", protocol.max_replays),
                (self.spacing, "run spacing", protocol.min_run_spacing),
                (self.seed, "seed", protocol.seed),
                (self.reference_dbfs, "reference dBFS", protocol.reference_dbfs),
                (self.reference_db_spl, "reference dB SPL", protocol.reference_db_spl)):
            spin.setValue(value)
            if spin.value() != value:
                outside.append(f"{label} {value:g}")
        outside += self.adaptive.show_protocol(protocol)
        outside += self.design.show_protocol(protocol)
        self.max_clip_duration_s = protocol.max_clip_duration_s
        self.update_in_force()
        self._mark_filled()
        return outside

    def reference_source(self) -> str:
        """Where the digital reference in force comes from, in words."""
        ds = self.state.dataset
        declared = declared_reference(ds) if ds is not None else None
        if declared is None:
            return self.tr("set for the study: the dataset declares none")
        if declared == (self.reference_dbfs.value(), self.reference_db_spl.value()):
            return self.tr("declared by the dataset in every item")
        return self.tr("the dataset's items declare {dbfs:g} dBFS = {spl:g} dB SPL and are played by it").format(
            dbfs=declared[0], spl=declared[1])

    def reference_text(self) -> str:
        """The digital reference in force, or why it is not known yet: a dataset (the built-in
        bank declares its own) is being read, or none is loaded and no study is open."""
        if self.loading:
            return self.tr("digital reference being read from the dataset…")
        if self.state.dataset is None and self.state.study is None:
            return self.tr("digital reference known once a dataset is loaded")
        return self.tr("digital reference {dbfs:g} dBFS = {spl:g} dB SPL ({source})").format(
            dbfs=self.reference_dbfs.value(), spl=self.reference_db_spl.value(), source=self.reference_source())

    def update_in_force(self) -> None:
        ceiling_db_spl = float(self.ctx.settings.get("ceiling_db_spl"))
        self.in_force.setText(self.tr(
            "In force: {reference}; clips up to {clip:g} s; "
            "safety ceiling {ceiling:g} dB SPL (Audio page; hard maximum {hard:g} dB SPL).").format(
            reference=self.reference_text(), clip=self.max_clip_duration_s, ceiling=ceiling_db_spl,
            hard=HARD_MAXIMUM_DB_SPL))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.update_in_force()  # the ceiling may have changed on the Audio page

    def _study_changed(self) -> None:
        study = self.state.study
        if study is None:
            return
        try:
            protocol = study_protocol(study)
        except StoredDataError as exc:
            self.study_status.setText(str(exc))
            return
        self.study_name.setText(study.name)
        outside = self.show_protocol(protocol)
        text = self.tr("Study {name!r} is open (created {at}): the form shows its stored protocol, in force for all "
                       "its sessions.").format(name=study.name, at=local_time(study.created_at))
        self.outside_note = (" " + self.tr("Stored values outside this form's range (in force all the same): "
                                           "{fields}.").format(fields=", ".join(outside))) if outside else ""
        self.study_status.setText(text + self.outside_note)
        self.update_counts()  # the session length with the study's response times

    def shutdown(self) -> None:
        self.design.shutdown()
        self.tasks.cancel()
        self.tasks.wait()

    def update_counts(self) -> None:
        ds = self.state.dataset
        if ds is None:
            self.counts.setText(self.tr("Load a dataset to see the plan size."))
            self.design.recompute(None, None, None)
            return
        try:
            protocol = self.current_protocol()
            kinds = plan_size(ds, protocol)
            short = practice_shortfall(ds, protocol)
        except PlanError as exc:
            self.counts.setText(str(exc))
            self.design.recompute(ds, None, None)
            return
        self.design.recompute(ds, protocol, self.state.study.id if self.state.study is not None else None)
        text = (self.tr("Each participant: {test} test, {practice} practice and {catch} catch trials").format(**kinds)
                if protocol.design != "cover" else
                self.tr("The whole study: {test} test units, each answered {k} times, every participant a share "
                        "(Design and session length); with {practice} practice trials each").format(
                    k=protocol.responses_per_run, **kinds))
        adaptive = self.adaptive.summary()
        text += (self.tr("; then {adaptive}.").format(adaptive=adaptive) if adaptive
                 else ".")
        self.counts.setToolTip("\n".join(short.values()))  # the full reasons: the column is narrow
        if short:
            text += " " + self.tr("Less practice than asked for {variants}: every item of the family is tested "
                                  "(choose fewer items per sub-category to leave some for practice; hover for "
                                  "the numbers).").format(variants=", ".join(short))
        self.counts.setText(text)

    def open_study(self) -> None:
        ds = self.state.dataset
        name = self.study_name.text().strip()
        if ds is None or not name:
            show_error(self, self.tr("Study"), self.tr("Load a dataset and give the study a name first."))
            return
        try:
            protocol = self.current_protocol()
            edited = protocol != self.filled  # by the experimenter, since the form was last filled
            with DbSession(self.ctx.db) as s:
                existing = repo.get_study(s, name)
            study = open_study(self.ctx.db, ds, name, protocol)
            stored = study_protocol(study)
        except (PlanError, DatasetChangedError, StoredDataError) as exc:
            show_error(self, self.tr("Study"), str(exc))
            return
        self.ctx.settings.set("last_study", name)
        self.outside_note = ""
        self.state.set_study(study)  # the form now shows the stored protocol (_study_changed)
        if existing is None:
            self.study_status.setText(self.tr("Created study {name!r} with this protocol.").format(name=name))
        elif stored != protocol and edited:
            self.study_status.setText(self.tr(
                "Study {name!r} exists: its stored protocol stays in force and the form now shows it; the values "
                "you changed were not applied (give a new study name to use them).").format(name=name))
        else:
            self.study_status.setText(self.tr("Opened study {name!r} (created {at}); its protocol is in force.")
                                      .format(name=name, at=local_time(study.created_at)))
        self.study_status.setText(self.study_status.text() + self.outside_note)
