"""The participant window's message screen: a title, a text, a button (Continue, Try again,
Close) or none, and for a break the time since it began."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


class MessageScreen(QWidget):
    proceed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("messageTitle")
        self.title.setAlignment(Qt.AlignCenter)
        self.title.setWordWrap(True)  # a long title ("Headphone check 1 of 3: ...") wraps on a narrow screen
        self.body = QLabel()
        self.body.setObjectName("messageBody")
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignCenter)
        self.timer_label = QLabel()
        self.timer_label.setObjectName("breakTimer")
        self.timer_label.setAlignment(Qt.AlignCenter)
        self.button = QPushButton(self.tr("Continue (Enter)"))
        self.button.setObjectName("continue")
        self.button.clicked.connect(self.proceed.emit)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addWidget(self.timer_label)
        layout.addWidget(self.button, alignment=Qt.AlignCenter)
        layout.addStretch(1)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._tick)
        self.elapsed_s = 0

    def show_message(self, title: str, body: str, button: str | None = None, timer: bool = False) -> None:
        self.title.setText(title)
        self.body.setText(body)
        self.button.setVisible(button is not None)
        if button:
            self.button.setText(button)
        self.elapsed_s = 0
        self.timer_label.setVisible(timer)
        self.clock.stop()
        self._show_elapsed()
        if timer:
            self.clock.start()

    def _tick(self) -> None:
        self.elapsed_s += 1
        self._show_elapsed()

    def _show_elapsed(self) -> None:
        self.timer_label.setText(self.tr("Break: {m}:{s:02d}").format(m=self.elapsed_s // 60, s=self.elapsed_s % 60))
