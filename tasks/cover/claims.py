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

from sqlalchemy import and_, case, func, select
from sqlmodel import Session as DbSession

from db.models import PlannedTrial, Response, Session
from tasks.cover.units import UnitKey, unit_key
from tasks.dataset.items import VARIANT_SOURCE

LIVE_STATUSES = ("planned", "running", "paused")


def unit_claims(s: DbSession, study_id: int, mode: str) -> Counter[UnitKey]:
    """Unit -> claims (answers + unanswered trials of live sessions), one grouped query."""
    answered = Response.id.is_not(None)
    live_open = and_(Response.id.is_(None), PlannedTrial.withheld_reason.is_(None),
                     Session.status.in_(LIVE_STATUSES))
    claims = func.sum(case((answered, 1), (live_open, 1), else_=0))
    # Core rows, not ORM ones: up to one row a unit (8,580 in a full-robust study), read at every enrolment
    rows = s.connection().execute(
        select(PlannedTrial.variant, PlannedTrial.item_id, PlannedTrial.rotate_id, claims)
        .join(Session, Session.id == PlannedTrial.session_id)
        .outerjoin(Response, Response.planned_trial_id == PlannedTrial.id)
        .where(Session.study_id == study_id, PlannedTrial.kind == "test")
        .group_by(PlannedTrial.variant, PlannedTrial.item_id, PlannedTrial.rotate_id)
    ).all()
    if mode != "single-pass":
        return Counter({(v, i, r): int(n) for v, i, r, n in rows if n})
    out: Counter[UnitKey] = Counter()
    for variant, item_id, rotate_id, n in rows:
        if n:
            out[unit_key(mode, variant, item_id, rotate_id)] += int(n)
    return out


def items_had(s: DbSession, study_id: int, participant_id: int) -> set[tuple[str, str]]:
    """(source, item id) of every item planned for the participant in the study, across all their
    sessions whatever their status, test and practice alike: a participant never gets a unit of an
    item they were given before (in any variant), nor one they practised on."""
    rows = s.connection().execute(
        select(PlannedTrial.variant, PlannedTrial.item_id).distinct()
        .join(Session, Session.id == PlannedTrial.session_id)
        .where(Session.study_id == study_id, Session.participant_id == participant_id)
    ).all()
    return {(VARIANT_SOURCE.get(v, v), i) for v, i in rows}
