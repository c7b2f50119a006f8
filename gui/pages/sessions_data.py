"""What the Sessions page's table shows, read on a worker thread (no Qt here).

``sessions_data`` is the page's one adapter to the data path: the sessions with their study,
participant and progress. Progress is two counting queries grouped by session (not one plan
per session loaded as objects), so the table costs the same with 2 or 200 participants.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tasks.loader import Cancelled


@dataclass(frozen=True)
class SessionLine:
    session_id: int
    study: str
    participant: str
    status: str
    answered: int
    planned: int
    started_at: datetime | None
    ended_at: datetime | None


def participant_codes(engine) -> list[str]:
    """The codes for the participant chooser, in the order they were added (a small query)."""
    from sqlmodel import Session as DbSession, select

    from db.models import Participant

    with DbSession(engine) as s:
        return list(s.exec(select(Participant.code).order_by(Participant.id)).all())


def sessions_data(engine, progress, should_cancel) -> list[SessionLine]:
    from sqlalchemy import func
    from sqlmodel import Session as DbSession, select

    from db.models import Participant, PlannedTrial, Response, Session as SessionRow, Study

    def step(done: int, label: str) -> None:
        if should_cancel():
            raise Cancelled("cancelled")
        progress(done, 4, label)

    with DbSession(engine) as s:
        step(0, "reading sessions")
        sessions = s.exec(select(SessionRow).order_by(SessionRow.id)).all()
        studies = dict(s.exec(select(Study.id, Study.name)).all())
        people = dict(s.exec(select(Participant.id, Participant.code)).all())
        step(1, "counting planned trials")
        planned = dict(s.exec(select(PlannedTrial.session_id, func.count(PlannedTrial.id))
                              .group_by(PlannedTrial.session_id)).all())
        step(2, "counting answers")
        answered = dict(s.exec(select(Response.session_id, func.count(Response.id))
                               .group_by(Response.session_id)).all())
        step(3, "listing")
        lines = [SessionLine(x.id, studies.get(x.study_id, "?"), people.get(x.participant_id, "?"), x.status,
                             answered.get(x.id, 0), planned.get(x.id, 0), x.started_at, x.ended_at)
                 for x in sessions]
    progress(4, 4, "done")
    return lines
