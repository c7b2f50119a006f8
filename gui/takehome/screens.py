"""The screens of a take-home participant's first run that the lab's participant window does
not have: welcome, the lab's study information and consent, the output check, and the end
screen with the results bundle. gui/takehome/flow.py puts them in order.

Each screen has its own Enter shortcut (a shortcut of a hidden screen does not fire, so they do
not compete with the participant window's keys) and emits plain signals; none of them touches
the database or the audio engine.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextOption
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSizePolicy, QTextBrowser,
    QVBoxLayout, QWidget,
)


def show_text(browser: QTextBrowser, text: dict | None, fallback: str) -> None:
    """A package text ({"format": "markdown" | "plain", "text": ...}) as the lab wrote it."""
    if text is None:
        browser.setPlainText(fallback)
    elif text["format"] == "markdown":
        browser.setMarkdown(text["text"])
    else:
        browser.setPlainText(text["text"])


class Screen(QWidget):
    """Title, body, optional content, and a row of buttons; Enter presses ``primary``."""

    def __init__(self, title: str, body: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setObjectName("screenTitle")
        self.title.setWordWrap(True)
        self.body = QLabel(body)
        self.body.setObjectName("screenBody")
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextSelectableByMouse)
        for label in (self.title, self.body):  # the page's extra height goes to its content
            label.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
        self.content = QVBoxLayout()
        self.content.setSpacing(16)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(16)
        self.buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setSpacing(18)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addLayout(self.content, 1)
        layout.addLayout(self.buttons)
        self.primary: QPushButton | None = None
        for key in (Qt.Key_Return, Qt.Key_Enter):
            QShortcut(QKeySequence(key), self, activated=self._enter)

    def add_button(self, text: str, name: str, primary: bool = False) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("primary" if primary else name)
        button.setProperty("role", name)
        self.buttons.addWidget(button)
        if primary:
            self.primary = button
            self.setFocusProxy(button)  # focus on the page lands on its main button (Space presses it too)
        return button

    def _enter(self) -> None:
        if self.primary is not None and self.primary.isEnabled() and self.primary.isVisible():
            self.primary.click()


class WelcomeScreen(Screen):
    start = Signal()
    leave = Signal()

    def __init__(self, study: str, minutes: tuple[int, int], n_questions: int, resuming: bool,
                 parent: QWidget | None = None):
        low, high = minutes
        if resuming and n_questions <= 0:
            title = self.tr("Welcome back")
            body = self.tr("You have answered every question. Continue to write your results file again.")
        elif resuming:
            title = self.tr("Welcome back")
            body = self.tr("You continue where you stopped: {n} questions are left, about {low} to {high} minutes. "
                           "First we check the sound again.").format(n=n_questions, low=low, high=high)
        else:
            title = self.tr("Welcome")
            body = self.tr("Thank you for taking part in the listening study \u201c{study}\u201d.\n\n"
                           "It takes about {low} to {high} minutes: {n} short questions about sounds. "
                           "You need headphones and a quiet room. You can pause at any time with Esc and "
                           "continue later by opening the study package again.\n\n"
                           "First you read about the study and decide whether to take part. Nothing is recorded "
                           "before you agree.").format(study=study, low=low, high=high, n=n_questions)
        super().__init__(title, body, parent)
        self.minutes = minutes
        self.content.addStretch(1)
        self.add_button(self.tr("Leave"), "leave").clicked.connect(self.leave.emit)
        self.add_button(self.tr("Start (Enter)"), "start", primary=True).clicked.connect(self.start.emit)


class InformationScreen(Screen):
    proceed = Signal()

    def __init__(self, text: dict | None, parent: QWidget | None = None):
        super().__init__(self.tr("About this study"), self.tr("Please read this information from the lab."), parent)
        self.text = QTextBrowser()
        self.text.setObjectName("screenText")
        self.text.setOpenExternalLinks(True)
        show_text(self.text, text, self.tr("The lab did not include study information in this package. If you have "
                                           "questions about the study, please ask the lab before you continue."))
        self.content.addWidget(self.text)
        self.add_button(self.tr("Continue (Enter)"), "continue", primary=True).clicked.connect(self.proceed.emit)


class ConsentScreen(Screen):
    agreed = Signal()
    declined = Signal()

    def __init__(self, text: dict | None, parent: QWidget | None = None):
        super().__init__(self.tr("Consent"), self.tr("Please read the consent statement. You decide freely; "
                                                     "if you do not agree, nothing is recorded."), parent)
        self.text = QTextBrowser()
        self.text.setObjectName("screenText")
        self.text.setOpenExternalLinks(True)
        show_text(self.text, text, self.tr("I agree to take part in this listening study. I understand that my answers "
                                           "are stored under a code, without my name, and sent to the lab in a "
                                           "results file that I send myself."))
        self.check = QCheckBox(self.tr("I have read the information and I agree to take part"))
        self.check.setObjectName("consentCheck")
        self.content.addWidget(self.text, 1)
        self.content.addWidget(self.check)
        self.add_button(self.tr("I do not agree"), "decline").clicked.connect(self.declined.emit)
        self.agree = self.add_button(self.tr("I agree (Enter)"), "agree", primary=True)
        self.agree.setEnabled(False)
        self.check.toggled.connect(self.agree.setEnabled)
        self.agree.clicked.connect(self.agreed.emit)


# answers to "where did you hear the test sound?" and what to do about each
HEARD_RIGHT_WAY, HEARD_SWAPPED, HEARD_ONE_SIDE, HEARD_NOTHING = "left then right", "right then left", "one side", "nothing"


class OutputScreen(Screen):
    """Choose the output, play a tone on the left then on the right, and say where it was heard.
    Continue opens only when the person heard it left, then right."""

    device_chosen = Signal(int)  # index into the device list
    play_test = Signal()
    proceed = Signal()

    def __init__(self, devices: list[str], current: int, parent: QWidget | None = None):
        super().__init__(self.tr("Headphones and sound output"),
                         self.tr("Put on your headphones (L on the left ear) and choose where the sound goes. "
                                 "Then play the test sound: a tone on the left, then a tone on the right."), parent)
        row = QHBoxLayout()
        row.setSpacing(16)
        label = QLabel(self.tr("Sound output:"))
        self.device = QComboBox()
        self.device.setObjectName("outputDevice")
        self.device.addItems(devices)
        self.device.setCurrentIndex(current)
        label.setBuddy(self.device)
        self.device.activated.connect(self.device_chosen.emit)
        self.play = QPushButton(self.tr("▶  Play the test sound"))
        self.play.setObjectName("playTest")
        self.play.clicked.connect(self.play_test.emit)
        row.addWidget(label)
        row.addWidget(self.device, 1)
        row.addWidget(self.play)
        self.content.addLayout(row)
        self.question = QLabel(self.tr("Where did you hear the tones?"))
        self.question.setObjectName("question")
        self.content.addWidget(self.question)
        grid = QGridLayout()
        grid.setSpacing(12)
        self.answers: dict[str, QPushButton] = {}
        for i, (key, text) in enumerate([
                (HEARD_RIGHT_WAY, self.tr("First left, then right")), (HEARD_SWAPPED, self.tr("First right, then left")),
                (HEARD_ONE_SIDE, self.tr("On one side only, or both in the middle")),
                (HEARD_NOTHING, self.tr("I heard nothing"))]):
            b = QPushButton(text)
            b.setObjectName("option" + "ABCD"[i])
            b.setCheckable(True)
            b.setEnabled(False)
            b.clicked.connect(lambda _=False, k=key: self.heard(k))
            grid.addWidget(b, i // 2, i % 2)
            self.answers[key] = b
        self.content.addLayout(grid)
        self.status = QLabel()
        self.status.setObjectName("screenNote")
        self.status.setWordWrap(True)
        self.content.addWidget(self.status)
        self.content.addStretch(1)
        self.next = self.add_button(self.tr("Continue (Enter)"), "continue", primary=True)
        self.next.setEnabled(False)
        self.next.clicked.connect(self.proceed.emit)
        self.answer: str | None = None

    def test_playing(self) -> None:
        """The test sound started: the answers wait until it has ended (``test_ended``)."""
        for b in self.answers.values():
            b.setChecked(False)
            b.setEnabled(False)
        self.answer = None
        self.next.setEnabled(False)
        self.play.setEnabled(False)
        self.status.setText(self.tr("Playing… listen: the answers open when the sound has ended."))

    def test_ended(self) -> None:
        for b in self.answers.values():
            b.setEnabled(True)
        self.play.setEnabled(True)
        self.status.setText(self.tr("Where did you hear the tones? Choose below."))

    def show_problem(self, message: str) -> None:
        self.status.setText(message)
        self.next.setEnabled(False)
        self.play.setEnabled(True)

    def reset(self) -> None:
        """A new output: it has to be checked again."""
        self.answer = None
        for b in self.answers.values():
            b.setChecked(False)
            b.setEnabled(False)
        self.next.setEnabled(False)
        self.play.setEnabled(True)

    def heard(self, key: str) -> None:
        self.answer = key
        for k, b in self.answers.items():
            b.setChecked(k == key)
        self.next.setEnabled(key == HEARD_RIGHT_WAY)
        self.status.setText({
            HEARD_RIGHT_WAY: self.tr("Good: the sound reaches both ears, the right way round."),
            HEARD_SWAPPED: self.tr("Your headphones are on the wrong way round: put the side marked L on your left "
                                   "ear, then play the test sound again."),
            HEARD_ONE_SIDE: self.tr("Check that the headphone plug is pushed in all the way and that the output above "
                                    "is your headphones (not the computer's speakers), then play the test sound again."),
            HEARD_NOTHING: self.tr("Check that your headphones are plugged in, that the computer's volume is up and "
                                   "not muted, and choose another output above if there is one. Then play the test "
                                   "sound again."),
        }[key])


class DeclinedScreen(Screen):
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("You have not taken part"),
                         self.tr("Thank you for considering the study. Nothing has been recorded and no results "
                                 "file was written. You can close this window."), parent)
        self.content.addStretch(1)
        self.add_button(self.tr("Close (Enter)"), "close", primary=True).clicked.connect(self.close_requested.emit)


class EndScreen(Screen):
    """Where the results bundle is (full path, a button that opens its folder) and how to send it."""

    open_folder = Signal(QUrl)
    close_requested = Signal()

    def __init__(self, bundle: Path | None, error: str, instructions: dict | None, parent: QWidget | None = None):
        if bundle is not None:
            super().__init__(self.tr("Thank you!"), self.tr("You have finished. Your answers are in this file:"), parent)
        else:
            super().__init__(self.tr("Thank you!"), self.tr("You have finished, but the results file could not be "
                                                            "written: {why}\nYour answers are kept on this computer: "
                                                            "open the study package again to write the file.")
                             .format(why=error), parent)
        self.bundle = bundle
        # read-only text that wraps anywhere: the whole path is visible however long, and can be
        # selected and copied
        self.path = QPlainTextEdit(str(bundle) if bundle else "")
        self.path.setObjectName("bundlePath")
        self.path.setReadOnly(True)
        self.path.setWordWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)
        self.path.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.path.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.path.setVisible(bundle is not None)
        self.content.addWidget(self.path)
        self.folder = QPushButton(self.tr("Open the folder"))
        self.folder.setObjectName("openFolder")
        self.folder.setVisible(bundle is not None)
        self.folder.clicked.connect(lambda: self.open_folder.emit(QUrl.fromLocalFile(str(bundle.parent))))
        row = QHBoxLayout()
        row.addWidget(self.folder)
        row.addStretch(1)
        self.content.addLayout(row)
        how = QLabel(self.tr("How to send it"))
        how.setObjectName("screenHeading")
        self.instructions = QTextBrowser()
        self.instructions.setObjectName("screenText")
        self.instructions.setOpenExternalLinks(True)
        show_text(self.instructions, instructions,
                  self.tr("Send this file to the lab as agreed with them, for example as an e-mail attachment. "
                          "Do not change or unpack it."))
        for w in (how, self.instructions):
            w.setVisible(bundle is not None)
            self.content.addWidget(w)
        self.content.addStretch(0)
        self.add_button(self.tr("Close (Enter)"), "close", primary=True).clicked.connect(self.close_requested.emit)

    def _fit_path(self) -> None:
        """As high as the wrapped path needs at the current width and type size."""
        lines = max(1, int(self.path.document().size().height()))
        chrome = self.path.height() - self.path.viewport().height()
        need = lines * self.path.fontMetrics().lineSpacing() + int(2 * self.path.document().documentMargin()) + chrome
        if need != self.path.height():
            self.path.setFixedHeight(need)
            self.layout().activate()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self._fit_path)  # after the layout has given the path its width

    def showEvent(self, event) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._fit_path)
