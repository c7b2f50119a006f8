"""Run whole studies with simulated participants: plan, answers and storage, no audio or GUI.
Interrupted at any moment, running it again with the same arguments resumes where it stopped."""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Callable

from sqlalchemy.engine import Engine

from db.models import Study, utc_now
from tasks.loader import Dataset
from tasks.observers import Observer
from tasks.plan import Protocol, rng_for
from tasks.sessions import SessionRunner, open_study, run_for, start_or_resume


def simulation_study_name(observer: Observer, protocol: Protocol) -> str:
    return f"sim-{observer.kind}-{protocol.mode}-seed{protocol.seed}"


def simulate(engine: Engine, dataset: Dataset, protocol: Protocol, n_participants: int, observer: Observer,
             app_version: str, study_name: str | None = None, delay_s: float = 0.0,
             on_commit: Callable[[str, int], None] | None = None) -> Study:
    study = open_study(engine, dataset, study_name or simulation_study_name(observer, protocol), protocol)
    for k in range(n_participants):
        code = f"SIM{k + 1:03d}"
        session = start_or_resume(engine, dataset, study, code, app_version, cohort_index=k)
        if session.status == "completed":
            continue
        runner = SessionRunner(engine, session.id)
        runner.begin()
        while (trial := runner.next_trial()) is not None:
            run = run_for(dataset, trial)
            # seeded by trial, not by order of execution: a resumed session answers as an
            # uninterrupted one would
            rng = rng_for(protocol.seed, code, trial.position, observer.kind)
            chosen = observer.choose(run, rng)
            rt_ms = 450.0 + rng.expovariate(1 / 600.0)
            if delay_s:
                time.sleep(delay_s)
            runner.answer(trial, chosen, rt_ms=round(rt_ms, 1), presented_at=utc_now() - timedelta(milliseconds=rt_ms))
            if on_commit:
                on_commit(code, trial.position)
    return study
