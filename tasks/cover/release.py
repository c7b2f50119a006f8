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
        if study_protocol(study).design != "cover":
            raise StudyError(f"session {session_id} belongs to study {study.name!r}, which is not a cover "
                             "study: only a cover share can be released")
        repo.lock_enrolment(s, study.id)
        s.refresh(session)
        if session.status == RELEASED:
            return 0
        if session.status == "completed":
            raise StudyError(f"session {session_id} is completed: nothing to release")
        lease = lease_of(session)
        if session.status == "running" and live(lease):
            # its later answers would still be stored, and could push units given to others past K
            raise StudyError(f"session {session_id} is running on station {lease.holder_station} right now: "
                             "pause it there (or wait until its window has stopped) before releasing its share")
        returned = unanswered_test_trials(s, session_id)
        was = session.status
        who = by.strip() or "unknown"
        repo.set_status(s, session, RELEASED,
                        f"by {who}: {returned} unanswered test trials returned to the pool (was {was})")
        return returned
