"""A station's SessionRunner when the lab server goes away (a real PostgreSQL server, stopped and
started again): answering goes on from the plan in memory, the answers wait in the station's
journal, and after the restart each reaches the server once, the session completed there with
its cursor at the end; a station killed while offline delivers its journal and resumes at the
first trial not answered. On a SQLite file nothing of this is used."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session as DbSession, select

from db import repo
from db.engine import open_database
from db.models import Response, Session, Station
from db.outbox import Outbox, unreachable
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study
from tasks.study.enrolment import start_or_resume
from tasks.labserver.station import StationLink
from tests.support.factories import sr_items, write_dataset

ROOT = Path(__file__).resolve().parents[3]



def station_session(url, dataset_dir, protocol: Protocol | None = None):
    engine = open_database(url)
    ds = load_dataset(dataset_dir)
    study = open_study(engine, ds, "pilot", protocol or Protocol(practice_per_block=0))
    session = start_or_resume(engine, ds, study, "P001", "test", station="booth1")
    with DbSession(engine) as s:
        plan = repo.planned_trials(s, session.id)
    return engine, session, plan


def stored(engine, session_id) -> list[int]:
    with DbSession(engine) as s:
        return [r.planned_trial_id for r in s.exec(select(Response).where(Response.session_id == session_id))]


def test_answers_go_on_while_the_server_is_stopped_and_arrive_once_after_it_is_back(own_pg_server, dataset_dir,
                                                                                     tmp_path):
    engine, session, plan = station_session(own_pg_server.create_database("lab"), dataset_dir)
    assert len(plan) > 8
    states = []
    link = StationLink(engine, Outbox(tmp_path / "outbox.sqlite3"), "booth1", on_state=lambda *a: states.append(a))
    link.deliver_on_record = False  # as in the app: delivery is the timer's
    runner = SessionRunner(engine, session.id, link=link)
    runner.begin()
    for i in range(3):  # online: straight to the server
        trial = runner.next_trial()
        assert trial.id == plan[i].id
        runner.answer(trial, trial.answer_letter, rt_ms=500.0 + i)
    assert link.outbox.count() == 0 and sorted(stored(engine, session.id)) == sorted(t.id for t in plan[:3])
    with pytest.raises(repo.AlreadyAnswered):  # a refusal of the data is not a matter for the journal
        runner.answer(plan[0], plan[0].answer_letter)
    with pytest.raises(IntegrityError) as duplicate:
        with engine.begin() as conn:
            conn.execute(insert(Response).values(planned_trial_id=plan[0].id, session_id=session.id,
                                                 chosen_letter="<A>", chosen_text="x", is_correct=False))
    assert not unreachable(duplicate.value)
    assert link.outbox.count() == 0

    own_pg_server.stop(keep=True)
    seen = []
    while (trial := runner.next_trial()) is not None:  # the rest of the session, all offline
        seen.append(trial.id)
        runner.answer(trial, trial.answer_letter, rt_ms=600.0)
        assert runner.progress().answered == 3 + len(seen)
    assert seen == [t.id for t in plan[3:]]  # plan order, nothing asked twice
    assert link.outbox.count() == len(plan) - 3
    assert link.outbox.pending_trial_ids(session.id) == {t.id for t in plan[3:]}
    assert link.try_deliver() is False and link.state == "offline"
    assert ("offline", 1) in states
    runner.pause("left by the experimenter")  # not possible now: the session stays running, no error
    with pytest.raises(OperationalError) as refused:
        with engine.connect():
            pass
    assert unreachable(refused.value)

    assert link.deliver_in_background() and not link.deliver_in_background()  # one at a time
    link.join_background(60)
    assert link.state == "offline" and link.last_error == "" and link.outbox.count() == len(plan) - 3

    own_pg_server.start()
    assert link.deliver_in_background()  # on a thread of its own, with its own connection to the journal
    link.join_background(60)
    assert link.state == "online" and link.last_error == ""
    assert link.outbox.count() == 0 and link.outbox.count("delivered") == len(plan) - 3
    assert link.try_deliver() is True  # nothing left: nothing stored twice
    ids = stored(engine, session.id)
    assert sorted(ids) == sorted(t.id for t in plan) and len(ids) == len(set(ids))
    with DbSession(engine) as s:
        row = s.get(Session, session.id)
        station = s.get(Station, "booth1")
        rt = {r.planned_trial_id: r.rt_ms for r in s.exec(select(Response).where(Response.session_id == session.id))}
    assert row.status == "completed" and row.next_position == max(t.position for t in plan) + 1
    assert station.pending_answers == 0
    assert rt[plan[1].id] == 501.0 and rt[plan[-1].id] == 600.0
    assert SessionRunner(engine, session.id).progress().answered == len(plan)


def test_the_plan_in_memory_skips_withheld_trials_and_knows_where_practice_ends(own_pg_server, tmp_path):
    dataset_dir = write_dataset(tmp_path / "ds", sr=sr_items(2))
    engine, session, plan = station_session(own_pg_server.create_database("lab"), dataset_dir,
                                            Protocol(variants=["sr"], items_per_group=1, practice_per_block=2))
    assert [t.kind for t in plan] == ["practice", "practice", "test", "test", "test"]
    first_test = 2
    link = StationLink(engine, Outbox(tmp_path / "outbox.sqlite3"), "booth1")
    runner = SessionRunner(engine, session.id, link=link)
    runner.begin()
    total = runner.progress().total
    own_pg_server.stop(keep=True)
    for i in range(first_test):
        trial = runner.next_trial()
        assert trial.kind == "practice" and not runner.follows_practice(trial)
        runner.answer(trial, trial.answer_letter)
    trial = runner.next_trial()
    assert trial.id == plan[first_test].id and runner.follows_practice(trial)  # from memory: the server is away
    progress = runner.progress()
    assert (progress.practice_done, progress.answered, progress.total) == (first_test, first_test, total)
    own_pg_server.start()
    assert runner.withhold(trial, "over the ceiling").id == plan[first_test + 1].id
    assert runner.progress().withheld == 1
    while (trial := runner.next_trial()) is not None:
        runner.answer(trial, trial.answer_letter)
    assert link.try_deliver()
    with DbSession(engine) as s:
        assert s.get(Session, session.id).status == "completed"
    assert sorted(stored(engine, session.id)) == sorted(t.id for i, t in enumerate(plan) if i != first_test)


# the start of a station process for killed_offline: its link and session runner, begun
STATION_CHILD_START = r"""
import sys, time
from pathlib import Path
from db.engine import open_database
from db.outbox import Outbox
from tasks.study.runner import SessionRunner
from tasks.labserver.station import StationLink

url, session_id, outbox, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
engine = open_database(url)
link = StationLink(engine, Outbox(outbox), "booth1")
link.deliver_on_record = False
runner = SessionRunner(engine, session_id, link=link)
runner.begin()
"""

CHILD = STATION_CHILD_START + r"""
for _ in range(2):
    trial = runner.next_trial()
    runner.answer(trial, trial.answer_letter, rt_ms=400.0)
(folder / "ready").touch()
while not (folder / "go").exists():
    time.sleep(0.02)
for _ in range(3):
    trial = runner.next_trial()
    runner.answer(trial, trial.answer_letter, rt_ms=700.0)
(folder / "done").write_text(str(link.outbox.count()))
time.sleep(600)
"""


def wait_for(path: Path, proc: subprocess.Popen, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, f"{path.name} did not appear"
        time.sleep(0.05)


def killed_offline(child: str, url: str, session_id: int, outbox: Path, folder: Path, server) -> str:
    """Run a station process (``child``, given url, session id, outbox and ``folder``) until it
    is ready, stop ``server``, let it go on offline until it writes ``done``, and kill it
    (SIGKILL); returns what it wrote to ``done``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", child, url, str(session_id), str(outbox), str(folder)],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(folder / "ready", proc)
        server.stop(keep=True)
        (folder / "go").touch()
        wait_for(folder / "done", proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return (folder / "done").read_text()


@pytest.mark.subprocess
def test_a_station_killed_while_offline_delivers_first_and_resumes_at_the_first_trial_not_answered(
        own_pg_server, dataset_dir, tmp_path):
    url = own_pg_server.create_database("lab")
    engine, session, plan = station_session(url, dataset_dir)
    engine.dispose()
    outbox = tmp_path / "outbox.sqlite3"
    assert killed_offline(CHILD, url, session.id, outbox, tmp_path, own_pg_server) == "3"
    own_pg_server.start()
    engine = open_database(url)
    assert sorted(stored(engine, session.id)) == sorted(t.id for t in plan[:2])  # the journal holds the rest
    link = StationLink(engine, Outbox(outbox), "booth1")
    assert link.state == "catching up" and link.outbox.count() == 3
    runner = SessionRunner(engine, session.id, link=link)
    runner.begin()  # delivers first
    assert link.outbox.count() == 0
    assert sorted(stored(engine, session.id)) == sorted(t.id for t in plan[:5])
    assert runner.next_trial().id == plan[5].id
    assert runner.progress().answered == 5
    with DbSession(engine) as s:
        assert s.get(Session, session.id).next_position == plan[5].position


def test_on_a_sqlite_file_the_runner_has_no_journal(dataset_dir, tmp_path):
    engine, session, plan = station_session(tmp_path / "lab.sqlite3", dataset_dir)
    runner = SessionRunner(engine, session.id)
    runner.begin()
    trial = runner.next_trial()
    runner.answer(trial, trial.answer_letter)
    assert runner._journal is None and stored(engine, session.id) == [plan[0].id]
    assert runner.follows_practice(runner.next_trial()) == (plan[0].kind == "practice"
                                                            and plan[1].kind != "practice")


def test_a_station_waiting_between_sessions_says_in_one_line_that_a_new_session_needs_the_server(
        own_pg_server, dataset_dir, tmp_path):
    from db.engine import DatabaseFileError
    from tasks.labserver.needs_server import NEW_SESSION_NEEDS_SERVER

    engine, session, plan = station_session(own_pg_server.create_database("lab"), dataset_dir)
    link = StationLink(engine, Outbox(tmp_path / "outbox.sqlite3"), "booth1")
    own_pg_server.stop(keep=True)
    with pytest.raises(DatabaseFileError) as refused:
        link.wait_for_server(lambda: engine.connect().close(), wait_s=0.3, poll_s=0.05, why=NEW_SESSION_NEEDS_SERVER)
    line = str(refused.value)
    assert line.startswith(NEW_SESSION_NEEDS_SERVER + ": ") and "waited 0 s" in line and "\n" not in line
    own_pg_server.start()


def test_the_start_refused_line_counts_the_waiting_journal_entries():
    from tasks.labserver.needs_server import START_NEEDS_SERVER, start_refused

    assert start_refused() == START_NEEDS_SERVER
    assert start_refused(1) == START_NEEDS_SERVER + " 1 journal entry waits for it on this station."
    assert start_refused(3) == START_NEEDS_SERVER + " 3 journal entries wait for it on this station."
    assert "\n" not in start_refused(3)
