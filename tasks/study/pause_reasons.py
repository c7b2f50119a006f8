"""Why a paused session is paused, as the console shows it: the detail of the last "paused"
event in the session's audit log (the participant window writes the reason there: "level check:
too quiet", "audio device lost", "cannot play: ..."), worded as tasks.study.pauses.pause_reason words it
for one session: this is the same for every paused session in one query."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from db.models import AuditLog, Session
from tasks.study.pauses import describe_pause


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
