"""Simulated cohorts in real SQLite files for the report's tests (tasks.simulation.simulate + tests.support.factories)."""
from __future__ import annotations

import shutil
from pathlib import Path

from db.engine import open_database
from tasks.results.export import export
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol
from tasks.dataset.runs import Run
from tests.support.factories import pc_items, sr_items, tr_items, write_dataset

VARIANTS = ["pc", "tr", "tr_cap", "sr"]


def small_dataset(root: Path, pc: list | None = None, sr: list | None = None):
    return load_dataset(write_dataset(root, pc=pc_items(3) if pc is None else pc, tr=tr_items(2),
                                      sr=sr_items(3) if sr is None else sr))


def robust(seed: int = 0, variants: list[str] | None = None) -> Protocol:
    return Protocol(mode="full-robust", variants=variants or VARIANTS, practice_per_block=0, min_run_spacing=1,
                    seed=seed)


def cohort_db(path: Path, dataset, observer: Observer, n: int, study: str = "study", protocol: Protocol | None = None):
    from tasks.simulation.simulate import simulate
    engine = open_database(path)
    simulate(engine, dataset, protocol or robust(), n, observer, "test", study_name=study)
    return engine


def model_workdir(tmp_path: Path, dataset, observer: Observer, name: str) -> Path:
    """A model's results in the kit's layout: one simulated responder exported by the app's own
    export (real infer_results.jsonl and performance.json files), renamed as a model folder."""
    engine = cohort_db(tmp_path / f"{name}.sqlite", dataset, observer, 1, study=name, protocol=robust(seed=77))
    out = tmp_path / f"{name}-export"
    export(engine, out, "test")
    engine.dispose()
    work = tmp_path / "models"
    work.mkdir(exist_ok=True)
    shutil.move(str(out / name / "human-SIM001"), str(work / name))
    return work


class TrueKeyObserver(Observer):
    """Answers like a perfect observer, except on the planted items, where it picks the option the
    dataset's key is not but the truth is (the dataset's key is wrong there)."""

    def __init__(self, truth: dict[str, str]):
        super().__init__(kind="perfect")
        object.__setattr__(self, "truth", truth)  # item id -> the true option text

    def choose(self, run: Run, rng) -> str:
        true_text = self.truth.get(run.item.id)
        if true_text is None:
            return run.answer_letter
        return run.letters[list(run.options).index(true_text)]
