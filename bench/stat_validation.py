"""The report's statistics against known truth: simulated studies whose participants, items,
models and observers follow a known model, analysed by the report's own code, give the share of
95% intervals that cover the truth, and the null behaviour of the agreement statistics and the
below-chance flag for guessers.

    python -m bench stat_validation [--studies 200] [--crossed-studies N] [--write-docs]

--crossed-studies (default: --studies) sets the simulated studies of the crossed-interval rows
(leaderboard and cover design), which are computed without resampling and so are cheap enough to
run with many more studies than the rest: their Monte Carlo standard error is
sqrt(0.95 x 0.05 / N), 1.1 points at 400, 0.49 at 2,000.
--write-docs puts the tables into docs/report.md between its validation markers.

The model: a participant p answers a run of item i right with probability
chance + (1 - chance) * logistic(mu + a_p - b_i), abilities a_p ~ N(0, sd_people), difficulties
b_i ~ N(0, sd_items), every run drawn on its own. pc has 4 sub-categories of 15 items with 2 runs
each, tr and sr 20 items with 3 runs each, 4 options everywhere; every participant answers every
run (in the cover-design rows every run is answered by K participants, each answering a share,
nobody two runs of one item). Targets:
- the crossed interval of the human mean: the mean over the populations of people and items
  (by numerical integration); the same for the cover design's pooled human mean;
- the t interval: the expected mean of people on these items (people integrated, items fixed);
- human minus model per category (paired item bootstrap): the expected difference over the
  population of items, for these participants and this model;
- psychometric thresholds: a responder's Weibull threshold (identified fits only);
- adaptive thresholds: the observer's level at the procedure's own percent correct.
"""
from __future__ import annotations

import argparse
import math
import re
import time
from pathlib import Path

import numpy as np

DOC = Path(__file__).resolve().parents[1] / "docs" / "report.md"
START, END = "<!-- validation:start -->", "<!-- validation:end -->"
SUBS = ("s1", "s2", "s3", "s4")


def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def build_study(rng, n_people: int, sd_people: float, sd_items: float, mu: float = 1.0, chance: float = 0.25):
    """A simulated study as the report reads it (tasks.analysis.responses.Responses), with the
    item difficulties it was drawn from."""
    from tasks.analysis.responses import Responses, RunInfo

    options = ("w", "x", "y", "z")
    runs, item_b, run_item = [], [], []
    pc_category = {"s1": "Absolute Perception Range", "s2": "Absolute Perception Range",
                   "s3": "Relative Discrimination Sensitivity", "s4": "Relative Discrimination Sensitivity"}
    plan = [("pc", f"pc_{s}_{k}", pc_category[s], s, 2) for s in SUBS for k in range(15)]
    plan += [("tr", f"tr_{k}", ("Continuous Processes", "Discrete Event Sequences")[k % 2], None, 3)
             for k in range(20)]
    plan += [("sr", f"sr_{k}", ("Single-source Static Localization", "Multi-source Spatial Relation")[k % 2], None, 3)
             for k in range(20)]
    for variant, item_id, category, sub, n_runs in plan:
        b = rng.normal(0.0, sd_items)
        item_b.append(b)
        for rot in range(n_runs):
            runs.append(RunInfo(variant, item_id, rot, variant, category, sub, options, "w", "<A>", None,
                                f"{item_id}@{rot}"))
            run_item.append(len(item_b) - 1)
    a = rng.normal(0.0, sd_people, n_people)
    b = np.array(item_b)
    run_item = np.array(run_item)
    p = chance + (1 - chance) * logistic(mu + a[:, None] - b[run_item][None, :])  # (P, runs)
    right = rng.random(p.shape) < p
    participant = np.repeat(np.arange(n_people), len(runs))
    run = np.tile(np.arange(len(runs)), n_people)
    choice = np.where(right.reshape(-1), 0, 1)
    resp = Responses("sim", [f"P{i:02d}" for i in range(n_people)], runs, participant, run, choice, right.reshape(-1))
    families = np.array([r.variant for r in runs])[np.unique(run_item, return_index=True)[1]]
    return resp, a, b, families


def build_cover_study(rng, n_people: int, k: int, sd_people: float, sd_items: float, mu: float = 1.0,
                      chance: float = 0.25):
    """The study of build_study answered in the cover design: every run by k participants, each
    participant a share (the runs of an item go to consecutive participants round the cohort, so
    that nobody answers two runs of one item), items taken in a random order."""
    from tasks.analysis.responses import Responses
    from tasks.cover.power import deal_runs

    full, a, b, families = build_study(rng, n_people, sd_people, sd_items, mu, chance)
    runs_of: dict[int, list[int]] = {}
    for ri, r in enumerate(full.runs):
        runs_of.setdefault(full.items.index((r.variant, r.item_id)), []).append(ri)
    participant, run = deal_runs([runs_of[i] for i in range(len(runs_of))], k, n_people, rng)
    p = chance + (1 - chance) * logistic(mu + a[participant] - b[full.run_item[run]])
    right = rng.random(p.size) < p
    resp = Responses("sim", [f"P{i:02d}" for i in range(n_people)], full.runs, participant, run,
                     np.where(right, 0, 1), right)
    return resp, a, b, families


def cover_coverage(n_studies: int, rng) -> list[tuple]:
    from tasks.analysis.design import Design
    from tasks.analysis.scores import leaderboard_intervals

    rows = []
    for n_people, k, sd_people, sd_items in ((12, 3, 0.5, 0.0), (24, 3, 0.5, 0.8), (48, 2, 0.3, 0.8),
                                             (18, 3, 0.8, 1.2)):
        truth = population_truth(sd_people, sd_items)
        covered = {"ma": 0, "tr_oa": 0}
        width = 0.0
        for _ in range(n_studies):
            resp, _a, _b, _f = build_cover_study(rng, n_people, k, sd_people, sd_items)
            design = Design.build(resp, 1, int(rng.integers(1 << 30)), cover_mode="full-robust")  # no resampling
            intervals = leaderboard_intervals(design)
            for key in covered:
                low, high = intervals[key]
                covered[key] += low <= truth <= high
            width += intervals["ma"][1] - intervals["ma"][0]
        for key, label in (("ma", "Final MA"), ("tr_oa", "tr OA")):
            rows.append((f"cover design, {label}, crossed interval (people and items sampled); P={n_people} "
                         f"answering shares, K={k} answers per run, SD people {sd_people}, SD items {sd_items}",
                         covered[key] / n_studies, "93-97%",
                         f"width {width / n_studies:.1f}" if key == "ma" else ""))
    return rows


def population_truth(sd_people, sd_items, mu=1.0, chance=0.25) -> float:
    """E over a ~ N(0, sd_people), b ~ N(0, sd_items) of the answer probability."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()
    sd = math.hypot(sd_people, sd_items)  # a - b is normal with this sd
    return 100 * float(np.sum(weights * (chance + (1 - chance) * logistic(mu + sd * nodes))))


def fixed_items_truth(b, sd_people, mu=1.0, chance=0.25) -> float:
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()
    p = chance + (1 - chance) * logistic(mu + sd_people * nodes[:, None] - b[None, :])
    return 100 * float(np.mean(weights @ p))


def leaderboard_coverage(n_studies: int, rng) -> list[tuple]:
    from tasks.analysis.design import Design
    from tasks.analysis.scores import leaderboard_intervals
    from tasks.results.compare import mean_ci

    rows = []
    for n_people, sd_people, sd_items in ((12, 0.5, 0.0), (12, 0.5, 0.8), (24, 0.3, 0.8), (24, 0.05, 0.0),
                                           (40, 0.5, 1.2)):
        truth = population_truth(sd_people, sd_items)
        crossed = t_cover = widths_c = widths_t = 0.0
        for _ in range(n_studies):
            resp, _a, b, families = build_study(rng, n_people, sd_people, sd_items)
            design = Design.build(resp, 1, int(rng.integers(1 << 30)))  # the crossed interval does not resample
            low, high = leaderboard_intervals(design)["ma"]
            crossed += low <= truth <= high
            widths_c += high - low
            # the t interval of Final MA over participants (the compare command's), target: these items
            run_family = np.array([r.variant for r in resp.runs])[resp.run]
            scores = [100 * float(np.mean([resp.correct[(resp.participant == p) & (run_family == f)].mean()
                                           for f in ("pc", "tr", "sr")])) for p in range(n_people)]
            mean, (t_low, t_high) = mean_ci(scores)
            fixed = np.mean([fixed_items_truth(b[families == f], sd_people) for f in ("pc", "tr", "sr")])
            t_cover += t_low <= fixed <= t_high
            widths_t += t_high - t_low
        rows.append((f"leaderboard Final MA, crossed interval (people and items sampled); P={n_people}, "
                     f"SD people {sd_people}, SD items {sd_items}", crossed / n_studies, "93-97%",
                     f"width {widths_c / n_studies:.1f}"))
        rows.append((f"leaderboard Final MA, t interval (these items); P={n_people}, SD people {sd_people}, "
                     f"SD items {sd_items}", t_cover / n_studies, "95% (reference: the interval kept beside it)",
                     f"width {widths_t / n_studies:.1f}"))
    return rows


def human_vs_model_coverage(n_studies: int, rng) -> list[tuple]:
    from tasks.analysis.contrasts import Responder, human_vs_models, responders
    from tasks.analysis.design import Design
    from tasks.scoring.metrics import RunResult

    covered = total = 0
    for _ in range(n_studies):
        resp, a, b, families = build_study(rng, 12, 0.5, 0.8)
        design = Design.build(resp, 400, int(rng.integers(1 << 30)))
        model_shift = -0.5
        run_items = np.array([resp.items.index((r.variant, r.item_id)) for r in resp.runs])
        p_model = 0.25 + 0.75 * logistic(1.0 + model_shift - b[run_items])
        right = rng.random(len(resp.runs)) < p_model
        results = [RunResult(r.variant, r.item_id, r.rotate_id, r.category, r.sub_category, bool(ok))
                   for r, ok in zip(resp.runs, right)]
        correct = np.bincount(run_items, weights=right.astype(float), minlength=len(resp.items))
        answered = np.bincount(run_items, minlength=len(resp.items)).astype(float)
        people = responders(design, [])[:1] + [Responder("model", results, correct, answered)]
        table = human_vs_models(design, people, int(rng.integers(1 << 30)))
        nodes, weights = np.polynomial.hermite_e.hermegauss(80)
        weights = weights / weights.sum()
        for row in table.itertuples():
            # expected human (these participants, pooled) minus model over the population of items
            bb = 0.8 * nodes
            human = np.mean(0.25 + 0.75 * logistic(1.0 + a[:, None] - bb[None, :]), axis=0)
            model = 0.25 + 0.75 * logistic(1.0 + model_shift - bb)
            truth = 100 * float(weights @ (human - model))
            covered += row.ci_low <= truth <= row.ci_high
            total += 1
    return [("human minus model per category, paired item resamples with the t quantile (items sampled; these "
             "people, this model); "
             "P=12", covered / total, "93-97%", f"{total} intervals")]


def psychometric_coverage(n_fits: int, rng) -> list[tuple]:
    from tasks.analysis import psychometric as pm
    from tasks.psychometrics.functions import WEIBULL, p_correct, threshold_of

    levels = np.array([25.0, 50.0, 75.0, 100.0, 150.0, 200.0, 300.0])
    rows = []
    for per, beta, lapse in ((10, 3.0, 0.02), (6, 3.0, 0.02), (10, 3.0, 0.0), (8, 1.5, 0.04)):
        truth = threshold_of(WEIBULL, 100.0, beta, lapse, 0.25)
        x = np.repeat(levels, per)
        p = p_correct(WEIBULL, x, 100.0, beta, lapse, 0.25)
        right = rng.random((n_fits, x.size)) < p
        who = np.repeat([f"R{i:04d}" for i in range(n_fits)], x.size)
        fits = pm.fit_responders(np.tile(x, n_fits), right.reshape(-1), np.full(who.size, 0.25), who, WEIBULL,
                                 n_boot=200, rng=rng)
        ident = [f for f in fits.values() if f is not None and f.identification.identified]
        cover = np.mean([f.threshold_ci[0] <= truth <= f.threshold_ci[1] for f in ident]) if ident else float("nan")
        rows.append((f"psychometric threshold, one responder, identified fits ({len(ident)} of {n_fits}); "
                     f"{per} trials x 7 differences, slope {beta}, lapse {lapse}", cover, ">= 90%", ""))
    return rows


def adaptive_coverage(n_blocks: int) -> list[tuple]:
    from tasks.adaptive.procedures import AdaptiveSettings, make_procedure
    from tasks.psychometrics.dimensions import adaptive_scale
    from tasks.simulation.observers import Observer

    rows = []
    for procedure, dim, truth in (("quest+", "azimuth", 12.0), ("quest+", "pitch", 20.0), ("3down1up", "azimuth", 12.0)):
        observer = Observer("psychometric", adaptive_thresholds={dim: truth})
        covered = 0
        for seed in range(n_blocks):
            draws = np.random.default_rng(seed).random(60)
            proc = make_procedure(adaptive_scale(dim), AdaptiveSettings(procedure=procedure, max_trials=60))
            while not proc.finished():
                level = proc.next_level()
                proc.update(level, bool(observer.answers_adaptive(dim, level, draws[proc.n_trials])))
            est = proc.estimate()
            true_level = observer.adaptive_level_at(dim, est.target_p_correct)
            covered += est.ci_low <= true_level <= est.ci_high
        rows.append((f"adaptive threshold, {procedure} {dim}, 60 trials", covered / n_blocks, ">= 90%", ""))
    return rows


def null_behaviour(n_tables: int, rng) -> list[tuple]:
    from tasks.analysis.agreement import chance_corrected_agreement, stratified_fleiss
    from tasks.analysis.item_analysis import BELOW_CHANCE_FDR, below_chance_p, fdr_bh

    kappas, runs_kappas, flagged_tables = [], [], 0
    for _ in range(n_tables):
        n_options = rng.choice([2, 3, 4], size=200)
        table = np.zeros((200, 5), dtype=np.int64)
        for i in range(200):
            np.add.at(table[i], rng.integers(0, n_options[i], 12), 1)
        kappas.append(stratified_fleiss(table, n_options)[0])
        runs = np.zeros((300, 5), dtype=np.int64)
        opts = rng.choice([2, 3, 4], size=300)
        for i in range(300):
            np.add.at(runs[i], rng.integers(0, opts[i], 3), 1)
        runs_kappas.append(chance_corrected_agreement(runs, opts))
        item = np.repeat(np.arange(84), 12)
        p_guess = 1.0 / rng.choice([2, 3, 4], size=item.size)
        right = rng.random(item.size) < p_guess
        flagged_tables += bool(np.any(fdr_bh(below_chance_p(item, right, p_guess, 84)) < BELOW_CHANCE_FDR))
    return [
        ("Fleiss' kappa across guessers, runs of 2-4 options (mean over tables)", float(np.mean(kappas)), "0",
         f"SD {np.std(kappas):.3f}"),
        ("runs_kappa of guessers, 3 runs per item, 2-4 options (mean)", float(np.mean(runs_kappas)), "0",
         f"SD {np.std(runs_kappas):.3f}"),
        ("guessers: share of 84-item tables with any below_chance flag", flagged_tables / n_tables, "<= 5%", ""),
    ]


def markdown(rows: list[tuple], studies: int, crossed: int, seconds: float) -> str:
    flag = f" --crossed-studies {crossed}" if crossed != studies else ""
    lines = [f"Made by `python -m bench stat_validation --studies {studies}{flag}` ({seconds:.0f} s); "
             f"crossed-interval rows: {crossed} simulated studies each (Monte Carlo SE "
             f"{100 * math.sqrt(0.95 * 0.05 / crossed):.1f} points), the others {studies}.", "",
             "| what | observed | target | |", "|---|---|---|---|"]
    for what, value, target, extra in rows:
        shown = f"{100 * value:.1f}%" if "%" in target else f"{value:+.3f}"
        lines.append(f"| {what} | {shown} | {target} | {extra} |")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench stat_validation")
    parser.add_argument("--studies", type=int, default=200, help="simulated studies (or fits, tables) per row")
    parser.add_argument("--crossed-studies", type=int, default=None,
                        help="simulated studies per crossed-interval row (default: --studies)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write-docs", action="store_true", help="put the tables into docs/report.md")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    crossed = args.crossed_studies or args.studies
    rows = leaderboard_coverage(crossed, rng)
    rows += cover_coverage(crossed, rng)
    rows += human_vs_model_coverage(max(args.studies // 4, 20), rng)
    rows += psychometric_coverage(args.studies, rng)
    rows += adaptive_coverage(max(args.studies // 4, 20))
    rows += null_behaviour(args.studies, rng)
    text = markdown(rows, args.studies, crossed, time.perf_counter() - started)
    print(text)
    if args.write_docs:
        doc = DOC.read_text(encoding="utf-8")
        if START not in doc:
            raise SystemExit(f"{DOC} has no {START} ... {END} markers")
        doc = re.sub(re.escape(START) + ".*?" + re.escape(END), START + "\n" + text + "\n" + END, doc, flags=re.S)
        DOC.write_text(doc, encoding="utf-8")
        print(f"written into {DOC}")
