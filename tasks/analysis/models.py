"""Model results for the report: the leaderboard rows as the compare command reads them
(tasks.model_results), plus every model's runs, to pair them with the human answers item by
item. Bad lines are named in the warnings by the same reader; they never stop the report."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tasks.dataset.items import VARIANTS
from tasks.model_results.reader import RESULTS_FILE, KnownItems, ModelResult, read_models
from tasks.model_results.runs_file import read_results_file
from tasks.model_results.text import safe
from tasks.scoring.metrics import Performance, RunResult, score_all


@dataclass
class ModelRuns:
    name: str
    results: list[RunResult]
    perfs: dict[str, Performance]  # by alias, from tasks.scoring.metrics

    def item_counts(self, items: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """(I,) correct and answered runs of this model on the given (variant, item_id) items."""
        where = {key: k for k, key in enumerate(items)}
        right = np.zeros(len(items))
        answered = np.zeros(len(items))
        for r in self.results:
            k = where.get((r.alias, r.item_id))
            if k is not None:
                answered[k] += 1
                right[k] += r.credit
        return right, answered


def read_model_runs(work_dir: Path, known: KnownItems | None = None) -> tuple[list[ModelResult], list[ModelRuns]]:
    """The compare command's model rows (with their warnings) and the runs of every model that
    was not refused."""
    rows = read_models(Path(work_dir), known)
    usable = {m.name for m in rows if m.refused is None}
    out = []
    for d in sorted(p for p in Path(work_dir).iterdir() if p.is_dir() and not p.name.startswith("human-")):
        name = safe(d.name)
        if name not in usable:
            continue
        results: list[RunResult] = []
        for alias in VARIANTS:
            path = d / alias / RESULTS_FILE
            if path.is_file():
                got = read_results_file(path, alias, f"{name}/{alias}/{RESULTS_FILE}",
                                        known.for_alias(alias) if known is not None else None,
                                        known.key_for(alias) if known is not None else None)
                if not got.refused:
                    results += got.results
        if results:
            out.append(ModelRuns(name, results, score_all(results)))
    return rows, out


def study_model_runs(engine, study: str, models_dir: Path | None) -> tuple[list[ModelResult], list[ModelRuns], list[str]]:
    """The model rows, the models' runs and the warnings for one study's report or page: model
    ids are checked against the items of the study's dataset (tasks.model_results.reader.known_items_of).
    No folder: nothing. A path that is not a folder: ReportError naming it."""
    from sqlmodel import Session as DbSession

    from db import repo
    from tasks.analysis.responses import ReportError
    from tasks.model_results.reader import known_items_of

    if models_dir is None:
        return [], [], []
    if not Path(models_dir).is_dir():
        raise ReportError(f"{models_dir}: not a folder of model results (the kit's work_dir: "
                          "<model>/<alias>/infer_results.jsonl)")
    with DbSession(engine) as s:
        roots = [st.dataset_root for st in repo.list_studies(s) if st.name == study]
    known, note = known_items_of(roots)
    warnings = [note] if note else []
    rows, runs = read_model_runs(Path(models_dir), known)
    return rows, runs, warnings + [w for m in rows for w in m.warnings]
