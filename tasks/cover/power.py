"""Planning a cover study: for K answers per run and M runs per participant (the share a
session holds), the participants, person-hours and the 95% CI half-width of the human row.

The cohort follows from K and M: participants = max(ceil(units x K / M), K x the most runs one
item has), since a run's K answers come from different people and nobody answers two runs of
one item. The half-width is the mean over simulated cohorts (seeds) of the crossed interval the
report gives a cover study (tasks.analysis.design Design.human_moments, the method-of-moments
interval of tasks.analysis.crossed_moments): psychometric observers of tasks.analysis.power's Population answer their shares,
every run of the dataset's pc, tr and sr items (full-robust). Person-hours: (units x K x the
time per trial + participants x the set-up allowance) / 3600, the time per trial as the coverage
command estimates it before any answer (tasks.cover.coverage).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tasks.analysis.power import Population, PowerError, observer_probabilities, run_table
from tasks.analysis.responses import Responses, RunInfo

SCORES = (("ma", "Final MA"), ("pc_ma", "pc Total"), ("tr_oa", "tr Total"), ("sr_oa", "sr Total"))
COLUMNS = ["responses_per_run", "runs_per_participant", "units", "participants", "person_hours", "score",
           "ci_halfwidth", "ci_halfwidth_sd", "reaches_target"]


@dataclass
class CoverPowerResult:
    table: pd.DataFrame  # one row per K and score
    target_ci_halfwidth: float
    trial_s: float
    seconds: float


def cover_cohort(runs, k: int, m: int) -> tuple[int, list[list[int]]]:
    """The participants and, per item, its runs' indices, for K answers per run and shares of M."""
    by_item: dict[tuple[str, str], list[int]] = {}
    for ri, key in enumerate(runs.item_key):
        by_item.setdefault(key, []).append(ri)
    widest = max(len(v) for v in by_item.values()) * k
    return max(math.ceil(len(runs.item_key) * k / m), widest), list(by_item.values())


def deal_runs(items: list[list[int]], k: int, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A cover design's answers as (participant, run) arrays: the items in a random order, each
    item's runs K times, dealt to the n participants in turn from a random start, so that every
    run gets K answers and (with n at least an item's runs times K) nobody two runs of one item."""
    participant, run = [], []
    cursor = int(rng.integers(n))
    for item in rng.permutation(len(items)):
        for _ in range(k):
            for ri in items[int(item)]:
                participant.append(cursor % n)
                run.append(ri)
                cursor += 1
    return np.array(participant), np.array(run)


def simulate_cover(runs, items: list[list[int]], k: int, n: int, population: Population,
                   rng: np.random.Generator) -> Responses:
    p = observer_probabilities(runs, population, n, rng)  # (participants, runs)
    participant, run = deal_runs(items, k, n, rng)
    right = rng.random(run.size) < p[participant, run]
    infos = [RunInfo(a, key[1], r, a, c, g if a == "pc" else None, tuple("o" * max(2, round(1 / ch))), "o", "<A>",
                     None, f"{key[1]}@{r}")
             for a, key, r, c, g, ch in zip(runs.alias, runs.item_key, runs.rotate_id, runs.category, runs.group,
                                            runs.chance)]
    return Responses("plan", [f"S{i}" for i in range(n)], infos, participant, run, np.where(right, 0, 1), right)


def plan_cover_power(dataset, target_ci_halfwidth: float, responses_per_run=(1, 2, 3, 5), runs_per_participant=None,
                     session_minutes: float = 60.0, seeds: int = 10, population: Population | None = None,
                     seed: int = 0, n_boot: int = 300) -> CoverPowerResult:
    from tasks.analysis.design import Design
    from tasks.analysis.scores import leaderboard_intervals
    from tasks.cover.coverage import estimated_trial_s, person_hours, trials_per_session
    from tasks.study.plan import Protocol

    started = time.perf_counter()
    if target_ci_halfwidth <= 0:
        raise PowerError(f"the target CI half-width must be above 0, not {target_ci_halfwidth}")
    if any(k < 1 for k in responses_per_run):
        raise PowerError("answers per run (K) must be at least 1")
    population = population or Population()
    runs = run_table(dataset)
    variants = [a for a in ("pc", "tr", "sr") if a in runs.alias]
    protocol = Protocol(mode="full-robust", variants=variants)
    trial_s = estimated_trial_s(dataset, protocol)
    m = runs_per_participant
    if m is None:  # as the coverage command counts a session's trials: breaks included
        m = trials_per_session(session_minutes, protocol.break_every, trial_s)
    if m < 1:
        raise PowerError(f"runs per participant must be at least 1, not {m}")
    rng = np.random.default_rng(seed)
    rows = []
    for k in responses_per_run:
        n, items = cover_cohort(runs, k, m)
        hours = person_hours(len(runs.alias) * k, n, trial_s)
        widths: dict[str, list[float]] = {key: [] for key, _ in SCORES}
        for _ in range(seeds):
            resp = simulate_cover(runs, items, k, n, population, rng)
            intervals = leaderboard_intervals(Design.build(resp, n_boot, int(rng.integers(1 << 30)), "full-robust"))
            for key, _label in SCORES:
                if key in intervals:
                    widths[key].append((intervals[key][1] - intervals[key][0]) / 2.0)
        for key, label in SCORES:
            if widths[key]:
                mean = float(np.mean(widths[key]))
                rows.append([k, m, len(runs.alias), n, round(hours, 2), label, mean,
                             float(np.std(widths[key], ddof=1)) if len(widths[key]) > 1 else 0.0,
                             mean <= target_ci_halfwidth])
    return CoverPowerResult(pd.DataFrame(rows, columns=COLUMNS), target_ci_halfwidth, trial_s,
                            time.perf_counter() - started)


def write_cover_power(result: CoverPowerResult, out_dir: Path) -> list[Path]:
    import json

    from tasks.results.atomic_dir import staged_dir

    with staged_dir(Path(out_dir), "cover_power.csv") as stage:
        result.table.to_csv(stage.path / "cover_power.csv", index=False)
        (stage.path / "cover_power.json").write_text(json.dumps({
            "description": "Cover design: participants, person-hours and the mean 95% CI half-width (points) of the "
                           "human row per K (answers per run), from simulated cohorts (docs/cover-design-results.md)",
            "target_ci_halfwidth": result.target_ci_halfwidth, "seconds_per_trial": round(result.trial_s, 2),
        }, indent=2), encoding="utf-8")
        files = [stage.path / "cover_power.csv", stage.path / "cover_power.json"]
    return [stage.final(p) for p in files]
