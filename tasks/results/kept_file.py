"""Results kept on disk between computations (the Results page's cache,
gui/console/results_cache.py, and each session's scored runs, tasks/results/session_results.py):
one pickle file per key, written whole, and read as nothing when it cannot be read."""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any


def kept_path(folder: Path, key: tuple) -> Path:
    """The file that keeps what was computed for ``key`` in ``folder``."""
    return Path(folder) / f"{hashlib.sha256(repr(key).encode()).hexdigest()[:32]}.pickle"


def read_kept(path: Path) -> Any | None:
    """What ``path`` keeps, or None when it is missing, damaged or from another version."""
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except Exception:  # noqa: BLE001 - missing, damaged or from another version: nothing kept
        return None


def write_kept(path: Path, value: Any) -> None:
    """Keep ``value`` in ``path``, written whole (a temporary file renamed over the old one), so a
    reader never sees half a file. A full disk or read-only folder keeps nothing and leaves no
    temporary file behind."""
    staged = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(staged, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(staged, path)
    except OSError:
        try:
            staged.unlink(missing_ok=True)
        except OSError:
            pass
