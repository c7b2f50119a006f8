"""The human-vs-model report: one call reads the study, computes every table and figure and
writes them (report.html, PNG + PDF per figure, CSV + LaTeX per table, human-majority/).

write_report is safe to run on a worker thread or in a child process: it opens nothing on
screen, keeps no global state, and reports progress through the callback it is given.
"""
from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession

from db import repo
from tasks.analysis import agreement, contrasts, figures, item_analysis, scores
from tasks.analysis.bootstrap import DEFAULT_BOOTSTRAP, DEFAULT_SEED
from tasks.analysis.design import Design
from tasks.analysis.html import FigureBlock, render
from tasks.analysis.majority import write_majority
from tasks.analysis.models import read_model_runs
from tasks.analysis.responses import ReportError, load_responses, pick_study
from tasks.analysis.screening import screening
from tasks.analysis.tables import Table, formatted, write_table
from tasks.model_results import known_items_of
from tasks.screening_records import ScreeningRecordError
from tasks.scoring import LEADERBOARD_GROUPS

Progress = Callable[[int, int, str], None]
STEPS = 9
MIN_BOOTSTRAP = 2000  # below this the report says its intervals are rough


@dataclass
class ReportSummary:
    out_dir: Path
    study: str
    participants: int
    responses: int
    excluded: list[str]
    models: list[str]
    figures: list[str]
    tables: list[str]
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def write_report(engine: Engine, out_dir: Path, models_dir: Path | None = None, study_name: str | None = None,
                 exclude_failed_screening: bool = False, progress: Progress | None = None, seed: int = DEFAULT_SEED,
                 n_bootstrap: int = DEFAULT_BOOTSTRAP) -> ReportSummary:
    out_dir = Path(out_dir)
    try:
        return _write_report(engine, out_dir, models_dir, study_name, exclude_failed_screening,
                             progress or (lambda done, total, label: None), seed, n_bootstrap)
    except OSError as exc:
        raise ReportError(f"cannot write the report to {exc.filename or out_dir}: {exc.strerror or exc}. "
                          "Choose another folder; the database is unchanged.") from None


def _write_report(engine, out_dir: Path, models_dir, study_name, exclude_failed, step: Progress, seed: int,
                  n_bootstrap: int) -> ReportSummary:
    started = time.perf_counter()
    if n_bootstrap < 1:
        raise ReportError("the number of bootstrap resamples must be at least 1")
    step(0, STEPS, "reading the study")
    study = pick_study(engine, study_name)
    try:
        screen = screening(engine, study, exclude_failed)
    except ScreeningRecordError as exc:
        raise ReportError(f"{exc}; the report needs readable screening records") from None
    resp = load_responses(engine, study, set(screen.excluded))
    if not len(resp.run):
        raise ReportError(f"study {study!r} has no answered test trial"
                          + (" once the participants who failed screening are left out" if screen.excluded else "")
                          + ": nothing to report")
    warnings: list[str] = []
    if n_bootstrap < MIN_BOOTSTRAP:
        warnings.append(f"{n_bootstrap} bootstrap resamples (fewer than {MIN_BOOTSTRAP}): the intervals are rough")
    step(1, STEPS, "reading the model results")
    model_rows, model_runs = [], []
    if models_dir is not None:
        if not Path(models_dir).is_dir():
            raise ReportError(f"{models_dir}: not a folder of model results (the kit's work_dir: "
                              "<model>/<alias>/infer_results.jsonl)")
        with DbSession(engine) as s:
            roots = [st.dataset_root for st in repo.list_studies(s) if st.name == study]
        known, note = known_items_of(roots)
        if note:
            warnings.append(note)
        model_rows, model_runs = read_model_runs(Path(models_dir), known)
        warnings += [w for m in model_rows for w in m.warnings]
    step(2, STEPS, "resampling")
    design = Design.build(resp, n_bootstrap, seed)
    humans = scores.human_scores(design)
    step(3, STEPS, "leaderboard and categories")
    rows, board = scores.leaderboard(design, humans, model_rows)
    groups = scores.group_table(design, humans, model_runs)
    step(4, STEPS, "contrasts")
    people = contrasts.responders(design, model_runs)
    vs_models = contrasts.human_vs_models(design, people, seed)
    variants = contrasts.variant_contrasts(design, people, seed)
    step(5, STEPS, "item analysis")
    items = item_analysis.item_table(design, model_runs)
    step(6, STEPS, "agreement and reliability")
    kappas = agreement.agreement_table(design)
    halves = agreement.split_half_table(design, seed)
    rotations = agreement.run_agreement_table(design)
    step(7, STEPS, "human-majority responder")
    out_dir.mkdir(parents=True, exist_ok=True)
    majority = write_majority(resp, out_dir, seed)
    statement = screen.statement(exclude_failed, resp.n_participants)
    majority_note = (f"human-majority/: {majority.runs} runs, {majority.ties} decided among tied answers (seed "
                     f"{seed}); " + ("every presented item has all its runs, so the kit's evaluate() accepts it."
                                     if not majority.incomplete else
                                     f"{len(majority.incomplete)} items lack runs nobody answered, so the kit's "
                                     "completeness check would refuse those ids."))
    tables = [
        Table("leaderboard", "Leaderboard (AA %)", board, scores.leaderboard_display(rows, board),
              note=f"Human mean: mean of participants, [95% two-level bootstrap CI, B={n_bootstrap}, seed {seed}]; "
                   "next line: the t interval. Paper rows are published values (dataset v0.5), not measured here.",
              header_groups=(("", 1),) + LEADERBOARD_GROUPS),
        Table("categories", "Scores per category and sub-category", groups),
        Table("human_vs_model", "Human (pooled) minus model per category", vs_models,
              note="Paired bootstrap CI over items; Wilcoxon signed-rank p on per-item differences, Holm-corrected "
                   "across the categories of each model; d_z = mean / SD of the per-item differences."),
        Table("variant_contrasts", "Variant contrasts (second minus first)", variants),
        Table("agreement", "Agreement across participants", kappas),
        Table("split_half", "Split-half reliability (Spearman-Brown)", halves),
        Table("run_agreement", "Agreement between the runs of one item (within a participant)", rotations),
        Table("screening", "Headphone screening per participant", screen.table),
    ]
    item_table = Table("items", "Item analysis", items)
    flagged = items[items["flags"] != ""]
    flagged_table = Table("items_flagged", f"Flagged items ({len(flagged)} of {len(items)}; all items in items.csv)",
                          flagged, formatted(flagged[["variant", "item_id", "human_accuracy", "chance",
                                                      "agreement_with_key", "key", "modal_answer", "flags"]]))
    step(8, STEPS, "figures and files")
    made = {
        "bars_categories": (figures.group_bars(groups, "category"),
                            "Humans (mean of participants, 95% bootstrap CI) and every model per category"),
        "bars_subcategories": (figures.group_bars(groups, "sub-category"),
                               "Humans and every model per sub-category"),
        "human_vs_model": (figures.model_contrasts(vs_models), "Human minus model per category, paired CIs"),
        "variant_contrasts": (figures.variant_contrasts(variants), "Variant contrasts with CIs"),
        "items": (figures.item_analysis(items), "Item analysis: accuracy against discrimination; agreement with "
                                                "the key against the 2/3 rule"),
    }
    files: list[Path] = []
    blocks: dict[str, FigureBlock] = {}
    for name, (fig, caption) in made.items():
        if fig is None:
            continue
        for ext in ("png", "pdf"):
            path = out_dir / f"{name}.{ext}"
            fig.savefig(path, dpi=150 if ext == "png" else None)
            files.append(path)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        blocks[name] = FigureBlock(name, caption, buf.getvalue())
    for t in tables + [item_table]:
        files += write_table(t, out_dir)
    intro = [f"Study {study}: {resp.n_participants} participants, {len(resp.run)} answered test trials on "
             f"{len(resp.items)} items.", statement, majority_note]
    sections = [
        ("1. Leaderboard", [tables[0]]),
        ("2. Categories and sub-categories", [b for k, b in blocks.items() if k.startswith("bars_")] + [tables[1]]),
        ("3. Human vs each model", [blocks[k] for k in ("human_vs_model",) if k in blocks] + [tables[2]]
         if len(vs_models) else ["No model results were given (--models)."]),
        ("4. Variant contrasts", [blocks[k] for k in ("variant_contrasts",) if k in blocks] + [tables[3]]
         if len(variants) else ["No pair of variants was run (tr/tr_cap/tr_uncut, sr/sr_ch, pc_sp/pc_nsp)."]),
        ("5. Item analysis", [blocks[k] for k in ("items",) if k in blocks] + [flagged_table]),
        ("6. Agreement and reliability", tables[4:7]),
        ("7. Screening and exclusions", [statement, tables[7]]),
    ]
    report = out_dir / "report.html"
    report.write_text(render(f"Humans vs models on STAR-Bench: {study}", intro, sections, warnings),
                      encoding="utf-8")
    files.append(report)
    files += sorted(p for p in majority.folder.rglob("*") if p.is_file())
    step(STEPS, STEPS, "done")
    return ReportSummary(out_dir, study, resp.n_participants, len(resp.run), list(resp.excluded),
                         [m.name for m in model_runs], list(blocks), [t.name for t in tables + [item_table]],
                         files, warnings, time.perf_counter() - started)
