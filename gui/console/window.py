"""The experimenter console: Study, Audio, Participants, Sessions and Results pages.

The window is cheap to show: it imports no page module and touches no database until it is
attached to an AppContext, and each page is built (and its module imported) the first time it
is shown or asked for. ``study_page`` and the other page attributes build on first access.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QListWidget, QMainWindow, QMessageBox, QStackedWidget, QVBoxLayout, QWidget,
)

from gui.common.context import AUDIO_NONE, AUDIO_STARTING, AppContext, ConsoleState

PAGE_NAMES = ("study", "audio", "participants", "sessions", "results")


def page_class(name: str):
    """The page's class, its module imported now. Plain import statements (not importlib) so that
    the packager still sees them. The Audio page comes from a factory: it needs an open output."""
    if name == "study":
        from gui.console.study_page import StudyPage
        return StudyPage
    if name == "participants":
        from gui.console.participants_page import ParticipantsPage
        return ParticipantsPage
    if name == "sessions":
        from gui.console.sessions_page import SessionsPage
        return SessionsPage
    from gui.console.results_page import ResultsPage
    return ResultsPage


class ConsoleWindow(QMainWindow):
    def __init__(self, ctx: AppContext | None = None, audio_page_factory=None, participant_window_factory=None,
                 parent: QWidget | None = None, lab_server: bool = False):
        """``lab_server``: the database is a lab server (PostgreSQL), reached over the network
        while the window is already up; the status line says so until ``attach``."""
        super().__init__(parent)
        self.ctx: AppContext | None = None
        self.state = ConsoleState()
        self.audio_page_factory = audio_page_factory
        self.participant_window_factory = participant_window_factory
        self.participant_window = None
        self.built: dict[str, QWidget] = {}
        self.setWindowTitle(self.tr("STAR Listening Lab — experimenter console"))
        self.nav = QListWidget()
        self.nav.setObjectName("pageList")
        self.nav.setFixedWidth(170)
        self.nav.setStyleSheet("QListWidget::item { padding: 8px 10px; }")
        self.pages = QStackedWidget()
        titles = [self.tr("Study"), self.tr("Audio"), self.tr("Participants"), self.tr("Sessions"), self.tr("Results")]
        for i, (name, title) in enumerate(zip(PAGE_NAMES, titles)):
            self.nav.addItem(title)
            self.pages.addWidget(self._placeholder(name, lab_server))
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda _=False, row=i: self.nav.setCurrentRow(row))
            self.addAction(action)
        self.nav.currentRowChanged.connect(self._row_chosen)
        # one line while the lab server is away (never a dialog: a participant's full-screen
        # window may be in front); it goes away by itself with the next read that reaches it
        self.server_status = QLabel()
        self.server_status.setObjectName("serverStatus")
        self.server_status.setWordWrap(True)
        self.server_status.setStyleSheet("QLabel { background: #fff4ce; color: #3b2f00; padding: 6px 10px; }")
        self.server_status.hide()
        self.state.serverChanged.connect(self._server_changed)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.server_status)
        row = QHBoxLayout()
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        column.addLayout(row, 1)
        self.setCentralWidget(central)
        self.audio_status = QLabel()
        self.audio_status.setObjectName("audioStatus")
        self.statusBar().addPermanentWidget(self.audio_status)
        self.state.audioChanged.connect(self._audio_changed)
        self.statusBar().showMessage(self.tr("Connecting to the lab server…") if lab_server
                                     else self.tr("Opening the database…"))
        # the pages wait for the database: the page list and pages are enabled by attach()
        self.nav.setEnabled(False)
        self.pages.setEnabled(False)
        self.resize(1280, 720)
        self.nav.setCurrentRow(0)
        if ctx is not None:
            self.attach(ctx)

    def _placeholder(self, name: str, lab_server: bool = False) -> QLabel:
        label = QLabel(self.tr("Connecting to the lab server…") if lab_server else self.tr("Loading…"))
        label.setObjectName(f"placeholder-{name}")
        label.setAlignment(Qt.AlignCenter)
        return label

    # -- building pages on demand ------------------------------------------------------------

    def attach(self, ctx: AppContext) -> None:
        """The database is open: build the page on show and those asked for from now on."""
        self.ctx = ctx
        self.statusBar().showMessage(self.tr("Database: {db}").format(db=ctx.db.url.database))
        self.nav.setEnabled(True)
        self.pages.setEnabled(True)
        self._audio_changed()
        self._row_chosen(self.nav.currentRow())

    def page(self, name: str) -> QWidget:
        """The page, built on first use (its module imported then)."""
        if name in self.built:
            return self.built[name]
        if self.ctx is None:
            raise RuntimeError("the console is not attached to a database yet")
        if name == "audio":
            if self.audio_page_factory is None:
                return self.pages.widget(PAGE_NAMES.index("audio"))  # the placeholder says why
            page = self.audio_page_factory(self)
        else:
            cls = page_class(name)
            if name == "sessions":
                page = cls(self.ctx, self.state, self.open_participant_window)
            else:
                page = cls(self.ctx, self.state)
        index = PAGE_NAMES.index(name)
        current = self.pages.currentIndex()
        old = self.pages.widget(index)
        self.pages.removeWidget(old)
        self.pages.insertWidget(index, page)
        self.pages.setCurrentIndex(current)
        old.deleteLater()
        self.built[name] = page
        return page

    def _row_chosen(self, row: int) -> None:
        if row < 0:
            return
        if self.ctx is not None:
            self.page(PAGE_NAMES[row])
        self.pages.setCurrentIndex(row)

    @property
    def study_page(self):
        return self.page("study")

    @property
    def audio_page(self):
        return self.page("audio")

    @property
    def participants_page(self):
        return self.page("participants")

    @property
    def sessions_page(self):
        return self.page("sessions")

    @property
    def results_page(self):
        return self.page("results")

    # -- audio state -------------------------------------------------------------------------

    def set_audio(self, audio_page_factory, participant_window_factory) -> None:
        """The output is open (factories) or there is none (None, None); see ConsoleState.set_audio."""
        self.audio_page_factory = audio_page_factory
        self.participant_window_factory = participant_window_factory
        if self.ctx is not None and self.nav.currentRow() == PAGE_NAMES.index("audio"):
            self.page("audio")

    def _audio_changed(self) -> None:
        state, text = self.state.audio_state, self.state.audio_text
        if state == AUDIO_STARTING:
            shown = self.tr("audio: starting…")
        elif state == AUDIO_NONE:
            shown = self.tr("audio: no output ({why})").format(why=text) if text else self.tr("audio: no output")
        else:
            shown = self.tr("audio: {device}").format(device=text) if text else ""
        self.audio_status.setText(shown)
        placeholder = self.pages.widget(PAGE_NAMES.index("audio"))
        if "audio" not in self.built and isinstance(placeholder, QLabel):
            placeholder.setText(self.tr("Audio is starting…") if state == AUDIO_STARTING else
                                self.tr("No audio output is available on this computer.")
                                + (f"\n{text}" if text and state == AUDIO_NONE else ""))

    # -- lab server -------------------------------------------------------------------------

    def journal_count(self) -> int:
        """Answers waiting in this station's journal (0 before a session ran here)."""
        link = self.ctx.station_link if self.ctx is not None else None
        return link.outbox.count() if link is not None else 0

    def _server_changed(self) -> None:
        lost = self.state.server_lost_at
        if lost is None:
            self.server_status.hide()
            self.server_status.clear()
            return
        self.server_status.setText(self.tr("Lab server unreachable since {time}; {n} entries (answers, withheld "
                                           "and adaptive trials) waiting in this station's journal. Sessions "
                                           "running here go on; the console reads the server again by itself.")
                                   .format(time=lost.strftime("%H:%M:%S"), n=self.journal_count()))
        self.server_status.setToolTip(self.state.server_error)
        self.server_status.show()

    # -- windows -----------------------------------------------------------------------------

    def show_page(self, name: str) -> None:
        self.nav.setCurrentRow(PAGE_NAMES.index(name))

    def open_participant_window(self, session_id: int) -> None:
        if self.participant_window_factory is None:
            text = (self.tr("Audio is still starting; try again in a moment.") if self.state.audio_state == AUDIO_STARTING
                    else self.tr("No audio output: sessions cannot run here."))
            QMessageBox.warning(self, self.tr("Session"), text)
            return
        self.participant_window = self.participant_window_factory(session_id, self.state)
        self.participant_window.closed.connect(self.state.sessionsChanged.emit)
        self.participant_window.show_for_participant()

    def closeEvent(self, event) -> None:
        # workers read the database and post results to the pages: stop them before the
        # pages go away
        for page in self.built.values():
            if hasattr(page, "shutdown"):
                page.shutdown()
            elif hasattr(page, "tasks"):
                page.tasks.cancel()
                page.tasks.wait()
        super().closeEvent(event)
