"""The per-answer path: store one answer and fetch the next planned trial, at a cost that does
not depend on the plan's size or on how many sessions the database holds.

One transaction per answer: INSERT the response, SELECT the next unanswered trial from the
session's cursor (index (session_id, position), LIMIT 1, one probe of the unique index on
response.planned_trial_id per skipped row), UPDATE the cursor onto it - or mark the session
completed. Durable on return (WAL, synchronous=FULL). The next trial found in that transaction
is handed to the caller, so "commit + next trial" is one round trip.

On SQLite the statements go straight to the driver through a pooled connection, with
SQLAlchemy's own type processors for the values (so rows read back through the ORM or Core
are the same): building and compiling SQLAlchemy statements would cost ten times the storage
work itself (bench/answer_latency.py). Other databases take the SQLAlchemy Core path of
db.repo, which does the same in the same transaction.
"""
from __future__ import annotations

import sqlite3
from collections import namedtuple
from typing import Any, Mapping

from sqlalchemy.engine import Connection, Engine

from db import leases, repo
from db.engine import DatabaseFileError, describe_db_error
from db.models import utc_now

_PT, _R = repo.PLANNED_TRIAL_TABLE, repo.RESPONSE_TABLE
TrialRow = namedtuple("TrialRow", [c.name for c in _PT.columns])
ResponseRow = namedtuple("ResponseRow", [c.name for c in _R.columns])
_RESPONSE_COLUMNS = tuple(c.name for c in _R.columns if c.name != "id")

_NEXT_SQL = (f"SELECT {', '.join(c.name for c in _PT.columns)} FROM planned_trial "
             "WHERE session_id = ? AND position >= (SELECT next_position FROM session WHERE id = ?) "
             "AND withheld_reason IS NULL "
             "AND NOT EXISTS (SELECT 1 FROM response WHERE response.planned_trial_id = planned_trial.id) "
             "ORDER BY position LIMIT 1")
_INSERT_SQL = (f"INSERT INTO response ({', '.join(_RESPONSE_COLUMNS)}) "
               f"VALUES ({', '.join('?' for _ in _RESPONSE_COLUMNS)})")
_CURSOR_SQL = "UPDATE session SET next_position = ? WHERE id = ?"
_END_SQL = "SELECT COALESCE(MAX(position) + 1, 0) FROM planned_trial WHERE session_id = ?"
_COMPLETE_SQL = "UPDATE session SET next_position = ?, status = 'completed', ended_at = ? WHERE id = ?"
# adaptive blocks (tasks.adaptive) come after the planned trials: a session with one unfinished is
# not complete yet when its last planned trial is answered (its last block completes it)
_BLOCKS_LEFT_SQL = "SELECT 1 FROM adaptive_block WHERE session_id = ? AND status != 'completed' LIMIT 1"
_GUARD_SQL = "UPDATE session SET lease_until = ? WHERE id = ? AND lease_holder = ?"
_AUDIT_SQL = "INSERT INTO audit_log (session_id, at, event, detail) VALUES (?, ?, 'completed', '')"


def _bind_processor(column, dialect):
    """SQLAlchemy's own conversion of a Python value for this column on this dialect (None when
    the driver takes the value as it is): the dialect's implementation of the column's type."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _result_processor(column, dialect):
    """SQLAlchemy's own conversion of a driver's value read from this column (None: as it is)."""
    return column.type.dialect_impl(dialect).result_processor(dialect, None)


def _binders(dialect) -> list:
    return [_bind_processor(_R.c[name], dialect) for name in _RESPONSE_COLUMNS]


def store_batch(conn: Connection, session_id: int, rows: list[Mapping[str, Any]]) -> None:
    """Insert many responses (dicts of every column but id/session_id) and advance the
    cursor, inside the caller's transaction (``simulate``'s batches). On SQLite one driver
    executemany with SQLAlchemy's type processors; elsewhere SQLAlchemy Core."""
    if conn.dialect.name != "sqlite":
        repo.store_answers(conn, session_id, [dict(r) for r in rows])
        return
    binders = _binders(conn.dialect)
    params = []
    for row in rows:
        values = {**row, "session_id": session_id}
        params.append(tuple(v if p is None or v is None else p(v)
                            for p, v in zip(binders, (values[name] for name in _RESPONSE_COLUMNS))))
    conn.connection.driver_connection.executemany(_INSERT_SQL, params)
    repo.advance_cursor(conn, session_id)


class AnswerStore:
    """Answers of one session. Not shared between threads (each caller builds its own).

    ``holder`` (a participant window's lease, db.leases): every answer first renews the lease by
    ``lease_s`` in its own transaction, and is refused (leases.NotOwner, nothing stored) when
    another window holds the session. None: no lease is checked (simulation, tools)."""

    def __init__(self, engine: Engine, session_id: int, holder: str | None = None, lease_s: float = 0.0):
        self.engine = engine
        self.session_id = session_id
        self.holder, self.lease_s = holder, lease_s
        self._sqlite = engine.dialect.name == "sqlite"
        dialect = engine.dialect
        self._bind = _binders(dialect)
        self._result = [_result_processor(c, dialect) for c in _PT.columns]
        self._datetime = _bind_processor(_R.c.answered_at, dialect)

    # -- reading
    def _trial(self, raw: tuple | None) -> TrialRow | None:
        if raw is None:
            return None
        return TrialRow._make(v if p is None or v is None else p(v) for p, v in zip(self._result, raw))

    def next_trial(self) -> TrialRow | None:
        """The first unanswered planned trial (one indexed query)."""
        if not self._sqlite:
            with self.engine.connect() as conn:
                row = conn.execute(repo.unanswered_query(self.session_id)).first()
            return None if row is None else TrialRow._make(row)
        con = self.engine.raw_connection()
        try:
            return self._trial(con.cursor().execute(_NEXT_SQL, (self.session_id, self.session_id)).fetchone())
        finally:
            con.close()  # back to the pool

    # -- writing
    def record(self, values: Mapping[str, Any]) -> tuple[ResponseRow, TrialRow | None]:
        """Commit one response (all columns but id; session_id is this session's) with the
        cursor; returns it and the next unanswered trial (None: the session is now complete).
        Raises repo.AlreadyAnswered or DatabaseFileError; then nothing was stored."""
        values = {**values, "session_id": self.session_id}
        if not self._sqlite:
            lease = None if self.holder is None else (self.holder, leases.lease_for(self.lease_s))
            next_row = repo.record_answers(self.engine, self.session_id, [dict(values)], lease)
            return ResponseRow(id=None, **values), None if next_row is None else TrialRow._make(next_row)
        params = tuple(v if p is None or v is None else p(v)
                       for p, v in zip(self._bind, (values[name] for name in _RESPONSE_COLUMNS)))
        con = self.engine.raw_connection()
        try:
            cur = con.cursor()
            try:
                cur.execute("BEGIN")
                if self.holder is not None:
                    self._guard(cur)
                cur.execute(_INSERT_SQL, params)
                response_id = cur.lastrowid
                raw = cur.execute(_NEXT_SQL, (self.session_id, self.session_id)).fetchone()
                if raw is not None:
                    cur.execute(_CURSOR_SQL, (raw[2], self.session_id))  # raw[2]: position
                else:
                    now = self._datetime(utc_now())
                    end = cur.execute(_END_SQL, (self.session_id,)).fetchone()[0]
                    if cur.execute(_BLOCKS_LEFT_SQL, (self.session_id,)).fetchone() is not None:
                        cur.execute(_CURSOR_SQL, (end, self.session_id))
                    else:
                        cur.execute(_COMPLETE_SQL, (end, now, self.session_id))
                        cur.execute(_AUDIT_SQL, (self.session_id, now))
                cur.execute("COMMIT")
            except leases.NotOwner:
                con.rollback()
                raise
            except sqlite3.Error as exc:
                if con.in_transaction:
                    con.rollback()
                if isinstance(exc, sqlite3.IntegrityError) and "unique" in str(exc).lower():
                    raise repo.AlreadyAnswered(f"planned trial {values.get('planned_trial_id')} is already "
                                               "answered") from None
                raise DatabaseFileError(describe_db_error(self.engine, exc) + "; this answer was not saved yet") \
                    from None
        finally:
            con.close()
        return ResponseRow(id=response_id, **values), self._trial(raw)

    def _guard(self, cur) -> None:
        """The lease check of db.leases.guard on the driver's cursor (inside the answer's transaction)."""
        until = self._datetime(leases.lease_for(self.lease_s))
        if cur.execute(_GUARD_SQL, (until, self.session_id, self.holder)).rowcount != 1:
            row = cur.execute("SELECT lease_holder, station FROM session WHERE id = ?", (self.session_id,)).fetchone()
            where = None if row is None else leases.station_of(row[0]) if row[0] else row[1]
            raise leases.not_owner(self.session_id, where)
