"""A take-home package of a cover study: the participant's share is assigned as a lab enrolment
assigns it (tasks.cover.assign, under the study's enrolment lock) and stored in the lab database
at once, in the transaction that records the package: a session with status "planned",
``take_home`` and ``import_key`` = the package id, with its planned trials. Its unanswered test
trials are claims while the package is away (tasks.cover.claims), so no other participant is
given those units; the results bundle fills this same session (tasks.takehome.importing), and a
package never returned is released on the Sessions page (tasks.cover.release) to give its share
back to the pool.

A participant has at most one live share (planned, running or paused): a second package is made
once the first came back completed, or was released (its items are never given again,
tasks.cover.claims.items_had)."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession, select

from db import repo
from db.models import AuditLog, Participant, PlannedTrial, Session, Study, TakeHomePackage
from tasks.cover.assign import assign_share
from tasks.cover.claims import LIVE_STATUSES
from tasks.cover.counts import answered_counts
from tasks.cover.units import unit_key
from tasks.dataset.loader import Dataset
from tasks.study.enrolment import enrol_retry
from tasks.study.studies import StudyError, study_protocol, trial_values


def reserve_share(db: Engine, dataset: Dataset, study: Study, code: str, package_id: str, key_hex: str,
                  app_version: str, describe: Callable[[list[dict]], str], plan_fields: Callable[[dict], dict],
                  shares=None, **session_fields) -> tuple[list[dict], int]:
    """Assign and store the share of the package ``package_id`` for participant ``code``: the
    session (``session_fields``: take_home, level procedure, import_key...), its planned trials,
    the package row and its audit entry (``describe(plan)``) in one transaction under the
    study's enrolment lock. Returns the package's plan (``plan_fields`` of each stored trial) and
    the counterbalancing index. StudyError while the participant has a live share, or when the
    study has nothing left for them (tasks.cover.assign)."""
    protocol = study_protocol(study)

    def attempt(s: DbSession) -> tuple[list[dict], int]:
        participant = repo.get_participant(s, code)
        if participant is None:  # stored with the share, in one commit (a lost race is retried)
            participant = Participant(code=code)
            s.add(participant)
            s.flush()
        repo.lock_enrolment(s, study.id)
        latest = repo.session_for(s, study.id, participant.id)
        if latest is not None and latest.status in LIVE_STATUSES:
            where = "a take-home package not yet returned" if latest.take_home else "a session in the lab"
            raise StudyError(f"{code} already has a share of study {study.name!r} under way (session {latest.id}, "
                             f"{latest.status}: {where}); finish, import or release it first")
        index = repo.next_cohort_index(s, study.id)
        share = assign_share(s, dataset, study, protocol, participant, index, shares)
        options_json: dict[tuple[str, ...], str] = {}
        values = [trial_values(t, options_json) for t in share.plan]
        plan = [plan_fields(v) for v in values]
        s.add(TakeHomePackage(package_id=package_id, study_id=study.id, participant_id=participant.id,
                              cohort_index=index, key_hex=key_hex))
        s.add(AuditLog(event="package", detail=describe(plan)))
        session = Session(study_id=study.id, participant_id=participant.id, cohort_index=index,
                          plan_seed=protocol.seed, app_version=app_version, **session_fields)
        repo.add_session(s, session, values)  # commits all of it
        return plan, index

    return enrol_retry(db, attempt)


def unreserve_share(db: Engine, package_id: str) -> None:
    """Take back a share reserved for a package that could not be written (nothing of it left
    the lab): its session, planned trials and package row. A session that has answers is kept."""
    with DbSession(db) as s:
        session = s.exec(select(Session).where(Session.import_key == package_id)).first()
        if session is not None:
            if repo.count_answered(s, session.id):
                return
            s.execute(delete(PlannedTrial).where(PlannedTrial.session_id == session.id))
            s.execute(delete(AuditLog).where(AuditLog.session_id == session.id))
            s.delete(session)
            s.flush()
        row = s.get(TakeHomePackage, package_id)
        if row is not None:
            s.delete(row)
        s.commit()


PLAN_KEYS = ("position", "variant", "item_id", "rotate_id", "kind")  # what must match the stored share


def stored_plan_differs(stored: list[PlannedTrial], trials: list[dict]) -> str:
    """Why a bundle's trials do not fill the share stored for its package ('' when they do):
    trial by trial, the same position, variant, item, run and kind."""
    if len(stored) != len(trials):
        return f"it has {len(trials)} trials, the share stored for the package {len(stored)}"
    for row, t in zip(stored, trials):
        planned = t["planned"]
        for key in PLAN_KEYS:
            if getattr(row, key) != planned.get(key):
                return (f"trial at position {row.position}: {key} {planned.get(key)!r} is not the stored "
                        f"{getattr(row, key)!r}")
    return ""


def units_past_k(s: DbSession, study: Study, trials: list[PlannedTrial]) -> int:
    """How many of the units answered by ``trials`` (test trials only) now have more than K
    answers in the study: a bundle returned after its share was released may answer units that
    were meanwhile given to someone else."""
    protocol = study_protocol(study)
    mode, k = protocol.mode, protocol.responses_per_run
    keys = {unit_key(mode, t.variant, t.item_id, t.rotate_id) for t in trials if t.kind == "test"}
    if not keys:
        return 0
    counts = answered_counts(s, study.id, mode)
    return sum(1 for key in keys if counts[key] > k)
