"""Simulated participants: they answer runs without audio, for tests, demos and planning.

- perfect: always right.
- random: a uniformly random option (the chance level of each run).
- psychometric: for pc items whose difference level is known, the probability of a right
  answer rises along a logistic from chance at level 0 towards a ``lapse``-limited ceiling; for
  every other item a fixed accuracy. The level is ``params.difference_level`` (0..1) when an item
  states it, else the position of its parameter on the STARBENCH.md section 7 grid (the built-in
  bank records ``difference_cents``, ``difference_db``, ... and ``level_db_hl``): 0 for the
  first grid step (the control), 1 for the last.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from tasks.dataset.runs import Run

OBSERVERS = ("perfect", "random", "psychometric")


# parameter name -> the section 7 grid of its sub-category
GRID_STEPS: dict[str, tuple[float, ...]] = {
    "difference_cents": (0, 50, 100, 200, 400, 1200),
    "difference_db": (0, 4, 8, 12, 24, 48),
    "difference_percent": (0, 20, 50, 100, 150, 200),
    "difference_deg": (30, 60, 90, 120, 150, 180),
    "difference_m": (1.5, 4.5, 6.5, 8.5),
    "level_db_hl": (-10, 110),
}


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def difference_level(run: Run) -> float | None:
    params = run.item.extra.get("params")
    if not isinstance(params, dict):
        return None
    level = _number(params.get("difference_level"))
    if level is not None:
        return min(1.0, max(0.0, level))
    for key, grid in GRID_STEPS.items():
        value = _number(params.get(key))
        if value is not None:
            steps = np.interp(value, grid, np.arange(len(grid)))
            return float(steps / (len(grid) - 1))
    return None


@dataclass(frozen=True)
class Observer:
    kind: str = "perfect"
    accuracy: float = 0.8  # psychometric: for items without a known difference level
    threshold: float = 0.35  # psychometric: level at the curve's midpoint
    slope: float = 12.0
    lapse: float = 0.03

    def __post_init__(self) -> None:
        if self.kind not in OBSERVERS:
            raise ValueError(f"observer must be one of {', '.join(OBSERVERS)}, not {self.kind!r}")

    def p_correct(self, run: Run) -> float:
        chance = 1.0 / len(run.options)
        if self.kind == "perfect":
            return 1.0
        if self.kind == "random":
            return chance
        level = difference_level(run) if run.item.family == "pc" else None
        if level is None:
            return self.accuracy
        rise = 1.0 / (1.0 + math.exp(-self.slope * (level - self.threshold)))
        return chance + (1.0 - chance - self.lapse) * rise

    def choose(self, run: Run, rng: random.Random) -> str:
        if self.kind == "random":
            return run.letters[rng.randrange(len(run.options))]
        if rng.random() < self.p_correct(run):
            return run.answer_letter
        wrong = [lt for lt in run.letters if lt != run.answer_letter]
        return rng.choice(wrong)


@dataclass(frozen=True)
class PsychometricObserver:
    """A simulated listener for adaptive blocks: for each dimension a Weibull psychometric
    function (tasks.adaptive.psychometric) with a known threshold in the dimension's unit,
    guess 1/2 (two-alternative trials) and a small lapse rate. ``answer`` is vectorized over
    levels so that recovery tests run thousands of trials without audio."""

    thresholds: dict[str, float]  # dimension -> threshold in its unit
    slope: float = 3.0
    lapse: float = 0.02

    def __post_init__(self) -> None:
        for name, value in self.thresholds.items():
            if not (isinstance(value, (int, float)) and value > 0 and math.isfinite(value)):
                raise ValueError(f"observer threshold for {name} must be a positive number, not {value!r}")

    def threshold(self, dimension: str) -> float:
        try:
            return float(self.thresholds[dimension])
        except KeyError:
            raise ValueError(f"the psychometric observer has no threshold for {dimension!r} "
                             f"(give --observer-threshold {dimension}=VALUE)") from None

    def p_correct(self, dimension: str, level) -> np.ndarray:
        from tasks.adaptive.psychometric import GUESS_2AFC, weibull_p_correct

        return weibull_p_correct(level, self.threshold(dimension), self.slope, GUESS_2AFC, self.lapse)

    def level_at(self, dimension: str, p_correct: float) -> float:
        from tasks.adaptive.psychometric import GUESS_2AFC, weibull_level_at

        return weibull_level_at(p_correct, self.threshold(dimension), self.slope, GUESS_2AFC, self.lapse)

    def answer(self, dimension: str, level, uniform) -> np.ndarray:
        """Whether the answers are right, given uniform draws in [0, 1) (one per level)."""
        return np.asarray(uniform) < self.p_correct(dimension, level)


def parse_thresholds(pairs: list[str]) -> dict[str, float]:
    """``["azimuth=12", "pitch=20"]`` -> {"azimuth": 12.0, "pitch": 20.0}, with a clear error
    naming the bad pair."""
    out: dict[str, float] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not name.strip() or not (number > 0 and math.isfinite(number)):
            raise ValueError(f"--observer-threshold {pair!r}: expected DIMENSION=POSITIVE_NUMBER, e.g. azimuth=12")
        out[name.strip()] = number
    return out


# ---------------------------------------------------------------- physical units -------------

@dataclass(frozen=True)
class PhysicalObserver:
    """A psychometric observer in the units the bank records (cents, dB, %, deg, m, dB HL).

    ``thresholds`` maps a dimension of tasks.analysis.psychometric_items (pitch, loudness,
    duration, azimuth, elevation, distance, hearing_level) to the value where P(correct) is
    halfway between chance and 1, the threshold the grid fits estimate. The curve is the fits'
    own model (tasks.analysis.psychometric): a Weibull of shape ``beta`` for differences, a
    logistic of ``logistic_slope_per_unit`` for hearing level, guess rate 1 / options and
    ``lapse``. Control items (no audible difference) are answered right with
    ``control_accuracy``; every other item with ``accuracy``.
    """
    thresholds: tuple[tuple[str, float], ...]
    beta: float = 3.0
    logistic_slope_per_unit: float = 0.3
    lapse: float = 0.02
    accuracy: float = 0.8
    control_accuracy: float = 0.8
    kind: str = "psychometric-physical"

    def p_for(self, dimension: str, value: float | None, control: bool, n_options: int) -> float:
        from tasks.analysis import psychometric as pm
        from tasks.analysis.psychometric_items import DIMENSIONS, LOGISTIC

        threshold = dict(self.thresholds).get(dimension)
        if control:
            return self.control_accuracy
        if threshold is None or value is None:
            return self.accuracy
        chance = 1.0 / n_options
        form = DIMENSIONS[dimension].form
        target = (1.0 - chance) / (2.0 * (1.0 - chance - self.lapse))
        if form == LOGISTIC:
            beta = self.logistic_slope_per_unit
            alpha = threshold - math.log(target / (1.0 - target)) / beta
        else:
            beta = self.beta
            alpha = threshold / (-math.log1p(-target)) ** (1.0 / beta)
        return float(pm.p_correct(form, value, alpha, beta, self.lapse, chance))

    def p_correct(self, run: Run) -> float:
        from tasks.analysis.psychometric_items import stimulus_from_params

        stim = stimulus_from_params(run.item.sub_category, run.item.extra.get("params"))
        if stim is None:
            return self.accuracy
        return self.p_for(stim.dimension, stim.value, stim.control, len(run.options))

    def choose(self, run: Run, rng: random.Random) -> str:
        if rng.random() < self.p_correct(run):
            return run.answer_letter
        return rng.choice([lt for lt in run.letters if lt != run.answer_letter])


def psychometric_p_matrix(levels: np.ndarray, chance: np.ndarray, thresholds: np.ndarray, accuracies: np.ndarray,
                          slope: float = 12.0, lapse: float = 0.03) -> np.ndarray:
    """P(correct) of many psychometric Observers on many runs at once: (participants, runs).

    levels: per run the difference level of ``difference_level`` (nan where the run has none or
    is not pc: the observer's fixed accuracy applies); chance: 1 / options per run; thresholds,
    accuracies: per participant. Row i equals Observer("psychometric", accuracies[i],
    thresholds[i], slope, lapse).p_correct on each run."""
    levels, chance = np.asarray(levels, dtype=float)[None, :], np.asarray(chance, dtype=float)[None, :]
    thresholds = np.asarray(thresholds, dtype=float)[:, None]
    accuracies = np.asarray(accuracies, dtype=float)[:, None]
    rise = 1.0 / (1.0 + np.exp(-slope * (np.nan_to_num(levels) - thresholds)))
    curve = chance + (1.0 - chance - lapse) * rise
    return np.where(np.isnan(levels), accuracies, curve)
