"""The report's figures as matplotlib Figures, built without pyplot (no global state, no display:
they render with the Agg canvas and can be made on any thread or in a child process)."""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

HUMAN_COLOR = "#1f4e79"
MODEL_COLORS = ("#d98c1f", "#5a9e4b", "#a44a8f", "#8c6d31", "#4a8fa4", "#b84a4a", "#7f7f7f")
FLAG_COLOR = "#c0392b"


def _wrap(label: str, width: int = 14) -> str:
    """Lines of at most about `width` characters, broken at spaces and after underscores
    (sub-category names such as sensitivity_duration), never inside a word."""
    lines = textwrap.wrap(str(label).replace("_", "_ "), width, break_long_words=False)
    return "\n".join(line.replace("_ ", "_") for line in lines) or str(label)


def _grouped_bars(ax, frame: pd.DataFrame, groups: list[str], title: str) -> None:
    """Bars per group: humans first (with CI whiskers), then every model, side by side."""
    responders = list(dict.fromkeys(frame["responder"]))
    width = 0.8 / max(1, len(responders))
    x = np.arange(len(groups))
    for k, who in enumerate(responders):
        part = frame[frame["responder"] == who].set_index("group")
        values = np.array([part["aa"].get(g, np.nan) for g in groups], dtype=float)
        human = (part["kind"] == "human").any()
        color = HUMAN_COLOR if human else MODEL_COLORS[(k - 1) % len(MODEL_COLORS)]
        pos = x - 0.4 + width * (k + 0.5)
        if human:
            low = np.array([part["ci_low"].get(g, np.nan) for g in groups], dtype=float)
            high = np.array([part["ci_high"].get(g, np.nan) for g in groups], dtype=float)
            err = np.vstack([np.clip(values - low, 0, None), np.clip(high - values, 0, None)])
            err = np.where(np.isnan(err), 0.0, err)
            ax.bar(pos, values, width, color=color, label=who, yerr=err, capsize=2, ecolor="black")
        else:
            ax.bar(pos, values, width, color=color, label=who)
    ax.set_xticks(x, [_wrap(g) for g in groups], fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_ylabel("AA (%)")
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.3)


def group_bars(groups: pd.DataFrame, level: str) -> Figure | None:
    """One panel per variant: the totals and categories (level "category") or the
    sub-categories (level "sub-category"), humans with 95% crossed participants x items intervals beside every model."""
    variants = list(dict.fromkeys(groups["variant"]))
    panels = []
    for v in variants:
        part = groups[groups["variant"] == v]
        wanted = part[part["level"].isin(["total", "category"] if level == "category" else ["sub-category"])]
        names = list(dict.fromkeys(wanted["group"]))
        if names:
            panels.append((v, wanted, names))
    if not panels:
        return None
    widest = max(len(n) for _v, _w, n in panels)
    fig = Figure(figsize=(max(7.0, 1.2 * widest + 2), 3.2 * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    for ax, (v, wanted, names) in zip(axes, panels):
        _grouped_bars(ax, wanted, names, f"{v}: {'total and categories' if level == 'category' else 'sub-categories'}")
    axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def _forest(ax, labels: list[str], values, low, high, xlabel: str) -> None:
    y = np.arange(len(labels))[::-1]
    values, low, high = (np.asarray(a, dtype=float) for a in (values, low, high))
    err = np.vstack([values - low, high - values])
    err = np.where(np.isnan(err), 0.0, err)
    ax.errorbar(values, y, xerr=err, fmt="o", color=HUMAN_COLOR, capsize=3)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)


def model_contrasts(table: pd.DataFrame) -> Figure | None:
    """Human minus model per category, with paired bootstrap CIs (Holm-corrected p in the label)."""
    if table.empty:
        return None
    labels = [f"{r.model} | {r.alias} {r.header}" + ("" if pd.isna(r.p_holm) else f" (p_Holm={r.p_holm:.3g})")
              for r in table.itertuples()]
    fig = Figure(figsize=(8.0, 1.0 + 0.32 * len(labels)), layout="constrained")
    ax = fig.subplots()
    _forest(ax, labels, table["difference"], table["ci_low"], table["ci_high"],
            "human minus model, percentage points (95% paired bootstrap CI over items)")
    return fig


def variant_contrasts(table: pd.DataFrame) -> Figure | None:
    if table.empty:
        return None
    labels = [f"{r.contrast} | {r.responder}" for r in table.itertuples()]
    fig = Figure(figsize=(8.0, 1.0 + 0.32 * len(labels)), layout="constrained")
    ax = fig.subplots()
    _forest(ax, labels, table["difference"], table["ci_low"], table["ci_high"],
            "second variant minus first, percentage points (95% bootstrap CI over items)")
    return fig


def item_analysis(items: pd.DataFrame) -> Figure | None:
    """Left: human accuracy against discrimination per item, flagged items marked. Right: the
    participants' agreement with the key per item, with the 2/3 curation line."""
    if items.empty:
        return None
    fig = Figure(figsize=(10.0, 4.0), layout="constrained")
    left, right = fig.subplots(1, 2)
    flagged = items["flags"].astype(str) != ""
    rpb = items["point_biserial"].astype(float).fillna(0.0)
    left.scatter(items.loc[~flagged, "human_accuracy"], rpb[~flagged], s=12, color=HUMAN_COLOR, label="no flag")
    left.scatter(items.loc[flagged, "human_accuracy"], rpb[flagged], s=16, color=FLAG_COLOR, marker="x",
                 label="flagged")
    left.set_xlabel("human accuracy on the item (%)")
    left.set_ylabel("point-biserial discrimination (none: 0)")
    left.set_xlim(-2, 102)
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    order = np.argsort(items["agreement_with_key"].to_numpy(dtype=float))
    agreement = items["agreement_with_key"].to_numpy(dtype=float)[order]
    # one filled curve per side of the line (thousands of items: two artists, not a bar each)
    x = np.arange(len(agreement))
    below = agreement < 2 / 3
    right.fill_between(x, agreement, where=below, step="mid", color=FLAG_COLOR, label="below 2/3")
    right.fill_between(x, agreement, where=~below, step="mid", color=HUMAN_COLOR, label="2/3 or more")
    right.axhline(2 / 3, color="black", linestyle="--", linewidth=0.8, label="2/3 of participants")
    right.set_xlabel("items, sorted")
    right.set_ylabel("share of participants agreeing with the key")
    right.set_ylim(0, 1.02)
    right.legend(fontsize=8, loc="lower right")
    return fig
