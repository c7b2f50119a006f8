"""The units a cover study answers, and the answers counted per unit from a real SQLite file."""
from __future__ import annotations

from sqlmodel import Session as DbSession

from db.engine import open_database
from db.models import Response
from db import repo
from tasks.cover.counts import answered_counts
from tasks.cover.units import cover_units, rotation_for
from tasks.dataset.loader import load_dataset
from tasks.dataset.runs import n_runs
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import PlanError, Protocol
from tasks.study.studies import open_study
from tests.support.factories import write_dataset

import pytest


def test_full_robust_units_are_every_run_and_single_pass_units_every_item(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "ds"))
    robust = cover_units(ds, Protocol(mode="full-robust", design="cover"))
    single = cover_units(ds, Protocol(mode="single-pass", design="cover"))
    expected = sum(n_runs(i) for v in ("pc", "tr", "sr") for i in ds.items[v])
    assert len(robust) == expected and len({u.key for u in robust}) == expected
    assert len(single) == sum(len(ds.items[v]) for v in ("pc", "tr", "sr"))
    assert all(u.rotate_id is None for u in single)
    item = single[0]
    rotations = {rotation_for(item, j, seed=7) for j in range(n_runs(item.item))}
    assert rotations == set(range(n_runs(item.item)))  # n_runs answers cover every run once


def test_protocol_refuses_bad_design_fields():
    with pytest.raises(PlanError, match="design"):
        Protocol(design="overlap")
    with pytest.raises(PlanError, match="responses_per_run"):
        Protocol(design="cover", responses_per_run=0)
    with pytest.raises(PlanError, match="session_minutes"):
        Protocol(session_minutes=float("nan"))
    assert "design" not in Protocol().to_json()  # studies without the design store as before


def test_answered_counts_count_test_answers_per_unit(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "ds"))
    engine = open_database(tmp_path / "lab.db")
    study = open_study(engine, ds, "s", Protocol(mode="full-robust", practice_per_block=0, catch_every=4))
    session = start_or_resume(engine, ds, study, "P001", "test")
    with DbSession(engine) as s:
        trials = repo.planned_trials(s, session.id)
        trials = [t for t in trials if t.kind == "catch"][:1] + [t for t in trials if t.kind == "test"][:3]
        assert len(trials) == 4
        expected = {(t.variant, t.item_id, t.rotate_id): 1 for t in trials[1:]}  # a catch trial's answer: not counted
        for t in trials:
            s.add(Response(planned_trial_id=t.id, session_id=session.id, chosen_letter="<A>", is_correct=True))
        s.commit()
        counts = answered_counts(s, study.id, "full-robust")
    assert counts == expected
