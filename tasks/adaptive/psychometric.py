"""The psychometric function shared by the QUEST+ model and the simulated observers.

A Weibull on the linear level axis (questplus's ``weibull`` with ``stim_scale="linear"``):

    p(x) = 1 - lapse - (1 - guess - lapse) * exp(-(x / threshold) ** slope)

It starts at chance for no difference (x = 0) and reaches ``1 - lapse``. At x = threshold it
gives guess + (1 - guess - lapse) * (1 - 1/e): 79.8 % correct in a two-alternative task with a
2 % lapse rate, close to the 79.4 % a 3-down-1-up staircase converges on.
"""
from __future__ import annotations

import math

import numpy as np

GUESS_2AFC = 0.5
DEFAULT_LAPSE = 0.02


def weibull_p_correct(level, threshold: float, slope: float, guess: float = GUESS_2AFC,
                      lapse: float = DEFAULT_LAPSE) -> np.ndarray:
    x = np.maximum(np.asarray(level, dtype=np.float64), 0.0)
    return 1.0 - lapse - (1.0 - guess - lapse) * np.exp(-(x / threshold) ** slope)


def weibull_level_at(p_correct: float, threshold: float, slope: float, guess: float = GUESS_2AFC,
                     lapse: float = DEFAULT_LAPSE) -> float:
    """The level at which the function reaches ``p_correct`` (strictly between guess and 1 - lapse)."""
    if not guess < p_correct < 1.0 - lapse:
        raise ValueError(f"p_correct {p_correct} outside ({guess}, {1.0 - lapse})")
    return threshold * (-math.log((1.0 - lapse - p_correct) / (1.0 - guess - lapse))) ** (1.0 / slope)


def p_at_threshold(guess: float = GUESS_2AFC, lapse: float = DEFAULT_LAPSE) -> float:
    return float(weibull_p_correct(1.0, 1.0, 1.0, guess, lapse))
