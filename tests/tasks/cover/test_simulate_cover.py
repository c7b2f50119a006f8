"""simulate --design cover: until covered on a small study through the command line, and the
full-size study (951 pc, 900 tr, 502 sr items, 8,580 units, K=3, 60 minutes) in process."""
from __future__ import annotations

import subprocess
import sys

import pytest

from db.engine import open_database
from tasks.cover.units import cover_units
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate_cover
from tasks.study.plan import Protocol
from tests.support.cover_checks import cover_facts, share_estimates
from tests.support.cover_shape import write_cover_shape
from tests.support.station_runs import ROOT


def _assert_covered(engine, ds, protocol, study_id) -> None:
    facts = cover_facts(engine, study_id, protocol.mode)
    units = {u.key for u in cover_units(ds, protocol)}
    k = protocol.responses_per_run
    assert set(facts["answers"]) == units and set(facts["answers"].values()) == {k}
    assert facts["participants_per_unit"] == {k: len(units)}
    assert facts["items_given_twice"] == 0
    assert max(share_estimates(engine, study_id, ds)) <= protocol.session_minutes * 60


@pytest.mark.subprocess
def test_simulate_until_covered_from_the_command_line(tmp_path):
    root = write_cover_shape(tmp_path / "ds", n_pc=30, n_tr=10, n_sr=6)
    db = tmp_path / "lab.sqlite3"
    cmd = [sys.executable, str(ROOT / "main.py"), "simulate", "--dataset", str(root), "--db", str(db),
           "--design", "cover", "--protocol", "full-robust", "--responses-per-run", "2", "--session-minutes", "15",
           "--participants", "until-covered", "--study", "c"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "covered: every run has 2 answers" in done.stdout
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)  # resumes: nothing more to do
    assert again.returncode == 0 and done.stdout.split(" with a share")[0] == again.stdout.split(" with a share")[0]
    engine = open_database(db, create=False)
    ds = load_dataset(root)
    with engine.connect() as conn:
        study_id = conn.exec_driver_sql("SELECT id FROM study WHERE name = 'c'").scalar_one()
    _assert_covered(engine, ds, Protocol(mode="full-robust", design="cover", responses_per_run=2,
                                         session_minutes=15), study_id)
    usage = subprocess.run(cmd[:-4] + ["--design", "shared", "--participants", "until-covered"], cwd=ROOT,
                           capture_output=True, text=True)
    assert usage.returncode == 2 and "needs --design cover" in usage.stderr and "Traceback" not in usage.stderr


@pytest.mark.slow
def test_full_size_study_simulated_until_covered(tmp_path):
    ds = load_dataset(write_cover_shape(tmp_path / "ds"))
    engine = open_database(tmp_path / "lab.sqlite3")
    protocol = Protocol(mode="full-robust", design="cover", responses_per_run=3, session_minutes=60,
                        practice_per_block=2, catch_every=20)
    study, n, covered = simulate_cover(engine, ds, protocol, None, Observer("perfect"), "test", study_name="full")
    assert covered and 100 < n < 250
    _assert_covered(engine, ds, protocol, study.id)
