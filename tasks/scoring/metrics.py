"""Scoring exactly as the model evaluation scores (STARBENCH.md section 4).

AA is the share of correct runs, ACR the share of item ids whose runs are all correct. tr and
sr are micro-averaged over runs; pc is macro-averaged: By Category is the unweighted mean of its
sub-categories, Total the unweighted mean over all sub-categories. Like the evaluation kit, the
macro means are taken over the sub-category values rounded to two decimals (the kit averages the
"79.42%" strings it has just written).

Every mean is computed with the kit's arithmetic, so the files match its own to the last digit
whatever the hash seed (docs/numbers.md): a share is (count / n) * 100, a mean of values is
numpy's float64 sum in the kit's order divided by the count (what pandas' Series.mean does), and
groups are visited in sorted key order, as pandas' groupby visits them.

Everything works on partial data: each number carries the counts behind it.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from itertools import groupby
from operator import attrgetter
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np

from tasks.dataset.items import family_of
from tasks.scoring.arrays import RunArrays
from tasks.scoring.counts import cell_counts, group_counts


@dataclass(frozen=True)
class RunResult:
    alias: str  # the alias or variant it was scored under, e.g. "tr_uncut"
    item_id: str
    rotate_id: int
    category: str | None  # None: no category (null in the kit's file), in no group
    sub_category: str | None
    # None: no valid answer, counts as wrong. A float in [0, 1] is an expected credit (used for
    # the chance row: 1 / number of options).
    is_correct: bool | float | None

    @property
    def credit(self) -> float:
        return float(self.is_correct or 0.0)


@dataclass(frozen=True)
class Metric:
    aa: float
    acr: float
    total_runs: int
    unique_samples: int
    correct_runs: float  # a whole number unless credits are expected values
    all_correct_samples: float
    n_subcategories: int | None = None  # set for macro-averaged pc groups

    def to_kit(self) -> dict:
        out = {"AA": f"{self.aa:.2f}%", "ACR": f"{self.acr:.2f}%"}
        if self.n_subcategories is not None:
            out["n_subcategories"] = self.n_subcategories
        out["total_runs"] = self.total_runs
        out["unique_samples"] = self.unique_samples
        return out


_IS_CORRECT, _ITEM_ID = attrgetter("is_correct"), attrgetter("item_id")
_CATEGORY, _SUB_CATEGORY = attrgetter("category"), attrgetter("sub_category")


def kit_mean(values: Sequence[float]) -> float:
    """The mean as pandas' Series.mean takes it: numpy's float64 sum of the values in the given
    order (pairwise: one running sum below 8 values, eight interleaved partial sums up to 128,
    halves beyond), divided by the count. Python's sum() / n differs in the last bit now and
    then, and after rounding to two decimals in a few percent of cases."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        raise ValueError("the mean of no values")
    return float(np.sum(arr) / np.float64(arr.size))


def kit_share_pct(values: Sequence[float]) -> float:
    """100 * mean, multiplied after dividing as the kit does (mean() * 100): (count / n) * 100
    and 100 * count / n are not always the same float."""
    return kit_mean(values) * 100.0


def _micro(results: list[RunResult]) -> Metric:
    if not results:
        return Metric(0.0, 0.0, 0, 0, 0, 0)
    credits = [float(c or 0.0) for c in map(_IS_CORRECT, results)]  # RunResult.credit of each
    per_id: dict[str, float] = {}
    get = per_id.get
    for item_id, credit in zip(map(_ITEM_ID, results), credits):
        # all runs right: a product of credits (for booleans, a logical and)
        per_id[item_id] = get(item_id, 1.0) * credit
    # pandas' groupby('id') visits ids in sorted order; for booleans the order changes nothing
    per_id_values = [per_id[k] for k in sorted(per_id)]
    return Metric(
        aa=kit_share_pct(credits),
        acr=kit_share_pct(per_id_values),
        total_runs=len(results),
        unique_samples=len(per_id),
        correct_runs=float(np.sum(np.asarray(credits, dtype=np.float64))),
        all_correct_samples=float(np.sum(np.asarray(per_id_values, dtype=np.float64))),
    )


def _round2(x: float) -> float:
    # The kit formats with f"{x:.2f}" and parses back; do the same to match it exactly.
    return float(f"{x:.2f}")


def _groups(rows: list[RunResult], key: str) -> dict[str, list[RunResult]]:
    """Rows by category or sub-category in sorted key order, as pandas' groupby gives them;
    rows without a key (null in the kit's file) belong to no group, as in pandas."""
    out: dict[str, list[RunResult]] = defaultdict(list)
    for k, r in zip(map(attrgetter(key), rows), rows):
        if k is not None:
            out[k].append(r)
    return {k: out[k] for k in sorted(out)}


def _macro(rows: list[RunResult], sub_names: list[str], by_sub: Mapping[str, Metric]) -> Metric:
    """Unweighted mean of the sub-categories' two-decimal AA and ACR, in the order given
    (sorted by name), with the counts of the rows behind it."""
    return _macro_of(_micro(rows), sub_names, by_sub)


def _macro_of(base: Metric, sub_names: list[str], by_sub: Mapping[str, Metric]) -> Metric:
    """_macro with the micro metric of the rows behind it already computed."""
    return Metric(kit_mean([_round2(by_sub[n].aa) for n in sub_names]),
                  kit_mean([_round2(by_sub[n].acr) for n in sub_names]),
                  base.total_runs, base.unique_samples, base.correct_runs, base.all_correct_samples,
                  n_subcategories=len(sub_names))


@dataclass
class Performance:
    alias: str
    total: Metric
    by_category: dict[str, Metric] = field(default_factory=dict)
    by_sub_category: dict[str, Metric] = field(default_factory=dict)

    def to_kit(self) -> dict:
        """performance.json content in the evaluation kit's layout and key order (pc writes
        By Sub-category, By Category, Total; the others Total, By Category, By Sub-category)."""
        macro = family_of(self.alias) == "pc" and self.total.n_subcategories is not None
        parts = {"Total": self.total.to_kit()}
        # the macro evaluation writes both groupings always (even empty); the micro one only
        # when some run has a category (sub-category)
        if self.by_category or macro:
            parts["By Category"] = {k: v.to_kit() for k, v in sorted(self.by_category.items())}
        if self.by_sub_category or macro:
            parts["By Sub-category"] = {k: v.to_kit() for k, v in sorted(self.by_sub_category.items())}
        order = ("By Sub-category", "By Category", "Total") if macro else ("Total", "By Category", "By Sub-category")
        return {k: parts[k] for k in order if k in parts}


def score(alias: str, results: Iterable[RunResult]) -> Performance:
    """Score one alias (or variant). Results of other aliases are an error.

    True/false results (None counts as false) are scored from counts: a sum of 0/1 values is
    the same exact whole number in any order, so (correct / runs) * 100 is the kit's mean to
    the last bit. Other credits (the chance row's expected values) go through the kit's
    ordered arithmetic (_score_in_order)."""
    rows = results if type(results) is list else list(results)
    uses = Counter(map(id, rows)) if len(rows) >= ARRAYS_FROM_RUNS else {}  # rows per distinct result object
    if len(uses) * 4 <= len(rows) and uses:
        # most rows share a few result objects (the lists of an export or a comparison):
        # each object is looked at once, with the number of rows that hold it
        distinct, weights = list(dict(zip(map(id, rows), rows)).values()), list(uses.values())
    else:
        distinct, weights = rows, None
    if set(map(_ALIAS, distinct)) - {alias}:
        r = next(r for r in rows if r.alias != alias)
        raise ValueError(f"result {r.item_id}@{r.rotate_id} belongs to {r.alias!r}, not {alias!r}")
    if set(map(_IS_CORRECT, distinct)) <= _TRUE_FALSE:
        return score_counted(alias, *cell_counts(distinct, weights))
    return _score_in_order(alias, rows, None if weights is None else distinct)


# values whose credit is 0 or 1 (True == 1 == 1.0 and False == 0 in a set)
_TRUE_FALSE = frozenset((True, False, None))
_ALIAS = attrgetter("alias")


def score_counted(alias: str, runs: Mapping[tuple, int], correct: Mapping[tuple, int]) -> Performance:
    """score() of true/false results given as counts per (category, sub-category, item id) cell:
    ``runs`` in order of the cells' first appearance, ``correct`` the correct runs of a cell
    (missing: none). The same Performance as score() on the results those counts come from."""
    if not runs:
        return Performance(alias, Metric(0.0, 0.0, 0, 0, 0, 0))
    counts = group_counts(runs, correct)
    by_sub = {name: _count_metric(c) for name, c in counts.by_sub_category().items()}
    if family_of(alias) == "pc" and by_sub:
        # as in _score_in_order: the macro means of the sub-categories' two-decimal values
        cat_of_sub = counts.first_category_of_subs()
        by_cat_counts = counts.by_category()
        by_cat = {}
        for cat in sorted({c for c in cat_of_sub.values() if c is not None}):
            names = [n for n in by_sub if cat_of_sub[n] == cat]
            by_cat[cat] = _macro_of(_count_metric(by_cat_counts[cat]), names, by_sub)
        total = _macro_of(_count_metric(counts.total()), list(by_sub), by_sub)
    else:
        by_cat = {name: _count_metric(c) for name, c in counts.by_category().items()}
        total = _count_metric(counts.total())
    return Performance(alias, total, by_cat, by_sub)


def _count_metric(counts: tuple[int, int, int, int]) -> Metric:
    """The metric of a group's (runs, correct runs, items, items all correct) of true/false
    results: the kit's share of 0/1 values is (count / n) * 100, exactly."""
    runs, correct, items, all_correct = counts
    return Metric(aa=(correct / runs) * 100.0, acr=(all_correct / items) * 100.0, total_runs=runs,
                  unique_samples=items, correct_runs=float(correct), all_correct_samples=float(all_correct))


# from this many runs on, the ordered arithmetic runs on numpy arrays (tasks.scoring.arrays);
# below it, numpy's fixed cost per group is more than the loop's
ARRAYS_FROM_RUNS = 20_000


def _score_in_order(alias: str, rows: list[RunResult], distinct: list[RunResult] | None = None) -> Performance:
    """score() with the kit's arithmetic on the values in their order (any credits);
    ``distinct``: the distinct result objects among ``rows``, in order of first appearance."""
    if len(rows) >= ARRAYS_FROM_RUNS:
        return _score_with_arrays(alias, rows, distinct)
    return _score_in_loop(alias, rows)


def _score_with_arrays(alias: str, rows: list[RunResult], distinct: list[RunResult] | None = None) -> Performance:
    """_score_in_loop's numbers, computed on arrays."""
    which = None
    if distinct is not None:
        position = {id(r): k for k, r in enumerate(distinct)}
        which = np.fromiter(map(position.__getitem__, map(id, rows)), dtype=np.intp, count=len(rows))
    else:
        distinct = rows
    runs = RunArrays([c or 0.0 for c in map(_IS_CORRECT, distinct)], list(map(_ITEM_ID, distinct)),
                     list(map(_CATEGORY, distinct)), list(map(_SUB_CATEGORY, distinct)), which)

    def metric(mask) -> Metric:
        return Metric(*runs.micro(mask))

    by_sub = {name: metric(runs.sub_categories == k) for k, name in enumerate(runs.sub_category_names)}
    if family_of(alias) == "pc" and by_sub:
        cat_of_sub = runs.first_category_of_subs()
        by_cat = {}
        for cat in sorted({c for c in cat_of_sub.values() if c is not None}):
            names = [n for n in by_sub if cat_of_sub[n] == cat]
            by_cat[cat] = _macro_of(metric(runs.categories == runs.category_names.index(cat)), names, by_sub)
        total = _macro_of(metric(None), list(by_sub), by_sub)
    else:
        by_cat = {name: metric(runs.categories == k) for k, name in enumerate(runs.category_names)}
        total = metric(None)
    return Performance(alias, total, by_cat, by_sub)


def _score_in_loop(alias: str, rows: list[RunResult]) -> Performance:
    """score() with the kit's arithmetic on the values in their order, a loop over the runs."""
    by_sub = {k: _micro(v) for k, v in _groups(rows, "sub_category").items()}
    if family_of(alias) == "pc" and by_sub:
        # The kit's PerceptionDataset.evaluate: a sub-category belongs to the category of its
        # first row; By Category averages each category's sub-categories (a Series.mean per
        # group, in sorted sub-category order); Total averages all sub-categories.
        first_row = {}
        for r in rows:
            if r.sub_category is not None and r.sub_category not in first_row:
                first_row[r.sub_category] = r
        cat_of_sub = {name: first_row[name].category for name in by_sub}
        by_cat = {}
        for cat in sorted({c for c in cat_of_sub.values() if c is not None}):
            names = [n for n in by_sub if cat_of_sub[n] == cat]
            by_cat[cat] = _macro([r for r in rows if r.category == cat], names, by_sub)
        total = _macro(rows, list(by_sub), by_sub)
    else:
        by_cat = {k: _micro(v) for k, v in _groups(rows, "category").items()}
        total = _micro(rows)
    return Performance(alias, total, by_cat, by_sub)


def score_all(results: Iterable[RunResult]) -> dict[str, Performance]:
    """score() per alias, aliases in order of first appearance."""
    grouped: dict[str, list[RunResult]] = {}
    # runs of one alias come in blocks (a session's plan is block by block): a list extended per block
    for alias, block in groupby(results, _ALIAS):
        found = grouped.get(alias)
        if found is None:
            grouped[alias] = list(block)
        else:
            found += block
    return {alias: score(alias, rows) for alias, rows in grouped.items()}


@dataclass(frozen=True)
class SummaryRow:
    dataset: str
    aa: float
    acr: float
    samples: int


def summarize(perfs: Mapping[str, Performance]) -> list[SummaryRow]:
    """One row per alias plus 'Final MA' = mean of the aliases' Total AA (ACR likewise),
    Samples summed. As in the kit, the alias values enter the mean rounded to two decimals,
    in the order the aliases were given (the order the kit evaluated them)."""
    rows = [SummaryRow(a, _round2(p.total.aa), _round2(p.total.acr), p.total.unique_samples)
            for a, p in perfs.items()]
    if rows:
        rows.append(SummaryRow(
            "Final MA",
            kit_mean([r.aa for r in rows]),
            kit_mean([r.acr for r in rows]),
            sum(r.samples for r in rows),
        ))
    return rows


def final_ma(totals: Sequence[float]) -> float:
    """The kit's Final MA of alias totals given in evaluation order (pc, tr, sr for the paper's
    MA): the mean of the two-decimal values."""
    return kit_mean([_round2(t) for t in totals])


# (key, header, alias, category or None for the alias Total)
LEADERBOARD_COLUMNS: tuple[tuple[str, str, str, str | None], ...] = (
    ("pc_range", "Range", "pc", "Absolute Perception Range"),
    ("pc_sensitivity", "Sensitivity", "pc", "Relative Discrimination Sensitivity"),
    ("pc_ma", "MA", "pc", None),
    ("tr_continuous", "Continuous", "tr", "Continuous Processes"),
    ("tr_discrete", "Discrete", "tr", "Discrete Event Sequences"),
    ("tr_oa", "OA", "tr", None),
    ("sr_localization", "Localization", "sr", "Single-source Static Localization"),
    ("sr_relation", "Relation", "sr", "Multi-source Spatial Relation"),
    ("sr_trajectory", "Trajectory", "sr", "Dynamic Trajectory Tracking"),
    ("sr_oa", "OA", "sr", None),
    ("ma", "MA", "", None),
)
LEADERBOARD_KEYS = tuple(c[0] for c in LEADERBOARD_COLUMNS)
LEADERBOARD_GROUPS = (("Foundational Perception", 3), ("Temporal", 3), ("Spatial", 4), ("", 1))


def leaderboard_row(perfs: Mapping[str, Performance], metric: str = "aa") -> dict[str, float | None]:
    """The paper's table row from pc, tr and sr performances. A column whose data are
    missing is None; the overall MA needs all three totals and is the kit's Final MA of them."""
    if metric not in ("aa", "acr"):
        raise ValueError("metric must be 'aa' or 'acr'")
    row: dict[str, float | None] = {}
    for key, _header, alias, category in LEADERBOARD_COLUMNS:
        if key == "ma":
            totals = [row["pc_ma"], row["tr_oa"], row["sr_oa"]]
            row[key] = None if any(t is None for t in totals) else final_ma(totals)
            continue
        perf = perfs.get(alias)
        if perf is None:
            row[key] = None
            continue
        m = perf.total if category is None else perf.by_category.get(category)
        row[key] = None if m is None or m.total_runs == 0 else getattr(m, metric)
    return row


