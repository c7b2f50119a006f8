"""The report's figures for a page on screen: the same computations as write_report (the same
functions, seed and number of resamples, so the page and report.html show the same bars and
intervals), each figure rendered to PNG bytes with the Agg canvas, plus the human mean's
bootstrap interval per leaderboard column. Nothing is written to disk and nothing here imports
Qt: a child process computes this and sends it to the window (small, picklable data)."""
from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import Engine

from tasks.analysis.bootstrap import DEFAULT_BOOTSTRAP, DEFAULT_SEED

Progress = Callable[[int, int, str], None]
STEPS = 6
MIN_DPI, MAX_DPI = 50.0, 100.0  # at most about screen resolution: a narrow figure is not blown up
HUMANS = "Humans"

# (name, caption), as in report.html and in its order
FIGURES = (
    ("bars_categories", "Humans (mean of participants, 95% crossed interval) and every model per category"),
    ("bars_subcategories", "Humans and every model per sub-category"),
    ("human_vs_model", "Human minus model per category, paired CIs"),
    ("variant_contrasts", "Variant contrasts with CIs"),
    ("items", "Item analysis: accuracy against discrimination; agreement with the key against the 2/3 rule"),
)


@dataclass(frozen=True)
class PageFigure:
    name: str  # the report's file stem (bars_categories.png, ...)
    caption: str
    responders: tuple[str, ...]  # who is drawn: humans first, then the models, in the figure's order
    png: bytes
    width_px: int
    height_px: int


@dataclass
class PageReport:
    study: str
    participants: int
    models: list[str]
    figures: list[PageFigure]
    # leaderboard key -> the human mean's 95% crossed participants x items interval (as in report.html)
    human_boot_ci: dict[str, tuple[float, float]]
    n_bootstrap: int
    seed: int
    missing: dict[str, str] = field(default_factory=dict)  # figure name -> why it is not drawn
    warnings: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # participant codes left out (failed screening)
    psychometric: PagePsychometric | None = None


@dataclass
class PagePsychometric:
    """The report's psychometric part (tasks.analysis.psychometric_report) and the study's
    adaptive thresholds (the rows of thresholds.csv), as plain data for the page."""
    figures: list[PageFigure]  # one per dimension, in the report's order
    columns: list[str]  # the thresholds table as report.html shows it
    rows: list[tuple[str, ...]]
    note: str
    missing: str  # why there is no figure ("" when there are)
    adaptive_rows: list[dict]  # tasks.adaptive.thresholds_csv.threshold_rows, one per block
    adaptive_missing: str  # why there is no adaptive threshold ("" when there are)


def dpi_for(fig_width_in: float, width_px: int) -> float:
    """The resolution that renders a figure ``fig_width_in`` inches wide at ``width_px`` pixels,
    kept within MIN_DPI..MAX_DPI: text stays legible, and a narrow figure is drawn at about
    screen resolution rather than blown up to the full width (the page never enlarges it)."""
    if fig_width_in <= 0 or width_px <= 0:
        raise ValueError("figure width and pixel width must be positive")
    return min(MAX_DPI, max(MIN_DPI, width_px / fig_width_in))


def render_png(fig, width_px: int) -> tuple[bytes, int, int]:
    """The figure as PNG bytes about ``width_px`` wide (Agg canvas, no display), and its size."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)  # a Figure built without pyplot has no canvas of its own yet
    buf = io.BytesIO()
    dpi = dpi_for(fig.get_figwidth(), width_px)
    fig.savefig(buf, format="png", dpi=dpi)
    png = buf.getvalue()
    width, height = struct.unpack(">II", png[16:24])  # the PNG's IHDR chunk: the size as written
    return png, width, height


def _responders(frame, column: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in frame[column])) if len(frame) else ()


def page_report(engine: Engine, study_name: str | None, models_dir: Path | None, width_px: int = 1000,
                progress: Progress | None = None, should_cancel: Callable[[], bool] | None = None,
                seed: int = DEFAULT_SEED, n_bootstrap: int = DEFAULT_BOOTSTRAP,
                exclude_failed_screening: bool = False) -> PageReport:
    """The report's figures and the human mean's bootstrap intervals for one study (the one named,
    or the only one with sessions). Raises tasks.analysis.responses.ReportError, with the reason,
    when there is nothing to draw (no such study, no answered test trial, a models path that is
    not a folder) and tasks.dataset.loader.Cancelled between steps once should_cancel() is true."""
    from tasks.analysis import contrasts, figures, item_analysis, scores
    from tasks.analysis.design import Design
    from tasks.cover.scores import cover_mode_of
    from tasks.analysis.models import study_model_runs
    from tasks.analysis.responses import ReportError, load_responses, pick_study
    from tasks.analysis.screening import screening
    from tasks.dataset.loader import Cancelled

    def step(done: int, label: str) -> None:
        if should_cancel is not None and should_cancel():
            raise Cancelled("cancelled")
        if progress is not None:
            progress(done, STEPS, label)

    step(0, "reading the study")
    study = pick_study(engine, study_name)
    excluded = set(screening(engine, study, True).excluded) if exclude_failed_screening else set()
    resp = load_responses(engine, study, excluded)
    if not len(resp.run):
        raise ReportError(f"study {study!r} has no answered test trial yet: nothing to draw"
                          + (" once the participants who failed screening are left out" if excluded else ""))
    warnings: list[str] = []
    step(1, "reading the model results")
    model_rows, model_runs, model_warnings = study_model_runs(engine, study, models_dir)
    warnings += model_warnings
    step(2, "resampling")
    design = Design.build(resp, n_bootstrap, seed, cover_mode_of(engine, study))
    humans = scores.human_scores(design)
    boot = scores.leaderboard_intervals(design)
    groups = scores.group_table(design, humans, model_runs)
    step(3, "contrasts")
    people = contrasts.responders(design, model_runs)
    vs_models = contrasts.human_vs_models(design, people, seed)
    variants = contrasts.variant_contrasts(design, people, seed)
    step(4, "item analysis")
    items = item_analysis.item_table(design, model_runs)
    step(5, "psychometric fits and drawing the figures")
    psychometric = _psychometric(engine, study, resp, model_runs, seed, width_px)
    human_name = f"{HUMANS} (n={resp.n_participants})"
    drawn = {
        "bars_categories": (figures.group_bars(groups, "category"), _responders(groups, "responder")),
        "bars_subcategories": (figures.group_bars(groups, "sub-category"), _responders(groups, "responder")),
        "human_vs_model": (figures.model_contrasts(vs_models),
                           (human_name,) + (_responders(vs_models, "model") if len(vs_models) else ())),
        "variant_contrasts": (figures.variant_contrasts(variants),
                              _responders(variants, "responder") if len(variants) else ()),
        "items": (figures.item_analysis(items), (human_name,)),
    }
    why_not = {"human_vs_model": "No model results: choose the kit's work_dir with Import models.",
               "variant_contrasts": "No pair of variants was run (tr/tr_cap/tr_uncut, sr/sr_ch, pc_sp/pc_nsp).",
               "bars_subcategories": "No item has a sub-category."}
    out, missing = [], {}
    for name, caption in FIGURES:
        fig, who = drawn[name]
        if fig is None:
            missing[name] = why_not.get(name, "Nothing to draw.")
            continue
        png, w, h = render_png(fig, width_px)
        out.append(PageFigure(name, caption, who, png, w, h))
    if progress is not None:
        progress(STEPS, STEPS, "done")
    return PageReport(study, resp.n_participants, [m.name for m in model_runs], out, boot, n_bootstrap, seed,
                      missing, warnings, list(resp.excluded), psychometric)


def _psychometric(engine: Engine, study: str, resp, model_runs, seed: int, width_px: int) -> PagePsychometric:
    """The psychometric figures and thresholds table as write_report makes them (the same
    functions, stimuli and seed), and the adaptive blocks' thresholds as export writes them."""
    from sqlmodel import Session as DbSession

    from db import repo
    from tasks.adaptive.thresholds_csv import threshold_rows
    from tasks.analysis.psychometric_report import analyse_psychometrics, known_stimuli

    with DbSession(engine) as s:
        roots = [st.dataset_root for st in repo.list_studies(s) if st.name == study]
    stimuli, n_options, _notes = known_stimuli(roots)
    psycho = analyse_psychometrics(resp, model_runs, stimuli, n_options, seed) if stimuli else None
    figures, columns, rows, note = [], [], [], ""
    if psycho is None:
        missing = ("No psychometric function: no answered perception (pc) item of this study has known "
                   "differences (the built-in bank's items carry them; `report --item-params` gives them for "
                   "another dataset).")
    else:
        missing = ""
        points = _table(psycho, "psychometric_points")
        for name, (fig, caption) in psycho.figures.items():
            png, w, h = render_png(fig, width_px)
            # who has data points: the pooled humans and each model (participants are thin lines)
            drawn = points[(points["dimension"] == name.removeprefix("psychometric_"))
                           & (points["kind"] != "participant")]
            figures.append(PageFigure(name, caption, _responders(drawn, "responder"), png, w, h))
        table = next(t for t in psycho.tables if t.name == "psychometric_thresholds")
        shown = table.shown()
        columns, note = [str(c) for c in shown.columns], table.note
        rows = [tuple(str(v) for v in r) for r in shown.itertuples(index=False)]
    excluded = set(resp.excluded)
    adaptive = [r for r in threshold_rows(engine, study) if r["participant"] not in excluded]
    adaptive_missing = "" if adaptive else "No adaptive block in this study (choose them on the Study page)."
    return PagePsychometric(figures, columns, rows, note, missing, adaptive, adaptive_missing)


def _table(psycho, name: str):
    return next(t.data for t in psycho.tables if t.name == name)
