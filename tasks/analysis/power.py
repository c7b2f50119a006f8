"""Planning a study: how many participants (and items per sub-category) give a human row whose
95% CI is as narrow as wanted.

Simulated cohorts answer every run of the dataset (full-robust: all runs of every item, as
the kit scores them) in memory, without audio or a database. Each simulated participant is
either a psychometric observer (tasks.simulation.observers: a threshold on the grid's difference level
for pc items whose parameters are known, a fixed accuracy elsewhere) whose threshold and
accuracy vary between people, or a participant of a pilot study drawn with replacement who
answers each item with the accuracy that participant had on it (the pilot's pooled accuracy on
items that participant did not answer). Scores are the kit's: pc macro-averaged over
sub-categories, tr and sr micro over runs, Final MA the mean of the aliases' totals; the CI is
the t interval of the mean of participants (the compare command's), so its half-width is
t(0.975, n-1) * SD / sqrt(n) and the participants needed for a target follow from the SD
between participants. Vectorized: one matrix product per cohort.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter
from scipy import stats

from tasks.analysis.figures import HUMAN_COLOR, MODEL_COLORS
from tasks.analysis.tables import Table
from tasks.dataset.items import STANDARD_ALIASES
from tasks.simulation.observers import difference_level, psychometric_p_matrix
from tasks.dataset.runs import expand_runs

FINAL_MA = "Final MA"
DEFAULT_PARTICIPANTS = (5, 10, 20, 40, 80)
DEFAULT_SEEDS = 20


class PowerError(ValueError):
    """Planning cannot start from this input (named)."""


@dataclass(frozen=True)
class Population:
    """Psychometric observers whose parameters vary between people (normal, clipped)."""
    threshold: float = 0.35  # difference level (0..1 along the grid) at the curve's midpoint
    threshold_sd: float = 0.10
    accuracy: float = 0.8  # items without a known difference level
    accuracy_sd: float = 0.08
    slope: float = 12.0
    lapse: float = 0.03


@dataclass
class RunTable:
    """Every run of the dataset's pc, tr and sr items, as arrays."""
    alias: list[str]
    group: list[str]  # sub-category (pc) or category (tr, sr): the unit of "items per sub-category"
    category: list[str]
    item_key: list[tuple[str, str]]  # (alias, item id)
    rotate_id: list[int]
    level: np.ndarray  # the psychometric observer's difference level, nan where none
    chance: np.ndarray


@dataclass
class PowerResult:
    table: pd.DataFrame  # per items-per-sub-category, participants and score: the CI half-width
    needed: pd.DataFrame  # per items-per-sub-category and score: participants for the target
    target_ci_halfwidth: float
    source: str
    seconds: float
    notes: list[str] = field(default_factory=list)


def run_table(dataset) -> RunTable:
    alias, group, category, keys, rotate, level, chance = [], [], [], [], [], [], []
    for a in STANDARD_ALIASES:
        for item in dataset.items.get(a, []):
            for run in expand_runs(item, a):
                lv = difference_level(run) if a == "pc" else None
                alias.append(a)
                group.append(item.sub_category or item.category if a == "pc" else item.category)
                category.append(item.category)
                keys.append((a, item.id))
                rotate.append(run.rotate_id)
                level.append(math.nan if lv is None else lv)
                chance.append(1.0 / len(run.options))
    if not alias:
        raise PowerError(f"{dataset.root}: no pc, tr or sr item to plan with")
    return RunTable(alias, group, category, keys, rotate, np.array(level), np.array(chance))


def score_weights(runs: RunTable, mask: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Score names and a (runs, scores) matrix W: percent correct = 100 * correct @ W, for the
    runs in mask. pc: a category is the mean of its sub-categories, the total the mean of all
    sub-categories; tr, sr: micro over runs; Final MA: the mean of the aliases' totals."""
    alias, group, category = np.array(runs.alias), np.array(runs.group), np.array(runs.category)
    columns: dict[str, np.ndarray] = {}
    totals = []
    for a in [x for x in STANDARD_ALIASES if np.any(mask & (alias == x))]:
        in_alias = mask & (alias == a)
        if a == "pc":
            subs = sorted(set(group[in_alias]))
            total = np.zeros(len(alias))
            for cat in sorted(set(category[in_alias])):
                cat_subs = sorted(set(group[in_alias & (category == cat)]))
                w = np.zeros(len(alias))
                for sub in cat_subs:
                    rows = in_alias & (group == sub)
                    w[rows] += 1.0 / (rows.sum() * len(cat_subs))
                    total[rows] += 1.0 / (rows.sum() * len(subs))
                columns[f"{a} {cat}"] = w
        else:
            total = in_alias / in_alias.sum()
            for cat in sorted(set(category[in_alias])):
                rows = in_alias & (category == cat)
                columns[f"{a} {cat}"] = rows / rows.sum()
        columns[f"{a} Total"] = total
        totals.append(total)
    names = [FINAL_MA] + list(columns)
    return names, np.stack([np.mean(totals, axis=0)] + list(columns.values()), axis=1)


def item_subset(runs: RunTable, per_group: int | None, rng: np.random.Generator) -> np.ndarray:
    """Runs of at most per_group items of every group (a random choice), all runs of each."""
    if per_group is None:
        return np.ones(len(runs.alias), dtype=bool)
    keep: set[tuple[str, str]] = set()
    by_group: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for a, g, key in zip(runs.alias, runs.group, runs.item_key):
        items = by_group.setdefault((a, g), [])
        if not items or items[-1] != key:
            items.append(key)
    for items in by_group.values():
        unique = list(dict.fromkeys(items))
        picked = rng.choice(len(unique), size=min(per_group, len(unique)), replace=False)
        keep.update(unique[i] for i in picked)
    return np.array([k in keep for k in runs.item_key])


def observer_probabilities(runs: RunTable, population: Population, n: int, rng: np.random.Generator) -> np.ndarray:
    thresholds = np.clip(rng.normal(population.threshold, population.threshold_sd, n), 0.02, 0.98)
    accuracies = np.clip(rng.normal(population.accuracy, population.accuracy_sd, n), 0.0, 1.0)
    return psychometric_p_matrix(runs.level, runs.chance, thresholds, accuracies, population.slope,
                                 population.lapse)


def pilot_answers(runs: RunTable, pilot) -> tuple[np.ndarray, np.ndarray]:
    """(pilot participants, runs): each participant's own observed answers (1.0 right, 0.0 wrong)
    on the dataset's runs: the answer to that very run, or, for a run they did not hear (a
    single-pass pilot hears one run of an item), their answers to the same item taken in turn;
    nan where they never answered the item. And, for those nan cells, the chance of a right
    answer: the pilot's pooled accuracy on the item, or the participant's overall accuracy."""
    from tasks.dataset.items import family_of

    col = {key: i for i, key in enumerate(dict.fromkeys(runs.item_key))}
    exact: dict[tuple[int, str, str, int], bool] = {}
    by_item: dict[tuple[int, int], list[bool]] = {}
    n_p = pilot.n_participants
    right, seen = np.zeros((n_p, len(col))), np.zeros((n_p, len(col)))
    for who, ri, ok in zip(pilot.participant.tolist(), pilot.run.tolist(), pilot.correct.tolist()):
        info = pilot.runs[ri]
        c = col.get((family_of(info.variant), info.item_id))
        if c is None:
            continue
        exact.setdefault((who, info.variant, info.item_id, info.rotate_id), bool(ok))
        by_item.setdefault((who, c), []).append(bool(ok))
        right[who, c] += ok
        seen[who, c] += 1
    if not by_item:
        raise PowerError(f"the pilot study {pilot.study!r} answered none of the dataset's items")
    overall = right.sum(axis=1) / np.maximum(seen.sum(axis=1), 1.0)
    pooled = right.sum(axis=0) / np.maximum(seen.sum(axis=0), 1.0)
    run_col = np.array([col[k] for k in runs.item_key])
    values = np.full((n_p, len(run_col)), np.nan)
    for who in range(n_p):
        for j, ((alias, item_id), rot, c) in enumerate(zip(runs.item_key, runs.rotate_id, run_col.tolist())):
            answer = exact.get((who, alias, item_id, rot))
            if answer is None:
                answers = by_item.get((who, c))
                if answers is None:
                    continue
                answer = answers[rot % len(answers)]
            values[who, j] = 1.0 if answer else 0.0
    fallback = np.where(seen.sum(axis=0)[None, :] > 0, pooled[None, :], overall[:, None])[:, run_col]
    return values, fallback


def plan_power(dataset, target_ci_halfwidth: float, participants=DEFAULT_PARTICIPANTS, seeds: int = DEFAULT_SEEDS,
               items_per_subcategory=(None,), population: Population = Population(), pilot=None,
               seed: int = 0) -> PowerResult:
    """Expected CI half-width (percentage points) of every score for each cohort size and
    items-per-sub-category (None: all items), averaged over ``seeds`` simulated cohorts."""
    started = time.perf_counter()
    if target_ci_halfwidth <= 0:
        raise PowerError(f"the target CI half-width must be above 0, not {target_ci_halfwidth}")
    sizes = sorted(set(int(n) for n in participants))
    if not sizes or sizes[0] < 2:
        raise PowerError("every cohort size must be at least 2 participants (an interval needs two)")
    if seeds < 1:
        raise PowerError("--seeds must be at least 1")
    runs = run_table(dataset)
    pilot_values, pilot_fallback = pilot_answers(runs, pilot) if pilot is not None else (None, None)
    # Drawing n of the P pilot participants with replacement gives scores whose expected variance
    # is (P - 1) / P of the pilot's sample variance: the SD is scaled back by sqrt(P / (P - 1)).
    sd_scale = math.sqrt(len(pilot_values) / (len(pilot_values) - 1)) if pilot is not None and \
        len(pilot_values) > 1 else 1.0
    rows, needed = [], []
    for per_group in items_per_subcategory:
        sd_sum: dict[str, list[float]] = {}
        for s in range(seeds):
            rng = np.random.default_rng([seed, s, per_group or 0])
            mask = item_subset(runs, per_group, rng)
            names, weights = score_weights(runs, mask)
            for n in sizes:
                if pilot_values is None:
                    p = observer_probabilities(runs, population, n, rng)
                    correct = rng.random(p.shape) < p
                else:  # the drawn participants' observed answers; a draw only where they have none
                    picks = rng.integers(0, len(pilot_values), n)
                    observed = pilot_values[picks]
                    missing = np.isnan(observed)
                    correct = np.where(missing, rng.random(observed.shape) < pilot_fallback[picks], observed == 1.0)
                scores = 100.0 * (correct[:, mask] @ weights[mask])  # (n, scores)
                sd = scores.std(axis=0, ddof=1) * sd_scale
                half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
                for name, m, d, h in zip(names, scores.mean(axis=0), sd, half):
                    rows.append((_items_label(per_group), n, name, s, m, d, h))
                    sd_sum.setdefault(name, []).append(d)
        pilot_sd = pilot_score_sd(pilot_values, pilot_fallback, runs, per_group, seed) if pilot is not None else {}
        for name, sds in sd_sum.items():
            sd = float(np.sqrt(np.mean(np.square(sds))))
            row = {"items_per_subcategory": _items_label(per_group), "score": name,
                   "sd_between_participants": sd, "participants_needed": participants_for(sd, target_ci_halfwidth)}
            if pilot is not None:
                row["pilot_sd"] = pilot_sd.get(name)
            needed.append(row)
    raw = pd.DataFrame(rows, columns=["items", "participants", "score", "seed", "mean", "sd", "halfwidth"])
    table = (raw.groupby(["items", "participants", "score"], sort=False, dropna=False)
             .agg(mean_score=("mean", "mean"), sd_between_participants=("sd", "mean"),
                  ci_halfwidth=("halfwidth", "mean"), ci_halfwidth_sd=("halfwidth", "std"))
             .reset_index().rename(columns={"items": "items_per_subcategory"}))
    table["reaches_target"] = table["ci_halfwidth"] <= target_ci_halfwidth
    source = (f"pilot study {pilot.study!r} ({pilot.n_participants} participants resampled)" if pilot is not None
              else f"psychometric observers (threshold {population.threshold} +- {population.threshold_sd}, "
                   f"accuracy {population.accuracy} +- {population.accuracy_sd})")
    return PowerResult(table, pd.DataFrame(needed), target_ci_halfwidth, source, time.perf_counter() - started)


def pilot_score_sd(values: np.ndarray, fallback: np.ndarray, runs: RunTable, per_group: int | None,
                   seed: int) -> dict[str, float]:
    """The SD between the pilot's own participants of every score, on their observed answers
    (cells they never answered count at their expected credit), on the items of the first cohort's
    subset: what the simulated SD should reproduce."""
    mask = item_subset(runs, per_group, np.random.default_rng([seed, 0, per_group or 0]))
    names, weights = score_weights(runs, mask)
    if len(values) < 2:
        return {}
    filled = np.where(np.isnan(values), fallback, values)
    scores = 100.0 * (filled[:, mask] @ weights[mask])
    return dict(zip(names, scores.std(axis=0, ddof=1).tolist()))


def _items_label(per_group: int | None) -> str:
    return "all" if per_group is None else str(per_group)


def participants_for(sd: float, target_ci_halfwidth: float, limit: int = 100_000) -> int | None:
    """The smallest n >= 2 with t(0.975, n-1) * sd / sqrt(n) <= target; None beyond limit."""
    if sd <= 0:
        return 2
    n = max(2, math.ceil((1.96 * sd / target_ci_halfwidth) ** 2))
    while n > 2 and stats.t.ppf(0.975, n - 2) * sd / math.sqrt(n - 1) <= target_ci_halfwidth:
        n -= 1
    while stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n) > target_ci_halfwidth:
        n += 1
        if n > limit:
            return None
    return n


def power_tables(result: PowerResult) -> list[Table]:
    return [
        Table("power", "Expected 95% CI half-width (percentage points) per cohort size", result.table,
              note=f"{result.source}; t interval of the mean of participants; mean over simulated cohorts."),
        Table("power_needed", f"Participants needed for a CI half-width of {result.target_ci_halfwidth} points",
              result.needed),
    ]


def power_figure(result: PowerResult) -> Figure:
    """Half-width against cohort size (log-log): Final MA and each alias total, target line."""
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.subplots()
    t = result.table
    shown = [FINAL_MA] + [s for s in dict.fromkeys(t["score"]) if s.endswith(" Total")]
    styles = ("-", "--", ":", "-.")
    for k, items in enumerate(dict.fromkeys(t["items_per_subcategory"])):
        for j, score in enumerate(shown):
            part = t[(t["score"] == score) & (t["items_per_subcategory"] == items)]
            color = HUMAN_COLOR if score == FINAL_MA else MODEL_COLORS[(j - 1) % len(MODEL_COLORS)]
            label = score + ("" if items == "all" else f", {items} items per sub-category")
            ax.plot(part["participants"], part["ci_halfwidth"], styles[k % len(styles)], marker="o", color=color,
                    label=label)
    ax.axhline(result.target_ci_halfwidth, color="black", linewidth=0.8, linestyle="--", label="target")
    ax.set_xscale("log")
    ax.set_yscale("log")
    sizes = sorted(set(int(n) for n in t["participants"]))
    ax.set_xticks(sizes, [str(n) for n in sizes])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("participants")
    ax.set_ylabel("expected 95% CI half-width (percentage points)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    return fig


def write_power(result: PowerResult, out_dir) -> list:
    from pathlib import Path

    from tasks.analysis.tables import write_table

    from tasks.results.atomic_dir import staged_dir

    files = []
    with staged_dir(Path(out_dir), "power.png") as stage:  # whole or absent
        out = stage.path
        for table in power_tables(result):
            files += write_table(table, out)
        fig = power_figure(result)
        for ext in ("png", "pdf"):
            path = out / f"power.{ext}"
            fig.savefig(path, dpi=150 if ext == "png" else None)
            files.append(path)
    return [stage.final(p) for p in files]
