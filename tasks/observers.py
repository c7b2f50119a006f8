"""Simulated participants: they answer runs without audio, for tests, demos and planning.

- perfect: always right.
- random: a uniformly random option (the chance level of each run).
- psychometric: for pc items whose difference level is known (the built-in bank records it as
  ``params.difference_level`` in 0..1, 0 being the no-difference control), the probability of a
  right answer rises along a logistic from chance at level 0 towards ``lapse``-limited ceiling;
  for every other item a fixed accuracy.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

from tasks.runs import Run

OBSERVERS = ("perfect", "random", "psychometric")


def difference_level(run: Run) -> float | None:
    params = run.item.extra.get("params")
    if isinstance(params, dict):
        level = params.get("difference_level")
        if isinstance(level, (int, float)) and not isinstance(level, bool):
            return min(1.0, max(0.0, float(level)))
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
