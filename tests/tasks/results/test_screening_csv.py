"""screening.csv from a real SQLite file with screening rows, written by the export beside
trials.csv and described in screening.columns.json."""
from __future__ import annotations

import csv
import json

import pytest
from sqlmodel import Session as DbSession, select

from db import repo
from db.engine import open_database
from db.models import Participant, Session
from tasks.results.trial_records import ExportError
from tasks.results.export import export
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol
from tasks.results.screening_csv import SCREENING_COLUMNS
from tasks.simulation.simulate import simulate
from tests.support.factories import pc_items, write_dataset


def _result(test: str, correct: int, passed: bool) -> dict:
    return {"test": test, "correct": correct, "trials": 6, "passed": passed}


@pytest.fixture
def engine(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "d", pc=pc_items(per_sub=2), tr=[], sr=[]))
    engine = open_database(tmp_path / "lab.sqlite3")
    simulate(engine, ds, Protocol(variants=["pc"], practice_per_block=0), 3, Observer("perfect"), "test",
             study_name="pilot")
    yield engine
    engine.dispose()


def _sessions(engine) -> dict[str, int]:
    with DbSession(engine) as s:
        rows = s.exec(select(Participant.code, Session.id).join(Session, Session.participant_id == Participant.id)).all()
    return dict(rows)


def test_screening_csv_holds_the_last_screening_of_each_screened_session(engine, tmp_path):
    ids = _sessions(engine)
    with DbSession(engine) as s:
        repo.audit(s, "screening", json.dumps([_result("antiphase", 2, False)]), ids["SIM001"])  # then redone
        repo.audit(s, "screening", json.dumps([_result("antiphase", 6, True), _result("huggins", 5, True)]),
                   ids["SIM001"])
        repo.audit(s, "screening", json.dumps([_result("antiphase", 6, True), _result("huggins", 3, False)]),
                   ids["SIM002"])
    out = tmp_path / "out"
    result = export(engine, out, "test")
    assert out / "screening.csv" in result.files and (out / "trials.csv").exists()
    with open(out / "screening.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["study", "participant", "session", "test", "correct", "trials", "passed", "at", "seed"]
    assert [(r["participant"], r["session"], r["test"], r["correct"], r["trials"], r["passed"]) for r in rows] == [
        ("SIM001", str(ids["SIM001"]), "antiphase", "6", "6", "true"),
        ("SIM001", str(ids["SIM001"]), "huggins", "5", "6", "true"),
        ("SIM002", str(ids["SIM002"]), "antiphase", "6", "6", "true"),
        ("SIM002", str(ids["SIM002"]), "huggins", "3", "6", "false"),
    ]  # SIM003 was not screened: no row
    assert all(r["study"] == "pilot" and r["at"].endswith("+00:00") for r in rows)
    sidecar = json.loads((out / "screening.columns.json").read_text(encoding="utf-8"))
    assert sidecar["columns"] == SCREENING_COLUMNS and set(sidecar["columns"]) == set(rows[0])
    assert sidecar["sessions_screened"] == 2


def test_a_damaged_screening_row_is_named_and_leaves_no_export(engine, tmp_path):
    ids = _sessions(engine)
    with DbSession(engine) as s:
        repo.audit(s, "screening", "[{\"test\": \"antiphase\"}]", ids["SIM003"])
    out = tmp_path / "out"
    with pytest.raises(ExportError) as err:
        export(engine, out, "test")
    assert f"screening record of session {ids['SIM003']}, entry 0: field 'correct'" in str(err.value)
    # the export is whole or absent: no trials.csv without its screening.csv, no hidden sibling left
    assert not out.exists() and list(tmp_path.glob(".out.*")) == []


def test_no_screening_gives_a_header_only_file(engine, tmp_path):
    out = tmp_path / "out"
    export(engine, out, "test")
    assert (out / "screening.csv").read_text(encoding="utf-8").splitlines() == [",".join(SCREENING_COLUMNS)]
