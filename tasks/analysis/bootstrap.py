"""Bootstrap resampling, vectorized: one matrix product per group of items, never a Python loop
over resamples or responses.

Items are resampled with replacement within strata (the sub-category, or the category when an
item has none), so that every resample keeps the design's composition; a responder's score on a
resample weights each item by how often it was drawn: micro (tr, sr) = weighted correct runs /
weighted answered runs; macro (pc) = the unweighted mean of its sub-categories' micro scores, as
the kit averages them. These paired item resamples give the percentile and t intervals of the
contrasts (tasks.analysis.contrasts). The human mean's crossed participants x items interval is
not resampled: it is computed by the method of moments (tasks.analysis.crossed_moments), since
resampling both levels at once counts the within-cell noise about three times instead of once
(Owen 2007, "The pigeonhole bootstrap") and the one-level combination of resampling variances
misses terms of order 1/(I-1) and 1/(P-1) and leaves the degrees of freedom too high. The point
estimates themselves come from tasks.scoring.metrics.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

DEFAULT_BOOTSTRAP = 2000
DEFAULT_SEED = 0


def multinomial_weights(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """(n_boot, n) counts: how often each of n units is drawn in each resample of size n."""
    if n == 0:
        return np.zeros((n_boot, 0), dtype=np.float32)
    return rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(np.float32)


def strata_weights(strata: Sequence, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """(n_boot, len(strata)) item counts, resampled within each stratum (strata in sorted
    order, so the draws do not depend on the order of the items)."""
    labels = np.asarray([str(s) for s in strata], dtype=object)
    out = np.zeros((n_boot, len(labels)), dtype=np.float32)
    for label in sorted(set(labels.tolist())):
        idx = np.flatnonzero(labels == label)
        out[:, idx] = multinomial_weights(len(idx), n_boot, rng)
    return out


def group_scores(weights: np.ndarray, correct: np.ndarray, answered: np.ndarray,
                 groups: Sequence[np.ndarray]) -> np.ndarray:
    """Scores in percent per resample: (n_boot, P) for per-participant counts of shape (I, P),
    (n_boot,) for one responder's counts of shape (I,). One group is a micro score; several are
    averaged unweighted (macro), skipping groups a responder has no answered run in."""
    parts = []
    for g in groups:
        w = weights[:, g]
        num = (w @ correct[g]).astype(np.float64)  # float32 products hold whole counts exactly
        den = (w @ answered[g]).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            parts.append(np.where(den > 0, 100.0 * num / np.where(den > 0, den, 1.0), np.nan))
    if len(parts) == 1:
        return parts[0]
    stacked = np.stack(parts)
    valid = ~np.isnan(stacked)
    n = valid.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.where(valid, stacked, 0.0).sum(axis=0) / np.where(n > 0, n, 1), np.nan)


def percentile_ci(replicates: np.ndarray, confidence: float = 0.95) -> tuple[float, float] | None:
    """The percentile interval of bootstrap replicates (None when there are none)."""
    reps = np.asarray(replicates, dtype=np.float64)
    reps = reps[~np.isnan(reps)]
    if reps.size == 0:
        return None
    tail = 50.0 * (1.0 - confidence)
    low, high = np.percentile(reps, [tail, 100.0 - tail])
    return float(low), float(high)


def counts_by_item(participant: np.ndarray, item: np.ndarray, correct: np.ndarray, n_participants: int,
                   n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """(I, P) correct and answered run counts per item and participant, float32."""
    flat = item * n_participants + participant
    size = n_items * n_participants
    right = np.bincount(flat, weights=correct.astype(np.float64), minlength=size)
    answered = np.bincount(flat, minlength=size)
    return (right.reshape(n_items, n_participants).astype(np.float32),
            answered.reshape(n_items, n_participants).astype(np.float32))
