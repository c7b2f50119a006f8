"""Inputs that are not regular files (a FIFO, /dev/zero, /dev/null) given where the app reads a
file: each command answers one line naming it, exit 1, in a real process (a read of a FIFO
would block: the timeout turns a hang into a failure), and creates nothing. The model folder's
files and `report --item-params /dev/zero` are in test_damaged_inputs.py."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from audio.headphone_eq import HeadphoneEqError
from db.engine import open_database
from tasks.presentation.headphone_setting import load_for_station
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate
from tasks.study.plan import Protocol
from tests.support.factories import write_dataset

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.subprocess


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *argv], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def one_line(done: subprocess.CompletedProcess, text: str) -> None:
    """Exit 1 and stderr exactly one line, holding text once."""
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.endswith("\n"), done.stderr
    assert done.stderr.count(text) == 1, done.stderr


@pytest.mark.parametrize("target", ["fifo", "/dev/zero", "/dev/null"])
@pytest.mark.parametrize("command", ["simulate", "export"])
def test_a_database_that_is_not_a_file(tmp_path, fifo, target, command):
    db = str(fifo) if target == "fifo" else target
    extra = (["--dataset", str(write_dataset(tmp_path / "ds")), "--participants", "1"] if command == "simulate"
             else ["--out", str(tmp_path / "out")])
    one_line(run(command, "--db", db, *extra), f"error: {db} is not a regular file")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["fifo"] + (["ds"] if command == "simulate" else []))


def test_item_params_that_is_a_fifo(tmp_path, fifo):
    """Against a study that exists, so that the refusal is the item parameters' own."""
    lab = tmp_path / "lab.sqlite3"
    engine = open_database(lab)
    simulate(engine, load_dataset(write_dataset(tmp_path / "ds")), Protocol(practice_per_block=0, seed=2), 2,
             Observer("perfect"), "test", study_name="s")
    engine.dispose()
    one_line(run("report", "--db", str(lab), "--study", "s", "--out", str(tmp_path / "o"), "--bootstrap", "10",
                 "--item-params", str(fifo)), f"{fifo}: not a regular file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "fifo", "lab.sqlite3"]


@pytest.mark.parametrize("target", ["fifo", "/dev/zero"])
def test_a_bundle_that_is_not_a_file(tmp_path, fifo, target):
    bundle = str(fifo) if target == "fifo" else target
    open_database(tmp_path / "lab.sqlite3").dispose()
    one_line(run("import-results", "--db", str(tmp_path / "lab.sqlite3"), bundle), f"refused: {bundle}: ")


@pytest.mark.parametrize("target", ["fifo", "/dev/zero"])
def test_an_hrtf_or_headphone_file_that_is_not_a_file(tmp_path, fifo, target):
    path = str(fifo) if target == "fifo" else target
    one_line(run("generate-bank", "--out", str(tmp_path / "bank"), "--hrtf", path), f"{path}: HRTF file not found")
    assert not (tmp_path / "bank").exists()
    with pytest.raises(HeadphoneEqError, match="headphone measurement not found"):
        load_for_station(path, 48_000)
