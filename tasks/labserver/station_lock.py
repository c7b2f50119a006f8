"""One process per station journal: a station's journal (db.outbox) and the sessions it resumes
belong to one running program. A second process started with the same journal (the same
``--station`` on the same computer) is refused before it answers anything, instead of
answering the first one's session beside it.

The lock is an advisory ``flock`` on ``<journal>.lock``, released by the kernel when the process
ends in any way (so a killed station never leaves a stale lock). Where ``fcntl`` is missing
(Windows) there is no lock; the server's unique answer per trial still refuses the second
answer, and ``simulate`` then stops with a clear line (tasks/simulation/commands.py).
"""
from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


class StationBusyError(Exception):
    """Another process holds this station's journal; the message names the station and file."""


class StationLock:
    """Held from ``acquire`` until ``release`` (or the process ends)."""

    def __init__(self, journal: Path, station: str):
        self.path = Path(f"{journal}.lock")
        self.station = station
        self._fd: int | None = None

    def acquire(self) -> "StationLock":
        if fcntl is None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StationBusyError(
                f"station {self.station!r} is already running in another process on this computer (its journal "
                f"{self.path.with_suffix('')} is in use); give each process its own --station NAME, or wait for "
                "the other to end") from None
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> "StationLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
