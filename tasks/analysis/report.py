"""The human-vs-model report: one call reads the study, computes every table and figure and
writes them (report.html, PNG + PDF per figure, CSV + LaTeX per table, human-majority/).

analyse() computes without writing (a ReportData of DataFrames and Figures, for a page to show);
write_report() calls it and writes the files. Both are safe on a worker thread or in a child
process: nothing opens on screen, no global state is kept, progress goes to the callback given.
"""
from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
from matplotlib.figure import Figure
from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession

from db import repo
from tasks.adaptive.thresholds_csv import COLUMNS as THRESHOLD_COLUMNS, threshold_rows
from tasks.analysis import agreement, contrasts, figures, item_analysis, scores
from tasks.analysis.bootstrap import DEFAULT_BOOTSTRAP, DEFAULT_SEED
from tasks.analysis.design import Design
from tasks.cover.scores import cover_mode_of
from tasks.analysis.html import FigureBlock, render
from tasks.analysis.majority import write_majority
from tasks.analysis.models import study_model_runs
from tasks.analysis.psychometric_items import ItemParamsError
from tasks.analysis.psychometric_report import analyse_psychometrics, known_stimuli
from tasks.analysis.responses import ReportError, Responses, load_responses, pick_study
from tasks.analysis.screening import screening
from tasks.analysis.tables import Table, formatted, write_table
from tasks.results.atomic_dir import staged_dir
from tasks.study.screening_records import ScreeningRecordError
from tasks.scoring.metrics import LEADERBOARD_GROUPS

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


@dataclass
class ReportData:
    """Everything the report shows, computed and not yet written: what a page can display."""
    study: str
    responses: Responses
    seed: int
    statement: str  # screening and exclusions, in one sentence
    models: list[str]
    tables: dict[str, Table]  # by file stem
    figures: dict[str, tuple[Figure, str]]  # file stem -> (figure, caption); absent when nothing to draw
    warnings: list[str] = field(default_factory=list)


def write_report(engine: Engine, out_dir: Path, models_dir: Path | None = None, study_name: str | None = None,
                 exclude_failed_screening: bool = False, progress: Progress | None = None, seed: int = DEFAULT_SEED,
                 n_bootstrap: int = DEFAULT_BOOTSTRAP, item_params: Path | None = None) -> ReportSummary:
    """analyse(), then every file: figures, tables, human-majority/ and report.html."""
    started = time.perf_counter()
    step = progress or (lambda done, total, label: None)
    out_dir = Path(out_dir)
    data = analyse(engine, models_dir, study_name, exclude_failed_screening, step, seed, n_bootstrap, item_params)
    step(STEPS - 1, STEPS, "writing the files")
    try:
        with staged_dir(out_dir, "report.html") as stage:  # whole or absent (tasks.results.atomic_dir)
            files = [stage.final(p) for p in _write(data, stage.path)]
    except OSError as exc:
        raise ReportError(f"cannot write the report to {exc.filename or out_dir}: {exc.strerror or exc}. "
                          "Choose another folder; the database is unchanged.") from None
    step(STEPS, STEPS, "done")
    resp = data.responses
    return ReportSummary(out_dir, data.study, resp.n_participants, len(resp.run), list(resp.excluded), data.models,
                         list(data.figures), [n for n in data.tables if n != "items_flagged"], files, data.warnings,
                         time.perf_counter() - started)


def analyse(engine: Engine, models_dir: Path | None = None, study_name: str | None = None,
            exclude_failed_screening: bool = False, progress: Progress | None = None, seed: int = DEFAULT_SEED,
            n_bootstrap: int = DEFAULT_BOOTSTRAP, item_params: Path | None = None) -> ReportData:
    """Read the study (and the model results) and compute every table and figure; writes nothing.
    item_params: a CSV of item id, dimension, difference and unit for the psychometric fits of a
    dataset whose items carry no parameters (tasks.analysis.psychometric_items)."""
    step = progress or (lambda done, total, label: None)
    if n_bootstrap < 1:
        raise ReportError("the number of bootstrap resamples must be at least 1")
    step(0, STEPS, "reading the study")
    study = pick_study(engine, study_name)
    try:
        screen = screening(engine, study, exclude_failed_screening)
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
    model_rows, model_runs, model_warnings = study_model_runs(engine, study, models_dir)
    warnings += model_warnings
    step(2, STEPS, "resampling")
    design = Design.build(resp, n_bootstrap, seed, cover_mode_of(engine, study))
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
    flagged = items[items["flags"] != ""]
    tables = [
        Table("leaderboard", "Leaderboard (AA %)", board, scores.leaderboard_display(rows, board),
              note="Human mean: mean of participants, [95% interval for participants and items both sampled: "
                   "crossed design, variance components by the method of moments]; next line: the t interval "
                   "(participants sampled, these items fixed). Paper rows are published values (dataset v0.5), not measured here. "
                   f"The report's bootstrap intervals (contrasts, item resamples): B={n_bootstrap}, seed {seed}.",
              header_groups=(("", 1),) + LEADERBOARD_GROUPS),
        Table("categories", "Scores per category and sub-category", groups),
        Table("human_vs_model", "Human (pooled) minus model per category", vs_models,
              note="CI from paired item resamples (t quantile, n items); Wilcoxon signed-rank p on per-item differences, Holm-corrected "
                   "across the categories of each model; d_z = mean / SD of the per-item differences."),
        Table("variant_contrasts", "Variant contrasts (second minus first)", variants),
        Table("items", "Item analysis", items),
        Table("items_flagged", f"Flagged items ({len(flagged)} of {len(items)}; all items in items.csv)", flagged,
              formatted(flagged[["variant", "item_id", "human_accuracy", "chance", "agreement_with_key", "key",
                                 "modal_answer", "flags"]])),
        Table("agreement", "Agreement across participants", agreement.agreement_table(design)),
        Table("split_half", "Split-half reliability (Spearman-Brown)", agreement.split_half_table(design, seed)),
        Table("run_agreement", "Agreement between the runs of one item (within a participant)",
              agreement.run_agreement_table(design)),
        Table("screening", "Headphone screening per participant", screen.table),
    ]
    adaptive = [r for r in threshold_rows(engine, study) if r["participant"] not in set(screen.excluded)]
    if adaptive:
        tables.append(Table("adaptive_thresholds", "Adaptive thresholds (one row per block)",
                            pd.DataFrame.from_records(adaptive, columns=list(THRESHOLD_COLUMNS)),
                            note="As thresholds.csv of the export: QUEST+ posterior median with its 95% "
                                 "interval, or the staircase's reversal mean with its t-interval "
                                 "(docs/adaptive.md); participants excluded by screening are left out."))
    # psychometric fits: only when some answered pc item has known parameters
    with DbSession(engine) as s:
        study_roots = [st.dataset_root for st in repo.list_studies(s) if st.name == study]
    try:
        stimuli, n_options, notes = known_stimuli(study_roots, item_params)
    except ItemParamsError as exc:
        raise ReportError(str(exc)) from None
    psycho = analyse_psychometrics(resp, model_runs, stimuli, n_options, seed) if stimuli else None
    if psycho is not None:
        warnings += notes
        tables += psycho.tables
    elif item_params is not None:
        warnings.append(f"{item_params}: none of its item ids is an answered pc item of study {study!r}; "
                        "no psychometric fit")
    step(7, STEPS, "figures")
    made = {
        "bars_categories": (figures.group_bars(groups, "category"),
                            "Humans (mean of participants, 95% crossed interval) and every model per category"),
        "bars_subcategories": (figures.group_bars(groups, "sub-category"), "Humans and every model per sub-category"),
        "human_vs_model": (figures.model_contrasts(vs_models), "Human minus model per category, paired CIs"),
        "variant_contrasts": (figures.variant_contrasts(variants), "Variant contrasts with CIs"),
        "items": (figures.item_analysis(items), "Item analysis: accuracy against discrimination; agreement with "
                                                "the key against the 2/3 rule"),
        **(psycho.figures if psycho is not None else {}),
    }
    return ReportData(study, resp, seed, screen.statement(exclude_failed_screening, resp.n_participants),
                      [m.name for m in model_runs], {t.name: t for t in tables},
                      {k: v for k, v in made.items() if v[0] is not None}, warnings)


def _write(data: ReportData, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    resp, seed = data.responses, data.seed
    majority = write_majority(resp, out_dir, seed)
    files: list[Path] = []
    blocks: dict[str, FigureBlock] = {}
    for name, (fig, caption) in data.figures.items():
        for ext in ("png", "pdf"):
            path = out_dir / f"{name}.{ext}"
            fig.savefig(path, dpi=150 if ext == "png" else None)
            files.append(path)
            # the constrained layout is computed by the first save; the PDF and the HTML's PNG keep
            # it (positions are fractions of the figure) instead of solving it again (half the time)
            fig.set_layout_engine("none")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        blocks[name] = FigureBlock(name, caption, buf.getvalue())
    for name, t in data.tables.items():
        if name != "items_flagged":  # items.csv has them all; the flagged ones are shown in the HTML
            files += write_table(t, out_dir)
    majority_note = (f"human-majority/: {majority.runs} runs, {majority.ties} decided among tied answers (seed "
                     f"{seed}); " + ("every presented item has all its runs, so the kit's evaluate() accepts it."
                                     if not majority.incomplete else
                                     f"{len(majority.incomplete)} items lack runs nobody answered, so the kit's "
                                     "completeness check would refuse those ids."))
    intro = [f"Study {data.study}: {resp.n_participants} participants, {len(resp.run)} answered test trials on "
             f"{len(resp.items)} items.", data.statement, majority_note]
    t = data.tables

    def figs(*names):
        return [blocks[n] for n in names if n in blocks]

    sections = [
        ("1. Leaderboard", [t["leaderboard"]]),
        ("2. Categories and sub-categories", figs("bars_categories", "bars_subcategories") + [t["categories"]]),
        ("3. Human vs each model", figs("human_vs_model") + [t["human_vs_model"]]
         if len(t["human_vs_model"].data) else ["No usable model results (a kit work_dir is given with --models)."]),
        ("4. Variant contrasts", figs("variant_contrasts") + [t["variant_contrasts"]]
         if len(t["variant_contrasts"].data) else
         ["No pair of variants was run (tr / tr_cap / tr_uncut, sr / sr_ch, pc_sp / pc_nsp)."]),
        ("5. Item analysis", figs("items") + [t["items_flagged"]]),
        ("6. Agreement and reliability", [t["agreement"], t["split_half"], t["run_agreement"]]),
        ("7. Screening and exclusions", [data.statement, t["screening"]]),
    ]
    if "psychometric_thresholds" in t:
        sections.append(("8. Psychometric functions", [t["psychometric_thresholds"]]
                         + figs(*(n for n in blocks if n.startswith("psychometric_")))))
    if "adaptive_thresholds" in t:
        sections.append((f"{len(sections) + 1}. Adaptive thresholds", [t["adaptive_thresholds"]]))
    report = out_dir / "report.html"
    report.write_text(render(f"Humans vs models on STAR-Bench: {data.study}", intro, sections, data.warnings),
                      encoding="utf-8")
    files.append(report)
    return files + sorted(p for p in majority.folder.rglob("*") if p.is_file())
