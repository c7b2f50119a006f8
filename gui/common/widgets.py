"""Small shared widgets: a progress strip for long work, message helpers, number fields that
say why they refused what was typed."""
from __future__ import annotations

import time
from datetime import datetime, timezone

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QDoubleSpinBox, QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from gui.common.workers import LatestJob, Worker


def local_time(value: datetime | None) -> str:
    """Times are stored in UTC (SQLite gives them back without a zone); show them locally."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


class TaskStrip(QWidget):
    """Runs one Worker at a time and shows its progress with a Cancel button."""

    finished = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.bar, 2)
        row.addWidget(self.cancel_button)
        self.worker: Worker | None = None
        self.setVisible(False)

    @property
    def busy(self) -> bool:
        return self.worker is not None and self.worker.isRunning()

    def start(self, worker: Worker, label: str) -> None:
        self.worker = worker
        self.label.setText(label)
        self.bar.setRange(0, 0)
        worker.progressed.connect(self._progress)
        worker.finished.connect(self._done)
        self.setVisible(True)
        worker.start()

    def _progress(self, done: int, total: int, text: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(text or "%p%")

    def _done(self) -> None:
        self.setVisible(False)
        self.finished.emit()

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def wait(self) -> None:
        if self.worker is not None:
            self.worker.wait()


class JobStrip(QWidget):
    """The progress of a page's recomputation (a LatestJob): a bar while it runs, then the bar
    filled with when the numbers were computed, so the page says how fresh they are."""

    def __init__(self, job: LatestJob, parent: QWidget | None = None):
        super().__init__(parent)
        self.job = job
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setObjectName("jobProgress")
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(job.cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.bar, 2)
        row.addWidget(self.cancel_button)
        self.started_at = 0.0
        job.started.connect(self._started)
        job.progressed.connect(self._progress)
        job.succeeded.connect(self._done)
        job.failed.connect(self._stopped)
        job.crashed.connect(lambda _tb: self._stopped(self.tr("failed")))
        job.unreachable.connect(lambda _why: self._stopped(self.tr("server unreachable")))
        self.setVisible(False)

    def _started(self, label: str) -> None:
        self.started_at = time.perf_counter()
        self.label.setText(label)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.cancel_button.setEnabled(True)
        self.setVisible(True)

    def _progress(self, done: int, total: int, text: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(f"{text} (%p%)" if text else "%p%")

    def _done(self, _result: object) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.bar.setFormat(self.tr("done"))
        self.label.setText(self.tr("Computed at {time} in {s:.1f} s").format(
            time=datetime.now().strftime("%H:%M:%S"), s=time.perf_counter() - self.started_at))
        self.cancel_button.setEnabled(False)

    def _stopped(self, message: str) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setFormat(message)
        self.cancel_button.setEnabled(False)


def _tr(text: str) -> str:
    return QCoreApplication.translate("NumberField", text)


def _number_text(spin, value: float) -> str:
    if isinstance(spin, QDoubleSpinBox):
        return f"{value:.{spin.decimals()}f}".rstrip("0").rstrip(".")
    return str(int(value))


def range_text(spin) -> str:
    """ "40-100 dB SPL" for a spin box (its suffix as the unit)."""
    return f"{_number_text(spin, spin.minimum())}-{_number_text(spin, spin.maximum())}{spin.suffix()}"


def refusal_text(spin, typed: str, limit_note: str = "") -> str:
    """Why a spin box does not take ``typed``, with the range it takes (and the reason for its
    maximum, when there is one: "hard maximum 100 dB SPL")."""
    body = typed
    if spin.prefix() and body.startswith(spin.prefix()):
        body = body[len(spin.prefix()):]
    if spin.suffix() and body.endswith(spin.suffix()):
        body = body[:-len(spin.suffix())]
    body = body.strip()
    allowed = range_text(spin) + (f" ({limit_note})" if limit_note else "")
    try:
        value = float(body.replace(",", "."))
    except ValueError:
        return _tr("\"{typed}\" is not a number: type a value of {allowed}.").format(typed=body, allowed=allowed)
    if value > spin.maximum():
        return _tr("{typed} is above the maximum: allowed {allowed}.").format(typed=body, allowed=allowed)
    if value < spin.minimum():
        return _tr("{typed} is below the minimum: allowed {allowed}.").format(typed=body, allowed=allowed)
    return _tr("{typed} is not accepted: allowed {allowed}.").format(typed=body, allowed=allowed)


class _Explains:
    """The shared part of CheckedSpinBox and CheckedDoubleSpinBox. Qt's spin boxes drop a
    keystroke they cannot use (a letter, a digit that takes the value over the maximum) and, when
    editing ends on a value out of range, put the last good value back - both silently. These
    say so through ``refused`` (the field's note shows it: see ``with_note``)."""

    limit_note = ""

    def _start(self) -> None:
        self._pending = ""  # why a keystroke of the edit under way was refused
        self._restored = False  # the edit ended out of range: Qt is putting the last value back
        self.editingFinished.connect(self._edit_done)
        self.valueChanged.connect(self._value_taken)

    def validate(self, text: str, pos: int):
        result = super().validate(text, pos)
        if result[0] == QValidator.State.Invalid:
            self._pending = refusal_text(self, text, self.limit_note)
            self.refused.emit(self._pending)
        return result

    def fixup(self, text: str):
        # editing ended on text that is not a value in range: Qt keeps the last good value
        kept = _tr("Kept {value}.").format(value=_number_text(self, self.value()) + self.suffix())
        self.refused.emit(f"{self._pending or refusal_text(self, text, self.limit_note)} {kept}")
        self._pending, self._restored = "", True
        return super().fixup(text)

    def _edit_done(self) -> None:
        self._pending, self._restored = "", False

    def _value_taken(self, _value) -> None:
        # the value put back after a refusal (Qt emits it again) is not one the user chose
        if not self._pending and not self._restored:
            self.refused.emit("")


class CheckedSpinBox(_Explains, QSpinBox):
    refused = Signal(str)  # why the typed text was not taken; "" once a value is taken

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._start()


class CheckedDoubleSpinBox(_Explains, QDoubleSpinBox):
    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._start()


def with_note(spin, hint: str = "") -> QWidget:
    """The spin box with a note under it: ``hint`` (e.g. the range) in normal times, the reason
    when the box refuses what was typed. The note label is ``spin.note``."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(spin)
    note = QLabel(hint)
    note.setWordWrap(True)
    note.setObjectName("fieldNote")
    note.setVisible(bool(hint))
    column.addWidget(note)
    spin.note = note

    def show(reason: str) -> None:
        note.setText(reason or hint)
        note.setStyleSheet("color: #c0392b;" if reason else "")
        note.setVisible(bool(reason or hint))

    spin.refused.connect(show)
    return box


class LevelMeter(QProgressBar):
    """The level of what the Audio page is playing: "-" when nothing plays, else the sound's
    nominal level (dB SPL when the output is calibrated, else its dBFS, said as such), for as
    long as it plays."""

    def __init__(self, maximum_db_spl: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(0, int(maximum_db_spl))
        self.setTextVisible(True)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.show_idle)
        self.show_idle()

    @property
    def idle(self) -> bool:
        return not self.timer.isActive()

    def show_idle(self) -> None:
        self.timer.stop()
        self.setValue(0)
        self.setFormat("-")

    def show_playing(self, duration_s: float, level_db_spl: float | None, level_dbfs: float | None = None) -> None:
        if level_db_spl is not None:
            self.setValue(max(0, min(self.maximum(), int(round(level_db_spl)))))
            self.setFormat(f"{level_db_spl:.1f} dB SPL")
        else:
            self.setValue(0)
            self.setFormat(_tr("{dbfs:.1f} dBFS (uncalibrated: dB SPL unknown)").format(dbfs=level_dbfs)
                           if level_dbfs is not None else _tr("uncalibrated"))
        self.timer.start(max(1, int(round(duration_s * 1000))))


def show_error(parent: QWidget, title: str, message: str) -> None:
    box = QMessageBox(QMessageBox.Warning, title, message, QMessageBox.Ok, parent)
    box.setObjectName("errorBox")
    box.open()
