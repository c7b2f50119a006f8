"""The session length of a protocol (tasks/study/session_time.estimate_protocol) against a
simulated session: its clips as played plus its stored response times."""
import statistics

import pytest
from sqlmodel import Session as DbSession, select

from db.engine import open_database
from db.models import PlannedTrial, Response
from tasks.cover.assign import first_share_estimate
from tasks.dataset.loader import load_dataset
from tasks.presentation.presenter import CONTEXT_GAP_S, DEFAULT_GAP_S
from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate
from tasks.study.plan import Protocol, plan_size
from tasks.study.session_time import (ANSWER_ALLOWANCE_S, BREAK_ALLOWANCE_S, SETUP_ALLOWANCE_S, RunSeconds,
                                      estimate_protocol, study_rts_ms)
from tasks.study.studies import run_for
from tests.support.timed_dataset import write_timed_dataset


@pytest.fixture
def lab(tmp_path):
    ds = load_dataset(write_timed_dataset(tmp_path / "ds"))
    db = open_database(tmp_path / "lab.sqlite3")
    yield db, ds
    db.dispose()


def simulated_session_s(db, ds, study_id: int) -> tuple[float, float, int]:
    """The first session's answered trials: (their clip seconds plus their stored rt_ms, the
    same with the gaps the presenter plays between clips, how many)."""
    durations = RunSeconds(ds)
    with DbSession(db) as s:
        rows = s.exec(select(PlannedTrial, Response.rt_ms).join(Response, Response.planned_trial_id == PlannedTrial.id)
                      .where(PlannedTrial.session_id == 1)).all()
    clips_s = played_s = 0.0
    for trial, rt_ms in rows:
        context, main = durations.clips_s(run_for(ds, trial))
        clips_s += sum(context) + sum(main) + rt_ms / 1000.0
        played_s += (sum(context) + CONTEXT_GAP_S * len(context) + sum(main) + DEFAULT_GAP_S * (len(main) - 1)
                     + rt_ms / 1000.0)
    return clips_s, played_s, len(rows)


@pytest.mark.parametrize("mode", ["single-pass", "full-robust"])
def test_estimate_is_within_15_percent_of_a_simulated_session(lab, mode):
    db, ds = lab
    protocol = Protocol(mode=mode, variants=["pc", "tr", "sr"], practice_per_block=1, catch_every=5, seed=4)
    before = estimate_protocol(ds, protocol)
    assert before.answers_measured == 0 and before.answer_s == ANSWER_ALLOWANCE_S
    study = simulate(db, ds, protocol, 2, Observer("perfect"), "test", study_name="timed")
    rts = study_rts_ms(db, study.id)
    est = estimate_protocol(ds, protocol, rts)
    assert est.answers_measured == len(rts) > 0
    assert est.answer_s == pytest.approx(statistics.median(rts) / 1000.0)
    clips_s, played_s, n = simulated_session_s(db, ds, study.id)
    assert est.trials == n == sum(plan_size(ds, protocol).values())
    assert est.trial_time_s == pytest.approx(clips_s, rel=0.15)
    assert est.trial_time_s == pytest.approx(played_s, rel=0.15)
    assert est.total_s == pytest.approx(est.trial_time_s + SETUP_ALLOWANCE_S + BREAK_ALLOWANCE_S * est.breaks)
    print(mode, "estimate", round(est.trial_time_s, 1), "clips+rt", round(clips_s, 1), "played+rt", round(played_s, 1))


def test_a_cover_share_fits_the_session_minutes(lab):
    db, ds = lab
    whole = estimate_protocol(ds, Protocol(mode="full-robust", practice_per_block=1, break_every=10))
    assert whole.share_of is None and whole.total_s > 9 * 60
    protocol = Protocol(mode="full-robust", practice_per_block=1, break_every=10, design="cover", session_minutes=8)
    share = first_share_estimate(ds, protocol)
    assert share.share_of == whole.test_trials and 0 < share.test_trials < whole.test_trials
    assert share.total_s <= 8 * 60
    longer = first_share_estimate(ds, Protocol(mode="full-robust", practice_per_block=1, break_every=10, design="cover",
                                            session_minutes=9))
    assert longer.test_trials > share.test_trials  # one more minute holds more trials
    everything = first_share_estimate(ds, Protocol(mode="full-robust", practice_per_block=1, break_every=10,
                                                design="cover", session_minutes=600))
    # a long session holds one run of every item: nobody gets two runs of one item
    items = sum(len(ds.items[v]) for v in ("pc", "tr", "sr"))
    assert everything.test_trials == items < whole.test_trials and everything.total_s < 600 * 60
