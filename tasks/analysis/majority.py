"""The ``human-majority`` responder: for every run, the answer most participants gave, written
as one more responder in the evaluation kit's layout (beside the per-participant folders).

Tie rule: when several letters share the highest count, one of them is drawn with
``random.Random(f"{seed}|{variant}|{unique_id}")`` (a string seed: the same draw on every
machine and whatever the hash seed) from the tied letters in letter order; the seed is 0 unless
the report is given another. Answers without a valid letter count only when nobody gave a
valid letter: the run's prediction is then ``Z``, as a model without an answer.

Every run answered by at least one participant appears exactly once, so the folder passes the
kit's completeness check (exactly len(options) runs per pc id, 3 per tr/sr id) when every run of
every presented item was answered by someone. The pooled ``human-<study>`` folder holds every
participant's answer to each run - several lines per run - and the kit's check refuses it; it is
kept for pooled scoring.
"""
from __future__ import annotations

import json
import random
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Engine

from tasks.analysis.responses import NO_ANSWER, Responses, load_responses
from tasks.dataset.paths import inside_folder, path_component
from tasks.results.trial_records import ExportError
from tasks.results.kit_writer import KitWriter
from tasks.dataset.items import family_of
from tasks.results.kit_format import kit_model_response
from tasks.study.records import study_sessions
from tasks.dataset.runs import REASONING_RUNS, letter
from tasks.scoring.metrics import Performance, RunResult

FOLDER = "human-majority"


@dataclass
class MajorityResult:
    folder: Path
    runs: int
    ties: int  # runs whose answer was drawn among tied letters
    perfs: dict[str, Performance] = field(default_factory=dict)
    incomplete: dict[str, tuple[int, int]] = field(default_factory=dict)  # "variant/id" -> (runs, expected)


def majority_choices(resp: Responses, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Per run: the majority option index (NO_ANSWER when nobody gave a valid one) and whether
    it was drawn among tied letters."""
    width = max((len(r.options) for r in resp.runs), default=1)
    valid = resp.choice != NO_ANSWER
    counts = np.bincount(resp.run[valid] * width + resp.choice[valid], minlength=len(resp.runs) * width)
    counts = counts.reshape(len(resp.runs), width)
    top = counts.max(axis=1)
    out = np.full(len(resp.runs), NO_ANSWER, dtype=np.int64)
    tied = np.zeros(len(resp.runs), dtype=bool)
    for ri in np.flatnonzero(top > 0):
        best = np.flatnonzero(counts[ri] == top[ri])
        if best.size == 1:
            out[ri] = best[0]
        else:
            r = resp.runs[ri]
            out[ri] = random.Random(f"{seed}|{r.variant}|{r.unique_id}").choice(best.tolist())
            tied[ri] = True
    return out, tied


def write_majority(resp: Responses, study_dir: Path, seed: int = 0) -> MajorityResult:
    """Write <study_dir>/human-majority/ (infer_results.jsonl + performance.json per variant and
    the summary CSV) from the participants' answers."""
    folder = Path(study_dir) / FOLDER
    chosen, tied = majority_choices(resp, seed)
    votes = np.bincount(resp.run, minlength=len(resp.runs))
    with ExitStack() as files:
        writer = KitWriter(folder, files)
        for ri, r in enumerate(resp.runs):
            c = int(chosen[ri])
            pred = letter(c) if c != NO_ANSWER else "Z"
            ok = pred == r.answer_letter
            rec = {"id": r.item_id, "task": r.task, "category": r.category, "sub-category": r.sub_category,
                   "options": list(r.options), "answer": r.answer, "answer_letter": r.answer_letter,
                   "rotate_id": r.rotate_id, "prediction": pred, "is_correct": ok,
                   "model_response": kit_model_response(r.options[c] if c != NO_ANSWER else None,
                                                        pred if c != NO_ANSWER else None, len(r.options)),
                   "unique_id": r.unique_id}
            if r.shuffled_seg_order is not None:
                rec["shuffled_seg_order"] = r.shuffled_seg_order
            rec.update({"participants_answered": int(votes[ri]), "tie_broken": bool(tied[ri])})
            writer.add(r.variant, json.dumps(rec, ensure_ascii=False) + "\n",
                       RunResult(r.variant, r.item_id, r.rotate_id, r.category, r.sub_category, ok))
        perfs = writer.finish()
    return MajorityResult(folder, len(resp.runs), int(tied.sum()), perfs, incomplete_runs(resp))


def incomplete_runs(resp: Responses) -> dict[str, tuple[int, int]]:
    """"variant/id" -> (runs answered by someone, runs the kit expects) where they differ."""
    present: dict[tuple[str, str], int] = {}
    expected: dict[tuple[str, str], int] = {}
    for r in resp.runs:
        key = (r.variant, r.item_id)
        present[key] = present.get(key, 0) + 1
        expected[key] = len(r.options) if family_of(r.variant) == "pc" else REASONING_RUNS
    return {f"{v}/{i}": (n, expected[(v, i)]) for (v, i), n in present.items() if n != expected[(v, i)]}


def add_majority_folders(engine: Engine, out_dir: Path, study_name: str | None = None, seed: int = 0) -> list[MajorityResult]:
    """The export's hook: a human-majority folder in every exported study's folder."""
    out = []
    for g in study_sessions(engine, study_name):
        codes = {p.code for p in g.participants.values()}
        clash = sorted(c for c in codes if f"human-{path_component(c)}" == FOLDER)
        if clash:
            raise ExportError(f"study {g.study.name!r}: participant {clash[0]!r} and the majority responder would "
                              f"share the folder {FOLDER}; rename the participant")
        resp = load_responses(engine, g.study.name)
        if len(resp.run):
            out.append(write_majority(resp, inside_folder(out_dir, path_component(g.study.name)), seed))
    return out
