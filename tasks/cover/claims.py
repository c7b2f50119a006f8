"""What a cover study has already given out, read from the database: the claims on each unit and
the items each participant already has.

A unit's claims are the answers given to it (in sessions of any status: an aborted or released
session's answers count) plus its unanswered test trials in live sessions, those that may still be
answered: planned, running or paused. An aborted, released or completed session's unanswered
trials are not claims (a completed session's only unanswered trials are withheld ones), nor is a
withheld trial anywhere: it was passed and gets no answer. Assigning a share only to units with
fewer than K claims, under the study's enrolment lock, keeps every unit at K answers at most.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
from sqlmodel import Session as DbSession

from tasks.cover.units import UnitKey, unit_key
from tasks.dataset.items import VARIANT_SOURCE

LIVE_STATUSES = ("planned", "running", "paused")


# Grouped queries run on the driver's cursor inside the enrolling transaction, returning a row a
# unit; SQLAlchemy's row objects would cost more than the queries. The study and session ids are
# ints and the statuses are constants, so the text carries no outside input.
_CLAIMS_SQL = (
    "SELECT t.variant, t.item_id, t.rotate_id, SUM(CASE WHEN r.id IS NOT NULL THEN 1 WHEN t.withheld_reason IS NULL "
    "AND s.status IN ({live}) THEN 1 ELSE 0 END) FROM session s JOIN planned_trial t ON t.session_id = s.id "
    "LEFT JOIN response r ON r.planned_trial_id = t.id WHERE s.study_id = {study} AND t.kind = 'test'{where} "
    "GROUP BY t.variant, t.item_id, t.rotate_id")
_SESSIONS_SQL = "SELECT id, status FROM session WHERE study_id = {study}"
_LIVE_PLAN_SQL = ("SELECT session_id, variant, item_id, rotate_id FROM planned_trial WHERE session_id IN ({ids}) "
                  "AND kind = 'test' AND withheld_reason IS NULL")
_HAD_SQL = ("SELECT DISTINCT t.variant, t.item_id FROM session s JOIN planned_trial t ON t.session_id = s.id "
            "WHERE s.study_id = {study} AND s.participant_id = {participant}")


def _driver_rows(s: DbSession, sql: str) -> list[tuple]:
    cursor = s.connection().connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


class CompletedClaims:
    """What a study's claims are made of, kept between shares (in the study's CoverContext), so
    that a share reads only what changed since the last one:

    - a completed session's answers no longer change (it is not resumed, released or imported into
      again): each is read once, into ``completed`` (``sessions``: their ids). Should a kept session
      no longer be completed (changed by hand), they are all read again;
    - a live session's claims are its test trials not withheld (each answered or still to be): its
      plan, read once when it is first seen live (``live``). A trial withheld later still counts
      until the session ends: one claim too many for a while, never one too few;
    - aborted and released sessions (few; a running station may still store answers into them)
      are read at every share.

    Units are numbered in order of first sight (``keys``, ``position``); counts are arrays over
    those numbers."""

    def __init__(self) -> None:
        self.sessions: set[int] = set()
        self.completed = np.zeros(0, dtype=np.int64)
        self.live: dict[int, np.ndarray] = {}
        self.keys: list[UnitKey] = []
        self.position: dict[UnitKey, int] = {}

    def number(self, key: UnitKey) -> int:
        found = self.position.get(key)
        if found is None:
            found = self.position[key] = len(self.keys)
            self.keys.append(key)
        return found

    def counts(self, rows: list[tuple], mode: str, into: np.ndarray | None = None) -> np.ndarray:
        """Claims per unit number from grouped rows (variant, item, rotation, n)."""
        numbers = [self.number(unit_key(mode, v, i, r)) for v, i, r, _ in rows]
        out = np.zeros(len(self.keys), dtype=np.int64)
        if into is not None:
            out[:into.size] = into
        np.add.at(out, np.asarray(numbers, dtype=np.int64), np.asarray([int(n or 0) for *_, n in rows], dtype=np.int64))
        return out


def _claims_rows(s: DbSession, study_id: int, where: str = "") -> list[tuple]:
    live = ", ".join(f"'{x}'" for x in LIVE_STATUSES)
    return _driver_rows(s, _CLAIMS_SQL.format(live=live, study=int(study_id), where=where))


def _ids(ids) -> str:
    return ", ".join(str(int(i)) for i in sorted(ids))


def _read_live_plans(s: DbSession, ids: list[int], mode: str, kept: CompletedClaims) -> None:
    found: dict[int, list[int]] = {i: [] for i in ids}
    for session_id, variant, item_id, rotate_id in _driver_rows(s, _LIVE_PLAN_SQL.format(ids=_ids(ids))):
        found[int(session_id)].append(kept.number(unit_key(mode, variant, item_id, rotate_id)))
    for i, numbers in found.items():
        kept.live[i] = np.asarray(numbers, dtype=np.int64)


def claim_counts(s: DbSession, study_id: int, mode: str, kept: CompletedClaims) -> np.ndarray:
    """Claims per unit number of ``kept`` (its ``keys``), reading only what changed since the last
    call: the study's sessions and their statuses (one statement), the plans of sessions newly
    live, the answers of sessions newly completed, and the aborted and released sessions.

    On PostgreSQL each statement has its own snapshot and answers do not take the enrolment lock,
    so a session may change status between the first statement and the others. A session seen
    live is counted by its whole plan: at least its claims whatever happens next (a claim is an
    answered or unanswered trial of the plan). Every other session is counted by the grouped
    query, which reads status and answers in one snapshot."""
    statuses = {int(i): st for i, st in _driver_rows(s, _SESSIONS_SQL.format(study=int(study_id)))}
    completed = {i for i, st in statuses.items() if st == "completed"}
    if not kept.sessions <= completed:
        kept.sessions, kept.completed = set(), np.zeros(0, dtype=np.int64)
    live = [i for i, st in statuses.items() if st in LIVE_STATUSES]
    for gone in [i for i in kept.live if statuses.get(i) not in LIVE_STATUSES]:
        del kept.live[gone]
    new_live = [i for i in live if i not in kept.live]
    if new_live:
        _read_live_plans(s, new_live, mode, kept)
    new_completed = completed - kept.sessions
    if new_completed:
        rows = _claims_rows(s, study_id, f" AND s.id IN ({_ids(new_completed)})")
        kept.completed = kept.counts(rows, mode, kept.completed)
        kept.sessions |= new_completed
    others = [i for i, st in statuses.items() if st not in LIVE_STATUSES and i not in kept.sessions]
    total = kept.counts(_claims_rows(s, study_id, f" AND s.id IN ({_ids(others)})") if others else [], mode,
                        kept.completed)
    if kept.live:
        plans = np.concatenate(list(kept.live.values()))
        total += np.bincount(plans, minlength=len(kept.keys))[:total.size]
    return total


def unit_claims(s: DbSession, study_id: int, mode: str) -> Counter[UnitKey]:
    """Unit -> claims (answers + unanswered trials of live sessions), read whole in one grouped
    query (assigning a share reads only what changed: claim_counts)."""
    out: Counter[UnitKey] = Counter()
    for variant, item_id, rotate_id, n in _claims_rows(s, study_id):
        if n:
            out[unit_key(mode, variant, item_id, rotate_id)] += int(n)
    return out


def items_had(s: DbSession, study_id: int, participant_id: int) -> set[tuple[str, str]]:
    """(source, item id) of every item planned for the participant in the study, across all their
    sessions whatever their status, test and practice alike: a participant never gets a unit of an
    item they were given before (in any variant), nor one they practised on."""
    rows = _driver_rows(s, _HAD_SQL.format(study=int(study_id), participant=int(participant_id)))
    return {(VARIANT_SOURCE.get(v, v), i) for v, i in rows}
