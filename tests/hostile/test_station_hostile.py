"""A station role (lab-grants' station rights on a real PostgreSQL server) asked for what only the
experimenter may do: one line naming what and where, exit 1, no traceback, nothing lost."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session as DbSession, select

import main
from db.engine import open_database
from db.models import Response, Study
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.studies import open_study
from tests.support.pg_roles import make_lab

ROOT = Path(__file__).resolve().parents[2]


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *argv], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


@pytest.mark.subprocess
@pytest.mark.parametrize("station", [[], ["--station", "booth1", "--wait-s", "5"]], ids=["plain", "station"])
def test_a_station_simulating_a_study_the_server_lacks_is_one_line(pg_server, dataset_dir, tmp_path, station):
    lab = make_lab(pg_server, stations=("booth1",))  # a login role bound to booth1, as docs/lab-server.md sets up
    owner = open_database(lab.owner_url())
    role = lab.logins["booth1"]
    ds = load_dataset(dataset_dir)
    open_study(owner, ds, "pilot", Protocol(practice_per_block=0))
    booth = lab.station_url("booth1")
    # the station answers in the study that exists, then asks for one that does not
    assert run("simulate", "--db", booth, "--dataset", str(dataset_dir), "--participants", "1", "--study", "pilot",
               "--outbox", str(tmp_path / "outbox.sqlite3"), *station).returncode == 0
    with DbSession(owner) as s:
        answers = len(s.exec(select(Response)).all())
    assert answers > 0
    done = run("simulate", "--db", booth, "--dataset", str(dataset_dir), "--participants", "1",
               "--study", "not_there", "--outbox", str(tmp_path / "outbox.sqlite3"), *station)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert [line for line in done.stderr.splitlines() if line.startswith("error")] == [last], done.stderr
    assert f"the study 'not_there' does not exist on the lab server" in last and repr(role) in last
    assert "may not create one" in last
    with DbSession(owner) as s:
        assert [st.name for st in s.exec(select(Study)).all()] == ["pilot"]
        assert len(s.exec(select(Response)).all()) == answers
    owner.dispose()
    lab.drop()


def start_station(db, dataset_dir, journal: Path) -> subprocess.Popen:
    """A station answering one simulated participant slowly (half a second per answer)."""
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "simulate", "--db", str(db), "--dataset",
                             str(dataset_dir), "--participants", "1", "--study", "p", "--station", "booth1",
                             "--delay-ms", "500", "--outbox", str(journal), "--print-commits"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def answers_of(db) -> list[tuple]:
    engine = open_database(db)
    with DbSession(engine) as s:
        rows = sorted((r.planned_trial_id, r.chosen_letter, r.rt_ms) for r in s.exec(select(Response)).all())
    engine.dispose()
    return rows


@pytest.mark.subprocess
@pytest.mark.parametrize("same_journal", [True, False], ids=["same-computer", "other-journal"])
def test_two_processes_as_one_station_the_second_is_refused_in_one_line(lab_db, dataset_dir, tmp_path, same_journal):
    first = start_station(lab_db, dataset_dir, tmp_path / "outbox.sqlite3")
    try:
        assert first.stdout.readline().startswith("committed ")  # the session is running
        before = answers_of(lab_db)
        done = run("simulate", "--db", str(lab_db), "--dataset", str(dataset_dir), "--participants", "1",
                   "--study", "p", "--station", "booth1", "--outbox",
                   str(tmp_path / ("outbox.sqlite3" if same_journal else "other.sqlite3")))
        if same_journal:  # refused before it answers anything
            assert done.returncode == 1 and done.stdout == "", done.stderr
            assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
            assert "station 'booth1' is already running in another process on this computer" in done.stderr
            assert "outbox.sqlite3 is in use" in done.stderr
            assert set(before) <= set(answers_of(lab_db))
        out, err = first.communicate(timeout=300)
    finally:
        first.kill()
        first.wait()
    assert "Traceback" not in err and "Traceback" not in done.stderr
    if same_journal:
        assert first.returncode == 0, err
    else:
        # on another journal (another computer) both answer the one session; the unique answer per
        # trial stops whichever comes second on a trial, in one line, and keeps what is stored
        stopped = [(p.returncode, e) for p, e in ((first, err), (done, done.stderr)) if p.returncode != 0]
        assert stopped, "the second answer to a trial was refused"
        for code, e in stopped:
            assert code == 1
            last = e.strip().splitlines()[-1]
            assert "is already answered by another process running as the same station" in last, e
    after = answers_of(lab_db)
    assert set(before) <= set(after)
    assert len({trial for trial, _, _ in after}) == len(after)  # one answer per trial
