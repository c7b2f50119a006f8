"""Many stations on one PostgreSQL server (real server, real station processes): distinct codes
and gap-free counterbalancing positions, every answer exactly once, exports equal to the same
study on one SQLite file; a server that goes away mid-run until every station journals its
answers, a station killed with answers still in its journal."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

import pytest

from db.engine import open_database
from tests.support.factories import pc_items, sr_items, tr_items, write_dataset
from tests.support.station_runs import (ROOT, export_content, finish, reference_cmd, start_stations, station_cmd,
                                        study_facts)
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.subprocess]


@pytest.fixture
def dataset(tmp_path):
    """A small bank (13 trials a participant): the many answers of these runs cost time, not coverage."""
    return write_dataset(tmp_path / "starbench", pc=pc_items(per_sub=1), tr=tr_items(per_sub=1),
                         sr=sr_items(per_cat=1))


def planned(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT COUNT(*) FROM planned_trial").scalar_one()


def reference(tmp_path, dataset, participants: int):
    db = tmp_path / "reference.sqlite3"
    done = subprocess.run(reference_cmd(dataset, db, participants), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return open_database(db, create=False)


def answered(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT COUNT(*) FROM response").scalar_one()


def stations_answering(engine) -> int:
    """How many stations have an answer on the server."""
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT COUNT(DISTINCT s.station) FROM session s JOIN response r "
                                    "ON r.session_id = s.id").scalar_one()


def journal_pending(path) -> int:
    if not path.is_file():
        return 0
    con = sqlite3.connect(path, timeout=5)
    try:
        return con.execute("SELECT COUNT(*) FROM journal WHERE state = 'pending'").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0
    finally:
        con.close()


def every_held_station_journals(procs, held, folder) -> list[int] | None:
    """The answers waiting in each station's journal once every held station that still runs
    has some there (None before)."""
    journals = [journal_pending(folder / f"outbox-{i}.sqlite3") for i in range(len(procs))]
    waiting = [n for p, n in zip(procs, journals) if p in held and p.poll() is None]
    return journals if all(waiting) and sum(journals) > 0 else None


def test_eight_stations_fill_one_study_as_one_computer_would(pg_url, tmp_path, dataset):
    open_database(pg_url).dispose()  # the experimenter creates the schema; then the stations start at once
    procs = start_stations(dataset, pg_url, n_stations=8, participants=25, folder=tmp_path)
    # the same study on one SQLite file, in one process, meanwhile
    ref_db = tmp_path / "reference.sqlite3"
    ref_proc = subprocess.Popen(reference_cmd(dataset, ref_db, 200), cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    finish(procs + [ref_proc])
    engine = open_database(pg_url)
    facts = study_facts(engine)
    assert sorted(facts["codes"]) == [f"SIM{k:03d}" for k in range(1, 201)]  # 200 distinct codes
    assert facts["positions"] == list(range(200))  # each position once, no gap
    assert facts["stations"] == [f"booth{i}" for i in range(8)]
    assert facts["statuses"] == {"completed"}
    assert facts["answers_per_trial"] == [1]  # none lost, none doubled
    with engine.connect() as conn:
        per_station = conn.exec_driver_sql("SELECT station, COUNT(*) FROM session GROUP BY station").all()
    assert sorted(n for _, n in per_station) == [25] * 8
    ref = open_database(ref_db, create=False)
    assert study_facts(ref)["trials"] == facts["trials"]
    assert export_content(engine, tmp_path / "from-server") == export_content(ref, tmp_path / "from-file")



def test_server_away_mid_run_every_answer_arrives_once(own_pg_server, tmp_path, dataset):
    url = own_pg_server.create_database("lab")
    engine = open_database(url)
    procs = start_stations(dataset, url, n_stations=4, participants=3, folder=tmp_path, delay_ms=40)
    total = 12 * 13  # 12 sessions of 13 trials each
    deadline = time.monotonic() + 120
    while stations_answering(engine) < 4:  # every station under way
        failed = [p for p in procs if p.poll() not in (None, 0)]
        assert time.monotonic() < deadline and not failed, [p.communicate()[1][-2000:] for p in failed]
        time.sleep(0.1)
    # the stations are held while the server goes, so that it goes in the middle of their work
    # however fast this machine is; then they carry on without it
    held = [p for p in procs if p.poll() is None]
    for p in held:
        os.kill(p.pid, signal.SIGSTOP)
    assert held, "every station finished before the server could go"
    engine.dispose()
    own_pg_server.stop(keep=True)
    for p in held:
        os.kill(p.pid, signal.SIGCONT)
    # they carry on without it: each station still running journals its answers
    journals = wait_until(lambda: every_held_station_journals(procs, held, tmp_path), 120.0, interval_s=0.1,
                          what="answers in the journal of every station still running")
    own_pg_server.start()
    errs = finish(procs)
    assert sum(journals) > 0  # the stations kept answering into their journals meanwhile
    assert any("offline" in e for e in errs) and any("catching up" in e for e in errs)
    facts = study_facts(engine)
    assert facts["positions"] == list(range(12)) and facts["statuses"] == {"completed"}
    assert facts["trials"] == total and facts["answers_per_trial"] == [1]
    assert all(journal_pending(tmp_path / f"outbox-{i}.sqlite3") == 0 for i in range(4))
    ref = reference(tmp_path, dataset, 12)
    assert export_content(engine, tmp_path / "a") == export_content(ref, tmp_path / "b")


def test_a_station_killed_with_its_journal_full_delivers_it_after_restart(own_pg_server, tmp_path, dataset):
    url = own_pg_server.create_database("lab")
    engine = open_database(url)
    outbox = tmp_path / "outbox-booth.sqlite3"
    cmd = station_cmd(dataset, url, "booth", 1, outbox, delay_ms=30, print_commits=True)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(3):  # three answers on the server, then the server goes (the station held meanwhile)
        assert proc.stdout.readline().startswith("committed ")
    os.kill(proc.pid, signal.SIGSTOP)
    engine.dispose()
    own_pg_server.stop(keep=True)
    os.kill(proc.pid, signal.SIGCONT)
    deadline = time.monotonic() + 60
    while journal_pending(outbox) < 5:
        assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    held = journal_pending(outbox)
    assert held >= 5
    own_pg_server.start()
    assert answered(engine) < planned(engine)  # the journalled answers are not on the server yet
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    facts = study_facts(engine)
    assert facts["codes"] == ["SIM001"] and facts["statuses"] == {"completed"}
    assert facts["trials"] == 13 and facts["answers_per_trial"] == [1]
    con = sqlite3.connect(outbox)
    states = dict(con.execute("SELECT state, COUNT(*) FROM journal GROUP BY state").fetchall())
    con.close()
    assert states.get("pending", 0) == 0 and states.get("conflict", 0) == 0 and states["delivered"] >= held
    ref = reference(tmp_path, dataset, 1)
    assert export_content(engine, tmp_path / "a") == export_content(ref, tmp_path / "b")
