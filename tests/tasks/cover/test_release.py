"""Releasing a cover share on a real SQLite file: status, audit log and the count returned."""
from __future__ import annotations

import pytest
from sqlmodel import Session as DbSession

from db import repo
from db.engine import open_database
from db.models import Response, Session
from tasks.cover.release import release_share
from tasks.dataset.loader import load_dataset
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.studies import StudyError, open_study
from tests.support.factories import write_dataset


def _answer(engine, session_id: int, n: int) -> None:
    with DbSession(engine) as s:
        tests = [t for t in repo.planned_trials(s, session_id) if t.kind == "test"][:n]
        for t in tests:
            s.add(Response(planned_trial_id=t.id, session_id=session_id, chosen_letter="<A>", is_correct=True))
        s.commit()


def test_release_marks_the_session_and_returns_its_unanswered_test_trials(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "ds"))
    engine = open_database(tmp_path / "lab.db")
    study = open_study(engine, ds, "c", Protocol(design="cover", practice_per_block=0, session_minutes=20))
    session = start_or_resume(engine, ds, study, "P001", "test")
    with DbSession(engine) as s:
        n_test = sum(t.kind == "test" for t in repo.planned_trials(s, session.id))
    _answer(engine, session.id, 2)
    assert release_share(engine, session.id, by="AB") == n_test - 2
    with DbSession(engine) as s:
        assert s.get(Session, session.id).status == "released"
        last = repo.audit_log(s, session.id)[-1]
    assert last.event == "released" and "by AB" in last.detail and f"{n_test - 2} unanswered" in last.detail
    assert release_share(engine, session.id, by="AB") == 0  # again: nothing changes


def test_completed_and_shared_design_sessions_cannot_be_released(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "ds"))
    engine = open_database(tmp_path / "lab.db")
    shared = open_study(engine, ds, "s", Protocol(practice_per_block=0))
    session = start_or_resume(engine, ds, shared, "P001", "test")
    with pytest.raises(StudyError, match="not a cover study"):
        release_share(engine, session.id, by="AB")
    cover = open_study(engine, ds, "c", Protocol(design="cover", practice_per_block=0))
    done = start_or_resume(engine, ds, cover, "P002", "test")
    with DbSession(engine) as s:
        repo.set_status(s, s.get(Session, done.id), "completed")
    with pytest.raises(StudyError, match="completed"):
        release_share(engine, done.id, by="AB")
    with pytest.raises(StudyError, match="no session"):
        release_share(engine, 999, by="AB")


def test_a_released_session_is_neither_resumed_nor_offered(tmp_path):
    from tasks.study.runner import SessionRunner
    from tests.support.cover_shape import write_cover_shape

    ds = load_dataset(write_cover_shape(tmp_path / "ds", n_pc=30, n_tr=10, n_sr=6))
    engine = open_database(tmp_path / "lab.db")
    study = open_study(engine, ds, "c", Protocol(design="cover", practice_per_block=0, session_minutes=10))
    session = start_or_resume(engine, ds, study, "P001", "test")
    release_share(engine, session.id, by="AB")
    with pytest.raises(StudyError, match="released"):
        SessionRunner(engine, session.id).begin()
    with DbSession(engine) as s:
        assert session.id not in {x.id for x in repo.unfinished_sessions(s)}
        assert s.get(Session, session.id).ended_at is not None
    again = start_or_resume(engine, ds, study, "P001", "test")
    assert again.id != session.id and again.status == "planned"
