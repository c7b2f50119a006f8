"""Humans against models: the leaderboard with confidence intervals, the paper's reference
rows, chance, and human minus model per column."""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

from scipy.special import stdtrit

from tasks.results.atomic_dir import staged_dir
from tasks.results.compare_input import HumanInputs, StudyInput, inputs_from_records
from tasks.results.export import ExportResult, export
from tasks.results.trial_records import TrialRecord
from tasks.model_results.reader import ModelResult
from tasks.results.reference import SOURCE as PAPER_SOURCE, paper_rows
from tasks.scoring.metrics import LEADERBOARD_COLUMNS, LEADERBOARD_KEYS, leaderboard_row, score_all

Row = dict[str, float | None]


@dataclass
class LeaderRow:
    name: str
    kind: str  # human-mean, human-pooled, model, paper, chance
    values: Row
    ci: dict[str, tuple[float, float] | None] = field(default_factory=dict)
    n: int | None = None  # participants behind a human mean
    note: str = ""


def mean_ci(values: list[float], confidence: float = 0.95) -> tuple[float, tuple[float, float] | None]:
    """Mean and t-based confidence interval across participants (None for fewer than two)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, None
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    # stdtrit is the t quantile scipy.stats.t.ppf computes (same value to the bit), without importing
    # scipy.stats (0.6 s idle, over 2 s on a loaded machine, in every Results-page computation)
    half = stdtrit(n - 1, 0.5 + confidence / 2) * sd / math.sqrt(n)
    # a percentage cannot leave [0, 100]; the t interval can, with few participants
    return mean, (max(0.0, mean - half), min(100.0, mean + half))


def study_rows(study: StudyInput, study_name: str) -> list[LeaderRow]:
    """The mean-of-participants row (with CIs) and the pooled row of one study."""
    rows = study.participant_rows
    if not study.has_runs():
        return []
    mean_row: Row = {}
    ci: dict[str, tuple[float, float] | None] = {}
    for key in LEADERBOARD_KEYS:
        vals = [r[key] for r in rows if r[key] is not None]
        if vals:
            mean_row[key], ci[key] = mean_ci(vals)
        else:
            mean_row[key], ci[key] = None, None
    pooled = leaderboard_row(study.pooled_scores())
    if study.cover_row is not None:
        mean = LeaderRow(f"Human ({study_name}), cover design, every answer", "human-mean", study.cover_row, {},
                         n=len(rows), note="each run's proportion correct over its answers (docs/cover-design-results.md)")
        return [mean, LeaderRow(f"Human ({study_name}), pooled", "human-pooled", pooled, n=len(rows),
                                note="all participants' runs scored as one responder")]
    return [
        LeaderRow(f"Human ({study_name}), mean of participants", "human-mean", mean_row, ci, n=len(rows)),
        LeaderRow(f"Human ({study_name}), pooled", "human-pooled", pooled, n=len(rows),
                  note="all participants' runs scored as one responder"),
    ]


def chance_row(records: list[TrialRecord] | HumanInputs) -> LeaderRow:
    """Expected score of uniform guessing on exactly the runs that were presented."""
    inputs = records if isinstance(records, HumanInputs) else inputs_from_records(records)
    return LeaderRow("Chance (expected, these runs)", "chance", leaderboard_row(score_all(inputs.chance)))


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def build_rows(records: list[TrialRecord] | HumanInputs, models: list[ModelResult]) -> list[LeaderRow]:
    """Human rows per study, models, the paper's rows and chance; the human side from records
    in memory or from inputs streamed out of the database (tasks.results.compare_input)."""
    inputs = records if isinstance(records, HumanInputs) else inputs_from_records(records)
    rows: list[LeaderRow] = []
    for study in sorted(inputs.studies):
        rows += study_rows(inputs.studies[study], study)
    rows += [LeaderRow(m.name, "model", m.row) for m in models]
    rows += [LeaderRow(f"{name} (paper)", "paper", values, note=PAPER_SOURCE) for name, values in paper_rows().items()]
    if inputs.any_trials:
        rows.append(chance_row(inputs))
    return rows


def diff_rows(rows: list[LeaderRow]) -> list[tuple[str, Row]]:
    humans = [r for r in rows if r.kind == "human-mean"]
    others = [r for r in rows if r.kind in ("model", "paper") and not r.name.startswith(("Human", "Random"))]
    out = []
    for h in humans:
        for m in others:
            out.append((f"{h.name} − {m.name}",
                        {k: None if h.values[k] is None or m.values[k] is None else h.values[k] - m.values[k]
                         for k in LEADERBOARD_KEYS}))
    return out


def markdown(rows: list[LeaderRow], diffs: list[tuple[str, Row]], warnings: list[str]) -> str:
    headers = [h for _k, h, _a, _c in LEADERBOARD_COLUMNS]
    lines = ["# Humans vs models on STAR-Bench", "",
             "AA in %. Human mean: mean over participants with a 95% t confidence interval in brackets; "
             "pooled: all participants' runs scored as one responder. Paper rows are reference values "
             f"({PAPER_SOURCE}), not measured here.", "",
             "Columns: Foundational Perception (Range, Sensitivity, MA) | Temporal (Continuous, Discrete, OA) | "
             "Spatial (Localization, Relation, Trajectory, OA) | MA = mean of the three.", "",
             "| Row | " + " | ".join(headers) + " |", "|---" * (len(headers) + 1) + "|"]
    for r in rows:
        cells = []
        for key in LEADERBOARD_KEYS:
            cell = fmt(r.values.get(key))
            ci = r.ci.get(key)
            if ci is not None:
                cell += f" [{ci[0]:.1f}, {ci[1]:.1f}]"
            cells.append(cell)
        name = r.name + (f" (n={r.n})" if r.n else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if diffs:
        lines += ["", "## Human minus model (percentage points)", "",
                  "| Difference | " + " | ".join(headers) + " |", "|---" * (len(headers) + 1) + "|"]
        for name, values in diffs:
            lines.append(f"| {name} | " + " | ".join(
                "–" if values[k] is None else f"{values[k]:+.2f}" for k in LEADERBOARD_KEYS) + " |")
    if warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in warnings]
    return "\n".join(lines) + "\n"


def export_and_compare(engine, out_dir: Path, app_version: str, models: list[ModelResult],
                       compare_dir: Path | None = None, study_name: str | None = None,
                       majority: bool = True) -> tuple[ExportResult, list[Path]]:
    """The export (with human-majority/, as the export command writes it), then the comparison
    (in ``compare_dir``, default ``<out_dir>/compare``) from what the export read and scored: the
    database is read once and each participant and the pooled study scored once. The files are
    those of export() and write_compare() run apart."""
    inputs = HumanInputs()
    if compare_dir is None:  # inside the export's folder, put in place with it (whole or absent)
        written: list[Path] = []
        result = export(engine, out_dir, app_version, study_name, majority=majority, inputs=inputs,
                        also=lambda folder: written.extend(_write_compare(folder / "compare", inputs, models)))
        compare = Path(out_dir) / "compare"
        return result, [compare / p.name for p in written]
    result = export(engine, out_dir, app_version, study_name, majority=majority, inputs=inputs)
    return result, write_compare(compare_dir, inputs, models)


def write_compare(out_dir: Path, records: list[TrialRecord] | HumanInputs, models: list[ModelResult]) -> list[Path]:
    """leaderboard.md, leaderboard.csv and human_minus_model.csv in ``out_dir``, a folder put in
    place whole (tasks.results.atomic_dir): the complete comparison or what was there before."""
    out_dir = Path(out_dir)
    with staged_dir(out_dir, "leaderboard.md") as stage:
        files = _write_compare(stage.path, records, models)
    return [stage.final(p) for p in files]


def _write_compare(out_dir: Path, records: list[TrialRecord] | HumanInputs, models: list[ModelResult]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = build_rows(records, models)
    diffs = diff_rows(rows)
    warnings = [w for m in models for w in m.warnings]
    md = out_dir / "leaderboard.md"
    md.write_text(markdown(rows, diffs, warnings), encoding="utf-8")
    csv_path = out_dir / "leaderboard.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["row", "kind", "n"] + [x for k in LEADERBOARD_KEYS for x in (k, f"{k}_ci_low", f"{k}_ci_high")])
        for r in rows:
            cells = []
            for k in LEADERBOARD_KEYS:
                ci = r.ci.get(k)
                cells += [r.values.get(k), ci[0] if ci else None, ci[1] if ci else None]
            w.writerow([r.name, r.kind, r.n or ""] + ["" if c is None else round(c, 4) for c in cells])
    diff_path = out_dir / "human_minus_model.csv"
    with open(diff_path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["comparison"] + list(LEADERBOARD_KEYS))
        for name, values in diffs:
            w.writerow([name] + ["" if values[k] is None else round(values[k], 4) for k in LEADERBOARD_KEYS])
    return [md, csv_path, diff_path]
