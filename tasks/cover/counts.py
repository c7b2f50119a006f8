"""Answers per cover unit of a study, read from the database (one query)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlmodel import Session as DbSession

from db.models import PlannedTrial, Response, Session
from tasks.cover.units import UnitKey, unit_key


def answered_counts(s: DbSession, study_id: int, mode: str) -> Counter[UnitKey]:
    """Unit -> answers given to it in the study's sessions, whatever their status (an aborted
    or released session's answers count). Test trials only: practice is not scored and a catch
    trial repeats a run its participant already answered."""
    rows = s.exec(
        select(PlannedTrial.variant, PlannedTrial.item_id, PlannedTrial.rotate_id)
        .join(Response, Response.planned_trial_id == PlannedTrial.id)
        .join(Session, Session.id == PlannedTrial.session_id)
        .where(Session.study_id == study_id, PlannedTrial.kind == "test")
    ).all()
    return Counter(unit_key(mode, v, i, r) for v, i, r in rows)
