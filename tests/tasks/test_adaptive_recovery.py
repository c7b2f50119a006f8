"""Recovery: simulated observers with a known Weibull threshold drive each procedure; over 20
seeds the median recovered threshold is within 10 % of the truth and the 95 % interval covers
it in at least 85 % of the runs. No audio: the observer answers from the level (vectorized
draws, one per trial, made in advance)."""
import numpy as np
import pytest

from tasks.adaptive.procedures import AdaptiveSettings, QuestPlusProcedure, make_procedure, questplus_model
from tasks.psychometrics.dimensions import adaptive_scale
from tasks.simulation.observers import Observer

SEEDS = range(20)


def run_block(procedure: str, dim: str, observer: Observer, seed: int, max_trials: int):
    draws = np.random.default_rng(seed).random(max_trials)
    proc = make_procedure(adaptive_scale(dim), AdaptiveSettings(procedure=procedure, max_trials=max_trials))
    while not proc.finished():
        level = proc.next_level()
        proc.update(level, bool(observer.answers_adaptive(dim, level, draws[proc.n_trials])))
    return proc


TRUTHS = {"pitch": 20.0, "loudness": 1.5, "duration": 20.0, "azimuth": 12.0, "elevation": 20.0, "distance": 0.5}


@pytest.mark.parametrize("procedure, dim, truth",
                         [(p, d, t) for p in ("quest+", "3down1up") for d, t in TRUTHS.items()]
                         + [("2down1up", d, TRUTHS[d]) for d in ("azimuth", "loudness", "duration")])
def test_threshold_is_recovered_with_honest_intervals(procedure, dim, truth):
    observer = Observer("psychometric", adaptive_thresholds={dim: truth})
    ratios, covered = [], 0
    for seed in SEEDS:
        proc = run_block(procedure, dim, observer, seed, 60)
        est = proc.estimate()
        # each procedure's threshold stands for its own percent correct (QUEST+: the Weibull
        # threshold, 80.3 %; staircases: Levitt's convergence point)
        true_level = observer.adaptive_level_at(dim, est.target_p_correct)
        ratios.append(est.threshold / true_level)
        covered += est.ci_low <= true_level <= est.ci_high
    assert abs(np.median(ratios) - 1.0) <= 0.10, ratios
    assert covered / len(SEEDS) >= 0.85, (covered, ratios)


def test_a_different_truth_gives_a_different_estimate():
    """The procedures follow the observer, not their start level or grid."""
    keen, dull = (Observer("psychometric", adaptive_thresholds={"azimuth": t}) for t in (4.0, 30.0))
    low = run_block("quest+", "azimuth", keen, 0, 50).estimate().threshold
    high = run_block("quest+", "azimuth", dull, 0, 50).estimate().threshold
    assert low < 6.0 < 20.0 < high


def test_levels_follow_questplus_own_choice():
    """The numpy update and entropy choice pick the levels questplus's own code picks."""
    dim = adaptive_scale("duration")
    ours, theirs = QuestPlusProcedure(dim, AdaptiveSettings()), questplus_model(dim)
    observer = Observer("psychometric", adaptive_thresholds={"duration": 25.0})
    draws = np.random.default_rng(3).random(12)
    for u in draws:
        level = ours.next_level()
        assert level == pytest.approx(theirs.next_stim["intensity"])
        correct = bool(observer.answers_adaptive("duration", level, u))
        ours.update(level, correct)
        theirs.update(stim={"intensity": level}, outcome={"response": "Correct" if correct else "Incorrect"})
    mine = ours.marginal_threshold()
    assert mine == pytest.approx(theirs.marginal_posterior["threshold"] / theirs.marginal_posterior["threshold"].sum())


def test_stopping_on_interval_width_ends_earlier_than_the_trial_limit():
    observer = Observer("psychometric", adaptive_thresholds={"azimuth": 12.0})
    draws = np.random.default_rng(1).random(200)
    settings = AdaptiveSettings(procedure="quest+", max_trials=200, stop_ci_width_ratio=0.6, min_trials=20)
    proc = make_procedure(adaptive_scale("azimuth"), settings)
    while not proc.finished():
        level = proc.next_level()
        proc.update(level, bool(observer.answers_adaptive("azimuth", level, draws[proc.n_trials])))
    assert 20 <= proc.n_trials < 200
    assert proc.estimate().ci_ratio() <= 0.6


def test_staircase_steps_halve_and_reversals_are_counted():
    dim = adaptive_scale("loudness")
    proc = make_procedure(dim, AdaptiveSettings(procedure="2down1up", start_step_factor=2.0))
    levels = []
    for correct in [True, True, True, True, False, True, True, False, True, True, False]:
        levels.append(proc.next_level())
        proc.update(levels[-1], correct)
    # factor 2 until the 2nd reversal, then sqrt(2) until the 4th, then 2 ** (1/4)
    r2, r4 = 2 ** 0.5, 2 ** 0.25
    assert levels == pytest.approx([6, 6, 3, 3, 1.5, 3, 3, 3 / r2, 3, 3, 3 / r4])
    assert [10 ** r for r in proc.reversals] == pytest.approx([1.5, 3, 3 / r2, 3, 3 / r4])
    assert proc.step_log10 == pytest.approx(np.log10(2.0) / 4)
