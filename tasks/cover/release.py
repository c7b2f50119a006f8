"""Releasing a cover share: the experimenter gives up the rest of a session (the participant left
and will not come back), so that its unanswered trials go back to the pool for later participants.

A released session keeps its answers (they count toward K like any other) and its planned trials
(the record of what was assigned); only its unanswered test trials stop being claims
(tasks.cover.claims). An aborted session's unanswered trials are already back in the pool; releasing
it records that the experimenter gave it up for good, so it is not offered for resuming either.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession

from db import repo
from db.leases import lease_of
from db.models import PlannedTrial, Response, Session, Study
from tasks.study.ownership import live
from tasks.study.studies import StudyError, study_protocol

RELEASED = "released"


def unanswered_test_trials(s: DbSession, session_id: int) -> int:
    """Test trials of the session with no answer and not withheld: the claims it holds."""
    return s.exec(
        select(func.count(PlannedTrial.id))
        .outerjoin(Response, Response.planned_trial_id == PlannedTrial.id)
        .where(PlannedTrial.session_id == session_id, PlannedTrial.kind == "test", Response.id.is_(None),
               PlannedTrial.withheld_reason.is_(None))
    ).one()[0]


def release_refusal(session_id: int, design: str, status: str, live_on: str | None, study: str = "") -> str:
    """Why a session's share cannot be released, '' when it can: only a cover session that is
    planned (a take-home package not returned, too), paused, aborted, or running with no live
    window. ``live_on``: the station whose window holds the session now ('' this computer), None
    when no window does. One rule for release_share and the Sessions page's button."""
    if design != "cover":
        where = f"study {study!r}" if study else "its study"
        return f"session {session_id} belongs to {where}, which is not a cover study: only a cover share can be released"
    if status == "completed":
        return f"session {session_id} is completed: nothing to release"
    if status == RELEASED:
        return f"session {session_id} is released already"
    if status == "running" and live_on is not None:
        # its later answers would still be stored, and could push units given to others past K
        return (f"session {session_id} is running on station {live_on or 'this computer'} right now: its later "
                "answers would push runs past K; pause it there (or wait until its window has stopped) first")
    return ""


def release_share(engine: Engine, session_id: int, by: str) -> int:
    """Mark a cover session released (audit_log: who and how many trials went back) and return the
    number of its unanswered test trials returned to the pool. Taken under the study's enrolment
    lock, so a share being assigned at that moment sees the session either live or released.
    Releasing a released session again returns 0 and changes nothing; a completed session, a
    session of a shared-design study and a running session whose window holds a live lease
    (tasks.study.ownership.live) cannot be released (StudyError). A take-home package not yet
    returned (a planned take-home session) is released like any other share."""
    with DbSession(engine) as s:
        session = s.get(Session, session_id)
        if session is None:
            raise StudyError(f"no session {session_id}")
        study = s.get(Study, session.study_id)
        design = study_protocol(study).design
        if design == "cover":
            repo.lock_enrolment(s, study.id)
            s.refresh(session)
            if session.status == RELEASED:
                return 0
        lease = lease_of(session)
        refusal = release_refusal(session_id, design, session.status,
                                  (lease.holder_station or "") if live(lease) else None, study.name)
        if refusal:
            raise StudyError(refusal)
        returned = unanswered_test_trials(s, session_id)
        was = session.status
        who = by.strip() or "unknown"
        repo.set_status(s, session, RELEASED,
                        f"by {who}: {returned} unanswered test trials returned to the pool (was {was})")
        return returned
