"""Point 5 of the report: one row per presented item (variant, item id).

A participant *agrees with the key* on an item when more than half of their answered runs of it
are correct (one run: that run is correct). Flags, in the ``flags`` column joined by ";":
- below_chance: fewer correct answers than guessing would give, by a test: the exact one-sided
  p-value of the number of correct answers under guessing (each answer right with probability
  1/options of its run: a Poisson-binomial distribution), with the Benjamini-Hochberg false
  discovery rate controlled at BELOW_CHANCE_FDR across the items of the table (columns
  chance_p and chance_q);
- modal_not_key: the most frequent answer (see responses.py for how answers are compared across
  runs) is not the key, and the key is not tied with it;
- below_two_thirds: fewer than 2/3 of the participants agree with the key (the paper kept
  holistic items only when at least 2 of 3 expert examinees agreed with the key);
- models_right_humans_wrong: every model with runs of the item is right on more than half of
  them, and fewer than half of the participants agree with the key;
- humans_right_models_wrong: more than half of the participants agree with the key, and no
  model is right on more than half of its runs.
Discrimination: the point-biserial correlation (Pearson's r, scipy.stats.pearsonr) between agreeing
with the key on the item and the participant's accuracy on the other items of the same variant.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from tasks.analysis.design import Design
from tasks.analysis.models import ModelRuns
from tasks.analysis.responses import NO_ANSWER

TWO_THIRDS = 2.0 / 3.0
BELOW_CHANCE_FDR = 0.05  # Benjamini-Hochberg q below which an item is flagged below_chance
FLAGS = ("below_chance", "modal_not_key", "below_two_thirds", "models_right_humans_wrong",
         "humans_right_models_wrong")
COLUMNS = ["variant", "item_id", "task", "category", "sub_category", "key", "runs_presented", "answers",
           "participants", "human_accuracy", "chance", "chance_p", "chance_q", "agreement_with_key", "modal_answer", "modal_share",
           "point_biserial", "point_biserial_p"]


def _modal(resp, labels: np.ndarray, texts: list[str], key_text: list[str]) -> tuple[list, list, list]:
    """Per item: the modal answer (ties: the key when it is among them, else the label text that
    sorts first), its share of the answers, and whether the key is not among the most frequent."""
    n_labels = len(texts) + 1
    lab = np.where(labels == NO_ANSWER, len(texts), labels)
    counts = np.bincount(resp.item * n_labels + lab, minlength=len(resp.items) * n_labels)
    counts = counts.reshape(len(resp.items), n_labels)
    names = texts + ["(no answer)"]
    index = {t: k for k, t in enumerate(texts)}
    modal, share, differs = [], [], []
    for k in range(len(resp.items)):
        row = counts[k]
        top = row.max()
        tied = sorted(names[j] for j in np.flatnonzero(row == top))
        key_j = index.get(key_text[k])
        key_tied = key_j is not None and row[key_j] == top
        modal.append(key_text[k] if key_tied else tied[0])
        total = row.sum()
        share.append(float(top / total) if total else None)
        differs.append(not key_tied)
    return modal, share, differs


def item_table(design: Design, models: list[ModelRuns]) -> pd.DataFrame:
    resp = design.responses
    n_items = len(resp.items)
    answers = np.bincount(resp.item, minlength=n_items)
    right = np.bincount(resp.item, weights=resp.correct.astype(float), minlength=n_items)
    n_opts = np.array([len(r.options) for r in resp.runs], dtype=float)
    chance = np.bincount(resp.item, weights=1.0 / n_opts[resp.run], minlength=n_items)
    runs_presented = np.bincount(resp.run_item, minlength=n_items)
    answered_ip, correct_ip = design.answered, design.correct
    took = answered_ip > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        agree = took & (correct_ip / np.where(took, answered_ip, 1) > 0.5)
    n_people = took.sum(axis=1)
    agreement = np.where(n_people > 0, agree.sum(axis=1) / np.maximum(n_people, 1), np.nan)
    labels, texts = resp.labels()
    keys = resp.key_labels()
    modal, modal_share, modal_differs = _modal(resp, labels, texts, keys)
    # the rest score: each participant's accuracy on the other items of the same variant
    variant_c = {v: correct_ip[design.variant == v].sum(axis=0) for v in set(design.variant.tolist())}
    variant_n = {v: answered_ip[design.variant == v].sum(axis=0) for v in set(design.variant.tolist())}
    model_acc = {}
    for m in models:
        mc, mn = m.item_counts(resp.items)
        with np.errstate(invalid="ignore", divide="ignore"):
            model_acc[m.name] = np.where(mn > 0, 100.0 * mc / np.where(mn > 0, mn, 1), np.nan)
    chance_p = below_chance_p(resp.item, resp.correct, 1.0 / n_opts[resp.run], n_items)
    chance_q = fdr_bh(chance_p)
    rpb_all = point_biserials(agree, took, correct_ip, answered_ip, [variant_c[v] for v, _i in resp.items],
                              [variant_n[v] for v, _i in resp.items])
    records = []
    for k, (variant, item_id) in enumerate(resp.items):
        info = resp.item_run(k)
        rpb, rpb_p = rpb_all[k]
        acc = 100.0 * right[k] / answers[k]
        rec = {"variant": variant, "item_id": item_id, "task": info.task, "category": info.category,
               "sub_category": info.sub_category, "key": keys[k], "runs_presented": int(runs_presented[k]),
               "answers": int(answers[k]), "participants": int(n_people[k]), "human_accuracy": acc,
               "chance": 100.0 * chance[k] / answers[k], "chance_p": float(chance_p[k]),
               "chance_q": float(chance_q[k]), "agreement_with_key": float(agreement[k]),
               "modal_answer": modal[k], "modal_share": modal_share[k], "point_biserial": rpb,
               "point_biserial_p": rpb_p}
        flags = []
        if chance_q[k] < BELOW_CHANCE_FDR:
            flags.append("below_chance")
        if modal_differs[k]:
            flags.append("modal_not_key")
        if agreement[k] < TWO_THIRDS:
            flags.append("below_two_thirds")
        scored = [model_acc[m][k] for m in model_acc if not np.isnan(model_acc[m][k])]
        if scored and all(a > 50.0 for a in scored) and agreement[k] < 0.5:
            flags.append("models_right_humans_wrong")
        if scored and all(a <= 50.0 for a in scored) and agreement[k] > 0.5:
            flags.append("humans_right_models_wrong")
        for name, values in model_acc.items():
            rec[f"model_accuracy:{name}"] = None if np.isnan(values[k]) else float(values[k])
        rec["flags"] = ";".join(flags)
        records.append(rec)
    columns = COLUMNS + [f"model_accuracy:{name}" for name in model_acc] + ["flags"]
    return pd.DataFrame.from_records(records, columns=columns)


def poisson_binomial_pmf(probabilities: np.ndarray) -> np.ndarray:
    """P(X = k), k = 0..n, for X the number of successes of independent trials with these
    probabilities (exact, by convolving one trial at a time)."""
    pmf = np.array([1.0])
    for p in probabilities:
        pmf = np.convolve(pmf, [1.0 - p, p])
    return pmf


def below_chance_p(item: np.ndarray, correct: np.ndarray, p_guess: np.ndarray, n_items: int) -> np.ndarray:
    """Per item, the one-sided p-value of so few correct answers under guessing."""
    out = np.ones(n_items)
    order = np.argsort(item, kind="stable")
    bounds = np.searchsorted(item[order], np.arange(n_items + 1))
    # items whose answers have the same guessing probabilities in the same order (most items of a
    # complete design) share one distribution: convolved once, summed per item as before
    pmfs: dict[bytes, np.ndarray] = {}
    for k in range(n_items):
        rows = order[bounds[k]:bounds[k + 1]]
        if rows.size:
            p = p_guess[rows]
            pmf = pmfs.get(p.tobytes())
            if pmf is None:
                pmf = pmfs[p.tobytes()] = poisson_binomial_pmf(p)
            out[k] = float(min(1.0, pmf[:int(correct[rows].sum()) + 1].sum()))
    return out


def fdr_bh(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q) across the items (statsmodels)."""
    if p_values.size == 0:
        return p_values
    return multipletests(p_values, method="fdr_bh")[1]


def _rest_pairs(agree, took, correct, answered, total_c, total_n) -> tuple[np.ndarray, np.ndarray] | None:
    """One item's (agrees with the key, accuracy on the rest of the variant) over the participants
    who answered it and something else of the variant; None when the correlation is undefined."""
    x = agree[took].astype(float)
    rest_n = (total_n - answered)[took]
    rest_c = (total_c - correct)[took]
    keep = rest_n > 0
    x, y = x[keep], rest_c[keep] / rest_n[keep]
    if x.size < 3 or x.min() == x.max() or np.ptp(y) == 0:
        return None
    return x, y


def point_biserials(agree, took, correct, answered, total_c: list, total_n: list) -> list[tuple]:
    """Per item (rows of the (I, P) arrays) the point-biserial r and its p (None, None when
    undefined). Items with the same number of pairs go to scipy.stats.pearsonr together, one row
    each (along the last axis): per row the same operations as a call per item, so the same
    values to the last bit, without scipy's fixed cost of a call per item."""
    out: list[tuple] = [(None, None)] * len(agree)
    by_size: dict[int, list[tuple[int, np.ndarray, np.ndarray]]] = {}
    for k in range(len(agree)):
        pair = _rest_pairs(agree[k], took[k], correct[k], answered[k], total_c[k], total_n[k])
        if pair is not None:
            by_size.setdefault(pair[0].size, []).append((k, *pair))
    for rows in by_size.values():
        r = stats.pearsonr(np.stack([x for _k, x, _y in rows]), np.stack([y for _k, _x, y in rows]), axis=-1)
        for (k, _x, _y), rk, pk in zip(rows, np.atleast_1d(r.statistic).tolist(), np.atleast_1d(r.pvalue).tolist()):
            out[k] = (float(rk), float(pk))
    return out
