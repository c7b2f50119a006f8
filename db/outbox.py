"""A station's offline journal: answers that could not reach the lab server wait in a local
SQLite file (WAL, synchronous=FULL, beside the app's data) and are delivered exactly once when
the server is back.

Exactly once: a journalled answer is inserted with ON CONFLICT (planned_trial_id) DO NOTHING,
so a second delivery (the station died after the server committed but before the journal
noted it) stores nothing; the answer already there is then compared with the journal's and
the journal entry is marked delivered when they agree, or kept as a conflict with both named
when they do not (never overwritten, never dropped). The journal entry is marked only after
the server committed.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from db import repo
from db.models import Station, utc_now

_DATETIME_COLUMNS = ("presented_at", "answered_at")
# what must agree between a journalled answer and one already on the server
_SAME_ANSWER = ("session_id", "chosen_letter", "is_correct", "rt_ms", "n_replays")
DELIVERY_BATCH = 200
# the errors that mean "the server is not there now" (connection refused or lost mid-transaction)
UNREACHABLE = (OperationalError, InterfaceError)


def unreachable(exc: BaseException) -> bool:
    """True when ``exc`` means the server cannot be reached now (refused, timed out, cut off
    mid-transaction), as opposed to a refusal of the data (a constraint, a type, a right)."""
    if isinstance(exc, UNREACHABLE):
        return True
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated)
    try:  # the driver's own, should one escape SQLAlchemy's wrapping
        import psycopg
    except ImportError:
        return False
    return isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))


def default_outbox_path(data_folder: Path, station: str) -> Path:
    """The journal's file in ``data_folder``; ``station`` must already be one safe file name
    component (callers pass tasks.dataset.paths.path_component(name): db does not import tasks)."""
    return Path(data_folder) / f"outbox-{station}.sqlite3"


def _encode(values: Mapping[str, Any]) -> str:
    return json.dumps({k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()})


def _answered(values: Mapping[str, Any]) -> dict:
    """The values with their answer time (the time of journalling when the caller gave none)."""
    return {**values, "answered_at": values.get("answered_at") or utc_now()}


def _decode(text: str) -> dict:
    values = json.loads(text)
    for k in _DATETIME_COLUMNS:
        if values.get(k) is not None:
            values[k] = datetime.fromisoformat(values[k])
    return values


class Outbox:
    """The journal file. One per station; used by one thread at a time."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = sqlite3.connect(str(self.path), isolation_level=None, timeout=5.0)
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.execute("PRAGMA synchronous=FULL")
        self._con.execute("CREATE TABLE IF NOT EXISTS journal (planned_trial_id INTEGER PRIMARY KEY, "
                          "session_id INTEGER NOT NULL, values_json TEXT NOT NULL, queued_at TEXT NOT NULL, "
                          "state TEXT NOT NULL DEFAULT 'pending', note TEXT NOT NULL DEFAULT '')")

    def close(self) -> None:
        self._con.close()

    def add(self, session_id: int, rows: list[Mapping[str, Any]]) -> None:
        """Journal answers (dicts of Response columns but id/session_id), durable on return. An
        answer to a trial already journalled is kept as it was (the first answer counts)."""
        now = utc_now().isoformat()
        with self._con:
            self._con.execute("BEGIN")
            self._con.executemany(
                "INSERT OR IGNORE INTO journal (planned_trial_id, session_id, values_json, queued_at) "
                "VALUES (?, ?, ?, ?)", [(r["planned_trial_id"], session_id, _encode(_answered(r)), now) for r in rows])

    def pending(self, limit: int = DELIVERY_BATCH) -> list[tuple[int, int, dict]]:
        """(planned_trial_id, session_id, values) of undelivered answers, in the order journalled."""
        rows = self._con.execute("SELECT planned_trial_id, session_id, values_json FROM journal "
                                 "WHERE state = 'pending' ORDER BY rowid LIMIT ?", (limit,)).fetchall()
        return [(pt, sid, _decode(v)) for pt, sid, v in rows]

    def count(self, state: str = "pending") -> int:
        return self._con.execute("SELECT COUNT(*) FROM journal WHERE state = ?", (state,)).fetchone()[0]

    def pending_trial_ids(self, session_id: int) -> set[int]:
        return {r[0] for r in self._con.execute(
            "SELECT planned_trial_id FROM journal WHERE state = 'pending' AND session_id = ?", (session_id,))}

    def conflicts(self) -> list[tuple[int, str]]:
        return self._con.execute("SELECT planned_trial_id, note FROM journal WHERE state = 'conflict'").fetchall()

    def mark(self, outcomes: list[tuple[int, str, str]]) -> None:
        """(planned_trial_id, state, note) after the server committed."""
        with self._con:
            self._con.execute("BEGIN")
            self._con.executemany("UPDATE journal SET state = ?, note = ? WHERE planned_trial_id = ?",
                                  [(state, note, pt) for pt, state, note in outcomes])


def _insert_ignoring_duplicates(dialect_name: str):
    table = repo.RESPONSE_TABLE
    make = pg_insert if dialect_name == "postgresql" else sqlite_insert
    return lambda values: make(table).values(**values).on_conflict_do_nothing(index_elements=["planned_trial_id"])


def deliver(engine: Engine, outbox: Outbox, station: str | None = None, limit: int = DELIVERY_BATCH) -> int:
    """Deliver up to ``limit`` journalled answers in one server transaction (with the cursors of
    their sessions and, for a station, its status row); returns how many were handled. Raises
    the database's OperationalError when the server cannot be reached (nothing marked)."""
    batch = outbox.pending(limit)
    if not batch:
        return 0
    insert_one = _insert_ignoring_duplicates(engine.dialect.name)
    r = repo.RESPONSE_TABLE
    outcomes: list[tuple[int, str, str]] = []
    with engine.begin() as conn:
        for planned_trial_id, session_id, values in batch:
            values = {**values, "session_id": session_id}
            if conn.execute(insert_one(values)).rowcount == 1:
                outcomes.append((planned_trial_id, "delivered", ""))
                continue
            there = conn.execute(select(*(r.c[k] for k in _SAME_ANSWER))
                                 .where(r.c.planned_trial_id == planned_trial_id)).one()
            ours = tuple(values.get(k) for k in _SAME_ANSWER)
            if tuple(there) == ours:
                outcomes.append((planned_trial_id, "delivered", "was already on the server"))
            else:
                outcomes.append((planned_trial_id, "conflict",
                                 f"planned trial {planned_trial_id}: the server holds {dict(zip(_SAME_ANSWER, there))}, "
                                 f"the journal {dict(zip(_SAME_ANSWER, ours))}; the server's answer was kept"))
        for session_id in sorted({sid for _, sid, _ in batch}):
            repo.advance_cursor(conn, session_id)
        if station:
            left = max(0, outbox.count() - len(batch))
            touch_station(conn, station, left)
    outbox.mark(outcomes)
    return len(batch)


def touch_station(conn, station: str, pending_answers: int, last_error: str = "") -> None:
    """Note on the server that ``station`` was heard of now, with its journal's backlog."""
    table = Station.__table__
    make = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = make(table).values(name=station, seen_at=utc_now(), pending_answers=pending_answers,
                              last_error=last_error)
    conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={
        "seen_at": stmt.excluded.seen_at, "pending_answers": stmt.excluded.pending_answers,
        "last_error": stmt.excluded.last_error}))
