"""Points 3 and 4 of the report: paired comparisons over items.

- Human vs each model, per leaderboard category: the pooled human score (every participant's
  runs as one responder, as a model is one responder) minus the model's, on the items both
  answered; a paired bootstrap CI over items (the same item resample for both sides, stratified
  by sub-category or category); a Wilcoxon signed-rank p-value on the per-item accuracy
  differences, Holm-corrected across the categories of each model; the effect size d_z (mean of
  the per-item differences over their standard deviation).
- Variant contrasts (tr_cap and tr_uncut against tr, sr_ch against sr, pc_nsp against pc_sp):
  for the humans and each model, the second variant minus the first. Variants that share item
  ids are paired by item; pc_sp and pc_nsp hold different items, so their items are resampled
  independently and the p-value is a Mann-Whitney U test.

Point estimates come from tasks.scoring.metrics on the runs of the compared items.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from tasks.analysis.bootstrap import group_scores, percentile_ci, strata_weights
from tasks.analysis.design import Design
from tasks.analysis.models import ModelRuns
from tasks.scoring.metrics import LEADERBOARD_COLUMNS, RunResult, score

VARIANT_PAIRS = (("tr", "tr_cap"), ("tr", "tr_uncut"), ("tr_cap", "tr_uncut"), ("sr", "sr_ch"), ("pc_sp", "pc_nsp"))
EXHAUSTIVE_TIED_ITEMS = 13  # with ties or zeros, every sign assignment up to this many items
CONTRAST_SEED_TAG = 1  # the contrasts draw their own item resamples: seeded by (seed, this tag)


@dataclass
class Responder:
    name: str
    results: list[RunResult]
    correct: np.ndarray  # (I,) over the design's items
    answered: np.ndarray


def responders(design: Design, models: list[ModelRuns]) -> list[Responder]:
    resp = design.responses
    out = [Responder("Humans (pooled)", resp.run_results(), design.correct.sum(axis=1).astype(np.float64),
                     design.answered.sum(axis=1).astype(np.float64))]
    for m in models:
        right, answered = m.item_counts(resp.items)
        out.append(Responder(m.name, m.results, right, answered))
    return out


def _score(results: list[RunResult], alias: str, item_ids: set[str], category: str | None = None) -> float | None:
    rows = [r for r in results if r.alias == alias and r.item_id in item_ids]
    if not rows:
        return None
    perf = score(alias, rows)
    m = perf.total if category is None else perf.by_category.get(category)
    return None if m is None or m.total_runs == 0 else m.aa


def _accuracy(right: np.ndarray, answered: np.ndarray) -> np.ndarray:
    return 100.0 * right / answered


def accuracy_differences(right_a: np.ndarray, answered_a: np.ndarray, right_b: np.ndarray,
                         answered_b: np.ndarray) -> np.ndarray:
    """Per item, 100 * (right_a / answered_a - right_b / answered_b) in percentage points,
    computed exactly on the integer counts and rounded to a float once. Differences of equal
    magnitude are then equal floats (65/3 and -65/3 are +-21.666666666666668, not
    21.666666666666657 and -21.66666666666667 as two rounded quotients give), so the signed-rank
    test sees every tie and every zero."""
    def fraction(right, answered) -> Fraction:
        if right != int(right) or answered != int(answered):
            raise ValueError(f"counts must be whole numbers, not {right}/{answered}")
        return Fraction(int(right), int(answered))

    return np.array([float(100 * (fraction(ra, na) - fraction(rb, nb)))
                     for ra, na, rb, nb in zip(right_a, answered_a, right_b, answered_b)], dtype=np.float64)


def _wilcoxon(diffs: np.ndarray) -> float | None:
    """Two-sided Wilcoxon signed-rank p of per-item differences (docs/report.md): zero differences
    are ranked and their ranks split between the signs (zsplit); without ties or zeros the exact
    null distribution is used up to 50 items; with ties or zeros the exact permutation distribution
    of the tied ranks (every sign assignment) up to 13 items, and above that the normal
    approximation with the tie-corrected variance."""
    if diffs.size < 2:
        return None
    if not np.any(diffs):
        return 1.0
    magnitudes = np.abs(diffs)
    ties_or_zeros = bool(np.any(diffs == 0)) or np.unique(magnitudes).size < magnitudes.size
    if not ties_or_zeros:
        method = "exact" if diffs.size <= 50 else "asymptotic"
    elif diffs.size <= EXHAUSTIVE_TIED_ITEMS:
        method = stats.PermutationMethod(n_resamples=2 ** EXHAUSTIVE_TIED_ITEMS)  # every sign assignment
    else:
        method = "asymptotic"
    return float(stats.wilcoxon(diffs, zero_method="zsplit", method=method).pvalue)


def paired_t_ci(difference: float | None, replicates: np.ndarray, n_items: int,
                confidence: float = 0.95) -> tuple[float, float] | None:
    """The 95% interval of a difference over n items from its paired item resamples: the
    difference +- t(n-1) * SD(resamples) * sqrt(n / (n-1)). The plain percentile interval of so
    few items (10 to 20 per category) covered 91.5% in simulation (bench/stat_validation.py); the
    t quantile and the (n-1)/n correction of the bootstrap's variance make it the paired t
    interval of a mean, for any of the kit's scores."""
    reps = np.asarray(replicates, dtype=np.float64)
    reps = reps[~np.isnan(reps)]
    if difference is None or reps.size < 2 or n_items < 2:
        return None
    half = float(stats.t.ppf(0.5 + confidence / 2, n_items - 1)) * float(reps.std(ddof=1)) * \
        math.sqrt(n_items / (n_items - 1))
    return difference - half, difference + half


def _d_z(diffs: np.ndarray) -> float | None:
    if diffs.size < 2:
        return None
    sd = float(np.std(diffs, ddof=1))
    return None if sd == 0 else float(np.mean(diffs)) / sd


def human_vs_models(design: Design, people: list[Responder], seed: int) -> pd.DataFrame:
    """One row per (model, leaderboard category): human minus model with paired CI, p, Holm p, d_z."""
    rng = np.random.default_rng((seed, CONTRAST_SEED_TAG))
    human = people[0]
    records = []
    for model in people[1:]:
        rows = []
        for key, header, alias, category in LEADERBOARD_COLUMNS:
            if category is None:
                continue
            idx = design.items(alias, category)
            idx = idx[(human.answered[idx] > 0) & (model.answered[idx] > 0)]
            if idx.size == 0:
                continue
            ids = {design.responses.items[k][1] for k in idx}
            h, m = _score(human.results, alias, ids, category), _score(model.results, alias, ids, category)
            w = strata_weights([design.sub_category[k] or design.category[k] for k in idx], design.n_boot, rng)
            groups = _groups(design, alias, idx)
            reps = (group_scores(w, human.correct[idx], human.answered[idx], groups)
                    - group_scores(w, model.correct[idx], model.answered[idx], groups))
            diffs = accuracy_differences(human.correct[idx], human.answered[idx], model.correct[idx],
                                         model.answered[idx])
            ci = paired_t_ci(None if h is None or m is None else h - m, reps, int(idx.size))
            rows.append({"model": model.name, "column": key, "alias": alias, "category": category, "header": header,
                         "items": int(idx.size), "human_aa": h, "model_aa": m,
                         "difference": None if h is None or m is None else h - m,
                         "ci_low": ci[0] if ci else None, "ci_high": ci[1] if ci else None,
                         "p": _wilcoxon(diffs), "d_z": _d_z(diffs)})
        tested = [k for k, r in enumerate(rows) if r["p"] is not None]
        holm = multipletests([rows[k]["p"] for k in tested], method="holm")[1] if tested else []
        for k, r in enumerate(rows):
            r["p_holm"] = float(holm[tested.index(k)]) if k in tested else None
        records += rows
    return pd.DataFrame.from_records(records, columns=[
        "model", "column", "alias", "category", "header", "items", "human_aa", "model_aa", "difference", "ci_low",
        "ci_high", "p", "p_holm", "d_z"])


def variant_contrasts(design: Design, people: list[Responder], seed: int) -> pd.DataFrame:
    """One row per (variant pair, responder) where the responder answered both variants."""
    rng = np.random.default_rng((seed, CONTRAST_SEED_TAG + 1))
    items = design.responses.items
    records = []
    for first, second in VARIANT_PAIRS:
        a_all, b_all = design.items(first), design.items(second)
        if a_all.size == 0 or b_all.size == 0:
            continue
        for who in people:
            a = a_all[who.answered[a_all] > 0]
            b = b_all[who.answered[b_all] > 0]
            a_ids = {items[k][1]: k for k in a}
            b_ids = {items[k][1]: k for k in b}
            shared = sorted(set(a_ids) & set(b_ids))
            paired = bool(shared)
            if paired:
                a = np.array([a_ids[i] for i in shared])
                b = np.array([b_ids[i] for i in shared])
            if a.size == 0 or b.size == 0:
                continue
            strata_a = [design.sub_category[k] or design.category[k] for k in a]
            w_a = strata_weights(strata_a, design.n_boot, rng)
            w_b = w_a if paired else strata_weights([design.sub_category[k] or design.category[k] for k in b],
                                                    design.n_boot, rng)
            reps = (group_scores(w_b, who.correct[b], who.answered[b], _groups(design, second, b))
                    - group_scores(w_a, who.correct[a], who.answered[a], _groups(design, first, a)))
            acc_a = _accuracy(who.correct[a], who.answered[a])
            acc_b = _accuracy(who.correct[b], who.answered[b])
            if paired:
                diffs = accuracy_differences(who.correct[b], who.answered[b], who.correct[a], who.answered[a])
                p, effect = _wilcoxon(diffs), _d_z(diffs)
            else:
                p = float(stats.mannwhitneyu(acc_b, acc_a).pvalue) if min(acc_a.size, acc_b.size) >= 1 else None
                pooled_sd = float(np.sqrt((np.var(acc_a, ddof=1) + np.var(acc_b, ddof=1)) / 2)) \
                    if min(acc_a.size, acc_b.size) >= 2 else 0.0
                effect = None if pooled_sd == 0 else float(np.mean(acc_b) - np.mean(acc_a)) / pooled_sd
            va = _score(who.results, first, {items[k][1] for k in a})
            vb = _score(who.results, second, {items[k][1] for k in b})
            ci = percentile_ci(reps)
            records.append({"contrast": f"{second} - {first}", "responder": who.name,
                            "pairing": "paired by item" if paired else "independent items",
                            "items_first": int(a.size), "items_second": int(b.size), "first_aa": va,
                            "second_aa": vb, "difference": None if va is None or vb is None else vb - va,
                            "ci_low": ci[0] if ci else None, "ci_high": ci[1] if ci else None, "p": p,
                            "effect_size": effect})
    return pd.DataFrame.from_records(records, columns=[
        "contrast", "responder", "pairing", "items_first", "items_second", "first_aa", "second_aa", "difference",
        "ci_low", "ci_high", "p", "effect_size"])


def _groups(design: Design, variant: str, idx: np.ndarray) -> list[np.ndarray]:
    """Macro groups of the items idx, as positions 0..len(idx)-1."""
    groups = design.groups(variant, idx)
    where = {int(k): n for n, k in enumerate(idx)}
    return [np.array([where[int(k)] for k in g], dtype=np.int64) for g in groups]
