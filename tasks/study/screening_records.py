"""Headphone-screening outcomes as stored: the participant window writes one audit-log row
(event ``screening``) per screened session, its detail a JSON list of
``{"test", "correct", "trials", "passed"}``; take-home bundles carry the same rows.

One reader for every consumer (exports, the Sessions page, the report's exclusion switch), so
that "failed screening" means the same everywhere: a participant failed when, in any of their
sessions of the study, the last screening recorded for that session has a test that did not pass.
A session with no screening row was not screened (it is neither passed nor failed).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from db.models import AuditLog, Participant, Session, Study

SCREENING_EVENT = "screening"


class ScreeningRecordError(ValueError):
    """A stored screening row that cannot be read (hand-edited database, hostile bundle)."""


@dataclass(frozen=True)
class ScreeningOutcome:
    study: str
    participant_code: str
    session_id: int
    test: str  # e.g. "antiphase", "huggins"
    n_correct: int
    n_trials: int
    passed: bool
    at: datetime  # when the screening was stored


def parse_detail(detail: str, session_id: int) -> list[dict]:
    """The JSON list of one screening row, checked field by field."""
    where = f"screening record of session {session_id}"
    try:
        results = json.loads(detail)
    except ValueError as e:
        raise ScreeningRecordError(f"{where}: not valid JSON ({e})") from None
    if not isinstance(results, list):
        raise ScreeningRecordError(f"{where}: expected a list of test results")
    for k, r in enumerate(results):
        if not isinstance(r, dict):
            raise ScreeningRecordError(f"{where}, entry {k}: expected an object")
        for key, kind in (("test", str), ("correct", int), ("trials", int), ("passed", bool)):
            value = r.get(key)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise ScreeningRecordError(f"{where}, entry {k}: field {key!r} missing or not {kind.__name__}")
        if not 0 <= r["correct"] <= r["trials"]:
            raise ScreeningRecordError(f"{where}, entry {k}: {r['correct']} correct of {r['trials']} trials")
    return results


def read_screening(engine: Engine, study_name: str | None = None) -> list[ScreeningOutcome]:
    """The last screening of every screened session (of one study, or all), one outcome per test,
    ordered by study, participant code, session id and test order."""
    q = (select(Study.name, Participant.code, AuditLog.session_id, AuditLog.at, AuditLog.detail, AuditLog.id)
         .join(Session, Session.id == AuditLog.session_id)
         .join(Study, Study.id == Session.study_id)
         .join(Participant, Participant.id == Session.participant_id)
         .where(AuditLog.event == SCREENING_EVENT)
         .order_by(AuditLog.id))
    if study_name is not None:
        q = q.where(Study.name == study_name)
    last: dict[int, tuple] = {}
    with engine.connect() as conn:
        for row in conn.execute(q):
            last[row.session_id] = row  # later rows of a session replace earlier ones
    out = []
    for row in sorted(last.values(), key=lambda r: (r.name, r.code, r.session_id)):
        for r in parse_detail(row.detail, row.session_id):
            out.append(ScreeningOutcome(row.name, row.code, row.session_id, r["test"], r["correct"],
                                        r["trials"], r["passed"], row.at))
    return out


def failed_participants(outcomes: list[ScreeningOutcome]) -> dict[tuple[str, str], list[str]]:
    """(study, participant code) -> names of the failed tests, for participants who failed any."""
    failed: dict[tuple[str, str], list[str]] = {}
    for o in outcomes:
        if not o.passed:
            failed.setdefault((o.study, o.participant_code), []).append(o.test)
    return failed


def summary_by_participant(outcomes: list[ScreeningOutcome]) -> dict[tuple[str, str], str]:
    """(study, participant code) -> a short text such as "antiphase 6/6 pass; huggins 3/6 FAIL"."""
    parts: dict[tuple[str, str], list[str]] = {}
    for o in outcomes:
        mark = "pass" if o.passed else "FAIL"
        parts.setdefault((o.study, o.participant_code), []).append(f"{o.test} {o.n_correct}/{o.n_trials} {mark}")
    return {k: "; ".join(v) for k, v in parts.items()}
