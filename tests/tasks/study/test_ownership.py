"""A session belongs to the station whose window holds its lease: two stations (two engines on
one SQLite file, and on one private PostgreSQL server). A live session is offered nowhere else
and cannot be opened there; an interrupted one is offered on its own station, elsewhere only
through an explicit, audit-logged take-over; an answer from a window that does not hold the
session is refused with nothing stored, and the holder's next answer lands."""
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlmodel import Session as DbSession

from db import repo
from db.engine import open_database
from db.leases import NotOwner, lease_of
from db.models import Session as SessionRow, utc_now
from tasks.dataset.loader import load_dataset
from tasks.study import ownership
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study


@pytest.fixture
def two_stations(lab_db, dataset_dir):
    """Stations A and B, each with its own engine on the same database; P001's session enrolled on A."""
    a, b = open_database(lab_db), open_database(lab_db)
    ds = load_dataset(dataset_dir)
    study = open_study(a, ds, "pilot", Protocol(practice_per_block=0))
    station = None if a.dialect.name == "sqlite" else "boothA"
    session = start_or_resume(a, ds, study, "P001", "test", station=station)
    yield a, b, session.id
    a.dispose()
    b.dispose()


def lease(engine, session_id):
    with DbSession(engine) as s:
        return lease_of(s.get(SessionRow, session_id))


def answer_next(runner):
    trial = runner.next_trial()
    runner.answer(trial, trial.answer_letter)
    return trial


def window_on(engine, session_id, station, answers):
    """A participant window of ``station`` claims the session, begins it and answers ``answers`` trials."""
    holder = ownership.new_holder(station)
    ownership.claim(engine, session_id, holder)
    runner = SessionRunner(engine, session_id, holder=holder)
    runner.begin()
    for _ in range(answers):
        answer_next(runner)
    return holder, runner


def answered_positions(engine, session_id):
    with DbSession(engine) as s:
        ids = {r.planned_trial_id for r in repo.responses(s, session_id)}
        return sorted(t.position for t in repo.planned_trials(s, session_id) if t.id in ids)


def test_a_live_session_is_not_offered_elsewhere_and_a_second_window_cannot_answer(two_stations):
    a, b, sid = two_stations
    _, runner_a = window_on(a, sid, "boothA", answers=3)
    # station B starts: nothing to offer, and its window cannot open A's session
    assert not ownership.offered_here(lease(b, sid), "boothB")
    assert not ownership.interrupted_elsewhere(lease(b, sid), "boothB")  # live: not even for a take-over
    holder_b = ownership.new_holder("boothB")
    with pytest.raises(ownership.SessionHeld, match="running on station boothA"):
        ownership.claim(b, sid, holder_b)
    with pytest.raises(ownership.SessionHeld, match="running on station boothA"):
        ownership.take_over(b, sid, "boothB")
    # a window that answers anyway (the lab-day bug) is refused in the data layer, nothing stored
    runner_b = SessionRunner(b, sid, holder=holder_b)
    with pytest.raises(NotOwner, match="boothA"):
        answer_next(runner_b)
    assert answered_positions(a, sid) == [0, 1, 2]
    # ...and A's participant goes on at position 3, then 4
    assert answer_next(runner_a).position == 3
    assert answer_next(runner_a).position == 4
    assert answered_positions(b, sid) == [0, 1, 2, 3, 4]


def test_an_interrupted_session_is_offered_on_its_station_and_elsewhere_only_by_take_over(two_stations):
    a, b, sid = two_stations
    _, runner_a = window_on(a, sid, "boothA", answers=3)
    later = utc_now() + timedelta(seconds=ownership.LEASE_S + 5)  # A crashed: its lease lapsed
    assert ownership.offered_here(lease(a, sid), "boothA", later)
    assert not ownership.offered_here(lease(b, sid), "boothB", later)  # never the start-up offer on B
    assert ownership.interrupted_elsewhere(lease(b, sid), "boothB", later)  # only the take-over action
    with pytest.raises(ownership.SessionHeld, match="interrupted on station boothA; take it over"):
        ownership.claim(b, sid, ownership.new_holder("boothB"), later)
    assert ownership.take_over(b, sid, "boothB", later) == "boothA"
    with DbSession(b) as s:
        (event,) = [x for x in repo.audit_log(s, sid) if x.event == "taken over"]
    assert "from station boothA to station boothB" in event.detail
    holder_b = ownership.new_holder("boothB")
    ownership.claim(b, sid, holder_b)  # the session is B's now: its window opens it
    assert lease(b, sid).holder_station == "boothB"
    if b.dialect.name != "sqlite":
        assert lease(b, sid).station == "boothB"  # session.station follows its owner on a lab server
    runner_b = SessionRunner(b, sid, holder=holder_b)
    runner_b.begin()
    assert answer_next(runner_b).position == 3
    # A's window, had it come back, is refused; B's next answer still lands
    with pytest.raises(NotOwner, match="boothB"):
        answer_next(runner_a)
    assert answer_next(runner_b).position == 4
    assert answered_positions(a, sid) == [0, 1, 2, 3, 4]
    assert not ownership.offered_here(lease(a, sid), "boothA", later)  # no longer A's to resume


def test_a_window_closed_lets_go_and_a_killed_process_is_not_live(two_stations):
    a, b, sid = two_stations
    holder_a, runner_a = window_on(a, sid, "boothA", answers=0)
    assert ownership.renew(a, sid, holder_a)
    runner_a.pause("left by the experimenter")
    ownership.release(a, sid, holder_a)  # the window closed after the pause, as the app does
    assert lease(a, sid).holder is None
    ownership.claim(b, sid, ownership.new_holder("boothB"))  # paused, nobody's: B may open it
    assert lease(b, sid).holder_station == "boothB"
    # a holder naming a process of this computer that has ended is not live, before its lease lapses
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = f"boothA/{socket.gethostname()}.{gone.stdout.strip()}.abc"
    with a.begin() as conn:
        conn.execute(SessionRow.__table__.update().where(SessionRow.__table__.c.id == sid)
                     .values(status="running", lease_holder=dead, lease_until=utc_now() + timedelta(seconds=60)))
    assert lease(a, sid).live(utc_now()) and not ownership.live(lease(a, sid))
    assert ownership.offered_here(lease(a, sid), "boothA")
