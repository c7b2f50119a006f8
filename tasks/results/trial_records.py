"""Trials as the export reads them: one planned trial with its study, session, participant and
response, its kit record and run result; and the error every export step raises."""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy.engine import Engine

from db.models import Participant, PlannedTrial, Response, Session, Study
from tasks.results.kit_format import kit_model_response
from tasks.study.records import OptionsCache, read_snapshot, session_rows, \
    study_sessions
from tasks.scoring.metrics import RunResult
from tasks.study.studies import trial_options


class ExportError(Exception):
    """The export could not be written; nothing in the database is affected."""


@dataclass
class TrialRecord:
    study: Study
    session: Session
    participant: Participant
    trial: PlannedTrial
    response: Response | None
    options: list[str] | None = None  # the decoded options_json, when the reader has it already

    def run_result(self) -> RunResult:
        t = self.trial
        return RunResult(t.variant, t.item_id, t.rotate_id, t.category, t.sub_category,
                         None if self.response is None else self.response.is_correct)

    def presented_options(self) -> list[str]:
        return self.options if self.options is not None else trial_options(self.trial)

    def kit_record(self) -> dict:
        t, r = self.trial, self.response
        rec = {
            "id": t.item_id, "task": t.task, "category": t.category, "sub-category": t.sub_category,
            "options": self.presented_options(), "answer": t.answer, "answer_letter": t.answer_letter,
            "rotate_id": t.rotate_id,
            "prediction": (r.chosen_letter if r and r.chosen_letter else "Z"),
            "is_correct": bool(r and r.is_correct),
            "model_response": kit_model_response(r and r.chosen_text, r and r.chosen_letter,
                                                 len(self.presented_options())),
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


SessionOf = namedtuple("SessionOf", "study session participant")  # what session_cells reads


def iter_records(engine: Engine, study_name: str | None = None) -> Iterator[TrialRecord]:
    """Every planned trial with its response (or None), by study, session and position, read
    as a stream (see tasks.study.records)."""
    cache = OptionsCache()
    groups = study_sessions(engine, study_name)
    with read_snapshot(engine) as conn:
        for g in groups:
            for session in g.sessions:
                participant = g.participants[session.participant_id]
                for trial, response in session_rows(conn, session.id):
                    yield TrialRecord(g.study, session, participant, trial, response, cache.options(trial))


def load_records(engine: Engine, study_name: str | None = None) -> list[TrialRecord]:
    """iter_records as a list, for small databases (the console's pages)."""
    return list(iter_records(engine, study_name))
