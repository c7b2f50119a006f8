"""Enrolment: a participant's session started or resumed, the next code given to a new
participant, safe when several stations enrol at the same moment."""
from __future__ import annotations

import time

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session as DbSession

from db import repo
from db.models import Participant, Session, Study
from tasks.dataset.loader import Dataset
from tasks.study.codes import code_problem
from tasks.study.plan import make_plan
from tasks.study.studies import StudyError, check_dataset, study_protocol, trial_values

ENROL_ATTEMPTS = 20


def enrol_retry(engine: Engine, attempt) -> Session:
    """Run ``attempt(s)`` in a fresh database session until it is not beaten by another station
    (a unique position or code taken meanwhile, SQLite's write lock held): bounded, and the
    last failure is a clear StudyError."""
    for n in range(ENROL_ATTEMPTS):
        try:
            # expire_on_commit=False: the session returned keeps what was stored (no re-read)
            with DbSession(engine, expire_on_commit=False) as s:
                return attempt(s)
        except IntegrityError as exc:
            last = exc
        except OperationalError as exc:
            if engine.dialect.name != "sqlite" or "locked" not in str(exc) and "busy" not in str(exc):
                raise
            last = exc
        time.sleep(0.01 * (n + 1))
    raise StudyError(f"could not enrol after {ENROL_ATTEMPTS} attempts (other stations kept taking the same "
                     f"position): {str(getattr(last, 'orig', last)).strip().splitlines()[0]}")


def _prepare_shares(dataset: Dataset, study: Study, shares) -> None:
    """A cover study's context (its units and their times: the slow part of a first share) made
    before the enrolment lock is taken, not while the other stations wait for it."""
    protocol = study_protocol(study)
    if protocol.design == "cover" and shares is not None:
        shares.get(dataset, study, protocol)


def _new_session(s: DbSession, dataset: Dataset, study: Study, participant: Participant, index: int,
                 app_version: str, shares=None, **session_fields) -> Session:
    protocol = study_protocol(study)
    if protocol.design == "cover":  # a share, chosen under the enrolment lock the caller holds
        from tasks.cover.assign import assign_share

        plan = assign_share(s, dataset, study, protocol, participant, index, shares).plan
    else:
        plan = make_plan(dataset, protocol, participant.code, index)
    session = Session(study_id=study.id, participant_id=participant.id, cohort_index=index,
                      plan_seed=protocol.seed, app_version=app_version, **session_fields)
    options_json: dict[tuple[str, ...], str] = {}  # the same few option lists recur across runs
    return repo.add_session(s, session, [trial_values(t, options_json) for t in plan])


def start_or_resume(engine: Engine, dataset: Dataset, study: Study, participant_code: str,
                    app_version: str, cohort_index: int | None = None,
                    participant_fields: dict | None = None, shares=None, **session_fields) -> Session:
    """The participant's session in this study: the unfinished (or finished) one if it exists,
    else a new one with its whole plan stored. In a cover study a finished (or released) share
    is followed by a new share, chosen in the same transaction under the enrolment lock
    (tasks.cover.assign; ``shares``: a tasks.cover.context.CoverContexts kept by the caller).
    A new session takes the next counterbalancing position under the study's enrolment lock, so
    stations enrolling at once get distinct, gap-free positions (the unique (study_id, cohort_index) backs it; a lost race is retried)."""
    code = participant_code.strip()
    problem = code_problem(code)
    if problem:
        raise StudyError(problem)
    check_dataset(study, dataset.root)
    _prepare_shares(dataset, study, shares)

    def attempt(s: DbSession) -> Session:
        participant = repo.get_participant(s, code)
        if participant is None:  # stored with the session, in one commit (a lost race is retried)
            participant = Participant(code=code, **(participant_fields or {}))
            s.add(participant)
            s.flush()
        cover = study_protocol(study).design == "cover"
        if cover:
            repo.lock_enrolment(s, study.id)
        existing = repo.session_for(s, study.id, participant.id)
        if cover and existing is not None and existing.take_home and existing.status in ("planned", "running", "paused"):
            # a cover share away in a take-home package: its results come back by import
            raise StudyError(f"participant {code} has a take-home package of study {study.name!r} not yet "
                             f"returned (session {existing.id}, {existing.status}): import its results, or release "
                             "its share on the Sessions page, before starting a session in the lab")
        if existing is not None and existing.status not in (("aborted", "released", "completed") if cover
                                                            else ("aborted", "released")):
            return existing
        index = cohort_index
        if index is None:
            if not cover:  # a cover study's lock is held already
                repo.lock_enrolment(s, study.id)
            index = repo.next_cohort_index(s, study.id)
        return _new_session(s, dataset, study, participant, index, app_version, shares, **session_fields)

    return enrol_retry(engine, attempt)


def enrol_next(engine: Engine, dataset: Dataset, study: Study, app_version: str, code_for, station: str,
               shares=None, **session_fields) -> Session:
    """A new session at the study's next free counterbalancing position for a new participant
    whose code is ``code_for(position)`` (e.g. SIM001 for position 0), taken by ``station``:
    position, code, session and plan in one transaction under the enrolment lock, so that many
    stations fill one study with distinct codes and positions 0, 1, 2, ... without gaps."""
    check_dataset(study, dataset.root)
    _prepare_shares(dataset, study, shares)

    def attempt(s: DbSession) -> Session:
        repo.lock_enrolment(s, study.id)
        index = repo.next_cohort_index(s, study.id)
        code = code_for(index)
        participant = repo.get_participant(s, code)
        if participant is None:
            participant = Participant(code=code)
            s.add(participant)
            s.flush()
        elif repo.session_for(s, study.id, participant.id) is not None:
            raise StudyError(f"participant {code} already has a session in study {study.name!r} at another "
                             f"position than {index}; use another code prefix for this study")
        return _new_session(s, dataset, study, participant, index, app_version, shares, station=station,
                            **session_fields)

    return enrol_retry(engine, attempt)
