"""Repository functions: small, explicit reads and writes. Each write commits before it
returns, so what a caller has been told is saved is on disk (WAL, synchronous=FULL)."""
from __future__ import annotations

from typing import Iterable, Sequence

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session as DbSession, select

from db.engine import DatabaseFileError, describe_db_error
from db.models import AuditLog, Participant, PlannedTrial, Response, Session, Study, utc_now


class AlreadyAnswered(Exception):
    """A response for this planned trial is already stored (it is never recorded twice)."""


def get_study(s: DbSession, name: str) -> Study | None:
    return s.exec(select(Study).where(Study.name == name)).first()


def add_study(s: DbSession, study: Study) -> Study:
    s.add(study)
    s.commit()
    s.refresh(study)
    return study


def list_studies(s: DbSession) -> Sequence[Study]:
    return s.exec(select(Study).order_by(Study.id)).all()


def get_participant(s: DbSession, code: str) -> Participant | None:
    return s.exec(select(Participant).where(Participant.code == code)).first()


def add_participant(s: DbSession, participant: Participant) -> Participant:
    s.add(participant)
    s.commit()
    s.refresh(participant)
    return participant


def sessions_of_study(s: DbSession, study_id: int) -> Sequence[Session]:
    return s.exec(select(Session).where(Session.study_id == study_id).order_by(Session.cohort_index, Session.id)).all()


def session_for(s: DbSession, study_id: int, participant_id: int) -> Session | None:
    return s.exec(select(Session).where(Session.study_id == study_id, Session.participant_id == participant_id)
                  .order_by(Session.id.desc())).first()


def unfinished_sessions(s: DbSession) -> Sequence[Session]:
    return s.exec(select(Session).where(Session.status.in_(("planned", "running", "paused")))
                  .order_by(Session.id)).all()


def next_cohort_index(s: DbSession, study_id: int) -> int:
    current = s.exec(select(func.max(Session.cohort_index)).where(Session.study_id == study_id)).one()
    return 0 if current is None else current + 1


def add_session(s: DbSession, session: Session, trials: Iterable[PlannedTrial]) -> Session:
    """Store a session and its whole plan in one transaction."""
    s.add(session)
    s.flush()
    for t in trials:
        t.session_id = session.id
        s.add(t)
    s.add(AuditLog(session_id=session.id, event="created"))
    s.commit()
    s.refresh(session)
    return session


def planned_trials(s: DbSession, session_id: int) -> Sequence[PlannedTrial]:
    return s.exec(select(PlannedTrial).where(PlannedTrial.session_id == session_id)
                  .order_by(PlannedTrial.position)).all()


def responses(s: DbSession, session_id: int) -> Sequence[Response]:
    return s.exec(select(Response).where(Response.session_id == session_id)).all()


def next_unanswered(s: DbSession, session_id: int) -> PlannedTrial | None:
    answered = select(Response.planned_trial_id).where(Response.session_id == session_id)
    return s.exec(select(PlannedTrial).where(PlannedTrial.session_id == session_id,
                                             PlannedTrial.id.not_in(answered))
                  .order_by(PlannedTrial.position)).first()


def count_answered(s: DbSession, session_id: int) -> int:
    return s.exec(select(func.count(Response.id)).where(Response.session_id == session_id)).one()


def record_response(s: DbSession, response: Response) -> Response:
    """Commit one response. A second response to the same planned trial raises AlreadyAnswered
    and leaves the first untouched. A database that cannot be written (locked, full disk) raises
    DatabaseFileError: the response is NOT stored and the caller keeps it to try again."""
    s.add(response)
    try:
        s.commit()
    except OperationalError as exc:
        s.rollback()
        raise DatabaseFileError(describe_db_error(s.get_bind(), exc) + "; this answer was not saved yet") from None
    except IntegrityError as exc:
        s.rollback()
        if "unique" in str(exc.orig).lower():
            raise AlreadyAnswered(f"planned trial {response.planned_trial_id} is already answered") from None
        raise
    s.refresh(response)
    return response


def set_status(s: DbSession, session: Session, status: str, detail: str = "") -> None:
    session.status = status
    if status == "running" and session.started_at is None:
        session.started_at = utc_now()
    if status in ("completed", "aborted"):
        session.ended_at = utc_now()
    s.add(session)
    s.add(AuditLog(session_id=session.id, event=status, detail=detail))
    s.commit()


def audit(s: DbSession, event: str, detail: str = "", session_id: int | None = None) -> None:
    s.add(AuditLog(session_id=session_id, event=event, detail=detail))
    s.commit()


def audit_log(s: DbSession, session_id: int | None = None) -> Sequence[AuditLog]:
    q = select(AuditLog).order_by(AuditLog.id)
    if session_id is not None:
        q = q.where(AuditLog.session_id == session_id)
    return s.exec(q).all()
