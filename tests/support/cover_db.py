"""A cover study written straight into a real SQLite file, for tests and benchmarks of its
scores, exports and coverage (the enrolment's own assignment is tested on its own).

Every unit of the protocol (tasks.cover.units) gets K answer slots; the slots of one item's
units (across variants) go to consecutive participants round the cohort, so a unit's K answers
come from K different participants and no participant gets two units of one item (as long as
the cohort has at least K x the most units one item has). Each participant's slots become one
session of planned test trials; ``missing`` names units whose last slots stay unanswered (the
trial is planned, no response), for coverage tests.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import insert
from sqlmodel import Session as DbSession

from db import repo
from db.engine import open_database
from db.models import Participant, Response, Session
from tasks.cover.units import UnitKey, cover_units, rotation_for
from tasks.dataset.loader import Dataset
from tasks.dataset.runs import Run, make_run
from tasks.study.plan import PlanTrial, Protocol
from tasks.study.studies import open_study, trial_values

# (run, participant index, answer index of the unit, rng) -> the chosen letter (None: no valid answer)
Chooser = Callable[[Run, int, int, random.Random], "str | None"]
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def cover_protocol(k: int = 3, mode: str = "full-robust", variants: list[str] | None = None, seed: int = 0,
                   **fields) -> Protocol:
    return Protocol(mode=mode, variants=variants or ["pc", "tr", "sr"], design="cover", responses_per_run=k,
                    practice_per_block=0, min_run_spacing=0, seed=seed, **fields)


def share_chooser(p_correct: float) -> Chooser:
    """Correct with probability ``p_correct``, else a wrong option picked at random."""
    def choose(run: Run, participant: int, answer: int, rng: random.Random) -> str | None:
        if rng.random() < p_correct:
            return run.answer_letter
        return rng.choice([x for x in run.letters if x != run.answer_letter])
    return choose


@dataclass
class CoverStudy:
    engine: object
    study_name: str
    protocol: Protocol
    participants: int
    # unit -> [(participant index, answered)] in slot order
    slots: dict[UnitKey, list[tuple[int, bool]]] = field(default_factory=dict)


def build_cover_study(path: Path, dataset: Dataset, protocol: Protocol, participants: int | None = None,
                      chooser: Chooser | None = None, missing: dict[UnitKey, int] | None = None,
                      study_name: str = "cover", seed: int = 1, shuffle_times: bool = True,
                      engine=None) -> CoverStudy:
    """``missing``: unit -> how many of its K answers stay unanswered. ``shuffle_times``: the
    answers' times do not follow the participants' order (so "the j-th answer received" is a real
    ordering by time, not by participant)."""
    k = protocol.responses_per_run
    units = cover_units(dataset, protocol)
    by_item: dict[tuple[str, str], list] = {}
    for unit in units:
        by_item.setdefault(unit.item_key, []).append(unit)
    widest = max(len(v) for v in by_item.values()) * k
    n = participants or widest
    if n < widest:
        raise ValueError(f"{n} participants cannot give {widest} answers of one item from different people")
    chooser = chooser or share_chooser(0.75)
    missing = missing or {}
    rng = random.Random(seed)
    shares: list[list[tuple]] = [[] for _ in range(n)]
    result = CoverStudy(engine or open_database(path), study_name, protocol, n)
    cursor = 0
    for item_units in by_item.values():
        for j in range(k):
            for unit in item_units:
                who = cursor % n
                cursor += 1
                answered = j < k - missing.get(unit.key, 0)
                run = make_run(unit.item, unit.variant, rotation_for(unit, j, protocol.seed))
                shares[who].append((run, j, answered))
                result.slots.setdefault(unit.key, []).append((who, answered))
    study = open_study(result.engine, dataset, study_name, protocol)
    tick = 0
    with DbSession(result.engine) as s:
        for who, share in enumerate(shares):
            rng.shuffle(share)
            participant = repo.add_participant(s, Participant(code=f"{study_name[:3].upper()}{who + 1:03d}"))
            rows = [trial_values(PlanTrial(position=pos, block=0, run=run)) for pos, (run, _, _) in enumerate(share)]
            session = repo.add_session(s, Session(study_id=study.id, participant_id=participant.id, cohort_index=who,
                                                  plan_seed=seed, app_version="test", status="completed"), rows)
            trials = repo.planned_trials(s, session.id)
            answers = []
            for trial, (run, j, answered) in zip(trials, share):
                if not answered:
                    continue
                letter = chooser(run, who, j, rng)
                tick += 1
                minutes = rng.randrange(100000) if shuffle_times else tick
                answers.append(dict(
                    planned_trial_id=trial.id, session_id=session.id, chosen_letter=letter,
                    chosen_text=None if letter is None else run.option_for(letter), is_correct=run.is_correct(letter),
                    rt_ms=1000.0 + rng.randrange(3000), n_replays=0,
                    answered_at=T0 + timedelta(minutes=minutes), uncalibrated=True, attenuation_db=0.0,
                    paused_ms=0.0, rt_interrupted=False))
            if answers:
                s.connection().execute(insert(Response), answers)
            s.commit()
    return result
