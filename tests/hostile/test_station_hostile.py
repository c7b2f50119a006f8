"""A station role (lab-grants' station rights on a real PostgreSQL server) asked for what only the
experimenter may do: one line naming what and where, exit 1, no traceback, nothing lost."""
from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session as DbSession, select

import main
from db.engine import open_database
from db.models import Response, Study
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.studies import open_study

ROOT = Path(__file__).resolve().parents[2]


def station_roles(pg_server, pg_url) -> tuple[str, str]:
    suffix = uuid.uuid4().hex[:8]
    station, experimenter = f"station_{suffix}", f"experimenter_{suffix}"
    pg_server.psql(f'CREATE ROLE "{station}" LOGIN; CREATE ROLE "{experimenter}" LOGIN')
    assert main.main(["lab-grants", "--db", pg_url, "--station-role", station,
                      "--experimenter-role", experimenter]) == 0
    return station, experimenter


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *argv], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


@pytest.mark.subprocess
@pytest.mark.parametrize("station", [[], ["--station", "booth1", "--wait-s", "5"]], ids=["plain", "station"])
def test_a_station_simulating_a_study_the_server_lacks_is_one_line(pg_url, pg_server, dataset_dir, tmp_path, station):
    owner = open_database(pg_url)
    database = owner.url.database
    role, _ = station_roles(pg_server, pg_url)
    ds = load_dataset(dataset_dir)
    open_study(owner, ds, "pilot", Protocol(practice_per_block=0))
    booth = pg_server.url(database, role=role)
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
