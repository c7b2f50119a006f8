"""Run whole studies with simulated participants: plan, answers and storage, no audio or GUI.
Interrupted at any moment, running it again with the same arguments resumes where it stopped
and ends with exactly the answers of an uninterrupted run.

Answers are stored in batches: one transaction holds up to ``batch_answers`` responses and the
session's cursor, so a kill loses at most the batch in flight, and a rerun starts at the first
unanswered trial. Each answer is seeded by (study seed, participant code, position, observer),
never by the order of execution, so the batch size and the kills change nothing but timestamps.
"""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Callable

from sqlalchemy.engine import Engine

from sqlmodel import Session as DbSession

from db import repo
from db.answers import store_batch
from db.models import Study, utc_now
from tasks.cover.assign import StudyCovered
from tasks.cover.claims import unit_claims
from tasks.cover.context import CoverContexts
from tasks.dataset.loader import Dataset
from tasks.adaptive.simulated import run_simulated_blocks
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol, rng_for
from tasks.study.records import OptionsCache
from tasks.dataset.runs import Run
from tasks.study.runner import SessionRunner, answer_values
from tasks.study.studies import StudyError, open_study, run_for, study_protocol
from tasks.study.enrolment import start_or_resume

DEFAULT_BATCH_ANSWERS = 500

# the planned-trial columns an answer needs
_PT = repo.PLANNED_TRIAL_TABLE.c
_TRIAL_COLUMNS = (_PT.id, _PT.session_id, _PT.position, _PT.variant, _PT.item_id, _PT.rotate_id, _PT.options_json,
                  _PT.answer_letter)


def simulation_study_name(observer: Observer, protocol: Protocol) -> str:
    design = "-cover" if protocol.design == "cover" else ""
    return f"sim-{observer.kind}-{protocol.mode}{design}-seed{protocol.seed}"


def simulate(engine: Engine, dataset: Dataset, protocol: Protocol, n_participants: int, observer: Observer,
             app_version: str, study_name: str | None = None, delay_s: float = 0.0,
             on_commit: Callable[[str, int], None] | None = None,
             batch_answers: int = DEFAULT_BATCH_ANSWERS) -> Study:
    """``observer`` answers the runs and the adaptive blocks (a psychometric observer needs a
    threshold for each of the protocol's adaptive dimensions: ValueError before anything is
    stored)."""
    observer.check_adaptive(protocol.adaptive_dimensions)
    study = open_study(engine, dataset, study_name or simulation_study_name(observer, protocol), protocol)
    runs: dict[tuple[str, str, int], Run] = {}  # a run recurs for every participant; bounded by the dataset
    options = OptionsCache()
    for k in range(n_participants):
        code = f"SIM{k + 1:03d}"
        session = start_or_resume(engine, dataset, study, code, app_version, cohort_index=k)
        if session.status != "completed":
            SessionRunner(engine, session.id).begin()
            _answer_session(engine, dataset, protocol, observer, code, session.id, runs, options, delay_s, on_commit,
                            max(1, batch_answers))
        if protocol.adaptive_dimensions:  # after the other blocks; resumes unfinished ones
            run_simulated_blocks(engine, protocol, observer, code, session.id)
    return study


def simulate_cover(engine: Engine, dataset: Dataset, protocol: Protocol, n_participants: int | None,
                   observer: Observer, app_version: str, study_name: str | None = None, delay_s: float = 0.0,
                   on_commit: Callable[[str, int], None] | None = None,
                   batch_answers: int = DEFAULT_BATCH_ANSWERS) -> tuple[Study, int, bool]:
    """A cover study (protocol.design "cover"): simulated participants SIM001, SIM002, ... each
    given one share and answering it, until every unit has its K answers (``n_participants``
    None) or after ``n_participants``. Run again with the same arguments, it resumes: finished
    participants are passed, an unfinished share is answered. Returns the study, the participants
    with a share and whether the study is covered."""
    study = open_study(engine, dataset, study_name or simulation_study_name(observer, protocol), protocol)
    protocol = study_protocol(study)  # an existing study's stored protocol stays in force
    if protocol.design != "cover":
        raise StudyError(f"study {study.name!r} exists with the shared design; name a new study for a cover one")
    shares = CoverContexts()
    runs: dict[tuple[str, str, int], Run] = {}
    options = OptionsCache()
    k = 0
    while n_participants is None or k < n_participants:
        code = f"SIM{k + 1:03d}"
        with DbSession(engine) as s:
            participant = repo.get_participant(s, code)
            latest = None if participant is None else repo.session_for(s, study.id, participant.id)
        if latest is not None and latest.status == "completed":
            k += 1
            continue
        try:
            session = start_or_resume(engine, dataset, study, code, app_version, shares=shares)
        except StudyCovered:
            return study, k, True
        SessionRunner(engine, session.id).begin()
        _answer_session(engine, dataset, protocol, observer, code, session.id, runs, options, delay_s, on_commit,
                        max(1, batch_answers))
        k += 1
    ctx = shares.get(dataset, study, protocol)
    with DbSession(engine) as s:
        claims = ctx.claims_array(unit_claims(s, study.id, protocol.mode))
    return study, k, bool((claims >= protocol.responses_per_run).all())


def _answer_session(engine: Engine, dataset: Dataset, protocol: Protocol, observer: Observer, code: str,
                    session_id: int, runs: dict, options: OptionsCache, delay_s: float, on_commit,
                    batch_answers: int) -> None:
    while True:
        with engine.begin() as conn:
            trials = conn.execute(repo.unanswered_query(session_id, batch_answers, _TRIAL_COLUMNS)).all()
            rows = []
            for trial in trials:
                rows.append(simulated_answer(trial, runs, dataset, protocol.seed, code, observer, options, delay_s))
            if rows:
                store_batch(conn, session_id, rows)
            else:
                repo.advance_cursor(conn, session_id)  # nothing left: completes the session
        if on_commit:
            for trial in trials:
                on_commit(code, trial.position)
        if len(trials) < batch_answers:
            return


def simulated_answer(trial, runs: dict, dataset, seed: int, code: str, observer, options, delay_s: float = 0.0) -> dict:
    """A simulated participant's stored answer to one planned trial. Seeded by (seed, code,
    position), not by the order of execution: a resumed session, or a station that answered
    part of it offline, answers as an uninterrupted one would. ``runs`` caches the presented
    runs by (variant, item, rotation)."""
    key = (trial.variant, trial.item_id, trial.rotate_id)
    run = runs.get(key)
    if run is None:
        run = runs[key] = run_for(dataset, trial)
    rng = rng_for(seed, code, trial.position, observer.kind)
    chosen = observer.choose(run, rng)
    rt_ms = 450.0 + rng.expovariate(1 / 600.0)
    if delay_s:
        time.sleep(delay_s)
    now = utc_now()
    return answer_values(trial, chosen, options.options(trial), rt_ms=round(rt_ms, 1),
                         presented_at=now - timedelta(milliseconds=rt_ms), answered_at=now)
