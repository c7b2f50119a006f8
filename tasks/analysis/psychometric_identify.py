"""Whether the answers can support a psychometric fit, and what to report when they cannot.

A maximum-likelihood curve always exists; a threshold is only worth reporting when the data
pin it down. A fit is *identified* when all of these hold, checked in this order (the first
that fails is the ``note``):

1. enough trials per tested difference: at least MIN_TRIALS_PER_LEVEL on average (three answers
   per level let a handful of right/wrong answers decide the curve alone);
2. accuracy above chance somewhere: at the upper half of the tested differences the answers
   are right more often than guessing gives, by a one-sided binomial test at ABOVE_CHANCE_ALPHA
   (otherwise a fit of pure guessing returns a threshold at the edge of the search range, such
   as 7,218 cents);
3. the threshold inside the tested range: below the lowest tested difference it is reported as
   the bound "< lowest", above the highest as "> highest", never as a number (answers right at
   every tested difference say only that the threshold lies below them);
4. a likelihood that is not flat: the curve explains the answers better than one accuracy for
   every difference, by a likelihood-ratio test at FLAT_ALPHA (chi-square, 2 df).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from tasks.psychometrics.functions import WEIBULL

MIN_TRIALS_PER_LEVEL = 5
ABOVE_CHANCE_ALPHA = 0.05
FLAT_ALPHA = 0.05


@dataclass(frozen=True)
class Identification:
    identified: bool
    note: str = ""  # why the threshold is not reported as a number ("" when it is)
    bound: str = ""  # "< x" or "> x" when only a bound can be said


def _tested(form: str, x: np.ndarray, n: np.ndarray) -> np.ndarray:
    keep = (n > 0) & ((x > 0) if form == WEIBULL else np.ones(len(x), dtype=bool))
    return keep


def _constant_nll(g: np.ndarray, k: np.ndarray, n: np.ndarray) -> float:
    """The negative log-likelihood of the best single accuracy above each bin's chance."""
    def nll(p_above: float) -> float:
        p = np.clip(g + (1.0 - g) * p_above, 1e-9, 1 - 1e-9)
        return -float(np.sum(k * np.log(p) + (n - k) * np.log1p(-p)))
    grid = np.linspace(0.0, 1.0, 201)
    return min(nll(q) for q in grid)


def identify(form: str, threshold: float, nll: float, x: np.ndarray, g: np.ndarray, k: np.ndarray,
             n: np.ndarray, unit: str = "") -> Identification:
    """Check a fit (its threshold and negative log-likelihood) against the binned answers."""
    tested = _tested(form, x, n)
    levels = np.unique(x[tested])
    if levels.size < 2:
        return Identification(False, "not identified: fewer than two tested differences")
    per_level = float(n[tested].sum()) / levels.size
    if per_level < MIN_TRIALS_PER_LEVEL:
        return Identification(False, f"not identified: {per_level:.1f} trials per tested difference on average "
                                     f"(needs {MIN_TRIALS_PER_LEVEL})")
    upper = tested & (x >= np.median(levels))
    k_up, n_up = float(k[upper].sum()), float(n[upper].sum())
    chance_up = float(np.sum(g[upper] * n[upper]) / n_up)
    p_above = stats.binomtest(int(round(k_up)), int(round(n_up)), chance_up, alternative="greater").pvalue
    if p_above >= ABOVE_CHANCE_ALPHA:
        return Identification(False, f"not identified: accuracy never above chance ({k_up:.0f} of {n_up:.0f} right at "
                                     f"the larger differences, chance {chance_up:.2f}, p = {p_above:.2g})")
    low, high = float(levels.min()), float(levels.max())
    suffix = f" {unit}" if unit else ""
    if not np.isfinite(threshold):
        return Identification(False, "not identified: no threshold on the fitted curve")
    if threshold < low:
        return Identification(False, f"below the lowest tested difference: threshold < {low:.4g}{suffix}",
                              f"< {low:.4g}")
    if threshold > high:
        return Identification(False, f"above the highest tested difference: threshold > {high:.4g}{suffix}",
                              f"> {high:.4g}")
    lr = 2.0 * (_constant_nll(g, k, n) - nll)
    if lr < stats.chi2.ppf(1.0 - FLAT_ALPHA, 2):
        return Identification(False, "not identified: likelihood nearly flat (the curve explains the answers no "
                                     f"better than one accuracy for every difference, LR {lr:.2f})")
    return Identification(True)
