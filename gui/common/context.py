"""What the windows need, built by main.py and passed in (no globals).

Only type names come from the database and task layers here (under TYPE_CHECKING), so that
the console's first window does not wait for SQLAlchemy or numpy to import."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from db.settings import Settings
    from tasks.dataset.loader import Dataset

# ConsoleState.audio_state
AUDIO_STARTING, AUDIO_READY, AUDIO_NONE = "starting", "ready", "none"


@dataclass
class AppContext:
    db: Engine
    settings: Settings
    data_dir: Path
    app_version: str
    # (progress, should_cancel) -> path of the built-in bank, generated on first use
    builtin_bank: Callable[..., Path]
    audio: Any = None  # tasks.presentation.presenter.AudioServices, or None without any output device
    # tasks.labserver.station.StationLink on a lab server (answers the server cannot take wait in its
    # journal); made by the app on first use, None on a SQLite file
    station_link: Any = None
    # this computer's station name on a lab server (main.py --station NAME); None: the host name
    # (tasks.labserver.station.station_name gives the name sessions carry)
    station: str | None = None
    # tasks.cover.context.CoverContexts: each cover study's units and trial times, built once for
    # the app's lifetime (a full-size study takes 0.5-0.8 s to build); made by cover_shares()
    shares: Any = None

    def cover_shares(self) -> Any:
        """The app's one CoverContexts, made on first use (numpy is not imported before)."""
        if self.shares is None:
            from tasks.cover.context import CoverContexts

            self.shares = CoverContexts()
        return self.shares


class ConsoleState(QObject):
    """The console's current study and dataset; pages listen to its signals."""

    datasetChanged = Signal()
    studyChanged = Signal()
    participantsChanged = Signal()
    sessionsChanged = Signal()
    audioChanged = Signal()
    serverChanged = Signal()  # the lab server went away or came back (server_lost_at)

    def __init__(self) -> None:
        super().__init__()
        self.dataset: Dataset | None = None
        self.study = None  # db.models.Study
        self.audio_state = AUDIO_READY  # the app sets "starting" while the output opens after the first paint
        self.audio_text = ""  # e.g. "system (JACK Audio Connection Kit), 48000 Hz" or why there is none
        # lab server: when a read of the console first found it unreachable (local time), None
        # while it answers; the console shows one status line for it, never a dialog
        self.server_lost_at: datetime | None = None
        self.server_error = ""  # the driver's one line, for the status line's tooltip

    def set_audio(self, state: str, text: str) -> None:
        self.audio_state, self.audio_text = state, text
        self.audioChanged.emit()

    def server_unreachable(self, message: str = "") -> None:
        """A read found the lab server away (each failing refresh says so again: the status line
        counts the journal anew)."""
        if self.server_lost_at is None:
            self.server_lost_at = datetime.now()
        self.server_error = message
        self.serverChanged.emit()

    def server_reachable(self) -> None:
        """A read reached the server: the status line goes away."""
        if self.server_lost_at is not None:
            self.server_lost_at, self.server_error = None, ""
            self.serverChanged.emit()

    def set_dataset(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.datasetChanged.emit()

    def set_study(self, study) -> None:
        self.study = study
        self.studyChanged.emit()
