"""Coverage of a cover study: units by answers so far, and what is still needed."""
from __future__ import annotations

import math

import pytest
from sqlmodel import Session as DbSession

from db import repo
from tasks.cover.coverage import coverage_summary, seconds_per_trial, trials_per_session
from tasks.cover.units import cover_units
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.session_time import ANSWER_ALLOWANCE_S, SETUP_ALLOWANCE_S, UNKNOWN_TRIAL_S
from tests.support.cover_db import build_cover_study, cover_protocol
from tests.support.factories import pc_items, sr_items, tr_items, write_dataset


@pytest.fixture
def ds(tmp_path):
    return load_dataset(write_dataset(tmp_path / "d", pc=pc_items(2), tr=tr_items(1), sr=sr_items(1)))


def test_full_coverage_needs_nothing(tmp_path, ds):
    protocol = cover_protocol(k=2)
    built = build_cover_study(tmp_path / "c.sqlite", ds, protocol)
    with DbSession(built.engine) as s:
        summary = coverage_summary(s, ds, repo.get_study(s, "cover"))
    assert summary.responses_per_run == 2
    assert summary.answers_needed == 0 and summary.participants_needed == 0 and summary.person_hours_needed == 0
    assert sum(g.runs for g in summary.groups) == len(cover_units(ds, protocol))
    assert all(g.by_answers == (0, 0, g.runs) for g in summary.groups)
    assert [g.group.split("/")[0] for g in summary.groups] == sorted(
        (g.group.split("/")[0] for g in summary.groups), key=["pc", "tr", "sr"].index)


def test_under_covered_units_are_counted_and_priced(tmp_path, ds):
    protocol = cover_protocol(k=3, session_minutes=10.0)
    units = cover_units(ds, protocol)
    missing = {units[0].key: 3, units[1].key: 1, units[-1].key: 2}
    built = build_cover_study(tmp_path / "c.sqlite", ds, protocol, missing=missing)
    with DbSession(built.engine) as s:
        study = repo.get_study(s, "cover")
        summary = coverage_summary(s, ds, study)
        trial_s = seconds_per_trial(s, ds, study, protocol)
    assert summary.answers_needed == 6
    first = next(g for g in summary.groups if g.group == units[0].group)
    assert first.by_answers[0] >= 1 and sum(first.by_answers) == first.runs
    total = [sum(g.by_answers[a] for g in summary.groups) for a in range(4)]
    assert total == [1, 1, 1, len(units) - 3]
    per_session = trials_per_session(protocol.session_minutes, protocol.break_every, trial_s)
    # a unit lacking 3 answers needs 3 different people, however short the answers are
    assert summary.participants_needed == max(3, math.ceil(6 / per_session))
    assert summary.person_hours_needed == pytest.approx(
        (6 * trial_s + summary.participants_needed * SETUP_ALLOWANCE_S) / 3600)
    # rt 1-4 s plus 50 ms clips and gaps: the measured median, not the estimate
    assert 1.0 < trial_s < 5.0


def test_estimate_before_any_answer(tmp_path, ds):
    protocol = cover_protocol(k=2, mode="single-pass")
    units = cover_units(ds, protocol)
    built = build_cover_study(tmp_path / "c.sqlite", ds, protocol, missing={u.key: 2 for u in units})
    with DbSession(built.engine) as s:
        study = repo.get_study(s, "cover")
        summary = coverage_summary(s, ds, study)
        trial_s = seconds_per_trial(s, ds, study, protocol)
    assert summary.answers_needed == 2 * len(units)
    assert all(g.by_answers == (g.runs, 0, 0) for g in summary.groups)
    # 50 ms clips and gaps read from the headers plus the answering allowance, not the unknown-trial figure
    assert ANSWER_ALLOWANCE_S < trial_s < ANSWER_ALLOWANCE_S + 1.0 < UNKNOWN_TRIAL_S


def test_shared_design_is_read_with_k_1(tmp_path, ds):
    from db.engine import open_database
    from tasks.simulation.observers import Observer
    from tasks.simulation.simulate import simulate
    engine = open_database(tmp_path / "s.sqlite")
    simulate(engine, ds, Protocol(mode="full-robust", practice_per_block=0, min_run_spacing=1), 1,
             Observer("perfect"), "test", study_name="shared")
    with DbSession(engine) as s:
        summary = coverage_summary(s, ds, repo.get_study(s, "shared"))
    assert summary.responses_per_run == 1 and summary.answers_needed == 0
    assert all(g.by_answers == (0, g.runs) for g in summary.groups)
