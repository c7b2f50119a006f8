"""Delivering a station's journal with its adaptive entries (db.adaptive_journal): the answers and
withheld trials first (db.outbox.deliver), then the adaptive entries in journal order, each
batch in one server transaction, each entry in a savepoint, the journal marked only after the
server committed.

Exactly once, keyed by (session, dimension, trial index): a block's entry (trial index -1)
creates the block when the server has none for that session and dimension, or finds it (an
earlier delivery committed it before the station died) and checks it is the same block (its
procedure, unit, index and settings, and the trials the station knew of); a trial's entry is
inserted into that block with the block's estimate after it (ON CONFLICT (block_id, trial_index)
DO NOTHING), or found there already and compared. A block or trial the server holds otherwise
is kept in the journal as a conflict naming both (never overwritten, never dropped); an entry
that fails a check here or on the server is quarantined with the reason. The session is
completed with the delivery of its last journalled entry, when its blocks are all completed and
no planned trial is left (never earlier: see repo.advance_cursor's ``complete``)."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from db import repo
from db.journal_checks import adaptive_entry_problem
from db.models import AdaptiveBlock, AdaptiveTrial, AuditLog, utc_now
from db.outbox import DELIVERY_BATCH, Outbox, deliver, note_station, refusal, unreachable

_AB, _AT = AdaptiveBlock.__table__, AdaptiveTrial.__table__
# what must agree between a journalled adaptive trial and one already on the server
_SAME_TRIAL = ("level_asked", "level_played", "chosen_letter", "is_correct")
_BLOCK_SAME = ("block_index", "unit", "procedure")


def deliver_station(engine: Engine, outbox: Outbox, station: str | None = None, limit: int = DELIVERY_BATCH) -> int:
    """Deliver one batch of the journal: answers and withheld trials while any are pending, then
    the adaptive entries; returns how many entries were handled (0: nothing left). Raises the
    database's OperationalError when the server cannot be reached (nothing marked)."""
    return deliver(engine, outbox, station, limit) or deliver_adaptive(engine, outbox, station, limit)


def _dated(values: dict) -> dict:
    return {k: datetime.fromisoformat(v) if k in ("presented_at", "answered_at", "updated_at") and v else v
            for k, v in values.items()}


def deliver_adaptive(engine: Engine, outbox: Outbox, station: str | None = None, limit: int = DELIVERY_BATCH) -> int:
    batch = outbox.pending_adaptive(limit)
    if not batch:
        return 0
    local, checked = [], []
    for entry, session_id, dimension, trial_index, values_json in batch:
        problem = adaptive_entry_problem(session_id, dimension, trial_index, values_json)
        if problem:
            local.append((entry, problem))
        else:
            checked.append((entry, session_id, dimension, trial_index, json.loads(values_json)))
    outbox.quarantine_adaptive(local)
    if not checked:
        return len(batch)
    outcomes: list[tuple[int, str, str]] = []
    refused: list[tuple[int, str]] = []
    conflicted: set[tuple[int, str]] = set()  # blocks found in conflict in this batch
    finished: set[int] = set()
    se = repo.SESSION_TABLE
    with engine.begin() as conn:
        owners = dict(conn.execute(select(se.c.id, se.c.station)
                                   .where(se.c.id.in_({c[1] for c in checked}))).all())
        for entry, session_id, dimension, trial_index, values in checked:
            if session_id not in owners:
                refused.append((entry, f"session {session_id} does not exist on the server"))
                continue
            if station is not None and owners[session_id] != station:
                refused.append((entry, f"session {session_id} is station {owners[session_id]!r}'s, not this "
                                       f"station's ({station!r})"))
                continue
            try:
                with conn.begin_nested():
                    if trial_index == -1:
                        state, note = _block_outcome(conn, session_id, dimension, values)
                    elif (session_id, dimension) in conflicted or outbox.block_in_conflict(session_id, dimension):
                        state, note = "conflict", ("an earlier entry of its block is a conflict; the server's "
                                                   "block was kept")
                    else:
                        state, note = _trial_outcome(conn, session_id, dimension, trial_index, values)
            except DBAPIError as exc:
                if unreachable(exc):
                    raise
                refused.append((entry, refusal(exc)))
                continue
            if state == "refused":
                refused.append((entry, note))
                continue
            if state == "conflict":  # what follows in that block is kept as a conflict too
                conflicted.add((session_id, dimension))
            if state == "delivered" and trial_index >= 0 and values["block"]["status"] == "completed":
                finished.add(session_id)
            outcomes.append((entry, state, note))
        handled = Counter(c[1] for c in checked)  # entries of this batch by session
        for session_id in sorted(finished):
            if outbox.adaptive_count(session_id=session_id) == handled[session_id]:  # its last journalled entry
                complete_after_blocks(conn, session_id)
        note_station(conn, outbox, station, len(checked), len(refused))
    outbox.mark_adaptive(outcomes)
    outbox.quarantine_adaptive(refused)
    return len(batch)


def _insert(conn, table):
    return (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)


def _block_outcome(conn, session_id: int, dimension: str, values: dict) -> tuple[str, str]:
    row = conn.execute(select(_AB.c.id, *(_AB.c[k] for k in _BLOCK_SAME), _AB.c.settings_json)
                       .where(_AB.c.session_id == session_id, _AB.c.dimension == dimension)).first()
    before = [tuple(pair) for pair in values["before"]]
    if row is None:
        if before:
            return "refused", f"the server has no {dimension} block, but the station knew {len(before)} trials of it"
        conn.execute(_insert(conn, _AB).values(session_id=session_id, dimension=dimension, status="running",
                                               n_trials=0, updated_at=utc_now(), settings_json=values["settings_json"],
                                               **{k: values[k] for k in _BLOCK_SAME})
                     .on_conflict_do_nothing(index_elements=["session_id", "dimension"]))
        return "delivered", ""
    ours = tuple(values[k] for k in _BLOCK_SAME)
    if tuple(row[1:4]) != ours or json.loads(row.settings_json) != json.loads(values["settings_json"]):
        return "conflict", (f"session {session_id}, {dimension} block: the server holds "
                            f"{dict(zip(_BLOCK_SAME, row[1:4]))}, the journal {dict(zip(_BLOCK_SAME, ours))} "
                            f"(or other settings); the server's block was kept")
    there = [tuple(r) for r in conn.execute(select(_AT.c.level_played, _AT.c.is_correct)
                                            .where(_AT.c.block_id == row.id).order_by(_AT.c.trial_index)
                                            .limit(len(before) or 1)).all()]
    if before and there != before:
        return "conflict", (f"session {session_id}, {dimension} block: the server holds trials {there}, the station "
                            f"knew {before}; the server's were kept")
    return "delivered", "was already on the server"


def _trial_outcome(conn, session_id: int, dimension: str, k: int, values: dict) -> tuple[str, str]:
    block = conn.execute(select(_AB.c.id).where(_AB.c.session_id == session_id, _AB.c.dimension == dimension)).first()
    if block is None:
        return "refused", f"the {dimension} block of session {session_id} does not exist on the server"
    trial = {k2: v for k2, v in _dated(values).items() if k2 != "block"}
    stmt = _insert(conn, _AT).values(block_id=block.id, trial_index=k, **trial)
    earlier = conn.execute(select(func.count()).select_from(_AT)
                           .where(_AT.c.block_id == block.id, _AT.c.trial_index < k)).scalar_one()
    same = select(*(_AT.c[c] for c in _SAME_TRIAL)).where(_AT.c.block_id == block.id, _AT.c.trial_index == k)
    there = conn.execute(same).first()
    if there is None and earlier != k:
        return "refused", f"the server holds {earlier} of the block's {k} earlier trials"
    if there is None and conn.execute(stmt.on_conflict_do_nothing(index_elements=["block_id", "trial_index"])
                                      .returning(_AT.c.id)).first() is not None:
        est = _dated(values["block"])
        conn.execute(update(_AB).where(_AB.c.id == block.id, _AB.c.n_trials <= k + 1).values(**est))
        return "delivered", ""
    there = there or conn.execute(same).one()  # inserted meanwhile by another delivery
    ours = tuple(values.get(c) for c in _SAME_TRIAL)
    if tuple(there) == ours:
        return "delivered", "was already on the server"
    return "conflict", (f"session {session_id}, {dimension} trial {k}: the server holds "
                        f"{dict(zip(_SAME_TRIAL, there))}, the journal {dict(zip(_SAME_TRIAL, ours))}; the server's "
                        f"trial was kept")


def complete_after_blocks(conn, session_id: int) -> bool:
    """Inside the caller's transaction: complete the session when no adaptive block and no planned
    trial is left (and it is not completed or aborted already); True when it was completed."""
    if conn.execute(select(_AB.c.id).where(_AB.c.session_id == session_id, _AB.c.status != "completed")
                    .limit(1)).first() is not None:
        return False
    if conn.execute(repo.unanswered_query(session_id)).first() is not None:
        return False
    se = repo.SESSION_TABLE
    now = utc_now()
    changed = conn.execute(update(se).where(se.c.id == session_id, se.c.status.notin_(("completed", "aborted")))
                           .values(status="completed", ended_at=now)).rowcount
    if changed:
        conn.execute(insert(AuditLog.__table__).values(session_id=session_id, at=now, event="completed",
                                                       detail="after the adaptive blocks (delivered from the "
                                                              "station's journal)"))
    return bool(changed)
