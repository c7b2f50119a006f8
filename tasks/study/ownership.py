"""Which station runs a session: a session belongs to the station whose participant window
holds its lease (db.leases). The window takes the lease when it opens, renews it while it runs
(and with every answer, in the answer's own transaction), and lets it go when it closes.

- live: a window holds the lease and renewed it within LEASE_S. Never offered anywhere else,
  never opened by a second window: its answers would be refused anyway (db.leases.guard).
- interrupted: left "running" with its lease lapsed (the station crashed, lost power or its
  server). Offered for resumption on its own station only; another station gets it only when
  the experimenter takes it over explicitly (``take_over``), which is audit-logged with both
  station names, and from then on the first station's answers are refused.

The lease is long (90 s) against the renewal (every 20 s) so that a busy disk, a slow server or
a few seconds of clock drift between the stations never make a live session look interrupted.
"""
from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta, timezone

from sqlalchemy.engine import Engine

from db import leases
from db.leases import Lease
from tasks.study.studies import StudyError

LEASE_S = 90.0  # a window's lease lasts this long unless renewed
RENEW_S = 20.0  # how often a window renews it (besides every answer)


class SessionHeld(StudyError):
    """The session is run (or was last run) by another station; the message says which and what to do."""


def station_label(name: str | None = None) -> str:
    """The name this computer's windows carry in their leases: ``--station NAME``, else the host name."""
    return name or socket.gethostname()


def new_holder(station: str) -> str:
    """A lease holder for one participant window of ``station``: the station, then this
    computer, this process and a token of the window."""
    return f"{station}/{socket.gethostname()}.{os.getpid()}.{secrets.token_hex(6)}"


def _process_gone(holder: str) -> bool:
    """True when ``holder`` names a process of this computer that no longer runs (the app was
    killed or crashed): its lease is not live even before it lapses, so a station restarted
    after a crash offers its session at once."""
    try:
        host, pid, _token = holder.rsplit("/", 1)[1].rsplit(".", 2)
        pid_n = int(pid)
    except ValueError:
        return False
    if host != socket.gethostname() or pid_n == os.getpid():
        return False
    try:
        os.kill(pid_n, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # runs, as another user
    return False


def live(lease: Lease, now: datetime | None = None) -> bool:
    """A window runs the session now: it holds a lease renewed in time, and its process (when
    it is one of this computer) still runs."""
    return lease.live(_now(now)) and not _process_gone(lease.holder)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _read(engine: Engine, session_id: int) -> Lease:
    with engine.connect() as conn:
        lease = leases.read_lease(conn, session_id)
    if lease is None:
        raise StudyError(f"session {session_id} does not exist")
    return lease


def _when(t: datetime | None) -> str:
    return "never" if t is None else t.astimezone(timezone.utc).strftime("%H:%M:%S UTC")


def offered_here(lease: Lease, station: str, now: datetime | None = None) -> bool:
    """Whether the start-up offer to resume an interrupted session may name this session on
    ``station``: it is left running, no window holds it live, and it was this station's (or
    nobody's: a session of an older version that never had a lease)."""
    if lease.status != "running" or live(lease, now):
        return False
    return lease.holder_station in (None, station)


def interrupted_elsewhere(lease: Lease, station: str, now: datetime | None = None) -> bool:
    """Left running on another station, whose lease lapsed: only a take-over brings it here."""
    return (lease.status == "running" and not live(lease, now)
            and lease.holder_station not in (None, station))


def claim(engine: Engine, session_id: int, holder: str, now: datetime | None = None) -> None:
    """Let the window ``holder`` run the session: it takes the lease unless another window holds
    it live, or the session was interrupted on another station (then it needs a take-over).
    SessionHeld says which station and what to do; nothing changes then."""
    station = leases.station_of(holder)
    for _attempt in range(3):
        now_ = _now(now)
        lease = _read(engine, session_id)
        if lease.holder == holder:
            pass
        elif live(lease, now_):
            raise SessionHeld(f"session {session_id} is running on station {lease.holder_station} (its window "
                              f"was last heard of at {_when(lease.until - timedelta(seconds=LEASE_S))}); "
                              "it cannot be opened here")
        elif interrupted_elsewhere(lease, station, now_):
            raise SessionHeld(f"session {session_id} was interrupted on station {lease.holder_station}; take it over "
                              "on the Sessions page to continue it here")
        written = None if engine.dialect.name == "sqlite" else station  # "None: this computer" stays so on a file
        if leases.take(engine, lease, holder, leases.lease_for(LEASE_S, now_), written):
            return
    raise SessionHeld(f"session {session_id} was just opened by another station")


def renew(engine: Engine, session_id: int, holder: str) -> bool:
    """The window's heartbeat: False when another window holds the session now."""
    with engine.begin() as conn:
        return leases.renew(conn, session_id, holder, leases.lease_for(LEASE_S))


def release(engine: Engine, session_id: int, holder: str) -> None:
    """The window closed: the session is nobody's until a window opens it again."""
    leases.release(engine, session_id, holder)


def take_over(engine: Engine, session_id: int, station: str, now: datetime | None = None) -> str:
    """Give an interrupted session of another station to ``station`` (the experimenter's explicit
    action): refused while a window holds it live; audit-logged with both station names. Returns
    the station it came from. The first station's window, should it still be open, has its next
    answer refused."""
    now_ = _now(now)
    lease = _read(engine, session_id)
    if lease.status != "running":
        raise StudyError(f"session {session_id} is {lease.status}, not interrupted: nothing to take over "
                         "(a paused session is started from the Sessions page as usual)")
    if live(lease, now_):
        raise SessionHeld(f"session {session_id} is running on station {lease.holder_station} right now; it can be "
                          "taken over only after its window stopped (its lease lapses "
                          f"{LEASE_S:.0f} s after it was last heard of)")
    before = lease.holder_station or "this computer"
    written = None if engine.dialect.name == "sqlite" else station
    detail = f"from station {before} to station {station} (lease lapsed: {_when(lease.until)})"
    if not leases.take(engine, lease, f"{station}/", now_, written, audit=("taken over", detail)):
        raise SessionHeld(f"session {session_id} changed hands meanwhile; look again at the Sessions page")
    return before
