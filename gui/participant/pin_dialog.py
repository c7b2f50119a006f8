"""The experimenter's PIN dialog of the participant window: the PIN leaves the session; a wrong
PIN says so and the dialog stays open for another try; Cancel goes back to the trial.

The texts keep the participant window's translation context (they were its own before the
dialog had a module of its own)."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit, QWidget

translate = QCoreApplication.translate


class PinDialog(QInputDialog):
    """Accepted with the right PIN only (``accepted``); rejected on Cancel; never closed by a
    wrong PIN."""

    def __init__(self, pin: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.pin = pin
        self.setObjectName("pinDialog")
        self.setWindowTitle(translate("ParticipantWindow", "Experimenter"))
        self.setLabelText(translate("ParticipantWindow", "PIN to leave the session:"))
        self.setTextEchoMode(QLineEdit.Password)

    def done(self, result: int) -> None:  # noqa: D401 (Qt's name): accept() and reject() end here
        if result == QDialog.Accepted and self.textValue() != self.pin:
            self.setLabelText(translate("ParticipantWindow", "Wrong PIN, try again.") + "\n"
                              + translate("ParticipantWindow", "PIN to leave the session:"))
            self.setTextValue("")
            return  # stays open (and the response clock stays stopped)
        super().done(result)
