"""Headphone-screening outcomes as stored: the participant window writes one audit-log row
(event ``screening``) per screened session, its detail a JSON list of
``{"test", "correct", "trials", "passed"}``; take-home bundles carry the same rows.

One reader for every consumer (exports, the Sessions page, the report's exclusion switch), so
that "failed screening" means the same everywhere: a participant failed when, in any of their
sessions of the study, the last screening recorded for that session has a test that did not pass.
A session with no screening row was not screened (it is neither passed nor failed).

The seed of a session's screening sequences (which interval is right in each trial, the noise
of the Huggins test) is drawn with ``secrets`` when the screening first starts and stored at
once as an audit row (event ``screening_seed``, ``{"seed": n}``), and again in each entry of the
screening row (``"seed"``): a resumed screening replays the same sequence, the stored seed
reproduces it, and two sessions never share a sequence because they share a session id (a home
session and a lab session both numbered 1). Older records carry no seed: their sequences came
from the session id, which ``ScreeningOutcome.seed`` then gives.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from sqlmodel import Session as DbSession

from db import repo
from db.models import AuditLog, Participant, Session, Study

SCREENING_EVENT = "screening"
SEED_EVENT = "screening_seed"
SEED_BITS = 63  # fits a signed 64-bit integer and JSON; numpy's generators take it as it is


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
    seed: int = 0  # the seed its sequence came from (older records: the session id)


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
        seed = r.get("seed")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
            raise ScreeningRecordError(f"{where}, entry {k}: field 'seed' is not a non-negative integer")
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
                                        r["trials"], r["passed"], row.at, r.get("seed", row.session_id)))
    return out


def stored_seed(engine: Engine, session_id: int) -> int | None:
    """The screening seed stored for the session (the last one), None when none was drawn."""
    q = (select(AuditLog.detail).where(AuditLog.session_id == session_id, AuditLog.event == SEED_EVENT)
         .order_by(AuditLog.id.desc()).limit(1))
    with engine.connect() as conn:
        detail = conn.execute(q).scalar()
    if detail is None:
        return None
    try:
        seed = json.loads(detail)["seed"]
    except (ValueError, TypeError, KeyError):
        raise ScreeningRecordError(f"screening seed of session {session_id}: not readable ({detail[:60]!r})") from None
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ScreeningRecordError(f"screening seed of session {session_id}: {seed!r} is not a non-negative integer")
    return seed


def screening_seed(engine: Engine, session_id: int) -> int:
    """The seed of the session's screening: the stored one (a resumed screening replays the same
    sequence), else a new one drawn with ``secrets`` and stored before the first sound."""
    seed = stored_seed(engine, session_id)
    if seed is not None:
        return seed
    seed = secrets.randbits(SEED_BITS)
    with DbSession(engine) as s:
        repo.audit(s, SEED_EVENT, json.dumps({"seed": seed}), session_id)
    return seed


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
