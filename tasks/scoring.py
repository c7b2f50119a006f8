"""Scoring exactly as the model evaluation scores (STARBENCH.md section 4).

AA is the share of correct runs, ACR the share of item ids whose runs are all correct. tr and
sr are micro-averaged over runs; pc is macro-averaged: By Category is the unweighted mean of its
sub-categories, Total the unweighted mean over all sub-categories. Like the evaluation kit, the
macro means are taken over the sub-category values rounded to two decimals (the kit averages the
"79.42%" strings it has just written), so our numbers match its files to the last digit.

Everything works on partial data: each number carries the counts behind it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from tasks.items import family_of


@dataclass(frozen=True)
class RunResult:
    alias: str  # the alias or variant it was scored under, e.g. "tr_uncut"
    item_id: str
    rotate_id: int
    category: str
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


def _micro(results: list[RunResult]) -> Metric:
    if not results:
        return Metric(0.0, 0.0, 0, 0, 0, 0)
    correct = sum(r.credit for r in results)
    per_id: dict[str, float] = {}
    for r in results:
        # all runs right: a product of credits (for booleans, a logical and)
        per_id[r.item_id] = per_id.get(r.item_id, 1.0) * r.credit
    all_correct = sum(per_id.values())
    return Metric(
        aa=100.0 * correct / len(results),
        acr=100.0 * all_correct / len(per_id),
        total_runs=len(results),
        unique_samples=len(per_id),
        correct_runs=correct,
        all_correct_samples=all_correct,
    )


def _round2(x: float) -> float:
    # The kit formats with f"{x:.2f}" and parses back; do the same to match it exactly.
    return float(f"{x:.2f}")


def _macro(results: list[RunResult], subs: Mapping[str, Metric]) -> Metric:
    base = _micro(results)
    if not subs:
        return base
    aa = sum(_round2(m.aa) for m in subs.values()) / len(subs)
    acr = sum(_round2(m.acr) for m in subs.values()) / len(subs)
    return Metric(aa, acr, base.total_runs, base.unique_samples, base.correct_runs,
                  base.all_correct_samples, n_subcategories=len(subs))


@dataclass
class Performance:
    alias: str
    total: Metric
    by_category: dict[str, Metric] = field(default_factory=dict)
    by_sub_category: dict[str, Metric] = field(default_factory=dict)

    def to_kit(self) -> dict:
        """performance.json content in the evaluation kit's layout."""
        out = {"Total": self.total.to_kit()}
        if self.by_category:
            out["By Category"] = {k: v.to_kit() for k, v in sorted(self.by_category.items())}
        if self.by_sub_category:
            out["By Sub-category"] = {k: v.to_kit() for k, v in sorted(self.by_sub_category.items())}
        return out


def score(alias: str, results: Iterable[RunResult]) -> Performance:
    """Score one alias (or variant). Results of other aliases are an error."""
    rows = list(results)
    for r in rows:
        if r.alias != alias:
            raise ValueError(f"result {r.item_id}@{r.rotate_id} belongs to {r.alias!r}, not {alias!r}")
    by_cat_rows: dict[str, list[RunResult]] = defaultdict(list)
    by_sub_rows: dict[str, list[RunResult]] = defaultdict(list)
    for r in rows:
        by_cat_rows[r.category].append(r)
        if r.sub_category:
            by_sub_rows[r.sub_category].append(r)
    by_sub = {k: _micro(v) for k, v in by_sub_rows.items()}
    if family_of(alias) == "pc":
        by_cat = {}
        for cat, cat_rows in by_cat_rows.items():
            names = {r.sub_category for r in cat_rows if r.sub_category}
            by_cat[cat] = _macro(cat_rows, {n: by_sub[n] for n in names})
        total = _macro(rows, by_sub)
    else:
        by_cat = {k: _micro(v) for k, v in by_cat_rows.items()}
        total = _micro(rows)
    return Performance(alias, total, by_cat, by_sub)


def score_all(results: Iterable[RunResult]) -> dict[str, Performance]:
    grouped: dict[str, list[RunResult]] = defaultdict(list)
    for r in results:
        grouped[r.alias].append(r)
    return {alias: score(alias, rows) for alias, rows in grouped.items()}


@dataclass(frozen=True)
class SummaryRow:
    dataset: str
    aa: float
    acr: float
    samples: int


def summarize(perfs: Mapping[str, Performance]) -> list[SummaryRow]:
    """One row per alias plus 'Final MA' = mean of the aliases' Total AA (ACR likewise),
    Samples summed. As in the kit, the alias values enter the mean rounded to two decimals."""
    rows = [SummaryRow(a, _round2(p.total.aa), _round2(p.total.acr), p.total.unique_samples)
            for a, p in perfs.items()]
    if rows:
        rows.append(SummaryRow(
            "Final MA",
            sum(r.aa for r in rows) / len(rows),
            sum(r.acr for r in rows) / len(rows),
            sum(r.samples for r in rows),
        ))
    return rows


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
    missing is None; the overall MA needs all three totals."""
    if metric not in ("aa", "acr"):
        raise ValueError("metric must be 'aa' or 'acr'")
    row: dict[str, float | None] = {}
    for key, _header, alias, category in LEADERBOARD_COLUMNS:
        if key == "ma":
            totals = [row["pc_ma"], row["tr_oa"], row["sr_oa"]]
            row[key] = None if any(t is None for t in totals) else sum(totals) / 3
            continue
        perf = perfs.get(alias)
        if perf is None:
            row[key] = None
            continue
        m = perf.total if category is None else perf.by_category.get(category)
        row[key] = None if m is None or m.total_runs == 0 else getattr(m, metric)
    return row


def incomplete_ids(results: Iterable[RunResult], expected_runs: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    """item id -> (runs present, runs expected) for every id that breaks the kit's
    completeness rule (exactly the expected number of runs per id)."""
    present: dict[str, int] = defaultdict(int)
    for r in results:
        present[r.item_id] += 1
    out = {}
    for item_id, n in expected_runs.items():
        if present.get(item_id, 0) != n:
            out[item_id] = (present.get(item_id, 0), n)
    for item_id, n in present.items():
        if item_id not in expected_runs:
            out[item_id] = (n, 0)
    return out

