"""What the windows need, built by main.py and passed in (no globals)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from sqlalchemy.engine import Engine

from db.settings import Settings
from tasks.loader import Dataset


@dataclass
class AppContext:
    db: Engine
    settings: Settings
    data_dir: Path
    app_version: str
    # (progress, should_cancel) -> path of the built-in bank, generated on first use
    builtin_bank: Callable[..., Path]
    audio: Any = None  # tasks.presentation.AudioServices, or None without any output device


class ConsoleState(QObject):
    """The console's current study and dataset; pages listen to its signals."""

    datasetChanged = Signal()
    studyChanged = Signal()
    participantsChanged = Signal()
    sessionsChanged = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.dataset: Dataset | None = None
        self.study = None  # db.models.Study

    def set_dataset(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.datasetChanged.emit()

    def set_study(self, study) -> None:
        self.study = study
        self.studyChanged.emit()
