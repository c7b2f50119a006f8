"""Why a paused session is paused, as the console shows it: the detail of the last "paused"
event in the session's audit log (the participant window writes the reason there: "level check:
too quiet", "audio device lost", "cannot play: ..."), one query for every paused session; and the
level check a session owes after a pause."""
from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession

from db import repo
from db.models import AuditLog, Session

# The pause a level check answer other than "comfortable" causes: its audit detail starts so.
LEVEL_CHECK_PAUSE = "level check: "
LEVEL_CHECK_OK = "comfortable"


def level_check_pause_detail(answer: str) -> str:
    """The audit detail of a pause for a level check answer (e.g. "level check: too quiet")."""
    return LEVEL_CHECK_PAUSE + answer


def needs_level_check(engine: Engine, session_id: int) -> bool:
    """True when the session has had its screening but no level check answered "comfortable"
    since: the level check failed (too loud, too quiet, cannot make it comfortable) and the
    session was paused for it, or the program stopped between screening and level check (a
    crash). Sessions without screening have no level check either."""
    screened, answer = False, None
    with DbSession(engine) as s:
        for a in repo.audit_log(s, session_id):
            if a.event == "screening":
                screened, answer = True, None
            elif a.event == "level_check":
                try:
                    answer = json.loads(a.detail).get("answer")
                except (ValueError, AttributeError):
                    answer = None  # unreadable: check the level again
    return screened and answer != LEVEL_CHECK_OK


def pause_reason(engine: Engine, session_id: int) -> str | None:
    """Why a paused session is paused, as a sentence for the console (Sessions page); None when
    the session is not paused or no reason was recorded. For a failed level check it says what
    the participant answered and that the level check runs again when the session resumes.
    One indexed query (pause_reasons, which the Sessions page runs for every session)."""
    return pause_reasons(engine, session_id).get(session_id)


def describe_pause(detail: str) -> str | None:
    """The console's sentence for the detail of a stored "paused" event (None when empty)."""
    if not detail:
        return None
    if detail.startswith(LEVEL_CHECK_PAUSE):
        answer = detail[len(LEVEL_CHECK_PAUSE):]
        return (f"level check: the participant answered \"{answer}\"; adjust the sound, then resume: "
                "the level check runs again first")
    return detail


def pause_reasons(engine: Engine, session_id: int | None = None) -> dict[int, str]:
    """session id -> the reason stored when it was last paused, for the sessions paused now (or
    only the one named); sessions paused without a recorded reason are left out."""
    last = select(AuditLog.session_id, func.max(AuditLog.id).label("last_id")).where(AuditLog.event == "paused")
    if session_id is not None:
        last = last.where(AuditLog.session_id == session_id)
    last = last.group_by(AuditLog.session_id).subquery()
    q = (select(Session.id, AuditLog.detail)
         .join(last, last.c.session_id == Session.id)
         .join(AuditLog, AuditLog.id == last.c.last_id)
         .where(Session.status == "paused"))
    with engine.connect() as conn:
        described = {sid: describe_pause(detail or "") for sid, detail in conn.execute(q)}
    return {sid: why for sid, why in described.items() if why}
