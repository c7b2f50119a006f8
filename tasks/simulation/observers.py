"""Simulated participants: they answer runs and adaptive trials without audio, for tests, demos
and planning. One ``Observer`` answers both, through one interface:

- ``choose(run, rng)``: the letter chosen on a run of a block;
- ``answers_adaptive(dimension, level, uniform)``: whether the answers to adaptive trials at
  these levels are right, given uniform draws in [0, 1) (vectorized, so that recovery tests run
  thousands of trials without audio).

Kinds:

- perfect: always right.
- random: a uniformly random option (the chance level of each run; 1/2 on an adaptive trial).
- psychometric: on a pc item whose difference level is known, the probability of a right
  answer rises along a logistic (tasks.psychometrics.functions) of the level, from chance at
  level 0 towards a ``lapse``-limited ceiling; on every other item a fixed ``accuracy``. The
  level is ``params.difference_level`` (0..1) when an item states it, else the position of its
  difference on its dimension's grid of the bank (tasks.psychometrics.grids): 0 for the first
  grid step (the control), 1 for the last. On an adaptive trial: the adaptive procedures'
  Weibull with a known threshold (``adaptive_thresholds``: dimension -> alpha in the block's
  unit, ms for duration), guess 1/2 and a small lapse rate.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Mapping

import numpy as np

from tasks.dataset.runs import Run
from tasks.psychometrics.dimensions import BY_SUB_CATEGORY
from tasks.psychometrics.functions import (
    DEFAULT_LAPSE, GUESS_2AFC, LOGISTIC, p_correct, weibull_level_at, weibull_p_correct,
)
from tasks.psychometrics.grids import grid_position

OBSERVERS = ("perfect", "random", "psychometric")


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def difference_level(run: Run) -> float | None:
    """The run's difference level, 0..1 (see the module's docstring), or None when unknown."""
    params = run.item.extra.get("params")
    if not isinstance(params, dict):
        return None
    level = _number(params.get("difference_level"))
    if level is not None:
        return min(1.0, max(0.0, level))
    dim = BY_SUB_CATEGORY.get(run.item.sub_category or "")
    value = _number(params.get(dim.param)) if dim is not None else None
    if value is None:
        return None
    return grid_position(dim.name, value)


@dataclass(frozen=True)
class Observer:
    kind: str = "perfect"
    accuracy: float = 0.8  # psychometric: on runs without a known difference level
    threshold: float = 0.35  # psychometric: the difference level at the logistic's midpoint
    slope: float = 12.0  # of the logistic, per difference level
    lapse: float = 0.03
    # psychometric, adaptive trials: dimension -> the Weibull's alpha in the block's unit
    adaptive_thresholds: Mapping[str, float] = field(default_factory=dict, hash=False)
    adaptive_slope: float = 3.0  # the Weibull's beta
    adaptive_lapse: float = DEFAULT_LAPSE

    def __post_init__(self) -> None:
        if self.kind not in OBSERVERS:
            raise ValueError(f"observer must be one of {', '.join(OBSERVERS)}, not {self.kind!r}")
        for name, value in self.adaptive_thresholds.items():
            if not (isinstance(value, (int, float)) and value > 0 and math.isfinite(value)):
                raise ValueError(f"observer threshold for {name} must be a positive number, not {value!r}")
        object.__setattr__(self, "adaptive_thresholds", MappingProxyType(dict(self.adaptive_thresholds)))

    # ------------------------------------------------------------------ runs ----------------

    def p_correct(self, run: Run) -> float:
        chance = 1.0 / len(run.options)
        if self.kind == "perfect":
            return 1.0
        if self.kind == "random":
            return chance
        level = difference_level(run) if run.item.family == "pc" else None
        if level is None:
            return self.accuracy
        return float(p_correct(LOGISTIC, level, self.threshold, self.slope, self.lapse, chance))

    def choose(self, run: Run, rng: random.Random) -> str:
        if self.kind == "random":
            return run.letters[rng.randrange(len(run.options))]
        if rng.random() < self.p_correct(run):
            return run.answer_letter
        wrong = [lt for lt in run.letters if lt != run.answer_letter]
        return rng.choice(wrong)

    # ------------------------------------------------------------------ adaptive trials -----

    def adaptive_threshold(self, dimension: str) -> float:
        try:
            return float(self.adaptive_thresholds[dimension])
        except KeyError:
            raise ValueError(f"the psychometric observer has no threshold for {dimension!r} "
                             f"(give --observer-threshold {dimension}=VALUE)") from None

    def check_adaptive(self, dimensions: Iterable[str]) -> None:
        """Refuse (ValueError) dimensions this observer cannot answer adaptive trials of."""
        if self.kind == "psychometric":
            for name in dimensions:
                self.adaptive_threshold(name)

    def adaptive_p_correct(self, dimension: str, level) -> np.ndarray:
        if self.kind == "perfect":
            return np.ones_like(np.asarray(level, dtype=float))
        if self.kind == "random":
            return np.full_like(np.asarray(level, dtype=float), GUESS_2AFC)
        return weibull_p_correct(level, self.adaptive_threshold(dimension), self.adaptive_slope, GUESS_2AFC,
                                 self.adaptive_lapse)

    def adaptive_level_at(self, dimension: str, p: float) -> float:
        """The level (in the block's unit) a psychometric observer answers right with probability p."""
        return weibull_level_at(p, self.adaptive_threshold(dimension), self.adaptive_slope, GUESS_2AFC,
                                self.adaptive_lapse)

    def answers_adaptive(self, dimension: str, level, uniform) -> np.ndarray:
        """Whether the answers are right, given uniform draws in [0, 1) (one per level)."""
        return np.asarray(uniform) < self.adaptive_p_correct(dimension, level)


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
    curve = p_correct(LOGISTIC, np.nan_to_num(levels), thresholds, slope, lapse, chance)
    return np.where(np.isnan(levels), accuracies, curve)
