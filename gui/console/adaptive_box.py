"""The Study page's adaptive blocks (docs/adaptive.md): which perception dimensions get one, the
procedure (QUEST+, 2-down-1-up, 3-down-1-up) and the stopping rule (at most N trials, or earlier
once the 95 % interval is narrow enough after a minimum of trials). The values are the study
Protocol's adaptive_* fields; with no dimension chosen they stay at their defaults, so a study
without adaptive blocks stores exactly the protocol it stored before."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGridLayout, QGroupBox, QLabel, QWidget

from gui.common.widgets import CheckedDoubleSpinBox, CheckedSpinBox, with_note
from tasks.study.plan import Protocol

# (dimension, label with the unit of its threshold), in tasks.psychometrics.dimensions' order
DIMENSION_LABELS = (("pitch", "Pitch (cents)"), ("loudness", "Loudness (dB)"), ("duration", "Duration (ms)"),
                    ("azimuth", "Azimuth (deg)"), ("elevation", "Elevation (deg)"), ("distance", "Distance (m)"))
PROCEDURE_LABELS = (("quest+", "QUEST+"), ("2down1up", "2-down-1-up staircase"), ("3down1up", "3-down-1-up staircase"))
# staircase step rules: not edited here; their defaults, or kept from a stored protocol
STEP_FIELDS = ("adaptive_start_step_factor", "adaptive_reversals_per_halving", "adaptive_step_halvings",
               "adaptive_threshold_reversals")


def procedure_label(procedure: str) -> str:
    return dict(PROCEDURE_LABELS).get(procedure, procedure)


class AdaptiveBox(QGroupBox):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("Adaptive threshold blocks (after the other blocks, one per dimension)"))
        self.setObjectName("adaptiveBox")
        defaults = Protocol()
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        for i, (dim, label) in enumerate(DIMENSION_LABELS):
            box = QCheckBox(self.tr(label))
            box.setObjectName(f"adaptive-{dim}")
            box.toggled.connect(self._enable)
            self.boxes[dim] = box
            grid.addWidget(box, i // 3, i % 3)
        self.procedure = QComboBox()
        self.procedure.setObjectName("adaptiveProcedure")
        for value, label in PROCEDURE_LABELS:
            self.procedure.addItem(self.tr(label), value)
        self.max_trials = self._spin(2, 1000, defaults.adaptive_max_trials)
        self.max_trials.setObjectName("adaptiveMaxTrials")
        self.ci_ratio = CheckedDoubleSpinBox()
        self.ci_ratio.setObjectName("adaptiveStopCiRatio")
        self.ci_ratio.setRange(0.0, 10.0)
        self.ci_ratio.setSingleStep(0.1)
        self.ci_ratio.setDecimals(2)
        self.ci_ratio.setSpecialValueText(self.tr("off: always the maximum"))
        self.ci_ratio.setValue(defaults.adaptive_stop_ci_width_ratio)
        self.min_trials = self._spin(0, 1000, defaults.adaptive_min_trials)
        self.min_trials.setObjectName("adaptiveMinTrials")
        self.steps = {name: getattr(defaults, name) for name in STEP_FIELDS}
        self.steps_note = QLabel()
        self.steps_note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(grid)
        form.addRow(self.tr("Procedure"), self.procedure)
        form.addRow(self.tr("Trials per block, at most"), with_note(self.max_trials))
        form.addRow(self.tr("Stop earlier when CI width / threshold ≤"), with_note(self.ci_ratio))
        form.addRow(self.tr("… but not before trial"), with_note(self.min_trials))
        form.addRow(self.steps_note)
        self.procedure.currentIndexChanged.connect(self._enable)
        for spin in (self.max_trials, self.min_trials):
            spin.valueChanged.connect(self.changed)
        self.ci_ratio.valueChanged.connect(self._enable)  # the minimum counts only with the CI rule
        self._enable()

    def _spin(self, lo: int, hi: int, value: int) -> CheckedSpinBox:
        spin = CheckedSpinBox()
        spin.setRange(lo, hi)
        spin.setValue(value)
        return spin

    def dimensions(self) -> list[str]:
        return [dim for dim, _label in DIMENSION_LABELS if self.boxes[dim].isChecked()]

    def _enable(self) -> None:
        on = bool(self.dimensions())
        for w in (self.procedure, self.max_trials, self.ci_ratio, self.min_trials):
            w.setEnabled(on)
        self.min_trials.setEnabled(on and self.ci_ratio.value() > 0)
        staircase = self.procedure.currentData() != "quest+"
        self.steps_note.setText(self.tr(
            "Staircase steps: the level is multiplied or divided by {f:g}; the step is halved (in log) every {r} "
            "reversals, {h} times; threshold = geometric mean of the last {k} reversals.").format(
            f=self.steps["adaptive_start_step_factor"], r=self.steps["adaptive_reversals_per_halving"],
            h=self.steps["adaptive_step_halvings"], k=self.steps["adaptive_threshold_reversals"]) if staircase else
            self.tr("QUEST+: Weibull threshold and slope, flat prior; next level by minimum expected entropy."))
        self.steps_note.setEnabled(on)
        self.changed.emit()

    def fields(self) -> dict:
        """The Protocol's adaptive_* fields as the form sets them; all at their defaults when no
        dimension is chosen (then the stored protocol_json carries none of them)."""
        dims = self.dimensions()
        if not dims:
            return {}
        return dict(adaptive_dimensions=dims, adaptive_procedure=self.procedure.currentData(),
                    adaptive_max_trials=self.max_trials.value(),
                    adaptive_stop_ci_width_ratio=self.ci_ratio.value(), adaptive_min_trials=self.min_trials.value(),
                    **self.steps)

    def show_protocol(self, protocol: Protocol) -> list[str]:
        """Fill the box from a (stored) protocol; the fields whose value the box cannot show."""
        for dim, box in self.boxes.items():
            box.setChecked(dim in protocol.adaptive_dimensions)
        index = self.procedure.findData(protocol.adaptive_procedure)
        self.procedure.setCurrentIndex(max(0, index))
        self.steps = {name: getattr(protocol, name) for name in STEP_FIELDS}
        outside = []
        for spin, label, value in ((self.max_trials, "adaptive trials", protocol.adaptive_max_trials),
                                   (self.ci_ratio, "adaptive CI width ratio", protocol.adaptive_stop_ci_width_ratio),
                                   (self.min_trials, "adaptive minimum trials", protocol.adaptive_min_trials)):
            spin.setValue(value)
            if spin.value() != value:
                outside.append(f"{label} {value:g}")
        self._enable()
        return outside

    def summary(self) -> str:
        """The adaptive blocks in words, for the page's count line ("" when there are none)."""
        dims = self.dimensions()
        if not dims:
            return ""
        rule = self.tr("at most {n} trials each").format(n=self.max_trials.value())
        if self.ci_ratio.value() > 0:
            rule += self.tr(", fewer once CI width / threshold ≤ {r:g} (from trial {m})").format(
                r=self.ci_ratio.value(), m=self.min_trials.value())
        what = self.tr("1 adaptive block") if len(dims) == 1 else self.tr("{n} adaptive blocks").format(n=len(dims))
        return self.tr("{what} ({dims}; {procedure}, {rule})").format(
            what=what, dims=", ".join(dims), procedure=procedure_label(self.procedure.currentData()), rule=rule)
