"""Shares assigned at enrolment on a real SQLite file: claims, a second share after a completed
one, release and abort returning trials to the pool."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from sqlmodel import Session as DbSession

from db import repo
from db.engine import open_database
from db.models import Response, Session
from tasks.cover.assign import StudyCovered
from tasks.cover.claims import CompletedClaims, claim_counts, items_had, unit_claims
from tasks.cover.context import CoverContexts
from tasks.cover.release import release_share
from tasks.cover.units import cover_units
from tasks.dataset.items import VARIANT_SOURCE
from tasks.dataset.loader import load_dataset
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.studies import open_study
from tests.support.cover_checks import cover_facts
from tests.support.cover_shape import write_cover_shape

PROTOCOL = Protocol(mode="full-robust", design="cover", responses_per_run=2, session_minutes=15,
                    practice_per_block=1, catch_every=8)


def _answer_all(engine, session_id: int, upto: int | None = None) -> None:
    with DbSession(engine) as s:
        trials = repo.planned_trials(s, session_id)[:upto]
        for t in trials:
            s.add(Response(planned_trial_id=t.id, session_id=session_id, chosen_letter="<A>", is_correct=True))
        session = s.get(Session, session_id)
        s.commit()
        if upto is None:
            repo.set_status(s, session, "completed")


def _kept_claims(s, study_id: int, kept: CompletedClaims) -> Counter:
    """claim_counts (what a share reads) as unit -> claims, to set beside unit_claims (read whole)."""
    counts = claim_counts(s, study_id, PROTOCOL.mode, kept)
    return Counter({kept.keys[i]: int(counts[i]) for i in np.flatnonzero(counts)})


def _enrol_until_covered(engine, ds, st, shares, codes) -> None:
    """Enrol a participant per code and answer their share, until the study is covered."""
    for code in codes:
        try:
            session = start_or_resume(engine, ds, st, code, "test", shares=shares)
        except StudyCovered:
            return
        _answer_all(engine, session.id)
    raise AssertionError("the study was not covered by these participants")


@pytest.fixture
def study(tmp_path):
    ds = load_dataset(write_cover_shape(tmp_path / "ds", n_pc=20, n_tr=10, n_sr=6))
    engine = open_database(tmp_path / "lab.db")
    return engine, ds, open_study(engine, ds, "c", PROTOCOL)


def test_shares_never_claim_a_unit_more_than_k_times_and_a_participant_never_an_item_twice(study):
    engine, ds, st = study
    shares = CoverContexts()
    first = start_or_resume(engine, ds, st, "P001", "test", shares=shares)
    assert start_or_resume(engine, ds, st, "P001", "test", shares=shares).id == first.id  # live: resumed
    _answer_all(engine, first.id)
    second = start_or_resume(engine, ds, st, "P001", "test", shares=shares)  # completed: a new share
    assert second.id != first.id and second.cohort_index == 1
    with DbSession(engine) as s:
        p1 = [t for x in (first, second) for t in repo.planned_trials(s, x.id) if t.kind != "catch"]
    keys = [(VARIANT_SOURCE[t.variant], t.item_id) for t in p1]
    assert len(keys) == len(set(keys))  # no item twice, practice included, across both shares
    _answer_all(engine, second.id)
    _enrol_until_covered(engine, ds, st, shares, (f"Q{n:03d}" for n in range(1000)))
    _assert_covered(engine, ds, st)


def _assert_covered(engine, ds, st) -> None:
    facts = cover_facts(engine, st.id, PROTOCOL.mode)
    units = {u.key for u in cover_units(ds, PROTOCOL)}
    assert set(facts["answers"]) == units and set(facts["answers"].values()) == {2}
    assert facts["participants_per_unit"] == {2: len(units)}
    assert facts["items_given_twice"] == 0


def test_released_and_aborted_shares_return_to_the_pool_and_later_participants_complete_them(study):
    engine, ds, st = study
    shares = CoverContexts()
    gone = start_or_resume(engine, ds, st, "P001", "test", shares=shares)
    _answer_all(engine, gone.id, upto=5)
    with DbSession(engine) as s:
        held = sum(unit_claims(s, st.id, PROTOCOL.mode).values())
        n_test = sum(t.kind == "test" for t in repo.planned_trials(s, gone.id))
        answered_tests = sum(t.kind == "test" for t in repo.planned_trials(s, gone.id)[:5])
    assert held == n_test
    returned = release_share(engine, gone.id, by="AB")
    assert returned == n_test - answered_tests
    with DbSession(engine) as s:
        assert sum(unit_claims(s, st.id, PROTOCOL.mode).values()) == answered_tests
    quitter = start_or_resume(engine, ds, st, "P002", "test", shares=shares)
    with DbSession(engine) as s:
        repo.set_status(s, s.get(Session, quitter.id), "aborted")
    # the one who left may come back: a new share, without the items already heard
    back = start_or_resume(engine, ds, st, "P001", "test", shares=shares)
    with DbSession(engine) as s:
        had_before = {t.item_id for t in repo.planned_trials(s, gone.id)}
        assert not had_before & {t.item_id for t in repo.planned_trials(s, back.id)}
        assert items_had(s, st.id, back.participant_id) >= {(VARIANT_SOURCE[t.variant], t.item_id)
                                                            for t in repo.planned_trials(s, gone.id)}
    _answer_all(engine, back.id)
    _enrol_until_covered(engine, ds, st, shares, (f"P{n:03d}" for n in range(3, 1000)))
    _assert_covered(engine, ds, st)


def test_claims_kept_for_completed_sessions_equal_claims_read_whole(study):
    engine, ds, st = study
    shares = CoverContexts()
    kept = CompletedClaims()
    sessions = [start_or_resume(engine, ds, st, f"P{n:03d}", "test", shares=shares) for n in range(3)]
    _answer_all(engine, sessions[0].id)
    _answer_all(engine, sessions[1].id, upto=4)
    with DbSession(engine) as s:
        assert _kept_claims(s, st.id, kept) == unit_claims(s, st.id, PROTOCOL.mode)
        assert kept.sessions == {sessions[0].id}
        repo.set_status(s, s.get(Session, sessions[0].id), "aborted")  # changed by hand: read again
        assert _kept_claims(s, st.id, kept) == unit_claims(s, st.id, PROTOCOL.mode)
        assert kept.sessions == set()


def test_claims_kept_across_shares_follow_live_withheld_released_aborted_and_late_answers(study):
    """The kept claims (live plans read once, completed sessions read once, the others every time)
    equal the claims read whole at every step, except a trial withheld in a session already kept
    as live: one claim more until the session ends, never fewer."""
    engine, ds, st = study
    shares = CoverContexts()
    kept = CompletedClaims()
    sessions = [start_or_resume(engine, ds, st, f"P{n:03d}", "test", shares=shares) for n in range(4)]

    def same() -> None:
        with DbSession(engine) as s:
            assert _kept_claims(s, st.id, kept) == unit_claims(s, st.id, PROTOCOL.mode)

    with DbSession(engine) as s:
        first_test = [t for t in repo.planned_trials(s, sessions[0].id) if t.kind == "test"]
    repo.withhold_trial(engine, sessions[0].id, first_test[0].id, "over the ceiling")  # before it is seen
    same()
    assert set(kept.live) == {x.id for x in sessions}
    _answer_all(engine, sessions[1].id, upto=6)
    release_share(engine, sessions[1].id, by="AB")
    with DbSession(engine) as s:
        repo.set_status(s, s.get(Session, sessions[2].id), "aborted")
    same()
    with DbSession(engine) as s:  # a station still answering the released share: counted
        for trial in repo.planned_trials(s, sessions[1].id)[6:]:
            s.add(Response(planned_trial_id=trial.id, session_id=sessions[1].id, chosen_letter="<A>", is_correct=True))
        s.commit()
    _answer_all(engine, sessions[3].id)
    same()
    assert kept.sessions == {sessions[3].id} and set(kept.live) == {sessions[0].id}
    repo.withhold_trial(engine, sessions[0].id, first_test[1].id, "over the ceiling")  # kept live already
    with DbSession(engine) as s:
        over = _kept_claims(s, st.id, kept) - unit_claims(s, st.id, PROTOCOL.mode)
    assert sum(over.values()) == 1
    with DbSession(engine) as s:
        repo.set_status(s, s.get(Session, sessions[0].id), "aborted")
    same()
    assert not kept.live


def test_single_pass_answers_of_an_item_take_its_runs_in_turn(tmp_path):
    from sqlalchemy import text

    ds = load_dataset(write_cover_shape(tmp_path / "ds", n_pc=20, n_tr=10, n_sr=6))
    engine = open_database(tmp_path / "lab.db")
    protocol = Protocol(mode="single-pass", design="cover", responses_per_run=3, session_minutes=10,
                        practice_per_block=0)
    st = open_study(engine, ds, "sp", protocol)
    shares = CoverContexts()
    _enrol_until_covered(engine, ds, st, shares, (f"S{n:03d}" for n in range(1000)))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT t.variant, t.item_id, t.rotate_id FROM planned_trial t "
                                 "WHERE t.kind = 'test'")).all()
    runs: dict = {}
    for v, i, r in rows:
        runs.setdefault((v, i), []).append(r)
    assert len(runs) == 36 and all(len(r) == 3 for r in runs.values())
    # three answers of an item with three runs (tr, sr) take each run once
    assert all(len(set(r)) == 3 for (v, _), r in runs.items() if v in ("tr", "sr"))


@pytest.mark.pg
def test_a_session_completing_while_claims_are_read_is_still_counted(pg_url, tmp_path, monkeypatch):
    """The last answer of a session does not take the enrolment lock, so on PostgreSQL (each
    statement its own snapshot) a session may complete between the read of the completed list and
    the read of the others: its answers must count."""
    import tasks.cover.claims as claims_module
    ds = load_dataset(write_cover_shape(tmp_path / "ds", n_pc=20, n_tr=10, n_sr=6))
    engine = open_database(pg_url)
    st = open_study(engine, ds, "c", PROTOCOL)
    shares = CoverContexts()
    sessions = [start_or_resume(engine, ds, st, f"P{n:03d}", "test", shares=shares) for n in range(2)]
    with DbSession(engine) as s:
        whole_before = unit_claims(s, st.id, PROTOCOL.mode)
    real_rows = claims_module._driver_rows
    completed_between = []

    def rows_then_complete(s, sql):
        rows = real_rows(s, sql)
        if sql.startswith("SELECT id, status FROM session") and not completed_between:
            _answer_all(engine, sessions[1].id)  # another connection answers all and completes it
            completed_between.append(sessions[1].id)
        return rows

    monkeypatch.setattr(claims_module, "_driver_rows", rows_then_complete)
    with DbSession(engine) as s:
        claims = _kept_claims(s, st.id, CompletedClaims())
    assert completed_between == [sessions[1].id]
    assert claims == whole_before  # every planned unit answered instead: the same claims, none lost
