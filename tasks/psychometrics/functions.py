"""Psychometric functions: the probability of a right answer at stimulus value x.

With guess rate g (chance: 1 / number of options; 1/2 in a two-alternative trial) and lapse
rate l:

    P(x) = g + (1 - g - l) * F(x)
    Weibull   F(x) = 1 - exp(-(x / alpha) ** beta)        (magnitudes: x >= 0, F(0) = 0)
    logistic  F(x) = 1 / (1 + exp(-beta * (x - alpha)))   (levels on an interval scale)

Two thresholds are in use, both defined here:

- the adaptive procedures' threshold is the Weibull's ``alpha`` (questplus's ``weibull`` with
  ``stim_scale="linear"`` is the same curve): P(alpha) = g + (1 - g - l) * (1 - 1/e), 80.3 %
  correct in a two-alternative task with a 2 % lapse rate, close to the 79.4 % a
  3-down-1-up staircase converges on (``p_correct_at_alpha``);
- the fits' threshold (tasks.analysis.psychometric) is the x where P is halfway between chance
  and 1, P = (1 + g) / 2 (``threshold_of``; ``alpha_for_threshold`` is its inverse).
"""
from __future__ import annotations

import math

import numpy as np

WEIBULL, LOGISTIC = "weibull", "logistic"
GUESS_2AFC = 0.5
DEFAULT_LAPSE = 0.02


def curve(form: str, x, alpha: float, beta: float) -> np.ndarray:
    """F(x), from 0 to 1."""
    x = np.asarray(x, dtype=float)
    if form == WEIBULL:
        return -np.expm1(-np.power(np.clip(x, 0.0, None) / alpha, beta))
    return 0.5 * (1.0 + np.tanh(0.5 * beta * (x - alpha)))  # the logistic, without overflow


def p_correct(form: str, x, alpha: float, beta: float, lapse: float, chance) -> np.ndarray:
    chance = np.asarray(chance, dtype=float)
    return chance + (1.0 - chance - lapse) * curve(form, x, alpha, beta)


def weibull_p_correct(level, alpha: float, beta: float, guess: float = GUESS_2AFC,
                      lapse: float = DEFAULT_LAPSE) -> np.ndarray:
    """The Weibull of the adaptive procedures: ``alpha`` is their threshold, ``beta`` the slope."""
    return p_correct(WEIBULL, level, alpha, beta, lapse, guess)


def weibull_level_at(p: float, alpha: float, beta: float, guess: float = GUESS_2AFC,
                     lapse: float = DEFAULT_LAPSE) -> float:
    """The level at which the Weibull reaches ``p`` (strictly between guess and 1 - lapse)."""
    if not guess < p < 1.0 - lapse:
        raise ValueError(f"p_correct {p} outside ({guess}, {1.0 - lapse})")
    return alpha * (-math.log((1.0 - lapse - p) / (1.0 - guess - lapse))) ** (1.0 / beta)


def p_correct_at_alpha(guess: float = GUESS_2AFC, lapse: float = DEFAULT_LAPSE) -> float:
    """P at x = alpha of a Weibull: the proportion correct the adaptive threshold stands for."""
    return float(weibull_p_correct(1.0, 1.0, 1.0, guess, lapse))


def threshold_of(form: str, alpha: float, beta: float, lapse: float, chance: float) -> float:
    """The x where P = (1 + chance) / 2; nan when the lapse keeps P below it."""
    target = (1.0 - chance) / (2.0 * (1.0 - chance - lapse))
    if not 0.0 < target < 1.0:
        return math.nan
    if form == WEIBULL:
        return float(alpha * (-math.log1p(-target)) ** (1.0 / beta))
    return float(alpha + math.log(target / (1.0 - target)) / beta)


def alpha_for_threshold(form: str, threshold: float, beta: float, lapse: float, chance: float) -> float:
    """The alpha whose curve has ``threshold_of`` = ``threshold`` (the inverse of threshold_of)."""
    target = (1.0 - chance) / (2.0 * (1.0 - chance - lapse))
    if not 0.0 < target < 1.0:
        raise ValueError(f"a lapse rate of {lapse} keeps P below halfway between chance {chance} and 1")
    if form == WEIBULL:
        return threshold / (-math.log1p(-target)) ** (1.0 / beta)
    return threshold - math.log(target / (1.0 - target)) / beta


def slope_at(form: str, x: float, alpha: float, beta: float, lapse: float, chance: float) -> float:
    """dP/dx at x, proportion correct per unit."""
    if not math.isfinite(x):
        return math.nan
    if form == WEIBULL:
        z = (x / alpha) ** beta
        dfdx = math.exp(-z) * beta * z / x if x > 0 else math.nan
    else:
        f = float(curve(form, np.array([x]), alpha, beta)[0])
        dfdx = beta * f * (1.0 - f)
    return float((1.0 - chance - lapse) * dfdx)
