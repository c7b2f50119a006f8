"""The Results page's computations kept on disk, keyed by what they read (no Qt here).

A leaderboard or a set of figures is stored with the state of the database it was computed
from: the row count and the highest row id of every table it reads (studies, participants,
sessions, responses, the audit log that holds the screening outcomes, adaptive blocks and
trials), read BEFORE the computation. A new answer raises the response count and id, so the next
look at the page computes again; until then the page (and a console started again) shows the
stored result at once instead of reading every response again. An answer stored while a
computation runs leaves it stored under the older state, so the next look computes again.

One file per set of inputs (study, models folder and its files' sizes and times, exclusion,
figure width, app version) in the app's data folder; a file that cannot be read (damaged,
written by another version) is computed again and replaced, never an error.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from tasks.results.kept_file import kept_path, read_kept, write_kept

CACHE_FORMAT = 1
TABLES = ("study", "participant", "session", "response", "audit_log", "adaptive_block", "adaptive_trial")


def data_version(engine) -> tuple:
    """(count, highest id) of each table in TABLES: one query, cheap on SQLite and PostgreSQL."""
    from sqlalchemy import text

    parts = ", ".join(f"(SELECT COUNT(*) FROM {t}), (SELECT COALESCE(MAX(id), 0) FROM {t})" for t in TABLES)
    with engine.connect() as conn:
        return tuple(int(v) for v in conn.execute(text(f"SELECT {parts}")).one())


def folder_fingerprint(folder: Path | None) -> tuple:
    """The files under ``folder`` (a model kit's work_dir) with their sizes and modification times."""
    if folder is None:
        return ()
    found = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            try:
                st = path.stat()
            except OSError:
                continue
            found.append((str(path.relative_to(folder)), st.st_size, st.st_mtime_ns))
    return tuple(sorted(found))


def cache_file(cache_dir: Path, inputs: tuple) -> Path:
    return kept_path(cache_dir, (CACHE_FORMAT, inputs))


def lookup(cache_dir: Path | None, engine, inputs: tuple) -> tuple[bool, Any, str]:
    """(found, the stored value, the database's state now) for ``inputs``."""
    key = repr(data_version(engine))
    if cache_dir is None:
        return False, None, key
    from tasks.version import app_version

    kept = read_kept(cache_file(cache_dir, (app_version(), *inputs)))
    try:
        stored_inputs, stored_key, value = kept
    except (TypeError, ValueError):  # nothing kept, or not what this version keeps: compute again
        return False, None, key
    if stored_inputs == repr((app_version(), *inputs)) and stored_key == key:
        return True, value, key
    return False, None, key


def store(cache_dir: Path, inputs: tuple, key: str, value: Any) -> None:
    """Keep ``value`` for ``inputs`` and the database's state ``key`` (written whole: a
    temporary file renamed over the old one). A full disk or read-only folder keeps nothing."""
    from tasks.version import app_version

    inputs = (app_version(), *inputs)
    write_kept(cache_file(cache_dir, inputs), (repr(inputs), key, value))


UNCHANGED = "done (unchanged since last computed)"


def cached(cache_dir: Path | None, engine, inputs: tuple, compute: Callable[[], Any],
           progress: Callable[..., None] | None = None, missed: str | None = None) -> Any:
    """``compute()``, or what it returned before for the same ``inputs`` and the same state of
    the database (see the module's notes). ``cache_dir`` None: no cache. ``missed``: the state a
    lookup for these inputs found nothing kept under just before (the caller's): computed and
    stored under it without looking again."""
    if cache_dir is None:
        return compute()
    if missed is not None:
        found, value, key = False, None, missed
    else:
        found, value, key = lookup(cache_dir, engine, inputs)  # the state before computing
    if found:
        if progress is not None:
            progress(1, 1, UNCHANGED)
        return value
    value = compute()
    store(cache_dir, inputs, key, value)
    return value
