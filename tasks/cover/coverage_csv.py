"""coverage.csv and coverage.columns.json: the answers each unit of a study has, one row a unit,
written whole or not at all (tasks.results.atomic_dir)."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession

from db import repo
from tasks.cover.counts import answered_counts
from tasks.cover.coverage import CoverageSummary, coverage_summary, responses_per_unit
from tasks.cover.units import cover_units
from tasks.dataset.loader import Dataset, load_dataset
from tasks.results.atomic_dir import staged_dir
from tasks.study.studies import StudyError, check_dataset, study_protocol

COVERAGE_FILE = "coverage.csv"
COVERAGE_SIDECAR = "coverage.columns.json"
COVERAGE_COLUMNS: dict[str, str] = {
    "variant": "the variant the unit is presented in (pc, tr, tr_uncut, tr_cap, sr, sr_ch, ...)",
    "id": "the item id, as in the dataset and the kit's infer_results.jsonl",
    "rotate_id": "the run (the kit's rotate_id) in full-robust; empty in single-pass, where the unit is the item "
                 "and each answer's run is counterbalanced",
    "answers": "answers the unit has from the study's sessions (test trials, whatever the session's status); "
               "the study wants responses_per_run of them",
}


def study_dataset(engine: Engine, study_name: str) -> tuple[object, Dataset]:
    """The study and its dataset (JSON only, from the recorded folder, checked unchanged)."""
    with DbSession(engine) as s:
        study = repo.get_study(s, study_name)
    if study is None:
        raise StudyError(f"no study {study_name!r} in this database")
    dataset = load_dataset(study.dataset_root, check_audio=False)
    check_dataset(study, dataset.root)
    return study, dataset


def write_coverage(engine: Engine, study_name: str, out_dir: Path) -> CoverageSummary:
    study, dataset = study_dataset(engine, study_name)
    protocol = study_protocol(study)
    with DbSession(engine) as s:
        counts = answered_counts(s, study.id, protocol.mode)
        summary = coverage_summary(s, dataset, study, counts)
    with staged_dir(Path(out_dir), COVERAGE_FILE) as stage:
        with open(stage.path / COVERAGE_FILE, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(COVERAGE_COLUMNS)
            for unit in cover_units(dataset, protocol):
                writer.writerow([unit.variant, unit.item.id, "" if unit.rotate_id is None else unit.rotate_id,
                                 counts.get(unit.key, 0)])
        sidecar = {
            "description": "One row per unit the study must answer (docs/cover-design-results.md, Coverage).",
            "columns": COVERAGE_COLUMNS,
            "study": study.name,
            "design": protocol.design,
            "mode": protocol.mode,
            "responses_per_run": responses_per_unit(protocol),
            "answers_needed": summary.answers_needed,
            "participants_needed": summary.participants_needed,
            "person_hours_needed": round(summary.person_hours_needed, 2),
            "dataset_fingerprint_sha256": study.dataset_fingerprint,
        }
        (stage.path / COVERAGE_SIDECAR).write_text(json.dumps(sidecar, indent=2, ensure_ascii=False), encoding="utf-8")
    return summary


def summary_lines(summary: CoverageSummary) -> list[str]:
    k = summary.responses_per_run
    header = f"{'group':<48} {'units':>6} " + " ".join(f"{f'{a} ans':>7}" for a in range(k + 1))
    lines = [f"coverage of study {summary.study} (K = {k})", header]
    for g in summary.groups:
        lines.append(f"{g.group:<48} {g.runs:>6} " + " ".join(f"{n:>7}" for n in g.by_answers))
    lines.append(f"still needed: {summary.answers_needed} answers, about {summary.participants_needed} participants, "
                 f"{summary.person_hours_needed:.1f} person-hours")
    return lines
