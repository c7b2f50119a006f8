"""Exports: the model kit's layout for each participant and the pooled cohort, plus a tidy
trial-level CSV with a JSON sidecar. Never personal data: participants appear by code only.

Layout (STARBENCH.md section 5); each study's folder is a work_dir of the kit:
  <out>/<study>/human-<code>/<variant>/infer_results.jsonl, performance.json
  <out>/<study>/human-<code>/performance_summary_<variants joined by +>.csv
  <out>/<study>/human-<study>/...  the pooled cohort: every participant's runs as one responder
  <out>/trials.csv, <out>/trials.columns.json
Practice and catch trials are left out of the kit files (they are in trials.csv).
"""
from __future__ import annotations

import csv
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession, select

from db import repo
from db.models import Calibration, Participant, PlannedTrial, Response, Session, Study
from tasks.kit_format import kit_model_response
from tasks.plan import Protocol
from tasks.scoring import Performance, RunResult, score_all, summarize


class ExportError(Exception):
    """The export could not be written; nothing in the database is affected."""


@dataclass
class TrialRecord:
    study: Study
    session: Session
    participant: Participant
    trial: PlannedTrial
    response: Response | None

    def run_result(self) -> RunResult:
        t = self.trial
        return RunResult(t.variant, t.item_id, t.rotate_id, t.category, t.sub_category,
                         None if self.response is None else self.response.is_correct)

    def kit_record(self) -> dict:
        t, r = self.trial, self.response
        rec = {
            "id": t.item_id, "task": t.task, "category": t.category, "sub-category": t.sub_category,
            "options": json.loads(t.options_json), "answer": t.answer, "answer_letter": t.answer_letter,
            "rotate_id": t.rotate_id,
            "prediction": (r.chosen_letter if r and r.chosen_letter else "Z"),
            "is_correct": bool(r and r.is_correct),
            "model_response": kit_model_response(r and r.chosen_text, r and r.chosen_letter, len(json.loads(t.options_json))),
            "unique_id": t.unique_id,
        }
        if t.shuffled_seg_order is not None:
            rec["shuffled_seg_order"] = t.shuffled_seg_order
        rec.update({
            "participant": self.participant.code, "session_id": self.session.id, "position": t.position,
            "rt_ms": r.rt_ms if r else None, "n_replays": r.n_replays if r else None,
            "uncalibrated": r.uncalibrated if r else None, "take_home": self.session.take_home,
        })
        return rec


def load_records(engine: Engine, study_name: str | None = None) -> list[TrialRecord]:
    """Every planned trial with its response (or None), by study, session and position."""
    with DbSession(engine) as s:
        studies = {st.id: st for st in repo.list_studies(s) if study_name in (None, st.name)}
        participants = {p.id: p for p in s.exec(select(Participant)).all()}
        out = []
        for study in studies.values():
            for session in repo.sessions_of_study(s, study.id):
                answers = {r.planned_trial_id: r for r in repo.responses(s, session.id)}
                for t in repo.planned_trials(s, session.id):
                    out.append(TrialRecord(study, session, participants[session.participant_id], t, answers.get(t.id)))
        return out


def answered_test_records(records: list[TrialRecord]) -> list[TrialRecord]:
    return [r for r in records if r.trial.kind == "test" and r.response is not None]


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "unnamed"


def write_kit_dir(model_dir: Path, records: list[TrialRecord]) -> dict[str, Performance]:
    """infer_results.jsonl + performance.json per variant, and the summary CSV."""
    by_variant: dict[str, list[TrialRecord]] = defaultdict(list)
    for rec in records:
        by_variant[rec.trial.variant].append(rec)
    perfs = score_all(rec.run_result() for rec in records)
    for variant, recs in by_variant.items():
        d = model_dir / variant
        d.mkdir(parents=True, exist_ok=True)
        with open(d / "infer_results.jsonl", "w", encoding="utf-8") as f:
            for rec in recs:
                f.write(json.dumps(rec.kit_record(), ensure_ascii=False) + "\n")
        (d / "performance.json").write_text(json.dumps(perfs[variant].to_kit(), indent=4, ensure_ascii=False),
                                            encoding="utf-8")
    ordered = {v: perfs[v] for v in by_variant}
    write_summary_csv(model_dir / f"performance_summary_{'+'.join(ordered)}.csv", ordered)
    return ordered


def write_summary_csv(path: Path, perfs: dict[str, Performance]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Dataset", "AA", "ACR", "Samples"])
        for row in summarize(perfs):
            w.writerow([row.dataset, row.aa, row.acr, row.samples])


TRIAL_COLUMNS: dict[str, str] = {
    "study": "study name",
    "participant": "pseudonymous participant code",
    "session_id": "session number in the database",
    "cohort_index": "the participant's position in the study's counterbalancing order",
    "take_home": "true when the session ran at home on the participant's own equipment",
    "position": "0-based position of the trial in the session plan",
    "block": "0-based block number (one block per variant, in protocol order)",
    "kind": "test, practice (with feedback, not scored) or catch (a repeat of an earlier trial)",
    "catch_of": "for catch trials, the position of the trial it repeats",
    "variant": "presentation variant: pc, tr, tr_uncut, tr_cap, sr, sr_ch, pc_sp, pc_nsp",
    "item_id": "the dataset item id",
    "rotate_id": "the run of the item (option rotation for pc/sr, clip permutation for tr)",
    "unique_id": "item_id@rotate_id, as in the model evaluation",
    "task": "task name from the dataset",
    "category": "category from the dataset",
    "sub_category": "sub-category from the dataset (empty when the item has none)",
    "options": "the options as presented, in letter order, joined by ' | '",
    "answer": "the correct option text",
    "answer_letter": "the correct letter as presented, e.g. <B>",
    "shuffled_seg_order": "tr: the original segment played as clip 1, 2, 3, e.g. 2-3-1",
    "answered": "true when a response is stored",
    "chosen_letter": "the letter chosen, e.g. <B>; empty when none",
    "chosen_text": "the option text chosen",
    "is_correct": "true when chosen_letter equals answer_letter",
    "rt_ms": "response time in milliseconds from the last stimulus onset (monotonic clock)",
    "n_replays": "how many times the participant replayed a sound",
    "presented_at": "UTC time the trial was presented (ISO 8601)",
    "answered_at": "UTC time the answer was stored (ISO 8601)",
    "uncalibrated": "true when the output level was not calibrated in dB SPL for this response",
    "attenuation_db": "attenuation applied by the safety ceiling, dB",
    "level_db_spl": "presentation level in dB SPL when calibrated",
}


def trial_row(rec: TrialRecord) -> dict:
    t, r = rec.trial, rec.response

    def iso(value):
        return value.isoformat() if value else ""

    return {
        "study": rec.study.name, "participant": rec.participant.code, "session_id": rec.session.id,
        "cohort_index": rec.session.cohort_index, "take_home": rec.session.take_home,
        "position": t.position, "block": t.block, "kind": t.kind,
        "catch_of": "" if t.catch_of is None else t.catch_of, "variant": t.variant, "item_id": t.item_id,
        "rotate_id": t.rotate_id, "unique_id": t.unique_id, "task": t.task, "category": t.category,
        "sub_category": t.sub_category or "", "options": " | ".join(json.loads(t.options_json)),
        "answer": t.answer, "answer_letter": t.answer_letter, "shuffled_seg_order": t.shuffled_seg_order or "",
        "answered": r is not None, "chosen_letter": (r.chosen_letter or "") if r else "",
        "chosen_text": (r.chosen_text or "") if r else "", "is_correct": bool(r and r.is_correct),
        "rt_ms": "" if r is None or r.rt_ms is None else r.rt_ms, "n_replays": r.n_replays if r else "",
        "presented_at": iso(r.presented_at) if r else "", "answered_at": iso(r.answered_at) if r else "",
        "uncalibrated": r.uncalibrated if r else "", "attenuation_db": r.attenuation_db if r else "",
        "level_db_spl": "" if r is None or r.level_db_spl is None else r.level_db_spl,
    }


@dataclass
class ExportResult:
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    participants: int = 0
    responses: int = 0


def export(engine: Engine, out_dir: Path, app_version: str, study_name: str | None = None) -> ExportResult:
    out_dir = Path(out_dir)
    try:
        return _export(engine, out_dir, app_version, study_name)
    except OSError as exc:
        where = exc.filename or out_dir
        raise ExportError(f"cannot write the export to {where}: {exc.strerror or exc}. "
                          "Choose another folder; the database is unchanged.") from None


def _export(engine: Engine, out_dir: Path, app_version: str, study_name: str | None) -> ExportResult:
    records = load_records(engine, study_name)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not os.access(out_dir, os.W_OK):
        raise PermissionError(13, "Permission denied", str(out_dir))
    result = ExportResult(out_dir)
    by_study: dict[str, list[TrialRecord]] = defaultdict(list)
    for rec in records:
        by_study[rec.study.name].append(rec)
    for name, recs in by_study.items():
        scored = answered_test_records(recs)
        by_participant: dict[str, list[TrialRecord]] = defaultdict(list)
        for rec in scored:
            by_participant[rec.participant.code].append(rec)
        study_dir = out_dir / safe_name(name)
        for code, prec in by_participant.items():
            write_kit_dir(study_dir / f"human-{safe_name(code)}", prec)
        if scored:
            write_kit_dir(study_dir / f"human-{safe_name(name)}", scored)
        result.participants += len(by_participant)
        result.responses += sum(1 for r in recs if r.response is not None)

    with open(out_dir / "trials.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(TRIAL_COLUMNS))
        w.writeheader()
        for rec in records:
            w.writerow(trial_row(rec))
    (out_dir / "trials.columns.json").write_text(
        json.dumps(sidecar(engine, records, app_version), indent=2, ensure_ascii=False), encoding="utf-8")
    result.files = sorted(p for p in out_dir.rglob("*") if p.is_file())
    return result


def sidecar(engine: Engine, records: list[TrialRecord], app_version: str) -> dict:
    studies = {rec.study.name: rec.study for rec in records}
    with DbSession(engine) as s:
        calibrations = [c.model_dump(mode="json") for c in s.exec(select(Calibration)).all()]
    return {
        "description": "One row per planned trial of every session in trials.csv; unanswered trials have answered=false.",
        "columns": TRIAL_COLUMNS,
        "app_version": app_version,
        "studies": {
            name: {"dataset_root": st.dataset_root, "dataset_fingerprint_sha256": st.dataset_fingerprint,
                   "protocol": json.loads(Protocol.from_json(st.protocol_json).to_json())}
            for name, st in studies.items()
        },
        "calibrations": calibrations,
        "sessions": [
            {"session_id": sid, "participant": code, "uncalibrated": unc, "take_home": th, "status": status}
            for sid, code, unc, th, status in sorted({(r.session.id, r.participant.code, r.session.uncalibrated,
                                                        r.session.take_home, r.session.status) for r in records})
        ],
        "personal_data": "none: participants are pseudonymous codes; no names or e-mail addresses are stored",
    }
