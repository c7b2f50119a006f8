"""Who runs a session: the lease of one participant window on it (session.lease_holder,
session.lease_until), taken, renewed, handed over and released with compare-and-set UPDATEs so
that two stations never both hold it, and the guard the per-answer path runs in the answer's
own transaction. The policy (how long a lease holds, what is offered where) is
tasks.study.ownership's.

A holder is "<station>/<token>": the station's name and a token of one window run. A lease that
names a station but no token ("<station>/") is a hand-over: the session belongs to that station
and waits for its window. Times are UTC from the writer's clock (stations of one lab keep their
clocks synchronized; the lease is long against any drift left).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from db.models import AuditLog, Session

SESSION = Session.__table__


class NotOwner(Exception):
    """The session is held by another window (taken over, or run elsewhere): nothing was stored."""


@dataclass(frozen=True)
class Lease:
    session_id: int
    status: str
    holder: str | None
    until: datetime | None  # aware, UTC
    station: str | None  # session.station

    @property
    def holder_station(self) -> str | None:
        """The station named by the holder, else the session's own station."""
        return station_of(self.holder) if self.holder else self.station

    def live(self, now: datetime) -> bool:
        """A window holds the lease and has renewed it in time."""
        return bool(self.holder) and not self.holder.endswith("/") and self.until is not None and self.until > now


def station_of(holder: str) -> str:
    """The station a holder names ("<station>/<token>")."""
    return holder.rsplit("/", 1)[0]


def not_owner(session_id: int, holder_station: str | None) -> NotOwner:
    """The refusal of an answer to a session that ``holder_station`` runs now."""
    return NotOwner(f"session {session_id} is now run by {holder_station or 'another window'}; "
                    "this answer was not saved")


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)  # stored without a zone: UTC, as written


def lease_of(session: Session) -> Lease:
    """The lease of a session row read through the ORM."""
    return Lease(session.id, session.status, session.lease_holder, _aware(session.lease_until), session.station)


def read_lease(conn: Connection, session_id: int) -> Lease | None:
    row = conn.execute(select(SESSION.c.status, SESSION.c.lease_holder, SESSION.c.lease_until, SESSION.c.station)
                       .where(SESSION.c.id == session_id)).first()
    if row is None:
        return None
    return Lease(session_id, row.status, row.lease_holder, _aware(row.lease_until), row.station)


def _swap(conn: Connection, old: Lease, **values) -> bool:
    """Set ``values`` if the lease is still exactly ``old`` (holder and time): True when it was."""
    stmt = (update(SESSION).where(SESSION.c.id == old.session_id,
                                  SESSION.c.lease_holder.is_not_distinct_from(old.holder),
                                  SESSION.c.lease_until.is_not_distinct_from(old.until))
            .values(**values))
    return conn.execute(stmt).rowcount == 1


def take(engine: Engine, old: Lease, holder: str, until: datetime, station: str | None = None,
         audit: tuple[str, str] | None = None) -> bool:
    """Hold the session as ``holder`` until ``until`` if nobody changed its lease since ``old``
    was read (``station``: write it to session.station too; ``audit``: (event, detail) logged in
    the same transaction). False: another station got there first."""
    values = {"lease_holder": holder, "lease_until": until}
    if station is not None:
        values["station"] = station
    with engine.begin() as conn:
        if not _swap(conn, old, **values):
            return False
        if audit is not None:
            conn.execute(AuditLog.__table__.insert().values(session_id=old.session_id, at=datetime.now(timezone.utc),
                                                            event=audit[0], detail=audit[1]))
    return True


def renew(conn: Connection, session_id: int, holder: str, until: datetime) -> bool:
    """Move the lease on to ``until`` if ``holder`` still holds it (inside the caller's
    transaction): the answer guard and the window's heartbeat."""
    return conn.execute(update(SESSION).where(SESSION.c.id == session_id, SESSION.c.lease_holder == holder)
                        .values(lease_until=until)).rowcount == 1


def guard(conn: Connection, session_id: int, holder: str, until: datetime) -> None:
    """In an answer's transaction: NotOwner unless ``holder`` holds the session (then renewed)."""
    if not renew(conn, session_id, holder, until):
        lease = read_lease(conn, session_id)
        raise not_owner(session_id, None if lease is None else lease.holder_station)


def release(engine: Engine, session_id: int, holder: str) -> bool:
    """Let go of the session (its window closed) if ``holder`` still holds it."""
    with engine.begin() as conn:
        return conn.execute(update(SESSION).where(SESSION.c.id == session_id, SESSION.c.lease_holder == holder)
                            .values(lease_holder=None, lease_until=None)).rowcount == 1


def lease_for(seconds: float, now: datetime | None = None) -> datetime:
    return (now or datetime.now(timezone.utc)) + timedelta(seconds=seconds)
