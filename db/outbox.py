"""A station's offline journal: answers that could not reach the lab server wait in a local
SQLite file (WAL, synchronous=FULL, beside the app's data) and are delivered exactly once when
the server is back.

Exactly once: a journalled answer is inserted with ON CONFLICT (planned_trial_id) DO NOTHING,
so a second delivery (the station died after the server committed but before the journal
noted it) stores nothing; the answer already there is then compared with the journal's and
the journal entry is marked delivered when they agree, or kept as a conflict with both named
when they do not (never overwritten, never dropped). The journal entry is marked only after
the server committed.

A trial withheld over the safety ceiling while the server is away is journalled the same way
(its reason and time instead of an answer's columns) and delivered exactly once: the planned
trial is marked withheld only when it is neither answered nor withheld already (with its audit
entry in the same transaction); found withheld already, it counts as delivered; found answered,
it is kept as a conflict (the server's answer is kept).
"""
from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Mapping

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from db import repo
from db.adaptive_journal import AdaptiveJournal
from db.engine import DatabaseFileError
from db.journal_checks import (JOURNAL_COLUMNS, JOURNAL_DDL, QUARANTINE_DDL, STATES, entry_problem, id_problem,
                               is_withheld, layout_problem, put_aside, salvage_rows, server_problem, storable)
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


class Outbox(AdaptiveJournal):
    """The journal file. One per station; used by one thread at a time. A file that cannot be
    used as it is (not SQLite, damaged, another layout) is put aside and what can be read from
    it carried over (db.journal_checks); ``opened_note`` then says so. Its adaptive entries:
    db.adaptive_journal."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.opened_note = ""
        problem, self._con = None, None
        try:
            self._con = self._connect()
            problem = layout_problem(self._con)
        except sqlite3.DatabaseError as exc:
            if any(w in str(exc).lower() for w in ("locked", "unable to open", "readonly", "disk i/o")):
                raise  # the file may well be sound (another process holds it, a full disk): not put aside
            problem = f"not a SQLite database ({exc})"
        if problem:
            if self._con is not None:
                self._con.close()
            aside = put_aside(self.path)
            self._con = self._connect()
            self._create()
            self._carry_over(aside, problem)
        else:
            self._create()
        self._sweep_states()

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(str(self.path), isolation_level=None, timeout=5.0)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error:
            con.close()
            raise
        return con

    def _create(self) -> None:
        self._con.execute(JOURNAL_DDL)
        self._con.execute(QUARANTINE_DDL)
        self._create_adaptive()

    def _carry_over(self, aside: Path, problem: str) -> None:
        """Rows of the file put aside: deliverable ones into the journal, the rest quarantined."""
        rows, unread = salvage_rows(aside)
        now = utc_now().isoformat()
        kept = set()
        with self._con:
            self._con.execute("BEGIN")
            adaptive = [row for row in rows if row["_table"] == "adaptive_journal"]
            n_adaptive = self._carry_over_adaptive(adaptive, now)
            for row in rows:
                if row["_table"] == "adaptive_journal":
                    continue
                values = [row.get(c) for c in JOURNAL_COLUMNS]
                values[3], values[4], values[5] = values[3] or now, values[4] or "pending", values[5] or ""
                reason = row.get("reason") if row["_table"] == "quarantine" else None
                if reason is None and values[0] in kept:
                    reason = f"a second entry for planned trial {values[0]} (the first is kept in the journal)"
                if reason is None and id_problem("planned trial id", values[0]) is None \
                        and isinstance(values[2], str) and values[1] is not None:
                    self._con.execute(f"INSERT INTO journal ({', '.join(JOURNAL_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
                                      [storable(v) for v in values])
                    kept.add(values[0])
                    continue
                self._con.execute("INSERT INTO quarantine (quarantined_at, reason, planned_trial_id, session_id, "
                                  "values_json, queued_at, state, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                  [row.get("quarantined_at") or now,
                                   reason or entry_problem(*values[:3]) or "not a journal entry",
                                   *[storable(v) for v in values]])
            self.opened_note = (f"the journal file was {problem}; kept as {aside.name}, {len(kept)} entries carried "
                                f"over into a new journal" + (f" with {n_adaptive} adaptive entries" if n_adaptive else "")
                                + (f", {unread}" if unread else ""))
            self._con.execute("INSERT INTO quarantine (quarantined_at, reason) VALUES (?, ?)", (now, self.opened_note))

    def _sweep_states(self) -> None:
        """Entries in a state this version does not know are quarantined (never silently kept)."""
        rows = self._con.execute(f"SELECT planned_trial_id, state FROM journal WHERE state NOT IN "
                                 f"({', '.join('?' for _ in STATES)})", STATES).fetchall()
        self.quarantine([(pt, f"unknown state {state!r}") for pt, state in rows])
        self._sweep_adaptive_states()

    def close(self) -> None:
        self._con.close()

    @contextmanager
    def _journalling(self, not_saved: str) -> Iterator[None]:
        """One transaction journalling new entries. A journal file removed while the station runs
        is written back first from the connection still open on it (its entries are kept); a file
        that cannot be written (a full disk, a read-only folder) is DatabaseFileError naming it and
        ending in ``not_saved``, nothing of the entries stored."""
        try:
            if not self.path.exists():
                self._write_back()
            with self._con:
                self._con.execute("BEGIN")
                yield
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseFileError(f"the station's journal {self.path} cannot be written ({exc}); {not_saved}") \
                from None

    def _write_back(self) -> None:
        """The journal, removed while open, copied from the open connection to its path again."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        copy = self.path.with_name(self.path.name + ".restoring")
        copy.unlink(missing_ok=True)
        target = sqlite3.connect(str(copy))
        try:
            self._con.backup(target)
        finally:
            target.close()
        self._con.close()  # its stale WAL goes with it, before the copy takes the name
        os.replace(copy, self.path)
        self._con = self._connect()

    def add(self, session_id: int, rows: list[Mapping[str, Any]]) -> None:
        """Journal answers (dicts of Response columns but id/session_id), durable on return. An
        answer to a trial already journalled is kept as it was (the first answer counts)."""
        now = utc_now().isoformat()
        with self._journalling("this answer was not saved yet"):
            self._con.executemany(
                "INSERT OR IGNORE INTO journal (planned_trial_id, session_id, values_json, queued_at) "
                "VALUES (?, ?, ?, ?)", [(r["planned_trial_id"], session_id, _encode(_answered(r)), now) for r in rows])

    def add_withheld(self, session_id: int, planned_trial_id: int, reason: str) -> None:
        """Journal that a planned trial was withheld (never played) with its reason, durable on
        return; a trial journalled already is kept as it was."""
        now = utc_now().isoformat()
        with self._journalling("the withheld trial was not recorded yet"):
            self._con.execute("INSERT OR IGNORE INTO journal (planned_trial_id, session_id, values_json, queued_at) "
                              "VALUES (?, ?, ?, ?)",
                              (planned_trial_id, session_id, _encode({"withheld_reason": reason, "withheld_at": now}),
                               now))

    def pending(self, limit: int = DELIVERY_BATCH) -> list[tuple[Any, Any, Any, Any]]:
        """(planned_trial_id, session_id, values_json, queued_at) of undelivered answers as stored
        (unchecked), in the order journalled."""
        return self._con.execute("SELECT planned_trial_id, session_id, values_json, queued_at FROM journal "
                                 "WHERE state = 'pending' ORDER BY rowid LIMIT ?", (limit,)).fetchall()

    def count(self, state: str = "pending") -> int:
        """Entries in ``state``: answers, withheld trials and adaptive entries."""
        return self._con.execute("SELECT COUNT(*) FROM journal WHERE state = ?", (state,)).fetchone()[0] \
            + self.adaptive_count(state)

    def pending_trial_ids(self, session_id: int) -> set[int]:
        return {r[0] for r in self._con.execute(
            "SELECT planned_trial_id FROM journal WHERE state = 'pending' AND session_id = ?", (session_id,))}

    def pending_ids(self, session_id: int) -> tuple[set[int], set[int]]:
        """(the session's planned trials journalled and undelivered, those of them journalled as
        withheld, not answered), from one read of the journal."""
        journalled, withheld = set(), set()
        for planned_trial_id, values_json in self._con.execute(
                "SELECT planned_trial_id, values_json FROM journal WHERE state = 'pending' AND session_id = ?",
                (session_id,)):
            journalled.add(planned_trial_id)
            try:
                values = json.loads(values_json)
            except (TypeError, ValueError):
                continue
            if isinstance(values, dict) and is_withheld(values):
                withheld.add(planned_trial_id)
        return journalled, withheld

    def conflicts(self) -> list[tuple[int, str]]:
        return self._con.execute("SELECT planned_trial_id, note FROM journal WHERE state = 'conflict'").fetchall()

    def quarantined(self) -> list[tuple]:
        """(id, quarantined_at, planned_trial_id, session_id, reason) of every quarantined entry."""
        return self._con.execute("SELECT id, quarantined_at, planned_trial_id, session_id, reason FROM quarantine "
                                 "ORDER BY id").fetchall()

    def status_note(self, more_quarantined: int = 0) -> str:
        """What the console's station status says about this journal ("" when nothing is wrong);
        ``more_quarantined``: entries about to be quarantined besides those already are."""
        n = self._con.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0] + more_quarantined
        return quarantine_note(n)

    def quarantine(self, entries: list[tuple[Any, str]]) -> None:
        """Move journal entries (planned_trial_id, reason) into quarantine, in one transaction."""
        if not entries:
            return
        now = utc_now().isoformat()
        with self._con:
            self._con.execute("BEGIN")
            for planned_trial_id, reason in entries:
                self._con.execute("INSERT INTO quarantine (quarantined_at, reason, planned_trial_id, session_id, "
                                  "values_json, queued_at, state, note) SELECT ?, ?, planned_trial_id, session_id, "
                                  "values_json, queued_at, state, note FROM journal WHERE planned_trial_id IS ?",
                                  (now, reason, planned_trial_id))
                self._con.execute("DELETE FROM journal WHERE planned_trial_id IS ?", (planned_trial_id,))

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


def _server_facts(conn, ids: list[int]) -> dict[int, tuple]:
    """planned trial id -> (its session, that session's station, its withheld reason)."""
    pt, se = repo.PLANNED_TRIAL_TABLE, repo.SESSION_TABLE
    rows = conn.execute(select(pt.c.id, pt.c.session_id, se.c.station, pt.c.withheld_reason)
                        .join(se, se.c.id == pt.c.session_id).where(pt.c.id.in_(ids))).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def deliver(engine: Engine, outbox: Outbox, station: str | None = None, limit: int = DELIVERY_BATCH) -> int:
    """Deliver up to ``limit`` journalled answers in one server transaction (with the cursors of
    their sessions and, for a station, its status row); returns how many were handled. Each
    entry is checked first (db.journal_checks: here, then against the server: its planned trial
    exists in its session, the session is this station's) and quarantined with the reason when
    it fails; each insert runs in a savepoint, so that an answer the server refuses is
    quarantined too and never stops the others. Raises the database's OperationalError when the
    server cannot be reached (nothing marked)."""
    batch = outbox.pending(limit)
    if not batch:
        return 0
    local = []
    checked = []
    for planned_trial_id, session_id, values_json, queued_at in batch:
        problem = entry_problem(planned_trial_id, session_id, values_json)
        if problem:
            local.append((planned_trial_id, problem))
        else:
            values = _decode(values_json)
            if not is_withheld(values):
                values.setdefault("answered_at", _when(queued_at))
            checked.append((planned_trial_id, session_id, {**values, "planned_trial_id": planned_trial_id}))
    outbox.quarantine(local)  # kept whatever the server does next
    if not checked:
        return len(batch)
    insert_one = _insert_ignoring_duplicates(engine.dialect.name)
    r = repo.RESPONSE_TABLE
    outcomes: list[tuple[int, str, str]] = []
    refused: list[tuple[int, str]] = []
    with engine.begin() as conn:
        facts = _server_facts(conn, [pt for pt, _, _ in checked])
        stored_sessions = set()
        for planned_trial_id, session_id, values in checked:
            withheld = is_withheld(values)
            problem = server_problem(session_id, facts.get(planned_trial_id), station, withheld)
            if problem:
                refused.append((planned_trial_id, problem))
                continue
            values = {**values, "session_id": session_id}
            try:
                with conn.begin_nested():
                    if withheld:
                        outcome = _withheld_outcome(conn, planned_trial_id, values)
                    else:
                        inserted = conn.execute(insert_one(values)).rowcount == 1
            except DBAPIError as exc:
                if unreachable(exc):
                    raise
                refused.append((planned_trial_id, refusal(exc)))
                continue
            stored_sessions.add(session_id)
            if withheld:
                outcomes.append(outcome)
                continue
            if inserted:
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
        for session_id in sorted(stored_sessions):
            # its adaptive entries still to deliver: the last of them completes it
            repo.advance_cursor(conn, session_id, complete=not outbox.adaptive_count(session_id=session_id))
        note_station(conn, outbox, station, len(checked), len(refused))
    outbox.mark(outcomes)
    outbox.quarantine(refused)
    return len(batch)


def refusal(exc: DBAPIError) -> str:
    """The quarantine reason for an entry the server refused (a constraint, a type, a right)."""
    return "the server refused it: " + str(exc.orig).strip().splitlines()[0][:300]


def note_station(conn, outbox: Outbox, station: str | None, handled: int, refused: int) -> None:
    """Inside a delivery's transaction: the station's status row (when a station delivers) with
    the journal's backlog and quarantine as they will be once the ``handled`` entries of the
    batch are marked and the ``refused`` ones of them quarantined."""
    if station:
        touch_station(conn, station, max(0, outbox.count() - handled), outbox.status_note(refused))


def _withheld_outcome(conn, planned_trial_id: int, values: dict) -> tuple[int, str, str]:
    """Deliver a journalled withheld trial inside the caller's savepoint: marked withheld once
    (repo.withhold_in: only when neither answered nor withheld yet), else found so already, or a
    conflict when the server holds an answer to it."""
    reason = values["withheld_reason"]
    if repo.withhold_in(conn, values["session_id"], planned_trial_id, reason,
                        datetime.fromisoformat(values["withheld_at"])):
        return planned_trial_id, "delivered", ""
    r = repo.RESPONSE_TABLE
    if conn.execute(select(r.c.id).where(r.c.planned_trial_id == planned_trial_id)).first() is None:
        return planned_trial_id, "delivered", "was already withheld on the server"
    return (planned_trial_id, "conflict", f"planned trial {planned_trial_id}: the server holds an answer, the journal "
            f"says withheld ({reason}); the server's answer was kept")


def quarantine_note(n: int) -> str:
    return f"{n} journal entries quarantined (python main.py lab-journal lists them)" if n else ""


def _when(queued_at) -> datetime:
    try:
        return datetime.fromisoformat(queued_at)
    except (TypeError, ValueError):
        return utc_now()


def touch_station(conn, station: str, pending_answers: int, last_error: str | None = None) -> None:
    """Note on the server that ``station`` was heard of now, with its journal's backlog and, when
    given, what is wrong with it (the console's station status; None: left as it was)."""
    table = Station.__table__
    make = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = make(table).values(name=station, seen_at=utc_now(), pending_answers=pending_answers,
                              last_error=last_error or "")
    update = {"seen_at": stmt.excluded.seen_at, "pending_answers": stmt.excluded.pending_answers}
    if last_error is not None:
        update["last_error"] = stmt.excluded.last_error
    conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_=update))
