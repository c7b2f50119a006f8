"""Why a paused session is paused, as the console shows it: the detail of the last "paused"
event in the session's audit log (the participant window writes the reason there: "level check:
too quiet", "audio device lost", "cannot play: ..."), worded as tasks.sessions.pause_reason words it
for one session: this is the same for every paused session in one query."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from db.models import AuditLog, Session
from tasks.sessions import describe_pause


def pause_reasons(engine: Engine) -> dict[int, str]:
    """session id -> the reason stored when it was last paused, for the sessions paused now."""
    last = (select(AuditLog.session_id, func.max(AuditLog.id).label("last_id"))
            .where(AuditLog.event == "paused")
            .group_by(AuditLog.session_id)
            .subquery())
    q = (select(Session.id, AuditLog.detail)
         .join(last, last.c.session_id == Session.id)
         .join(AuditLog, AuditLog.id == last.c.last_id)
         .where(Session.status == "paused"))
    with engine.connect() as conn:
        return {session_id: describe_pause(detail or "") or "" for session_id, detail in conn.execute(q)}
