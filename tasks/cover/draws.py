"""The ``human-draw-1`` ... ``human-draw-K`` responders of a cover study's export.

Each unit of a cover study has K answers from K different participants. Draw j takes, for every
unit, its j-th answer received (answers ordered by ``answered_at``, then by response id) and
writes them as one responder in the evaluation kit's layout: in full-robust each run of each
item appears exactly once, so a draw of a fully covered study is a complete responder that the
kit's ``evaluate()`` accepts as it is. A unit with fewer than j answers is left out of draw j
(the folder is then incomplete, as ``coverage`` shows); nothing is made up. In single-pass the
unit is the item: draw j holds the run its j-th answer was presented as, one line per item, like
a single-pass participant's folder.

Lines carry the kit's fields, plus ``participant`` (the pseudonymous code whose answer it is)
and ``answer_index`` (j).
"""
from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession

from db.models import Participant, PlannedTrial, Response, Session, Study
from tasks.cover.units import unit_key
from tasks.dataset.paths import inside_folder, path_component
from tasks.dataset.runs import letter, letter_index
from tasks.results.kit_format import kit_model_response
from tasks.results.kit_writer import KitWriter
from tasks.results.trial_records import ExportError
from tasks.scoring.metrics import RunResult
from tasks.study.plan import Protocol
from tasks.study.studies import study_protocol, trial_options

DRAW_PREFIX = "human-draw-"


def ordered_answers(s: DbSession, study: Study) -> list[tuple]:
    """(planned trial, response, participant code) of every answered test trial of the study, in
    the order the answers were received (answered_at, then response id)."""
    return list(s.exec(
        select(PlannedTrial, Response, Participant.code)
        .join(Response, Response.planned_trial_id == PlannedTrial.id)
        .join(Session, Session.id == PlannedTrial.session_id)
        .join(Participant, Participant.id == Session.participant_id)
        .where(Session.study_id == study.id, PlannedTrial.kind == "test")
        .order_by(Response.answered_at, Response.id)).all())


def answers_by_unit(rows: list[tuple], protocol: Protocol) -> dict[tuple, list[tuple]]:
    out: dict[tuple, list[tuple]] = {}
    for row in rows:
        t = row[0]
        out.setdefault(unit_key(protocol.mode, t.variant, t.item_id, t.rotate_id), []).append(row)
    return out


def _line(t: PlannedTrial, r: Response, code: str, j: int) -> tuple[str, RunResult]:
    options = trial_options(t)
    try:
        index = letter_index(r.chosen_letter) if r.chosen_letter else -1
    except ValueError:
        index = -1
    valid = 0 <= index < len(options)
    pred = letter(index) if valid else "Z"
    ok = bool(r.is_correct) if valid else False
    rec = {"id": t.item_id, "task": t.task, "category": t.category, "sub-category": t.sub_category,
           "options": options, "answer": t.answer, "answer_letter": t.answer_letter, "rotate_id": t.rotate_id,
           "prediction": pred, "is_correct": ok,
           "model_response": kit_model_response(r.chosen_text, r.chosen_letter, len(options)),
           "unique_id": t.unique_id}
    if t.shuffled_seg_order is not None:
        rec["shuffled_seg_order"] = t.shuffled_seg_order
    rec.update({"participant": code, "answer_index": j})
    return (json.dumps(rec, ensure_ascii=False) + "\n",
            RunResult(t.variant, t.item_id, t.rotate_id, t.category, t.sub_category, ok))


def write_draws(engine: Engine, study: Study, study_dir: Path) -> list[Path]:
    """human-draw-1 .. human-draw-K in ``study_dir`` for a cover study (nothing otherwise)."""
    protocol = study_protocol(study)
    if protocol.design != "cover":
        return []
    with DbSession(engine) as s:
        by_unit = answers_by_unit(ordered_answers(s, study), protocol)
    order = {v: i for i, v in enumerate(protocol.variants)}
    units = sorted(by_unit, key=lambda u: (order.get(u[0], len(order)), u[0], u[1], -1 if u[2] is None else u[2]))
    folders = []
    for j in range(1, protocol.responses_per_run + 1):
        folder = inside_folder(study_dir, f"{DRAW_PREFIX}{j}")
        with ExitStack() as files:
            writer = KitWriter(folder, files)
            for unit in units:
                answers = by_unit[unit]
                if len(answers) >= j:
                    t, r, code = answers[j - 1]
                    line, result = _line(t, r, code, j)
                    writer.add(t.variant, line, result)
            writer.finish()
        if folder.exists():
            folders.append(folder)
    return folders


def add_draw_folders(engine: Engine, out_dir: Path, studies: list[Study]) -> list[Path]:
    """The export's hook: the draws of every exported cover study, beside its participants."""
    out = []
    for study in studies:
        if study_protocol(study).design != "cover":
            continue
        study_dir = inside_folder(out_dir, path_component(study.name))
        clash = sorted(p.name for p in study_dir.glob(f"{DRAW_PREFIX}*") if p.is_dir()) if study_dir.exists() else []
        if clash:
            raise ExportError(f"study {study.name!r}: a participant's folder {clash[0]} would clash with the draws of "
                              "the cover design; rename the participant")
        out += write_draws(engine, study, study_dir)
    return out
