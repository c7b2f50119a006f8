"""Point 1 and 2 of the report: the leaderboard (human mean with the crossed participants x
items interval beside the t interval, the pooled row, models, the paper's rows, chance) and the scores per
category and sub-category of every variant, humans with bootstrap CIs and every model.

Every point estimate comes from tasks.scoring.metrics (the kit's arithmetic, as the exports); the
bootstrap gives only the intervals."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tasks.analysis.design import Design
from tasks.analysis.models import ModelRuns
from tasks.analysis.participant_scores import participant_performances
from tasks.cover.scores import cover_row, cover_scores
from tasks.results.compare import LeaderRow, build_rows, mean_ci
from tasks.results.compare_input import HumanInputs, StudyInput
from tasks.model_results.reader import ModelResult
from tasks.scoring.metrics import LEADERBOARD_COLUMNS, LEADERBOARD_KEYS, Performance, leaderboard_row, score_all


@dataclass
class HumanScores:
    """Each participant's performances (by variant) and the pooled ones, from tasks.scoring.metrics."""
    participant_perfs: list[dict[str, Performance]]
    pooled_perfs: dict[str, Performance]
    inputs: HumanInputs


def human_scores(design: Design) -> HumanScores:
    resp = design.responses
    perfs = participant_performances(resp)  # score_all of each participant's run results
    pooled = resp.run_results()
    study = StudyInput(participant_rows=[leaderboard_row(x) for x in perfs], participant_codes=list(resp.codes),
                       participant_runs=np.bincount(resp.participant, minlength=resp.n_participants).tolist(),
                       pooled=pooled)
    inputs = HumanInputs({resp.study: study}, resp.chance_results(), any_trials=bool(len(resp.run)))
    return HumanScores(perfs, score_all(pooled), inputs)


def _people(design: Design, idx: np.ndarray) -> int:
    """Participants with an answered run among the items idx."""
    return int((design.answered[idx].sum(axis=0) > 0).sum())


def leaderboard_intervals(design: Design) -> dict[str, tuple[float, float]]:
    """The crossed participants x items 95% interval of the human mean for each leaderboard column
    with at least two participants: the method of moments for the crossed design
    (Design.human_moments, tasks.analysis.crossed_moments), complete (shared) or incomplete
    (cover); the overall MA is the mean of the three families' totals."""
    out: dict[str, tuple[float, float]] = {}
    families = []
    for key, _header, alias, category in LEADERBOARD_COLUMNS:
        if key == "ma":
            continue
        idx = design.items(alias, category)
        if _people(design, idx) < 2:
            continue
        if key in ("pc_ma", "tr_oa", "sr_oa"):
            families.append((alias, idx))
        moments = design.human_moments([(alias, idx)])
        if moments is not None:
            out[key] = moments.interval()
    if len(families) == 3:
        moments = design.human_moments(families)
        if moments is not None:
            out["ma"] = moments.interval()
    return out


def cover_human_row(design: Design, mean_row: LeaderRow) -> LeaderRow:
    """A cover study's human row in place of the mean of participants (each answered a share):
    the cover row (tasks.cover.scores), without a t interval across participants."""
    values = cover_row(design.responses, design.cover_mode)
    name = mean_row.name.replace("mean of participants", "cover design, every answer")
    return LeaderRow(name, "human-mean", values, {}, n=mean_row.n,
                     note="each run's proportion correct over its answers (docs/cover-design-results.md)")


def leaderboard(design: Design, humans: HumanScores, models: list[ModelResult]) -> tuple[list[LeaderRow], pd.DataFrame]:
    """The compare command's rows with the crossed interval added to the human mean; and as a
    table (value, t interval, crossed interval per column)."""
    rows = build_rows(humans.inputs, [m for m in models if m.refused is None])
    if design.cover_mode is not None:
        rows = [cover_human_row(design, r) if r.kind == "human-mean" else r for r in rows]
    crossed = leaderboard_intervals(design)
    records = []
    for r in rows:
        rec = {"row": r.name, "kind": r.kind, "n": r.n}
        for key in LEADERBOARD_KEYS:
            t_ci = r.ci.get(key)
            c_ci = crossed.get(key) if r.kind == "human-mean" else None
            rec[key] = r.values.get(key)
            rec[f"{key}_t_low"], rec[f"{key}_t_high"] = t_ci if t_ci else (None, None)
            rec[f"{key}_crossed_low"], rec[f"{key}_crossed_high"] = c_ci if c_ci else (None, None)
        records.append(rec)
    return rows, pd.DataFrame.from_records(records)


def _value(perf: Performance | None, level: str, name: str) -> float | None:
    if perf is None:
        return None
    if level == "total":
        m = perf.total
    else:
        m = (perf.by_category if level == "category" else perf.by_sub_category).get(name)
    return None if m is None or m.total_runs == 0 else m.aa


def group_table(design: Design, humans: HumanScores, models: list[ModelRuns]) -> pd.DataFrame:
    """One row per (variant, level, group, responder): AA in percent, and for humans the mean over
    participants with its bootstrap CI. Levels: total, category, sub-category."""
    resp = design.responses
    records = []
    cover = None if design.cover_mode is None else cover_scores(resp, design.cover_mode)
    responder = "Human (mean of participants)" if cover is None else "Human (cover design, every answer)"
    for variant in dict.fromkeys(r.variant for r in resp.runs):
        idx_all = design.items(variant)
        groups = [("total", "Total", idx_all)]
        for cat in sorted(set(design.category[idx_all].tolist()) - {""}):
            groups.append(("category", cat, design.items(variant, cat)))
        for sub in sorted(set(design.sub_category[idx_all].tolist()) - {""}):
            groups.append(("sub-category", sub, design.items(variant, sub_category=sub)))
        for level, name, idx in groups:
            vals = [v for v in (_value(p.get(variant), level, name) for p in humans.participant_perfs) if v is not None]
            ci = design.crossed_interval(variant, idx) if _people(design, idx) >= 2 else None
            base = {"variant": variant, "level": level, "group": name}
            aa = mean_ci(vals)[0] if vals else None
            if cover is not None:
                aa = _value(cover.get(variant), level, name)
            records.append({**base, "responder": responder, "kind": "human",
                            "aa": aa, "ci_low": ci[0] if ci else None,
                            "ci_high": ci[1] if ci else None, "n": len(vals)})
            for m in models:
                value = _value(m.perfs.get(variant), level, name)
                if value is not None:
                    records.append({**base, "responder": m.name, "kind": "model", "aa": value,
                                    "ci_low": None, "ci_high": None, "n": None})
    return pd.DataFrame.from_records(records, columns=["variant", "level", "group", "responder", "kind", "aa",
                                                       "ci_low", "ci_high", "n"])


def leaderboard_display(rows: list[LeaderRow], table: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard as printed: the human mean with its bootstrap CI, a line below it with the
    t interval; column headers with their group (pc / tr / sr)."""
    headers = [f"{alias or 'all'} {header}" for _k, header, alias, _c in LEADERBOARD_COLUMNS]
    out = []
    for r, rec in zip(rows, table.to_dict("records")):
        name = r.name + (f" (n={r.n})" if r.n else "")
        cells = []
        for key in LEADERBOARD_KEYS:
            v = rec[key]
            text = "--" if v is None or pd.isna(v) else f"{v:.2f}"
            if rec[f"{key}_crossed_low"] is not None and not pd.isna(rec[f"{key}_crossed_low"]):
                text += f" [{rec[f'{key}_crossed_low']:.1f}, {rec[f'{key}_crossed_high']:.1f}]"
            cells.append(text)
        out.append([name] + cells)
        if r.kind == "human-mean":
            t_cells = []
            for key in LEADERBOARD_KEYS:
                low = rec[f"{key}_t_low"]
                t_cells.append("--" if low is None or pd.isna(low) else f"[{low:.1f}, {rec[f'{key}_t_high']:.1f}]")
            out.append(["  t interval"] + t_cells)
    return pd.DataFrame(out, columns=["row"] + headers)
