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

from sqlmodel import Session as DbSession

from tasks.cover.units import UnitKey, unit_key
from tasks.dataset.items import VARIANT_SOURCE

LIVE_STATUSES = ("planned", "running", "paused")


# One grouped query a share, run on the driver's cursor inside the enrolling transaction: it reads
# every test trial of the study (some 30,000 at 200 participants) and returns a row a unit (8,580
# in a full-robust study); SQLAlchemy's row objects would cost more than the query. The study id is
# an int and the statuses are constants, so the text carries no outside input.
_CLAIMS_SQL = (
    "SELECT t.variant, t.item_id, t.rotate_id, SUM(CASE WHEN r.id IS NOT NULL THEN 1 WHEN t.withheld_reason IS NULL "
    "AND s.status IN ({live}) THEN 1 ELSE 0 END) FROM session s JOIN planned_trial t ON t.session_id = s.id "
    "LEFT JOIN response r ON r.planned_trial_id = t.id WHERE s.study_id = {study} AND t.kind = 'test'{where} "
    "GROUP BY t.variant, t.item_id, t.rotate_id")
_COMPLETED_SQL = "SELECT id FROM session WHERE study_id = {study} AND status = 'completed'"
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
    """The claims of a study's completed sessions, kept between shares (in the study's
    CoverContext): a completed session's answers no longer change (it is not resumed, released
    or imported into again), so each is read once, and a share reads only the others. Should a
    kept session no longer be completed (changed by hand), everything is read again."""

    def __init__(self) -> None:
        self.sessions: set[int] = set()
        self.counts: Counter[UnitKey] = Counter()


def _claims_rows(s: DbSession, study_id: int, where: str = "") -> list[tuple]:
    live = ", ".join(f"'{x}'" for x in LIVE_STATUSES)
    return _driver_rows(s, _CLAIMS_SQL.format(live=live, study=int(study_id), where=where))


def _count(rows: list[tuple], mode: str, into: Counter[UnitKey]) -> Counter[UnitKey]:
    for variant, item_id, rotate_id, n in rows:
        if n:
            into[unit_key(mode, variant, item_id, rotate_id)] += int(n)
    return into


def unit_claims(s: DbSession, study_id: int, mode: str, completed: CompletedClaims | None = None) -> Counter[UnitKey]:
    """Unit -> claims (answers + unanswered trials of live sessions). One grouped query; with
    ``completed``, that query reads only the sessions not completed, and each newly completed
    session once."""
    if completed is None:
        return _count(_claims_rows(s, study_id), mode, Counter())
    now = {int(r[0]) for r in _driver_rows(s, _COMPLETED_SQL.format(study=int(study_id)))}
    if not completed.sessions <= now:
        completed.sessions, completed.counts = set(), Counter()
    new = now - completed.sessions
    if new:
        ids = ", ".join(str(i) for i in sorted(new))
        _count(_claims_rows(s, study_id, f" AND s.id IN ({ids})"), mode, completed.counts)
        completed.sessions |= new
    # the others by id, not by status: a session that completed after the list above was read
    # (its last answer does not take the enrolment lock) is counted here, not lost between the two
    kept = ", ".join(str(i) for i in sorted(completed.sessions))
    rest = _count(_claims_rows(s, study_id, f" AND s.id NOT IN ({kept})" if kept else ""), mode, Counter())
    rest.update(completed.counts)
    return rest


def items_had(s: DbSession, study_id: int, participant_id: int) -> set[tuple[str, str]]:
    """(source, item id) of every item planned for the participant in the study, across all their
    sessions whatever their status, test and practice alike: a participant never gets a unit of an
    item they were given before (in any variant), nor one they practised on."""
    rows = _driver_rows(s, _HAD_SQL.format(study=int(study_id), participant=int(participant_id)))
    return {(VARIANT_SOURCE.get(v, v), i) for v, i in rows}
