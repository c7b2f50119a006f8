"""Bootstrap resampling, vectorized: one matrix product per group of items, never a Python loop
over resamples or responses.

Two-level (crossed) bootstrap of a human mean: each resample draws participants with
replacement (multinomial counts, one row per resample) and, independently, items with
replacement within strata (the sub-category, or the category when an item has none), so that
every resample keeps the design's composition. A participant's score on a resample weights each
item by how often it was drawn: micro (tr, sr) = weighted correct runs / weighted answered runs;
macro (pc) = the unweighted mean of its sub-categories' micro scores, as the kit averages them.
The human mean of a resample is the participant-count-weighted mean of those scores.
The human mean's interval for the crossed participants x items design (crossed_ci): resampling
both levels at once counts the within-cell noise about three times instead of once (Owen 2007,
"The pigeonhole bootstrap"), which made the percentile interval conservative (97-100% coverage,
1.2-3.8x the t interval's width where items do not differ). The variance is instead put together
from resamples of one level at a time, each corrected for the bootstrap's (n-1)/n:
A = P/(P-1) Var(participants only), B = I/(I-1) Var(items only), and the doubly counted noise is
taken out with the two-level resamples: V = 2(A + B) - P/(P-1) I/(I-1) Var(both), at least
max(A, B). The interval is the point estimate +- t(df) sqrt(V), df by Satterthwaite from A (P-1)
and B (I-1). Percentile intervals remain for paired item resamples (contrasts); the point
estimates themselves come from tasks.scoring.metrics.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import stats

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


def weighted_participant_mean(scores: np.ndarray, participant_weights: np.ndarray) -> np.ndarray:
    """(n_boot,) mean over participants of (n_boot, P) scores, each participant counted as often
    as drawn; participants without a score (nan) are left out, as the point estimate leaves out
    a participant without runs in the column."""
    valid = ~np.isnan(scores)
    w = participant_weights * valid
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (w * np.where(valid, scores, 0.0)).sum(axis=1) / np.where(total > 0, total, 1),
                        np.nan)


def percentile_ci(replicates: np.ndarray, confidence: float = 0.95) -> tuple[float, float] | None:
    """The percentile interval of bootstrap replicates (None when there are none)."""
    reps = np.asarray(replicates, dtype=np.float64)
    reps = reps[~np.isnan(reps)]
    if reps.size == 0:
        return None
    tail = 50.0 * (1.0 - confidence)
    low, high = np.percentile(reps, [tail, 100.0 - tail])
    return float(low), float(high)


def crossed_ci(point: float, both: np.ndarray, participants_only: np.ndarray, items_only: np.ndarray,
               n_participants: int, n_items: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """The interval of a mean over participants and items both drawn from populations (see the
    module's docstring); None with fewer than two participants or no replicates."""
    def variance(reps: np.ndarray) -> float:
        reps = np.asarray(reps, dtype=np.float64)
        reps = reps[~np.isnan(reps)]
        return float(reps.var(ddof=1)) if reps.size > 1 else float("nan")

    if n_participants < 2 or point is None or np.isnan(point):
        return None
    f_p = n_participants / (n_participants - 1)
    f_i = n_items / (n_items - 1) if n_items > 1 else 1.0
    a = f_p * variance(participants_only)
    b = f_i * variance(items_only) if n_items > 1 else 0.0
    both_v = variance(both)
    if np.isnan(a) or np.isnan(b) or np.isnan(both_v):
        return None
    v = max(2.0 * (a + b) - f_p * f_i * both_v, a, b)
    denominator = a * a / (n_participants - 1) + (b * b / (n_items - 1) if n_items > 1 else 0.0)
    df = (a + b) ** 2 / denominator if denominator > 0 else n_participants - 1
    half = float(stats.t.ppf(0.5 + confidence / 2.0, df)) * float(np.sqrt(v))
    return float(point) - half, float(point) + half


def counts_by_item(participant: np.ndarray, item: np.ndarray, correct: np.ndarray, n_participants: int,
                   n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """(I, P) correct and answered run counts per item and participant, float32."""
    flat = item * n_participants + participant
    size = n_items * n_participants
    right = np.bincount(flat, weights=correct.astype(np.float64), minlength=size)
    answered = np.bincount(flat, minlength=size)
    return (right.reshape(n_items, n_participants).astype(np.float32),
            answered.reshape(n_items, n_participants).astype(np.float32))
