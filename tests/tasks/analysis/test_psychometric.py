"""Psychometric fits on the grid: recovery of a known observer's threshold, the guess rate of
2-, 3- and 4-option items, the item-params CSV, and the report's psychometric part on a real
SQLite study of bank items."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from tasks.analysis import psychometric as pm
from tasks.analysis.psychometric_items import ItemParamsError, read_item_params
from tasks.analysis.report import write_report
from tasks.analysis.responses import ReportError
from tasks.bank import plan_perception
from tasks.psychometrics import functions as pf
from tasks.psychometrics.dimensions import DIMENSIONS, stimulus_from_params
from tasks.simulation.observers import Observer
from tests.factories import pc_items
from tests.tasks.analysis.cohorts import cohort_db, robust, small_dataset
from tests.tasks.analysis.psycho_data import bank_dataset

TRUE = {"pitch": 150.0, "azimuth": 80.0, "hearing_level": 20.0}  # fits' thresholds, canonical units
BETA = {pf.WEIBULL: 3.0, pf.LOGISTIC: 0.3}
LAPSE = 0.02
OBSERVER = Observer("psychometric")


def p_true(dimension: str, value: float, n_options: int) -> float:
    """P(correct) of a listener whose curve (the fits' own model) has the threshold TRUE."""
    form, chance = DIMENSIONS[dimension].form, 1.0 / n_options
    alpha = pf.alpha_for_threshold(form, TRUE[dimension], BETA[form], LAPSE, chance)
    return float(pf.p_correct(form, value, alpha, BETA[form], LAPSE, chance))


def grid_trials(dimension: str, seed: int, listeners: int = 4):
    """Every run of every full-bank item of the dimension, answered by `listeners` listeners of
    threshold TRUE: (values, correct, chance) of the non-control trials."""
    rng = np.random.default_rng(seed)
    values, chance, p = [], [], []
    for planned in plan_perception("full"):
        stim = stimulus_from_params(planned.meta["sub-category"], planned.params)
        if stim is None or stim.dimension != dimension or stim.control:
            continue
        n_options = len(planned.meta["options"])
        runs = listeners * n_options  # every rotation of the item, for each listener
        values += [stim.value] * runs
        chance += [1.0 / n_options] * runs
        p += [p_true(dimension, stim.value, n_options)] * runs
    return np.array(values), rng.random(len(p)) < np.array(p), np.array(chance)


@pytest.mark.parametrize("dimension, n_options", [("pitch", 3), ("azimuth", 2), ("hearing_level", 4)])
def test_grid_fit_recovers_the_generating_threshold(dimension, n_options):
    estimates, covered = [], 0
    for seed in range(12):
        values, correct, chance = grid_trials(dimension, seed)
        assert set(chance) == {1.0 / n_options}
        res = pm.fit_with_ci(values, correct, chance, DIMENSIONS[dimension].form, n_boot=150,
                             rng=np.random.default_rng(100 + seed))
        estimates.append(res.fit.threshold)
        covered += res.threshold_ci[0] <= TRUE[dimension] <= res.threshold_ci[1]
    assert abs(np.median(estimates) - TRUE[dimension]) <= 0.10 * TRUE[dimension]
    assert covered >= 9  # most seeds (nominal 95%)


@pytest.mark.parametrize("n_options", [2, 3, 4])
def test_threshold_is_halfway_between_chance_and_one(n_options):
    chance = 1.0 / n_options
    for form, alpha, beta in ((pf.WEIBULL, 100.0, 2.5), (pf.LOGISTIC, 20.0, 0.3)):
        thr = pf.threshold_of(form, alpha, beta, 0.03, chance)
        assert float(pf.p_correct(form, thr, alpha, beta, 0.03, chance)) == pytest.approx((1 + chance) / 2)
        # the slope is the derivative there
        h = 1e-4 * abs(thr)
        numeric = (pf.p_correct(form, thr + h, alpha, beta, 0.03, chance)
                   - pf.p_correct(form, thr - h, alpha, beta, 0.03, chance)) / (2 * h)
        assert pf.slope_at(form, thr, alpha, beta, 0.03, chance) == pytest.approx(float(numeric), rel=1e-4)


def test_the_guess_rate_is_the_items_own_for_mixed_option_counts():
    # one observer, the same curve, items with 2, 3 and 4 options mixed in one fit
    rng = np.random.default_rng(5)
    levels = np.array([25.0, 50, 100, 150, 200, 300, 400])
    n_opts = rng.choice([2, 3, 4], 6000)
    values = rng.choice(levels, 6000)
    chance = 1.0 / n_opts
    correct = rng.random(6000) < pf.p_correct(pf.WEIBULL, values, 150.0, 2.0, 0.02, chance)
    fit = pm.fit(values, correct, chance)
    assert fit.alpha == pytest.approx(150.0, rel=0.08) and fit.beta == pytest.approx(2.0, rel=0.2)
    # treating every trial as two-option (a guess rate of 1/2) misplaces the curve
    wrong = pm.fit(values, correct, np.full(6000, 0.5))
    assert abs(wrong.alpha - 150.0) > abs(fit.alpha - 150.0) + 10


def test_too_few_values_give_no_fit():
    assert pm.fit(np.full(40, 100.0), np.ones(40, dtype=bool), np.full(40, 1 / 3)) is None
    assert pm.fit(np.array([50.0, 100.0]), np.array([True, False]), np.full(2, 1 / 3)) is None


def write_rows(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def test_item_params_csv_is_read_and_bad_lines_are_named(tmp_path):
    good = write_rows(tmp_path / "p.csv", [["item_id", "dimension", "difference", "unit"],
                                           ["a1", "pitch", "0", "cents"], ["a2", "azimuth", "90", "deg"],
                                           ["a3", "azimuth", "30", "deg"]])
    got = read_item_params(good)
    assert got["a1"].control and not got["a2"].control and got["a3"].control  # < 45 deg counts as the same
    assert got["a2"].value == 90.0 and got["a2"].unit == "deg"
    bad = write_rows(tmp_path / "bad.csv", [["item_id", "dimension", "difference", "unit"],
                                            ["b1", "pitch", "100", "cents"], ["b2", "pitch", "lots", "cents"],
                                            ["b3", "loudness", "6", "Hz"], ["b4", "timbre", "1", "x"],
                                            ["b1", "pitch", "200", "cents"]])
    with pytest.raises(ItemParamsError) as err:
        read_item_params(bad)
    text = str(err.value)
    assert f"{bad}:3: item 'b2': field 'difference'" in text
    assert f"{bad}:4: item 'b3': field 'unit'" in text and f"{bad}:5: item 'b4': field 'dimension'" in text
    assert f"{bad}:6: item 'b1' appears a second time" in text and f"{bad}:2" not in text
    header = write_rows(tmp_path / "h.csv", [["id", "difference"], ["x", "1"]])
    with pytest.raises(ItemParamsError, match=rf"{header}:1: the header lacks the column\(s\) item_id, dimension"):
        read_item_params(header)


SUBS = ("sensitivity_pitch", "sensitivity_azimuth", "range_pitch_loudness")


def test_report_on_a_bank_study_has_the_psychometric_figures_and_thresholds(tmp_path):
    ds = bank_dataset(tmp_path / "ds", SUBS, scale="small")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, OBSERVER, 4, protocol=robust(variants=["pc"]))
    summary = write_report(engine, tmp_path / "out", n_bootstrap=100)
    out = tmp_path / "out"
    for dim in ("pitch", "azimuth", "hearing_level"):
        assert f"psychometric_{dim}" in summary.figures
        assert (out / f"psychometric_{dim}.png").stat().st_size > 1000 and (out / f"psychometric_{dim}.pdf").exists()
    with open(out / "psychometric_thresholds.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    pooled = {r["dimension"]: r for r in rows if r["kind"] == "humans"}
    assert set(pooled) == {"pitch", "azimuth", "hearing_level"}
    assert {r["responder"] for r in rows if r["kind"] == "participant"} == {f"SIM00{k}" for k in range(1, 5)}
    assert pooled["pitch"]["unit"] == "cents" and pooled["hearing_level"]["unit"] == "dB HL"
    # the pitch control (0 cents) is counted apart
    assert int(pooled["pitch"]["control_trials"]) == 4 * 3
    assert (out / "psychometric_points.csv").exists() and (out / "psychometric_thresholds.tex").exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "8. Psychometric functions" in html and "Psychometric thresholds per dimension" in html


def test_report_without_known_parameters_has_no_psychometric_part(tmp_path):
    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, OBSERVER, 2, protocol=robust(variants=["pc"]))
    summary = write_report(engine, tmp_path / "out", n_bootstrap=50)
    assert not [f for f in summary.figures if f.startswith("psychometric_")]
    assert "Psychometric" not in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_item_params_file_gives_the_differences_of_a_dataset_without_params(tmp_path):
    ds = small_dataset(tmp_path / "ds", pc=pc_items(4))
    engine = cohort_db(tmp_path / "lab.sqlite", ds, OBSERVER, 3, protocol=robust(variants=["pc"]))
    pitch_ids = [it.id for it in ds.items["pc"] if it.sub_category == "sensitivity_pitch"]
    rows = [["item_id", "dimension", "difference", "unit"]]
    rows += [[iid, "pitch", str(v), "cents"] for iid, v in zip(pitch_ids, (50, 100, 200, 400))]
    summary = write_report(engine, tmp_path / "out", n_bootstrap=50,
                           item_params=write_rows(tmp_path / "params.csv", rows))
    assert "psychometric_pitch" in summary.figures
    elsewhere = write_rows(tmp_path / "other.csv", [rows[0], ["not_in_study", "pitch", "100", "cents"]])
    summary = write_report(engine, tmp_path / "out3", n_bootstrap=50, item_params=elsewhere)
    assert not [f for f in summary.figures if f.startswith("psychometric_")]
    assert any("none of its item ids is an answered pc item" in w for w in summary.warnings)
    bad = write_rows(tmp_path / "bad.csv", rows[:2] + [[pitch_ids[1], "pitch", "-5", "cents"]])
    with pytest.raises(ReportError, match=rf"{bad}:3: item '{pitch_ids[1]}': field 'difference'"):
        write_report(engine, tmp_path / "out2", n_bootstrap=50, item_params=bad)


def test_responders_fitted_together_equal_separate_fits():
    rng = np.random.default_rng(9)
    levels = np.array([50.0, 100, 200, 400, 1200])
    values = np.tile(np.repeat(levels, 60), 3)
    who = np.repeat(["keen", "dull", "sparse"], 300)
    truth = np.where(who == "keen", 80.0, 300.0)
    chance = np.full(len(values), 1 / 3)
    correct = rng.random(len(values)) < pf.p_correct(pf.WEIBULL, values, truth, 2.5, 0.02, chance)
    keep = (who != "sparse") | (values == 200.0)  # "sparse" answered at one difference only
    together = pm.fit_responders(values[keep], correct[keep], chance[keep], who[keep], n_boot=100,
                                 rng=np.random.default_rng(1))
    assert together["sparse"] is None
    for name in ("keen", "dull"):
        alone = pm.fit(values[who == name], correct[who == name], chance[who == name])
        assert together[name].fit.threshold == pytest.approx(alone.threshold, rel=1e-4)
        low, high = together[name].threshold_ci
        assert low < together[name].fit.threshold < high and together[name].n_boot >= 95
    assert together["keen"].threshold_ci[1] < together["dull"].threshold_ci[0]
