"""Point 6 of the report: agreement between people and reliability of the human score.

- Fleiss' kappa across participants, per variant and per category. Subjects are runs, categories
  the presented letters (plus "no answer"). Fleiss' kappa needs the same number of raters for
  every subject: only the runs answered by the most common number of participants (at least 2)
  enter, and the table says how many runs that is. Its chance agreement is taken within runs of
  the same number of options and averaged (stratified_fleiss): pooling the letters of 2-, 3- and
  4-option runs into one set of shares underestimates chance and biases kappa upwards; with one
  number of options it is statsmodels' Fleiss' kappa.
- Krippendorff's alpha (nominal, the krippendorff package) on the same runs x letters counts,
  every run with at least two answers: it allows a different number of raters per run.
- Split-half reliability of each participant's accuracy: the items of a variant split at random
  into two halves (SPLITS seeded splits), Pearson r across participants between the halves
  (scipy), averaged over the splits, then stepped up with Spearman-Brown 2r / (1 + r).
- Agreement between the runs (rotations) of one item within a participant: the share of
  (participant, item) pairs whose runs all give the same answer, answers compared as labels
  (responses.py), and ``runs_kappa``: the observed pairwise agreement between the runs of each
  (participant, item) against the agreement guessing gives on that item (1 / its number of
  options), kappa = (sum observed - sum expected) / (subjects - sum expected). Its chance
  baseline is 0 for guessers in every family, whatever the options are called (pooling the
  item-specific option texts of pc and sr as categories made guessers read 0.25-0.30).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import krippendorff
from scipy import stats
from statsmodels.stats.inter_rater import fleiss_kappa

from tasks.analysis.design import Design
from tasks.analysis.responses import NO_ANSWER

SPLITS = 200
SPLIT_SEED_TAG = 3


def _fleiss(table: np.ndarray) -> tuple[float | None, int, int | None]:
    """Fleiss' kappa on the subjects with the most common number of ratings (>= 2): kappa, the
    number of subjects used and their number of ratings each."""
    n = table.sum(axis=1)
    n = n[n >= 2]
    if n.size == 0:
        return None, 0, None
    m = int(np.bincount(n.astype(np.int64)).argmax())
    rows = table[table.sum(axis=1) == m]
    shares = rows.sum(axis=0) / rows.sum()
    if rows.shape[0] < 2 or np.isclose((shares ** 2).sum(), 1.0):
        return None, int(rows.shape[0]), m  # one category only: kappa is undefined
    return float(fleiss_kappa(rows, method="fleiss")), int(rows.shape[0]), m


def stratified_fleiss(table: np.ndarray, n_options: np.ndarray) -> tuple[float | None, int, int | None]:
    """Fleiss' kappa on the subjects (rows) with the most common number of ratings (>= 2), with
    the chance agreement computed within each number of options and averaged over subjects:
    kappa, the number of subjects used and their number of ratings each."""
    n = table.sum(axis=1)
    if not (n >= 2).any():
        return None, 0, None
    m = int(np.bincount(n[n >= 2].astype(np.int64)).argmax())
    keep = n == m
    rows, opts = table[keep].astype(float), n_options[keep]
    if rows.shape[0] < 2:
        return None, int(rows.shape[0]), m
    observed = float(((rows * (rows - 1)).sum(axis=1) / (m * (m - 1))).mean())
    expected = 0.0
    for k in np.unique(opts):
        group = rows[opts == k]
        shares = group.sum(axis=0) / group.sum()
        expected += group.shape[0] / rows.shape[0] * float((shares ** 2).sum())
    if np.isclose(expected, 1.0):
        return None, int(rows.shape[0]), m  # one category only: kappa is undefined
    return (observed - expected) / (1.0 - expected), int(rows.shape[0]), m


def chance_corrected_agreement(counts: np.ndarray, n_options: np.ndarray) -> float | None:
    """Kappa of agreement within subjects (rows of answer counts, any number of answers >= 2)
    against the agreement of uniform guessing among each subject's options."""
    return _agreement_of(counts.sum(axis=1), (counts * (counts - 1)).sum(axis=1), n_options)


def _alpha(table: np.ndarray) -> float | None:
    rows = table[table.sum(axis=1) >= 2]
    used = rows.sum(axis=0) > 0
    if rows.shape[0] < 1 or used.sum() < 2:
        return None
    return float(krippendorff.alpha(value_counts=rows[:, used], level_of_measurement="nominal"))


def _run_letter_table(design: Design, run_mask: np.ndarray) -> np.ndarray:
    resp = design.responses
    width = max(len(r.options) for r in resp.runs) + 1
    choice = np.where(resp.choice == NO_ANSWER, width - 1, resp.choice)
    keep = run_mask[resp.run]
    table = np.bincount(resp.run[keep] * width + choice[keep], minlength=len(resp.runs) * width)
    table = table.reshape(len(resp.runs), width)
    return table[run_mask]


def agreement_table(design: Design) -> pd.DataFrame:
    """Fleiss' kappa and Krippendorff's alpha across participants per variant and category."""
    resp = design.responses
    variant = np.array([r.variant for r in resp.runs], dtype=object)
    category = np.array([r.category or "" for r in resp.runs], dtype=object)
    n_options = np.array([len(r.options) for r in resp.runs])
    records = []
    for v in dict.fromkeys(variant.tolist()):
        scopes = [("all", variant == v)] + [(c, (variant == v) & (category == c))
                                            for c in sorted(set(category[variant == v].tolist()))]
        for name, mask in scopes:
            table = _run_letter_table(design, mask)
            kappa, n_runs, raters = stratified_fleiss(table, n_options[mask])
            records.append({"variant": v, "category": name, "fleiss_kappa": kappa, "kappa_runs": n_runs,
                            "raters_per_run": raters, "krippendorff_alpha": _alpha(table), "alpha_runs": int((table.sum(axis=1) >= 2).sum())})
    return pd.DataFrame.from_records(records, columns=["variant", "category", "fleiss_kappa", "kappa_runs",
                                                       "raters_per_run", "krippendorff_alpha", "alpha_runs"])


def split_half_table(design: Design, seed: int, splits: int = SPLITS) -> pd.DataFrame:
    """Split-half reliability of the participants' accuracy per variant (and over all items)."""
    rng = np.random.default_rng((seed, SPLIT_SEED_TAG))
    records = []
    scopes = [(v, np.flatnonzero(design.variant == v)) for v in dict.fromkeys(design.variant.tolist())]
    scopes.append(("all", np.arange(design.variant.size)))
    for name, idx in scopes:
        n_people = int((design.answered[idx].sum(axis=0) > 0).sum())
        rec = {"variant": name, "items": int(idx.size), "participants": n_people, "splits": splits,
               "split_half_r": None, "spearman_brown": None}
        if idx.size >= 2 and n_people >= 3:
            # each split: a random half of the items (as a 0/1 row), the rest the other half
            order = np.argsort(rng.random((splits, idx.size)), axis=1)
            first = np.zeros((splits, idx.size), dtype=np.float32)
            np.put_along_axis(first, order[:, : idx.size // 2], 1.0, axis=1)
            second = 1.0 - first
            c, n = design.correct[idx], design.answered[idx]
            with np.errstate(invalid="ignore", divide="ignore"):
                a = (first @ c) / (first @ n)
                b = (second @ c) / (second @ n)
            ok = ~(np.isnan(a).any(axis=0) | np.isnan(b).any(axis=0))
            a, b = a[:, ok], b[:, ok]
            # a cover study's participants answer shares: a split often leaves a participant none
            # of one half, and with fewer than three participants left there is no correlation
            varying = ((np.ptp(a, axis=1) > 0) & (np.ptp(b, axis=1) > 0)) if a.shape[1] >= 3 else np.zeros(0, bool)
            if a.shape[1] >= 3 and varying.any():
                r = stats.pearsonr(a[varying], b[varying], axis=1).statistic
                mean_r = float(np.mean(r))
                rec["split_half_r"] = mean_r
                rec["spearman_brown"] = 2 * mean_r / (1 + mean_r) if mean_r > -1 else None
        records.append(rec)
    return pd.DataFrame.from_records(records)


def run_agreement_table(design: Design) -> pd.DataFrame:
    """Within a participant, do the runs of one item get the same answer? (Counted on arrays: the
    (participant, item) pairs with two or more answered runs in (participant, item) order, and per
    pair the counts of its answers, as the grouped table of them gives.)"""
    resp = design.responses
    labels, texts = resp.labels()
    n_lab = len(texts) + 1
    lab = np.where(labels == NO_ANSWER, len(texts), labels)
    n_items = len(resp.items)
    item_options = np.array([len(resp.item_run(k).options) for k in range(n_items)], dtype=np.int64)
    records = []
    for v in dict.fromkeys(design.variant.tolist()):
        keep = design.variant[resp.item] == v
        pair = resp.participant[keep] * n_items + resp.item[keep]  # (participant, item), sorted as grouped
        pairs, sizes = np.unique(pair, return_counts=True)
        multi = pairs[sizes >= 2]
        rec = {"variant": v, "participant_items": int(multi.size), "all_runs_same": None, "runs_kappa": None,
               "kappa_subjects": 0}
        if multi.size:
            row = np.searchsorted(multi, pair)
            inside = (row < multi.size) & (multi[np.minimum(row, multi.size - 1)] == pair)
            cells, per_cell = np.unique(row[inside] * n_lab + lab[keep][inside], return_counts=True)
            cell_row = cells // n_lab
            answers = np.bincount(cell_row, weights=per_cell, minlength=multi.size)
            same = np.bincount(cell_row, weights=per_cell * (per_cell - 1), minlength=multi.size)
            top = np.zeros(multi.size, dtype=np.int64)
            np.maximum.at(top, cell_row, per_cell)
            rec["all_runs_same"] = float((top == answers).mean())
            rec["runs_kappa"] = _agreement_of(answers, same, item_options[multi % n_items])
            rec["kappa_subjects"] = int(multi.size)
        records.append(rec)
    return pd.DataFrame.from_records(records)


def _agreement_of(answers: np.ndarray, same: np.ndarray, n_options: np.ndarray) -> float | None:
    """The kappa of chance_corrected_agreement from each subject's number of answers and its sum
    of c (c - 1) over its answer counts c (whole numbers, exact as floats)."""
    m = answers.astype(float)
    observed = same / (m * (m - 1))
    expected = 1.0 / n_options
    if np.isclose(expected.sum(), len(expected)):
        return None
    return float((observed.sum() - expected.sum()) / (len(expected) - expected.sum()))
