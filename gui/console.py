"""The experimenter console: Study, Audio, Participants, Sessions and Results pages."""
from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QMainWindow, QMessageBox, QStackedWidget, QWidget

from gui.context import AppContext, ConsoleState
from gui.pages.participants_page import ParticipantsPage
from gui.pages.results_page import ResultsPage
from gui.pages.sessions_page import SessionsPage
from gui.pages.study_page import StudyPage


class ConsoleWindow(QMainWindow):
    def __init__(self, ctx: AppContext, audio_page_factory=None, participant_window_factory=None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.state = ConsoleState()
        self.participant_window_factory = participant_window_factory
        self.participant_window = None
        self.setWindowTitle(self.tr("STAR Listening Lab — experimenter console"))
        self.nav = QListWidget()
        self.nav.setObjectName("pageList")
        self.nav.setFixedWidth(170)
        self.nav.setStyleSheet("QListWidget::item { padding: 8px 10px; }")
        self.pages = QStackedWidget()
        self.study_page = StudyPage(ctx, self.state)
        self.audio_page = audio_page_factory(self) if audio_page_factory else QLabel(
            self.tr("No audio output is available on this computer."))
        self.participants_page = ParticipantsPage(ctx, self.state)
        self.sessions_page = SessionsPage(ctx, self.state, self.open_participant_window)
        self.results_page = ResultsPage(ctx, self.state)
        for i, (name, page) in enumerate([(self.tr("Study"), self.study_page), (self.tr("Audio"), self.audio_page),
                                          (self.tr("Participants"), self.participants_page),
                                          (self.tr("Sessions"), self.sessions_page),
                                          (self.tr("Results"), self.results_page)]):
            self.nav.addItem(name)
            self.pages.addWidget(page)
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda _=False, row=i: self.nav.setCurrentRow(row))
            self.addAction(action)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.nav.setCurrentRow(0)
        central = QWidget()
        row = QHBoxLayout(central)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(self.tr("Database: {db}").format(db=ctx.db.url.database))
        self.resize(1280, 720)

    def show_page(self, name: str) -> None:
        names = ["study", "audio", "participants", "sessions", "results"]
        self.nav.setCurrentRow(names.index(name))

    def open_participant_window(self, session_id: int) -> None:
        if self.participant_window_factory is None:
            QMessageBox.warning(self, self.tr("Session"), self.tr("No audio output: sessions cannot run here."))
            return
        self.participant_window = self.participant_window_factory(session_id, self.state)
        self.participant_window.closed.connect(self.state.sessionsChanged.emit)
        self.participant_window.show_for_participant()

    def closeEvent(self, event) -> None:
        for page in (self.study_page, self.results_page):
            page.tasks.cancel()
            page.tasks.wait()
        super().closeEvent(event)
