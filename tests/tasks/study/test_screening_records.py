"""Screening outcomes read back from a real SQLite file, as the exports and the report read them."""
from __future__ import annotations

import json

import pytest
from sqlmodel import Session as DbSession

from db import repo
from db.engine import open_database
from db.models import Participant, Session, Study
from tasks.study.screening_records import (ScreeningRecordError, failed_participants, read_screening,
                                     summary_by_participant)


def _session(s, study: Study, code: str, cohort_index: int) -> int:
    p = repo.add_participant(s, Participant(code=code))
    se = repo.add_session(s, Session(study_id=study.id, participant_id=p.id, cohort_index=cohort_index,
                                     plan_seed=1, app_version="test"), [])
    return se.id


def _result(test: str, correct: int, passed: bool) -> dict:
    return {"test": test, "correct": correct, "trials": 6, "passed": passed}


@pytest.fixture
def engine(tmp_path):
    engine = open_database(tmp_path / "lab.sqlite")
    yield engine
    engine.dispose()


def test_last_screening_of_each_session_decides(engine):
    with DbSession(engine) as s:
        study = repo.add_study(s, Study(name="pilot", dataset_root="x", dataset_fingerprint="f", protocol_json="{}"))
        a = _session(s, study, "P001", 0)
        b = _session(s, study, "P002", 1)
        _session(s, study, "P003", 2)  # never screened
        repo.audit(s, "screening", json.dumps([_result("antiphase", 2, False), _result("huggins", 6, True)]), a)
        repo.audit(s, "screening", json.dumps([_result("antiphase", 6, True), _result("huggins", 5, True)]), a)
        repo.audit(s, "screening", json.dumps([_result("antiphase", 6, True), _result("huggins", 3, False)]), b)
        repo.audit(s, "paused", "not a screening row", b)
    outcomes = read_screening(engine)
    assert [(o.participant_code, o.test, o.n_correct, o.passed) for o in outcomes] == [
        ("P001", "antiphase", 6, True), ("P001", "huggins", 5, True),
        ("P002", "antiphase", 6, True), ("P002", "huggins", 3, False)]
    assert failed_participants(outcomes) == {("pilot", "P002"): ["huggins"]}
    assert summary_by_participant(outcomes)[("pilot", "P002")] == "antiphase 6/6 pass; huggins 3/6 FAIL"
    assert read_screening(engine, "other study") == []


@pytest.mark.parametrize("detail, message", [
    ("{not json", "not valid JSON"),
    ('{"test": "antiphase"}', "expected a list"),
    ('[{"test": "antiphase", "correct": 7, "trials": 6, "passed": true}]', "7 correct of 6"),
    ('[{"test": "antiphase", "correct": true, "trials": 6, "passed": true}]', "'correct'"),
])
def test_a_damaged_row_is_named(engine, detail, message):
    with DbSession(engine) as s:
        study = repo.add_study(s, Study(name="pilot", dataset_root="x", dataset_fingerprint="f", protocol_json="{}"))
        sid = _session(s, study, "P001", 0)
        repo.audit(s, "screening", detail, sid)
    with pytest.raises(ScreeningRecordError, match=message) as info:
        read_screening(engine)
    assert f"session {sid}" in str(info.value)
