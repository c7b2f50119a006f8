"""Each session's scored runs kept on disk between two computations of the leaderboard, so that
a new answer makes the next computation read only the sessions it changed.

A session is kept with its fingerprint: the count, highest id, sum of trial ids and number
correct of its responses (one grouped query over the response table, which also gives the count,
sum and largest attenuation of those the safety ceiling attenuated, for the leaderboard's
safety-ceiling summary), and the session's plan seed and creation time. Responses are only ever
added or, with a whole take-home plan, replaced, so any change to a session's answers changes
its fingerprint; a session whose fingerprint differs from the kept one is read from the database
again. The plan seed and creation time keep another database at the same address (a new file
where an old one was) from handing a session of the old one to the new one's session of the same
id. Each participant's scored leaderboard row is kept under the fingerprints of the sessions
behind it.

One file per database, written whole (tasks/results/kept_file.py, as the page's cache); a file that
cannot be read (damaged, another version of the app) is a store that holds nothing, never an
error, and a full disk keeps nothing. What is kept is the result of the same code on the same
rows, so the leaderboard is the same with or without the store (a test compares them).
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from tasks.results.kept_file import kept_path, read_kept, write_kept

FORMAT = 1

# per session: responses, highest id, sum of trial ids, correct answers; attenuated answers,
# their summed and their largest attenuation in dB
_FINGERPRINT_SQL = text(
    "SELECT session_id, COUNT(*), MAX(id), SUM(planned_trial_id), "
    "SUM(CASE WHEN is_correct THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN attenuation_db > 0 THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN attenuation_db > 0 THEN attenuation_db ELSE 0.0 END), "
    "MAX(CASE WHEN attenuation_db > 0 THEN attenuation_db ELSE 0.0 END) "
    "FROM response GROUP BY session_id")


@dataclass(frozen=True)
class SessionAnswers:
    """What the grouped query says of one session's responses (any kind of trial)."""

    responses: int
    attenuated: int
    attenuation_sum_db: float
    attenuation_max_db: float
    fingerprint: tuple


def session_answers(conn) -> dict[int, SessionAnswers]:
    """session id -> its SessionAnswers, for every session with a response; one query."""
    out = {}
    for sid, n, top, trials, correct, k, total, peak in conn.execute(_FINGERPRINT_SQL):
        out[int(sid)] = SessionAnswers(int(n), int(k or 0), float(total or 0.0), float(peak or 0.0),
                                       (int(n), int(top), int(trials), int(correct or 0)))
    return out


@dataclass
class SessionResults:
    """The kept sessions (see the module's notes). ``entries`` are the distinct scored runs,
    each as collect_human_inputs keeps them: (its columns, its RunResult, its chance RunResult)."""

    path: Path | None = None
    sessions: dict[int, tuple[tuple, list]] = field(default_factory=dict)  # id -> (fingerprint, entries)
    rows: dict[tuple, Any] = field(default_factory=dict)  # sessions' (id, fingerprint)s -> leaderboard row
    read_from_database: int = 0  # sessions read from the database by the last computation
    answers: dict[int, SessionAnswers] | None = None  # what the last computation's grouped query said
    _used_rows: set = field(default_factory=set)
    _new_rows: int = 0

    @classmethod
    def open(cls, cache_dir: Path | None, database_url: str) -> "SessionResults":
        """The store kept for ``database_url`` in ``cache_dir`` (None: one that keeps nothing)."""
        if cache_dir is None:
            return cls()
        from tasks.version import app_version

        store = cls(kept_path(Path(cache_dir) / "sessions", (FORMAT, app_version(), database_url)))
        try:
            fmt, entries, sessions, rows = read_kept(store.path)
            if fmt == FORMAT:
                store.sessions = {sid: (fp, list(map(entries.__getitem__, idx))) for sid, (fp, idx) in sessions.items()}
                store.rows = rows
        except Exception:  # noqa: BLE001 - nothing kept, or not what this version keeps
            pass
        return store

    def entries(self, session_id: int, fingerprint: tuple) -> list | None:
        """The session's kept entries if its fingerprint is still ``fingerprint``, else None."""
        kept = self.sessions.get(session_id)
        return kept[1] if kept is not None and kept[0] == fingerprint else None

    def keep(self, session_id: int, fingerprint: tuple, entries: list) -> None:
        self.read_from_database += 1
        self.sessions[session_id] = (fingerprint, entries)

    def row(self, key: tuple, compute) -> Any:
        """The participant row kept under ``key``, or ``compute()`` kept under it."""
        self._used_rows.add(key)
        found = self.rows.get(key)
        if found is None:
            found = self.rows[key] = compute()
            self._new_rows += 1
        return found

    def save(self, present: set[int]) -> None:
        """Write the sessions still in the database (``present``) and the rows used by this
        computation; nothing when the store has no file or the disk refuses."""
        gone = set(self.sessions) - present
        if self.path is None or not (self.read_from_database or self._new_rows or gone):
            return
        kept = {sid: v for sid, v in self.sessions.items() if sid in present}
        by_id: dict[int, tuple] = {}  # each distinct entry once, in order of first use
        for _fp, session_entries in kept.values():
            by_id.update(zip(map(id, session_entries), session_entries))
        position = dict(zip(by_id, range(len(by_id))))
        entries = list(by_id.values())
        sessions = {sid: (fp, array("I", map(position.__getitem__, map(id, session_entries))))
                    for sid, (fp, session_entries) in kept.items()}
        rows = {k: v for k, v in self.rows.items() if k in self._used_rows}
        write_kept(self.path, (FORMAT, entries, sessions, rows))
