"""The report's psychometric part: for every perception dimension whose item parameters are
known, accuracy against the physical difference, fitted for each participant, for the pooled
humans and for each model (tasks.analysis.psychometric); a table of thresholds and slopes with
bootstrap CIs, a table of the data points and one figure per dimension.

Only trials whose item presents a difference to hear are fitted; control items ("the same",
"not at all") are counted apart: their accuracy is a column of the thresholds table.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tasks.analysis import psychometric as pm
from tasks.analysis.figures import HUMAN_COLOR, MODEL_COLORS
from tasks.psychometrics.dimensions import DIMENSIONS, Stimulus
from tasks.psychometrics.functions import WEIBULL
from tasks.analysis.tables import Table, cell
from tasks.dataset.items import family_of

POOLED = "humans (pooled)"
DEFAULT_PSYCHOMETRIC_BOOTSTRAP = 200
PARTICIPANT_COLOR = "#9db4cc"


@dataclass
class Trials:
    """Right/wrong answers of one responder on one dimension."""
    value: list[float] = field(default_factory=list)
    correct: list[bool] = field(default_factory=list)
    chance: list[float] = field(default_factory=list)
    group: list[int] = field(default_factory=list)  # participant index (pooled humans)
    control_right: int = 0
    control_trials: int = 0

    def add(self, stim: Stimulus, correct: bool, n_options: int, group: int = 0) -> None:
        if stim.control or stim.value is None:
            self.control_trials += 1
            self.control_right += int(correct)
            return
        self.value.append(stim.value)
        self.correct.append(bool(correct))
        self.chance.append(1.0 / n_options)
        self.group.append(group)

    def arrays(self):
        return (np.array(self.value, dtype=float), np.array(self.correct, dtype=bool),
                np.array(self.chance, dtype=float), np.array(self.group, dtype=np.int64))


@dataclass
class PsychometricReport:
    tables: list[Table]
    figures: dict[str, tuple[Figure, str]]


def collect(resp, model_runs, stimuli: dict[str, Stimulus], n_options: dict[str, int]):
    """{dimension: {(kind, responder): Trials}} for participants, pooled humans and models."""
    out: dict[str, dict[tuple[str, str], Trials]] = {}

    def trials(dim: str, kind: str, who: str) -> Trials:
        return out.setdefault(dim, {}).setdefault((kind, who), Trials())

    run_stim = [stimuli.get(r.item_id) if family_of(r.variant) == "pc" else None for r in resp.runs]
    for p, ri, ok in zip(resp.participant.tolist(), resp.run.tolist(), resp.correct.tolist()):
        stim = run_stim[ri]
        if stim is None:
            continue
        k = len(resp.runs[ri].options)
        trials(stim.dimension, "humans", POOLED).add(stim, ok, k, p)
        trials(stim.dimension, "participant", resp.codes[p]).add(stim, ok, k, p)
    for m in model_runs:
        for r in m.results:
            stim = stimuli.get(r.item_id)
            k = n_options.get(r.item_id)
            if stim is None or k is None or family_of(r.alias) != "pc":
                continue
            trials(stim.dimension, "model", m.name).add(stim, r.credit >= 1.0, k)
    return out


def analyse_psychometrics(resp, model_runs, stimuli: dict[str, Stimulus], n_options: dict[str, int], seed: int = 0,
                          n_boot: int = DEFAULT_PSYCHOMETRIC_BOOTSTRAP) -> PsychometricReport | None:
    """Fits, tables and figures; None when no answered pc item has known parameters."""
    for r in resp.runs:  # the humans' own runs say how many options an item has
        n_options.setdefault(r.item_id, len(r.options))
    by_dim = collect(resp, model_runs, stimuli, n_options)
    if not by_dim:
        return None
    rows, points = [], []
    figures: dict[str, tuple[Figure, str]] = {}
    order = {"humans": 0, "participant": 1, "model": 2}
    for d_index, dim_name in enumerate(d for d in DIMENSIONS if d in by_dim):
        dim = DIMENSIONS[dim_name]
        entries = sorted(by_dim[dim_name].items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))
        fits = {}
        for kind in ("humans", "participant", "model"):
            mine = [(who, t) for (k, who), t in entries if k == kind and t.value]
            if not mine:
                continue
            rng = np.random.default_rng([seed, d_index, order[kind]])
            if kind == "humans":
                values, correct, chance, group = mine[0][1].arrays()
                fits[(kind, mine[0][0])] = pm.fit_with_ci(values, correct, chance, dim.form, n_boot, rng, groups=group,
                                                          unit=dim.unit)
                continue
            arrays = [t.arrays() for _who, t in mine]
            who_per_trial = np.concatenate([np.full(len(a[0]), who, dtype=object) for (who, _t), a in zip(mine, arrays)])
            by_who = pm.fit_responders(np.concatenate([a[0] for a in arrays]), np.concatenate([a[1] for a in arrays]),
                                       np.concatenate([a[2] for a in arrays]), who_per_trial.astype(str), dim.form,
                                       n_boot, rng, unit=dim.unit)
            fits.update({(kind, who): by_who.get(who) for who, _t in mine})
        fitted = {}
        for (kind, who), t in entries:
            res = fits.get((kind, who))
            values, correct, _chance, _group = t.arrays()
            fitted[(kind, who)] = (res, t)
            rows.append(_row(dim_name, kind, who, res, t))
            points += _points(dim_name, kind, who, values, correct)
        fig = _figure(dim_name, fitted)
        if fig is not None:
            figures[f"psychometric_{dim_name}"] = (fig, f"{dim.name}: proportion correct against {dim.label}, "
                                                   "humans (pooled, 95% Wilson intervals; thin lines: each "
                                                   "participant's fit) and every model, with fitted curves")
    table = pd.DataFrame(rows)
    note = (f"Threshold: the difference at which P(correct) is halfway between chance and 1; slope: dP/dx there. "
            f"Maximum-likelihood fits with guess rate = 1/options and a lapse rate of at most {pm.MAX_LAPSE}. "
            "A threshold is given only where the answers identify it (enough trials per difference, accuracy above "
            "chance, a likelihood that is not flat, inside the tested range); otherwise the note says why, with a "
            f"bound (< lowest, > highest tested) where one can be said. 95% percentile bootstrap CIs (B={n_boot}, "
            f"seed {seed}): pooled humans resample participants, single responders draw their answers again from "
            "their fitted curve. Control items are not fitted.")
    return PsychometricReport([
        Table("psychometric_thresholds", "Psychometric thresholds per dimension", table, _display(table), note=note),
        Table("psychometric_points", "Proportion correct per difference", pd.DataFrame(points)),
    ], figures)


def _row(dim_name: str, kind: str, who: str, res, t: Trials) -> dict:
    dim = DIMENSIONS[dim_name]
    nan = math.nan
    fit = res.fit if res is not None else None
    found = res.identification if res is not None else None
    shown = fit if found is not None and found.identified else None  # a threshold only where identified
    if res is None:
        note = f"no fit: needs {pm.MIN_TRIALS}+ trials on two or more audible differences"
    else:
        note = found.note
    return {
        "dimension": dim_name, "unit": dim.unit, "responder": who, "kind": kind, "function": dim.form,
        "n_trials": len(t.value), "n_values": len(set(t.value)),
        "chance": fit.chance if fit else (float(np.mean(t.chance)) if t.chance else nan),
        "identified": bool(found is not None and found.identified),
        "threshold": shown.threshold if shown else nan,
        "threshold_bound": found.bound if found is not None else "",
        "threshold_ci_low": res.threshold_ci[0] if shown else nan,
        "threshold_ci_high": res.threshold_ci[1] if shown else nan,
        "slope_per_unit": shown.slope if shown else nan,
        "slope_ci_low": res.slope_ci[0] if shown else nan, "slope_ci_high": res.slope_ci[1] if shown else nan,
        "lapse": fit.lapse if fit else nan, "alpha": fit.alpha if fit else nan, "beta": fit.beta if fit else nan,
        "control_trials": t.control_trials,
        "control_accuracy": t.control_right / t.control_trials if t.control_trials else nan,
        "note": note,
    }


def _points(dim_name: str, kind: str, who: str, values: np.ndarray, correct: np.ndarray) -> list[dict]:
    if not len(values):
        return []
    levels, inv = np.unique(values, return_inverse=True)
    k = np.bincount(inv, weights=correct.astype(float))
    n = np.bincount(inv).astype(float)
    low, high = pm.wilson_interval(k, n)
    return [{"dimension": dim_name, "unit": DIMENSIONS[dim_name].unit, "responder": who, "kind": kind,
             "difference": float(x), "n_trials": int(nn), "n_correct": int(kk), "proportion_correct": kk / nn,
             "ci_low": float(lo), "ci_high": float(hi)}
            for x, kk, nn, lo, hi in zip(levels, k, n, low, high)]


def _display(table: pd.DataFrame) -> pd.DataFrame:
    def with_ci(v, lo, hi, digits):
        text = cell(v, digits)
        return text if math.isnan(lo) else f"{text} [{cell(lo, digits)}, {cell(hi, digits)}]"
    rows = []
    for r in table.itertuples():
        rows.append({"dimension": r.dimension, "unit": r.unit, "responder": r.responder,
                     "threshold [95% CI]": (r.threshold_bound or "--") if math.isnan(r.threshold) else
                     with_ci(r.threshold, r.threshold_ci_low, r.threshold_ci_high, 1),
                     "slope per unit [95% CI]": with_ci(r.slope_per_unit, r.slope_ci_low, r.slope_ci_high, 4),
                     "lapse": cell(r.lapse, 3), "trials": str(r.n_trials),
                     "control accuracy": cell(r.control_accuracy, 2),
                     "note": r.note})  # why a threshold is a bound or missing, beside the "--"
    return pd.DataFrame(rows)


def _figure(dim_name: str, fitted: dict) -> Figure | None:
    dim = DIMENSIONS[dim_name]
    all_values = np.concatenate([np.asarray(t.value, dtype=float) for _r, t in fitted.values()] or [np.zeros(0)])
    if not len(all_values):
        return None
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.subplots()
    low, high = float(all_values.min()), float(all_values.max())
    log_x = dim.form == WEIBULL and low > 0 and high / low > 4
    xs = np.geomspace(low, high, 200) if log_x else np.linspace(low, high, 200)
    model_k = 0
    for (kind, who), (res, t) in fitted.items():
        values, correct, chance, _g = t.arrays()
        identified = res is not None and res.identification.identified
        if kind == "participant":
            if identified:
                ax.plot(xs, res.fit.p_correct(xs), color=PARTICIPANT_COLOR, linewidth=0.7, zorder=1)
            continue
        color = HUMAN_COLOR if kind == "humans" else MODEL_COLORS[model_k % len(MODEL_COLORS)]
        model_k += kind == "model"
        pts = _points(dim_name, kind, who, values, correct)
        px = np.array([p["difference"] for p in pts])
        py = np.array([p["proportion_correct"] for p in pts])
        err = np.vstack([py - [p["ci_low"] for p in pts], np.array([p["ci_high"] for p in pts]) - py])
        label = who
        if identified and math.isfinite(res.fit.threshold):
            label += f" (threshold {res.fit.threshold:.3g} {dim.unit})"
            ax.plot(xs, res.fit.p_correct(xs), color=color, linewidth=1.6, zorder=3)
            ax.plot([res.fit.threshold], [(1 + res.fit.chance) / 2], marker="|", markersize=14, color=color)
        ax.errorbar(px, py, yerr=np.clip(err, 0, None), fmt="o" if kind == "humans" else "s", color=color,
                    capsize=2, markersize=5, label=label, zorder=4)
    if log_x:
        ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(dim.label)
    ax.set_ylabel("proportion correct")
    ax.set_title(f"{dim.name}: humans vs models", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    return fig


def known_stimuli(dataset_roots, item_params=None) -> tuple[dict[str, Stimulus], dict[str, int], list[str]]:
    """item id -> stimulus and item id -> number of options for the study's pc items: from the
    items' ``params`` in the dataset (the built-in bank writes them), overridden by the
    item-params CSV when one is given (ItemParamsError names a bad line). Also warnings."""
    from tasks.analysis.psychometric_items import read_item_params, stimuli_from_items
    from tasks.dataset.loader import NotADatasetError, load_dataset

    stimuli: dict[str, Stimulus] = {}
    n_options: dict[str, int] = {}
    warnings: list[str] = []
    for root in sorted(set(dataset_roots)):
        try:
            ds = load_dataset(root, check_audio=False)
        except (NotADatasetError, OSError) as exc:
            warnings.append(f"psychometric fits: the dataset {root} cannot be read ({exc}); only the item-params "
                            "file, if any, gives the differences")
            continue
        for alias, items in ds.items.items():
            if family_of(alias) == "pc":
                stimuli.update(stimuli_from_items(items))
                n_options.update({it.id: len(it.options) for it in items})
    if item_params is not None:
        stimuli.update(read_item_params(item_params))
    return stimuli, n_options, warnings
