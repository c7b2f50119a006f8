"""A station of a lab server: answers go to the server, one commit per answer, and into the
station's offline journal when the server cannot be reached; ``simulate --station`` fills a
study from many stations at once with it.

The station keeps the remaining plan of its session in memory once the session has started,
so it can go on answering while the server is away; enrolling a new participant needs the
server (the next counterbalancing position is the server's to give), so between sessions the
station waits for it, delivering its journal first.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from typing import Callable

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session as DbSession, select

from db import leases, repo
from db.answers import ResponseRow, TrialRow, store_batch
from db.engine import DatabaseFileError, describe_db_error
from db.models import Session, Study
from db.adaptive_delivery import deliver_station
from db.outbox import UNREACHABLE, Outbox, touch_station, unreachable
from tasks.cover.assign import StudyCovered
from tasks.cover.context import CoverContexts
from tasks.dataset.loader import Dataset
from tasks.simulation.observers import Observer
from tasks.labserver.needs_server import NEW_SESSION_NEEDS_SERVER
from tasks.study.plan import Protocol
from tasks.study.records import OptionsCache
from tasks.study.runner import Progress, SessionRunner
from tasks.study.enrolment import enrol_next
from tasks.study.studies import open_study
from tasks.simulation.simulate import simulated_answer

RETRY_S = 2.0
DEFAULT_WAIT_S = 300.0  # how long a station waits for the server between sessions before giving up


def station_name(engine: Engine, name: str | None = None) -> str | None:
    """The name this computer's sessions carry on a lab server: ``name`` (``main.py --station
    NAME``), else the station its login role is bound to (lab-grants --bind), else the host
    name; None on a SQLite file (one computer). DatabaseFileError when ``name`` is not the
    station the login role is bound to (the server would refuse its sessions)."""
    if engine.dialect.name == "sqlite":
        return None
    import socket

    from db.pg import bound_station

    bound = bound_station(engine) if engine.dialect.name == "postgresql" else None
    if bound and name and name != bound:
        raise DatabaseFileError(f"the login role {engine.url.username!r} is station {bound!r} on the lab server, "
                                f"not {name!r}: start with --station {bound} (or log in as {name}'s role)")
    return name or bound or socket.gethostname()


def sim_code(position: int) -> str:
    """The simulated participant at counterbalancing position ``position`` (as simulate names them)."""
    return f"SIM{position + 1:03d}"


class StationLink:
    """The station's way to the server: commit each answer there, or journal it when the server
    is away (and everything after it, until the journal is delivered)."""

    def __init__(self, engine: Engine, outbox: Outbox, station: str,
                 on_state: Callable[[str, int], None] | None = None):
        self.engine = engine
        self.outbox = outbox
        self.station = station
        self.on_state = on_state  # (state, pending answers): "online", "offline", "catching up"
        self.state = "online" if outbox.count() == 0 else "catching up"
        # while the server is away, delivery is tried again after each answer at most this often:
        # an unplugged cable costs a connect timeout per attempt, which no answer should wait for
        self.retry_s = RETRY_S
        self._next_try = 0.0
        # False: delivery is left to the caller's timer (the app), so that an answer never waits
        # for a connect timeout on the participant's screen
        self.deliver_on_record = True
        self.last_error = ""
        self._background: threading.Thread | None = None
        self._background_outcome: str | None = None

    def store(self, session_id: int, lease: tuple[str, float] | None = None) -> "JournalledStore":
        """The answer store of a session run through this link (SessionRunner's ``_store``);
        ``lease``: (holder, seconds) of the window running it (db.leases)."""
        return JournalledStore(self, session_id, lease)

    def _set(self, state: str) -> None:
        if state != self.state:
            self.state = state
            if self.on_state:
                self.on_state(state, self.outbox.count())

    def record(self, session_id: int, rows: list[dict], lease: tuple[str, float] | None = None) -> None:
        """Durable on return: committed on the server, or journalled on this computer.
        ``lease``: (holder, seconds): the server refuses the answers (leases.NotOwner) when
        another window holds the session (checked in the same transaction)."""
        try:
            commit = self._guarded(session_id, lease, lambda conn: store_batch(conn, session_id, rows))
            on_server = self.committed(commit, "this answer was not saved yet", (IntegrityError, sqlite3.IntegrityError))
        except (IntegrityError, sqlite3.IntegrityError) as exc:  # SQLite's batches go through the driver
            if "unique" in str(getattr(exc, "orig", exc)).lower():
                ids = ", ".join(str(r.get("planned_trial_id")) for r in rows[:5])
                raise repo.AlreadyAnswered(f"planned trial {ids} is already answered") from None
            raise DatabaseFileError(describe_db_error(self.engine, exc) + "; this answer was not saved yet") \
                from None
        if not on_server:
            self.outbox.add(session_id, rows)
            self.journalled()

    def withhold(self, session_id: int, planned_trial_id: int, reason: str,
                 lease: tuple[str, float] | None = None) -> None:
        """Record that a planned trial is withheld (over the safety ceiling), durable on return:
        on the server with the cursor moved past it, or in the journal when the server cannot be
        reached (delivered exactly once later, like an answer); the participant goes on either way."""
        def write(conn) -> None:
            repo.withhold_in(conn, session_id, planned_trial_id, reason)
            repo.advance_cursor(conn, session_id)

        if not self.committed(self._guarded(session_id, lease, write), "the withheld trial was not recorded yet"):
            self.outbox.add_withheld(session_id, planned_trial_id, reason)
            self.journalled()

    def _guarded(self, session_id: int, lease: tuple[str, float] | None, write: Callable) -> Callable[[], None]:
        """A commit of ``write(conn)`` in one transaction on the server, under the lease."""
        def commit() -> None:
            with self.engine.begin() as conn:
                if lease is not None:
                    leases.guard(conn, session_id, lease[0], leases.lease_for(lease[1]))
                write(conn)
        return commit

    def committed(self, commit: Callable[[], None], not_saved: str,
                  raised: tuple[type[BaseException], ...] = ()) -> bool:
        """``commit()``, one transaction on the server: True when committed; False when it belongs
        in the journal (the journal already holds entries, which go first, or the server cannot be
        reached: perhaps committed, perhaps not, which the journal's delivery sorts out exactly
        once). A refusal by the server is raised: leases.NotOwner and the ``raised`` kinds as they
        are, others as DatabaseFileError ending in ``not_saved``."""
        if self.outbox.count():
            return False
        try:
            commit()
        except (leases.NotOwner, *raised):
            raise
        except Exception as exc:
            if not unreachable(exc):  # the server refused the data: not a matter for the journal
                if not isinstance(exc, SQLAlchemyError):
                    raise
                raise DatabaseFileError(describe_db_error(self.engine, exc) + f"; {not_saved}") from None
            return False
        self._set("online")
        return True

    def journalled(self) -> None:
        """Something was just journalled (the server could not be reached, or the journal goes
        first): the station is offline, and delivery is tried when due (unless the caller's timer
        delivers)."""
        self._set("offline" if self.state == "online" else self.state)
        if self.deliver_on_record and time.monotonic() >= self._next_try:
            self.try_deliver()

    def try_deliver(self) -> bool:
        """Deliver what the journal holds; False when the server is still away."""
        try:
            while deliver_station(self.engine, self.outbox, self.station):
                self._set("catching up")
        except Exception as exc:
            if not unreachable(exc):
                raise
            self._next_try = time.monotonic() + self.retry_s
            self._set("offline")
            return False
        self._set("online")
        return True

    def deliver_in_background(self) -> bool:
        """Start delivering the journal on a thread of its own, unless one is at it already, so
        that the caller (the GUI thread) never waits for an unreachable server; True when one was
        started. ``poll_background()`` takes its outcome into ``state``."""
        if self._background is not None:
            return False
        self._background = threading.Thread(target=self._deliver_on_thread, name=f"deliver-{self.station}",
                                            daemon=True)  # killed at exit: delivery is exactly once anyway
        self._background.start()
        return True

    def _deliver_on_thread(self) -> None:
        # NB: this thread opens its own connection to the journal file (a sqlite3 connection
        # belongs to its thread; WAL lets the answers journalled meanwhile in) and takes its own
        # pooled server connections. It shares only _background_outcome, written once before the
        # thread ends and read by poll_background() after is_alive() is False.
        box = None
        try:
            box = Outbox(self.outbox.path)
            while deliver_station(self.engine, box, self.station):
                pass
            outcome = "online"
        except Exception as exc:  # noqa: BLE001 - kept as the outcome, read on the caller's thread
            outcome = "offline" if unreachable(exc) else f"refused: {describe_db_error(self.engine, exc)}"
        finally:
            if box is not None:
                box.close()
        self._background_outcome = outcome

    def poll_background(self) -> None:
        """Take the outcome of a finished background delivery (nothing while it runs)."""
        if self._background is None or self._background.is_alive():
            return
        self._background = None
        outcome, self._background_outcome = self._background_outcome, None
        if outcome == "online":
            self.last_error = ""
            self._set("online" if self.outbox.count() == 0 else "catching up")
        elif outcome is not None:
            self.last_error = "" if outcome == "offline" else outcome
            self._next_try = time.monotonic() + self.retry_s
            self._set("offline")

    def join_background(self, timeout_s: float | None = None) -> None:
        """Wait for a background delivery to end, then take its outcome."""
        if self._background is not None:
            self._background.join(timeout_s)
        self.poll_background()

    def wait_for_server(self, what: Callable[[], object], wait_s: float = DEFAULT_WAIT_S, poll_s: float = 0.2,
                        why: str = ""):
        """``what()`` once the journal is delivered and the server answers; DatabaseFileError
        after ``wait_s`` without the server, its one line led by ``why`` (what needs the server)."""
        deadline = time.monotonic() + wait_s
        lead = f"{why}: " if why else ""
        while True:
            try:
                if self.try_deliver():
                    return what()
            except UNREACHABLE as exc:
                self._set("offline")
                if time.monotonic() > deadline:
                    raise DatabaseFileError(lead + describe_db_error(self.engine, exc) + f"; waited {wait_s:.0f} s. "
                                            f"{self.outbox.count()} journal entries (answers, withheld and "
                                            f"adaptive trials) wait in {self.outbox.path} and are delivered on "
                                            "the next start") from None
            if time.monotonic() > deadline:
                raise DatabaseFileError(f"{lead}the lab server did not come back within {wait_s:.0f} s; "
                                        f"{self.outbox.count()} journal entries (answers, withheld and "
                                        f"adaptive trials) wait in {self.outbox.path}")
            time.sleep(poll_s)


class JournalledStore:
    """The answers of one session on a station (db.answers.AnswerStore's interface): each goes
    to the server in one transaction, or into the station's journal when the server cannot be
    reached; the trials are handed out from the session's remaining plan, read into memory once
    when the session begins (in plan order, withheld and journalled trials left out), so that
    the participant goes on while the server is away. Used by one thread."""

    def __init__(self, link: StationLink, session_id: int, lease: tuple[str, float] | None = None):
        self.link, self.session_id, self.lease = link, session_id, lease
        self._plan: list[TrialRow] | None = None  # remaining trials, first to answer last (pop())
        self._kinds: dict[int, str] = {}  # position -> kind, for every planned trial

    def deliver(self) -> bool:
        """Deliver the journal now (at the start or resumption of a session); False: server away."""
        return self.link.try_deliver()

    def load(self, on_server: Progress) -> Progress:
        """Read the remaining plan; returns ``on_server`` with the journalled answers counted."""
        pt = repo.PLANNED_TRIAL_TABLE
        with self.link.engine.begin() as conn:
            touch_station(conn, self.link.station, self.link.outbox.count(),  # the console's status row
                          self.link.outbox.status_note())
            self._kinds = dict(conn.execute(select(pt.c.position, pt.c.kind)
                                            .where(pt.c.session_id == self.session_id)).all())
            remaining = [TrialRow._make(r) for r in
                         conn.execute(repo.unanswered_query(self.session_id, 1_000_000)).all()]
        journalled, withheld = self.link.outbox.pending_ids(self.session_id)
        self._plan = [t for t in reversed(remaining) if t.id not in journalled]
        waiting = [t for t in remaining if t.id in journalled]
        practice = [t for t in waiting if t.kind == "practice"]
        n_withheld = sum(t.id in withheld for t in waiting)
        practice_withheld = sum(t.id in withheld for t in practice)
        return on_server.plus(answered=len(waiting) - n_withheld, withheld=n_withheld,
                              practice_answered=len(practice) - practice_withheld, practice_withheld=practice_withheld)

    def _remaining(self) -> list[TrialRow]:
        if self._plan is None:
            self.load(Progress(0, 0))
        return self._plan

    def next_trial(self) -> TrialRow | None:
        plan = self._remaining()
        return plan[-1] if plan else None

    def _drop(self, planned_trial_id: int) -> None:
        plan = self._remaining()
        if plan and plan[-1].id == planned_trial_id:
            plan.pop()
        else:
            self._plan = [t for t in plan if t.id != planned_trial_id]

    def record(self, values) -> tuple[ResponseRow, TrialRow | None]:
        """Durable on return (on the server or in the journal); returns the answer and the next
        trial of the plan (None: none left). AlreadyAnswered / DatabaseFileError when the server
        refused the answer itself (nothing stored)."""
        self.link.record(self.session_id, [dict(values)], self.lease)
        self._drop(values["planned_trial_id"])
        return ResponseRow(id=None, **{**values, "session_id": self.session_id}), self.next_trial()

    def withhold(self, trial, reason: str, counts: Progress | None) -> Progress | None:
        """Record ``trial`` withheld (on the server or in the journal): off the plan, and counted."""
        self.link.withhold(self.session_id, trial.id, reason, self.lease)
        return self.withheld(trial, counts)

    def withheld(self, trial, counts: Progress | None) -> Progress | None:
        """``trial`` was recorded withheld: off the plan, and counted."""
        was_left = any(t.id == trial.id for t in self._remaining())
        self._drop(trial.id)
        if counts is None or not was_left:
            return counts
        return counts.plus(withheld=1, practice_withheld=trial.kind == "practice")

    def follows_practice(self, trial) -> bool:
        if trial.kind == "practice" or trial.position == 0:
            return False
        return self._kinds.get(trial.position - 1) == "practice"


def _own_unfinished(engine: Engine, study_id: int, station: str) -> Session | None:
    with DbSession(engine) as s:
        return s.exec(select(Session).where(Session.study_id == study_id, Session.station == station,
                                            Session.status.in_(("planned", "running", "paused")))
                      .order_by(Session.cohort_index)).first()


def _count_own(engine: Engine, study_id: int, station: str) -> int:
    with DbSession(engine) as s:
        return len(s.exec(select(Session.id).where(Session.study_id == study_id, Session.station == station)).all())


_PT = repo.PLANNED_TRIAL_TABLE.c
_TRIAL_COLUMNS = (_PT.id, _PT.session_id, _PT.position, _PT.variant, _PT.item_id, _PT.rotate_id, _PT.options_json,
                  _PT.answer_letter)


def _remaining_trials(engine: Engine, session_id: int) -> list:
    with engine.connect() as conn:
        return conn.execute(repo.unanswered_query(session_id, 1_000_000, _TRIAL_COLUMNS)).all()


def simulate_station(engine: Engine, dataset: Dataset, protocol: Protocol, n_participants: int, observer: Observer,
                     app_version: str, station: str, outbox: Outbox, study_name: str, delay_s: float = 0.0,
                     on_commit: Callable[[str, int], None] | None = None, wait_s: float = DEFAULT_WAIT_S,
                     on_state: Callable[[str, int], None] | None = None) -> Study:
    """Run ``n_participants`` simulated participants (None: until a cover study is covered) as
    station ``station``: each is the study's
    next free position (code SIM<position + 1>), answered one commit per answer; the station's
    own unfinished session (after a crash) is finished first. Many processes with distinct
    station names fill one study together."""
    link = StationLink(engine, outbox, station, on_state)
    study = link.wait_for_server(lambda: open_study(engine, dataset, study_name, protocol), wait_s)
    runs: dict = {}
    options = OptionsCache()
    shares = CoverContexts()
    while True:
        def next_session():
            session = _own_unfinished(engine, study.id, station)
            if session is None and (n_participants is None or _count_own(engine, study.id, station) < n_participants):
                try:
                    session = enrol_next(engine, dataset, study, app_version, sim_code, station, shares=shares)
                except StudyCovered:  # a cover study with nothing left to give: the others finish theirs
                    return None
            if session is None:
                return None
            SessionRunner(engine, session.id).begin()
            with engine.begin() as conn:
                touch_station(conn, station, outbox.count(), outbox.status_note())
            return session, _remaining_trials(engine, session.id)

        found = link.wait_for_server(next_session, wait_s, why=NEW_SESSION_NEEDS_SERVER)
        if found is None:
            return study
        session, trials = found
        code = sim_code(session.cohort_index)
        journalled = outbox.pending_trial_ids(session.id)
        for trial in trials:
            if trial.id in journalled:
                continue
            row = simulated_answer(trial, runs, dataset, protocol.seed, code, observer, options, delay_s)
            link.record(session.id, [row])
            if on_commit:
                on_commit(code, trial.position)
        if not trials:  # everything answered before: let the cursor mark it completed
            link.wait_for_server(lambda: _complete(engine, session.id), wait_s)


def _complete(engine: Engine, session_id: int) -> None:
    with engine.begin() as conn:
        repo.advance_cursor(conn, session_id)
