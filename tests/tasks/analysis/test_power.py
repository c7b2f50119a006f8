"""plan-power: simulated cohorts give CI half-widths that shrink as 1/sqrt(n), and a number of
participants needed that agrees with the table; the pilot mode and the command line."""
from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from scipy import stats

import main
from tasks.analysis.power import FINAL_MA, PowerError, participants_for, plan_power, run_table
from tasks.analysis.responses import load_responses
from tasks.simulation.observers import Observer, psychometric_p_matrix
from tests.tasks.analysis.cohorts import cohort_db, robust
from tests.tasks.analysis.psycho_data import bank_dataset

SUBS = ("sensitivity_pitch", "sensitivity_loudness", "sensitivity_azimuth", "range_azimuth")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return bank_dataset(tmp_path_factory.mktemp("ds"), SUBS, scale="small")


def halfwidths(result, score=FINAL_MA, items="all"):
    t = result.table
    part = t[(t["score"] == score) & (t["items_per_subcategory"] == items)]
    return dict(zip(part["participants"], part["ci_halfwidth"])), dict(zip(part["participants"],
                                                                            part["sd_between_participants"]))


def test_halfwidth_shrinks_as_one_over_sqrt_n(dataset):
    result = plan_power(dataset, 2.0, participants=(10, 40, 160), seeds=30)
    for score in (FINAL_MA, "pc Total", "pc Relative Discrimination Sensitivity", "tr Total"):
        half, sd = halfwidths(result, score)
        assert half[10] > half[40] > half[160] > 0
        # the SD between people does not depend on n; the half-width is t * SD / sqrt(n)
        assert sd[160] == pytest.approx(sd[10], rel=0.2)
        expected = 2 * stats.t.ppf(0.975, 9) / stats.t.ppf(0.975, 39)
        assert half[10] / half[40] == pytest.approx(expected, rel=0.2)
        assert half[40] / half[160] == pytest.approx(2 * stats.t.ppf(0.975, 39) / stats.t.ppf(0.975, 159), rel=0.2)


def test_participants_needed_agrees_with_the_table(dataset):
    first = plan_power(dataset, 2.0, participants=(5, 10, 20, 40, 80), seeds=30)
    target = halfwidths(first)[0][20]  # a target the table reaches at about 20 people
    result = plan_power(dataset, target, participants=(5, 10, 20, 40, 80), seeds=30)
    needed = result.needed.set_index("score").loc[FINAL_MA, "participants_needed"]
    assert 14 <= needed <= 28
    half, _sd = halfwidths(result)
    reached = result.table[(result.table["score"] == FINAL_MA)].set_index("participants")["reaches_target"]
    assert not reached[5] and not reached[10] and reached[40] and reached[80]
    assert half[40] <= target < half[10]


def test_participants_for_is_the_smallest_n_reaching_the_target():
    for sd, target in ((7.0, 2.0), (12.0, 1.0), (3.0, 5.0)):
        n = participants_for(sd, target)
        assert stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n) <= target
        assert n == 2 or stats.t.ppf(0.975, n - 2) * sd / math.sqrt(n - 1) > target
    assert participants_for(0.0, 1.0) == 2


def test_fewer_items_per_subcategory_widen_the_interval(dataset):
    result = plan_power(dataset, 2.0, participants=(20,), seeds=30, items_per_subcategory=(None, 2))
    all_items, _ = halfwidths(result, "pc Total", "all")
    two_items, _ = halfwidths(result, "pc Total", "2")
    assert two_items[20] > all_items[20]


def test_vectorized_observers_match_the_observer(dataset):
    runs = run_table(dataset)
    p = psychometric_p_matrix(runs.level, runs.chance, np.array([0.2, 0.6]), np.array([0.7, 0.9]))
    from tasks.dataset.runs import expand_runs
    every = [r for a in ("pc", "tr", "sr") for it in dataset.items[a] for r in expand_runs(it, a)]
    assert len(every) == p.shape[1] and not np.isnan(runs.level).all()
    for i, (thr, acc) in enumerate(((0.2, 0.7), (0.6, 0.9))):
        obs = Observer("psychometric", accuracy=acc, threshold=thr)
        assert p[i] == pytest.approx([obs.p_correct(r) for r in every])


def test_a_pilot_of_perfect_listeners_needs_two_people(tmp_path, dataset):
    engine = cohort_db(tmp_path / "pilot.sqlite", dataset, Observer("perfect"), 3, study="pilot",
                       protocol=robust(variants=["pc", "tr", "sr"]))
    pilot = load_responses(engine, "pilot")
    result = plan_power(dataset, 1.0, participants=(2, 5), seeds=3, pilot=pilot)
    assert np.allclose(result.table["mean_score"], 100.0) and np.allclose(result.table["ci_halfwidth"], 0.0)
    assert (result.needed["participants_needed"] == 2).all()
    assert "pilot study 'pilot'" in result.source


def test_a_random_pilot_scores_near_chance(tmp_path, dataset):
    engine = cohort_db(tmp_path / "pilot.sqlite", dataset, Observer("random"), 4, study="pilot",
                       protocol=robust(variants=["pc"]))
    result = plan_power(dataset, 2.0, participants=(40,), seeds=5, pilot=load_responses(engine, "pilot"))
    means = result.table.set_index("score")["mean_score"]
    pc_chance = 100 * np.mean([1 / n for n in (3, 3, 2, 4)])  # the four sub-categories' options
    assert means["pc Total"] == pytest.approx(pc_chance, abs=4.0)


def test_bad_settings_are_refused(dataset):
    with pytest.raises(PowerError, match="at least 2 participants"):
        plan_power(dataset, 2.0, participants=(1, 10))
    with pytest.raises(PowerError, match="above 0"):
        plan_power(dataset, 0.0)


def test_the_command_writes_table_and_figure(tmp_path, dataset, capsys):
    out = tmp_path / "plan"
    code = main.main(["plan-power", "--dataset", str(dataset.root), "--target-ci-halfwidth", "3",
                      "--participants", "5,20", "--seeds", "4", "--items-per-subcategory", "all,3", "--out", str(out)])
    assert code == 0
    for name in ("power.csv", "power.tex", "power_needed.csv", "power_needed.tex", "power.png", "power.pdf"):
        assert (out / name).stat().st_size > 0
    with open(out / "power_needed.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["items_per_subcategory"] for r in rows} == {"all", "3"}
    assert "Final MA" in capsys.readouterr().out
    assert main.main(["plan-power", "--dataset", str(dataset.root), "--target-ci-halfwidth", "3",
                      "--participants", "5,x", "--out", str(out)]) == 2
    assert "--participants" in capsys.readouterr().err


@pytest.mark.parametrize("protocol", ["full-robust", "single-pass"])
def test_a_pilot_is_resampled_from_its_answers_so_the_sd_is_the_pilots(tmp_path, dataset, protocol):
    from tasks.study.plan import Protocol

    proto = (robust(variants=["pc", "tr", "sr"]) if protocol == "full-robust" else
             Protocol(mode="single-pass", variants=["pc", "tr", "sr"], practice_per_block=0, min_run_spacing=1))
    engine = cohort_db(tmp_path / "pilot.sqlite", dataset, Observer("psychometric", accuracy=0.75, threshold=0.4), 8,
                       study="pilot", protocol=proto)
    result = plan_power(dataset, 2.0, participants=(8,), seeds=300, pilot=load_responses(engine, "pilot"))
    needed = result.needed.set_index("score")
    for score in (FINAL_MA, "pc Total", "tr Total", "sr Total"):
        simulated, pilot = needed.loc[score, "sd_between_participants"], needed.loc[score, "pilot_sd"]
        assert pilot > 0
        # drawing answers again as Bernoulli of each participant's accuracy made this 1.16-1.55
        assert simulated / pilot == pytest.approx(1.0, abs=0.1), score
