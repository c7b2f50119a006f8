"""Repository functions: small, explicit reads and writes. Each write commits before it
returns, so what a caller has been told is saved is on disk (WAL, synchronous=FULL)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import and_, exists, func, insert, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session as DbSession, select

from db import leases
from db.engine import DatabaseFileError, describe_db_error
from db.models import AdaptiveBlock, AuditLog, Participant, PlannedTrial, Response, Session, Study, utc_now


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
    """The first counterbalancing position after every session and take-home package of the
    study (a package reserves its position until its results come back)."""
    from db.models import TakeHomePackage

    current = s.exec(select(func.max(Session.cohort_index)).where(Session.study_id == study_id)).one()
    reserved = s.exec(select(func.max(TakeHomePackage.cohort_index))
                      .where(TakeHomePackage.study_id == study_id)).one()
    return max(-1 if current is None else current, -1 if reserved is None else reserved) + 1


def lock_enrolment(s: DbSession, study_id: int) -> None:
    """Serialise enrolment in one study for the rest of this transaction: on PostgreSQL an
    advisory lock on the study (no UPDATE right needed, so a station role may take it); SQLite
    serialises writers itself (and the unique (study_id, cohort_index) backs both)."""
    conn = s.connection()
    if conn.dialect.name == "postgresql":
        from db.pg import ENROL_LOCK_KEY

        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ENROL_LOCK_KEY}, {int(study_id)})")
    elif conn.dialect.name == "sqlite":
        # take the write lock now, so that the position read below cannot be stale at commit
        conn.exec_driver_sql("UPDATE schema_info SET version = version WHERE 0")


PLANNED_TRIAL_TABLE = PlannedTrial.__table__
RESPONSE_TABLE = Response.__table__
SESSION_TABLE = Session.__table__
# every column of a planned trial but its id, in table order (the values a plan row carries)
PLAN_COLUMNS = tuple(c.name for c in PLANNED_TRIAL_TABLE.columns if c.name != "id")


def add_session(s: DbSession, session: Session, trials: Iterable[PlannedTrial | Mapping[str, Any]]) -> Session:
    """Store a session and its whole plan in one transaction; the plan goes in as one bulk
    insert (one executemany of plain rows, no ORM object per trial)."""
    s.add(session)
    s.flush()
    conn = s.connection()
    rows = []
    for t in trials:
        values = t.model_dump() if isinstance(t, PlannedTrial) else t
        values["session_id"] = session.id
        rows.append(tuple(map(values.get, PLAN_COLUMNS)))
    if rows and conn.dialect.name == "sqlite":
        # straight to the driver: SQLAlchemy's per-row parameter processing would cost more
        # than the insert itself for an 8,500-run plan (values are str/int/bool/None only)
        conn.exec_driver_sql(f"INSERT INTO planned_trial ({', '.join(PLAN_COLUMNS)}) "
                             f"VALUES ({', '.join('?' for _ in PLAN_COLUMNS)})", rows)
    elif rows and conn.dialect.name == "postgresql":
        # the whole plan as one JSON parameter that the server turns into rows: through
        # SQLAlchemy, or psycopg's executemany (a message a row), the client's work on the rows
        # cost more than the server's (measured for a 180-trial plan: executemany 8.4 ms, this
        # 3.2 ms). COPY is not allowed on a table with row-level security, as planned_trial has on
        # the lab server; INSERT ... SELECT is checked by its policies row by row like any INSERT.
        columns = ", ".join(PLAN_COLUMNS)
        cursor = conn.connection.cursor()
        try:
            cursor.execute(f"INSERT INTO planned_trial ({columns}) SELECT {columns} "
                           "FROM json_populate_recordset(NULL::planned_trial, %s)",
                           [json.dumps([dict(zip(PLAN_COLUMNS, r)) for r in rows])])
        finally:
            cursor.close()
    elif rows:
        conn.execute(insert(PLANNED_TRIAL_TABLE), [dict(zip(PLAN_COLUMNS, r)) for r in rows])
    s.add(AuditLog(session_id=session.id, event="created"))
    s.commit()
    if sa_inspect(session).expired:  # a database session made with expire_on_commit=False needs no re-read
        s.refresh(session)
    return session


def planned_trials(s: DbSession, session_id: int) -> Sequence[PlannedTrial]:
    return s.exec(select(PlannedTrial).where(PlannedTrial.session_id == session_id)
                  .order_by(PlannedTrial.position)).all()


def responses(s: DbSession, session_id: int) -> Sequence[Response]:
    return s.exec(select(Response).where(Response.session_id == session_id)).all()


def unanswered_query(session_id: int, limit: int = 1, columns=None):
    """The first ``limit`` unanswered planned trials of a session in plan order, starting at
    the session's cursor (next_position): a range scan of the (session_id, position) index
    with one probe of the unique index on response.planned_trial_id per row. In normal use the
    cursor sits on the answer, so the scan stops at its first row whatever the plan's size.
    Withheld trials (withheld_reason set) are passed over as answered ones are."""
    pt, r, se = PLANNED_TRIAL_TABLE, RESPONSE_TABLE, SESSION_TABLE
    cursor = select(se.c.next_position).where(se.c.id == session_id).scalar_subquery()
    answered = exists().where(r.c.planned_trial_id == pt.c.id)
    return (select(*(columns if columns is not None else pt.columns))
            .where(and_(pt.c.session_id == session_id, pt.c.position >= cursor, ~answered,
                        pt.c.withheld_reason.is_(None)))
            .order_by(pt.c.position).limit(limit))


def next_unanswered(s: DbSession, session_id: int) -> PlannedTrial | None:
    row = s.connection().execute(unanswered_query(session_id)).first()
    return None if row is None else PlannedTrial(**row._mapping)


def count_answered(s: DbSession, session_id: int) -> int:
    return s.exec(select(func.count(Response.id)).where(Response.session_id == session_id)).one()


def advance_cursor(conn: Connection, session_id: int, completed_detail: str = "", complete: bool = True) -> Row | None:
    """After answers were inserted in this transaction: find the next unanswered trial, move
    the session's cursor onto it, and mark the session completed when none is left. Returns
    the next trial's row (None when complete). Commits nothing: the caller's transaction
    holds the answers and the cursor together. A session with an unfinished adaptive block
    keeps its status (the block comes next, and its last trial completes the session), as does
    one when ``complete`` is False (a station's journal still holds its adaptive entries)."""
    row = conn.execute(unanswered_query(session_id)).first()
    se = SESSION_TABLE
    if row is not None:
        conn.execute(update(se).where(se.c.id == session_id).values(next_position=row.position))
        return row
    end = conn.execute(select(func.coalesce(func.max(PLANNED_TRIAL_TABLE.c.position) + 1, 0))
                       .where(PLANNED_TRIAL_TABLE.c.session_id == session_id)).scalar_one()
    ab = AdaptiveBlock.__table__
    if not complete or conn.execute(select(ab.c.id).where(ab.c.session_id == session_id,
                                                          ab.c.status != "completed").limit(1)).first():
        conn.execute(update(se).where(se.c.id == session_id).values(next_position=end))
        return None
    now = utc_now()
    conn.execute(update(se).where(se.c.id == session_id).values(next_position=end, status="completed", ended_at=now))
    conn.execute(insert(AuditLog.__table__).values(session_id=session_id, at=now, event="completed",
                                                   detail=completed_detail))
    return None


def withhold_in(conn: Connection, session_id: int, planned_trial_id: int, reason: str,
                at: datetime | None = None) -> bool:
    """Inside the caller's transaction: mark a planned trial of the session withheld with its
    reason and note it in the audit log (``at``: when it was withheld; now when None). A trial
    already answered or withheld is left as it is: False. The cursor is not moved."""
    pt = PLANNED_TRIAL_TABLE
    answered = exists().where(RESPONSE_TABLE.c.planned_trial_id == pt.c.id)
    changed = conn.execute(update(pt).where(pt.c.id == planned_trial_id, pt.c.session_id == session_id,
                                            pt.c.withheld_reason.is_(None), ~answered)
                           .values(withheld_reason=reason)).rowcount
    if changed:
        position = conn.execute(select(pt.c.position).where(pt.c.id == planned_trial_id)).scalar_one()
        conn.execute(insert(AuditLog.__table__).values(session_id=session_id, at=at or utc_now(), event="withheld",
                                                       detail=f"trial at position {position}: {reason}"))
    return bool(changed)


def withhold_trial(engine, session_id: int, planned_trial_id: int, reason: str) -> Row | None:
    """Mark a planned trial withheld (never played, never answered) with its reason and move
    the cursor past it, in one transaction; returns the next trial's row (None: the session is
    now complete). A trial already answered or withheld is left as it is."""
    try:
        with engine.begin() as conn:
            withhold_in(conn, session_id, planned_trial_id, reason)
            return advance_cursor(conn, session_id)
    except OperationalError as exc:
        raise DatabaseFileError(describe_db_error(engine, exc) + "; the withheld trial was not recorded yet") \
            from None


def _insert_responses(conn: Connection, rows: list[dict], session_id: int) -> None:
    for row in rows:
        row.setdefault("answered_at", utc_now())
        row["session_id"] = session_id
    conn.execute(insert(RESPONSE_TABLE), rows)


def store_answers(conn: Connection, session_id: int, rows: list[dict]) -> Row | None:
    """Insert responses and advance the cursor inside the caller's transaction."""
    _insert_responses(conn, rows, session_id)
    return advance_cursor(conn, session_id)


def record_answers(engine, session_id: int, rows: list[dict], lease: tuple[str, Any] | None = None) -> Row | None:
    """Commit responses (dicts of Response columns, without id/session_id) and the session's
    cursor in ONE transaction, durable on return (WAL, synchronous=FULL). Returns the next
    unanswered trial's row, or None when the session is complete (then marked so in the same
    transaction). AlreadyAnswered / DatabaseFileError as record_response; nothing is stored
    when either is raised. ``lease``: (holder, until): db.leases.guard in the same transaction
    (NotOwner when another window holds the session)."""
    try:
        with engine.begin() as conn:
            if lease is not None:
                leases.guard(conn, session_id, *lease)
            return store_answers(conn, session_id, rows)
    except OperationalError as exc:
        raise DatabaseFileError(describe_db_error(engine, exc) + "; this answer was not saved yet") from None
    except IntegrityError as exc:
        if "unique" in str(exc.orig).lower():
            ids = ", ".join(str(r.get("planned_trial_id")) for r in rows[:5])
            raise AlreadyAnswered(f"planned trial {ids} is already answered") from None
        raise


def set_status(s: DbSession, session: Session, status: str, detail: str = "") -> None:
    session.status = status
    if status == "running" and session.started_at is None:
        session.started_at = utc_now()
    if status in ("completed", "aborted", "released"):
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
