"""Adaptive blocks in the database: created for a session from its study's protocol, run trial
by trial, every answer committed (with the block's new estimate) before the next level is
chosen, and resumed by replaying the stored trials into a fresh procedure.

The order of the two sounds of a trial (which option is right) is drawn from a generator
seeded by (study seed, session, dimension, trial index), never by the order of execution, so
a resumed block presents exactly what an uninterrupted one would.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession, select

from db import leases, repo
from db.models import AdaptiveBlock, AdaptiveTrial, AuditLog, Session, Study, utc_now
from tasks.adaptive.procedures import AdaptiveSettings, replay
from tasks.adaptive.settings import settings_of
from tasks.psychometrics.dimensions import AdaptiveScale, adaptive_scale
from tasks.study.ownership import LEASE_S
from tasks.study.plan import Protocol, rng_for
from tasks.study.studies import StoredDataError

LETTERS = ("<A>", "<B>")


class AdaptiveBlockError(StoredDataError):
    """A stored adaptive block that cannot be resumed; the message names the block and field."""


@dataclass(frozen=True)
class AdaptiveTrialPlan:
    """What the next trial presents: the procedure's level and the order of the two sounds."""

    block_id: int | None  # None: a block a station made while the server was away (not there yet)
    trial_index: int
    dimension: str
    unit: str
    level_asked: float
    first_option_correct: bool
    question: str
    options: tuple[str, str]
    session_id: int

    @property
    def answer_letter(self) -> str:
        return LETTERS[0 if self.first_option_correct else 1]

    def sound_seed(self, study_seed: int) -> int:
        """A seed for the trial's noise token (the same on resume, and whether or not the block
        has its server id yet)."""
        return rng_for(study_seed, "adaptive-sound", self.session_id, self.dimension, self.trial_index).getrandbits(63)


def ensure_blocks(engine: Engine, session_id: int, protocol: Protocol) -> list[AdaptiveBlock]:
    """The session's adaptive blocks in order, created for the protocol's dimensions if missing."""
    settings = settings_of(protocol)
    with DbSession(engine) as s:
        existing = {b.dimension: b for b in s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == session_id))}
        for k, name in enumerate(protocol.adaptive_dimensions):
            if name not in existing:
                block = AdaptiveBlock(session_id=session_id, block_index=k, dimension=name,
                                      unit=adaptive_scale(name).unit, procedure=settings.procedure,
                                      settings_json=json.dumps(settings.to_dict(), sort_keys=True))
                s.add(block)
        s.commit()
        return list(s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == session_id)
                           .order_by(AdaptiveBlock.block_index)))


class AdaptiveBlockRunner:
    """One block: ``next_trial`` -> present -> ``record``; ``finished`` after the stopping rule."""

    def __init__(self, engine: Engine, block_id: int, holder: str | None = None):
        """``holder``: the lease of the window running the session (tasks.study.ownership): each
        answer renews it, and is refused (db.leases.NotOwner) once another window holds it."""
        self.engine, self.block_id, self.holder = engine, block_id, holder
        with DbSession(engine) as s:
            block = s.get(AdaptiveBlock, block_id)
            if block is None:
                raise AdaptiveBlockError(f"adaptive block {block_id} does not exist")
            session = s.get(Session, block.session_id)
            study = s.get(Study, session.study_id)
            rows = s.exec(select(AdaptiveTrial).where(AdaptiveTrial.block_id == block_id)
                          .order_by(AdaptiveTrial.trial_index)).all()
            trials = [(r.trial_index, r.level_played, r.is_correct) for r in rows]
        if [t[0] for t in trials] != list(range(len(trials))):
            raise AdaptiveBlockError(f"adaptive block {block_id} (session {block.session_id}, {block.dimension}): "
                                     f"stored trial_index values are not 0..{len(trials) - 1}")
        self._setup(block.session_id, block.dimension, block.settings_json,
                    json.loads(study.protocol_json).get("seed", 0), [(lv, ok) for _, lv, ok in trials])

    @classmethod
    def restored(cls, engine: Engine, block_id: int | None, session_id: int, dimension: str, settings_json: str,
                 study_seed: int, trials: list[tuple[float, bool]], holder: str | None = None):
        """A runner for a block known from elsewhere (a station's memory and journal while the
        server is away; ``block_id`` None when the server's id is not known): ``trials`` are its
        (level played, correct) in trial order, replayed into a fresh procedure."""
        runner = cls.__new__(cls)  # not read from the database
        runner.engine, runner.block_id, runner.holder = engine, block_id, holder
        runner._setup(session_id, dimension, settings_json, study_seed, trials)
        return runner

    def _setup(self, session_id: int, dimension: str, settings_json: str, study_seed: int,
               trials: list[tuple[float, bool]]) -> None:
        where = f"adaptive block {self.block_id} (session {session_id}, {dimension})"
        try:
            self.dim: AdaptiveScale = adaptive_scale(dimension)
            self.settings = AdaptiveSettings(**json.loads(settings_json))
        except (ValueError, TypeError) as exc:
            raise AdaptiveBlockError(f"{where}: settings_json cannot be read ({exc})") from None
        self.study_seed, self.session_id, self.settings_json = study_seed, session_id, settings_json
        self.procedure = replay(self.dim, self.settings, list(trials))

    @property
    def n_trials(self) -> int:
        return self.procedure.n_trials

    def finished(self) -> bool:
        return self.procedure.finished()

    def next_trial(self) -> AdaptiveTrialPlan | None:
        if self.finished():
            return None
        k = self.n_trials
        first = rng_for(self.study_seed, "adaptive-order", self.session_id, self.dim.name, k).random() < 0.5
        return AdaptiveTrialPlan(self.block_id, k, self.dim.name, self.dim.unit, self.procedure.next_level(),
                                 first, self.dim.question, self.dim.options, self.session_id)

    def record(self, plan: AdaptiveTrialPlan, level_played: float, chosen_letter: str | None,
               stimulus_params: dict | None = None, rt_ms: float | None = None,
               presented_at: datetime | None = None, answered_at: datetime | None = None,
               uncalibrated: bool = True, attenuation_db: float = 0.0,
               level_db_spl: float | None = None) -> AdaptiveTrial:
        """Store the answer and the block's new estimate in one transaction, then update the
        procedure. A letter other than <A>/<B> (or None) is no valid answer: wrong."""
        if plan.trial_index != self.n_trials or plan.block_id != self.block_id:
            raise AdaptiveBlockError(f"adaptive block {self.block_id}: trial {plan.trial_index} is not the next "
                                     f"one ({self.n_trials})")
        correct = chosen_letter == plan.answer_letter
        self.procedure.update(level_played, correct)
        state = self.procedure.state()
        est = self.procedure.estimate()
        row = AdaptiveTrial(block_id=self.block_id, trial_index=plan.trial_index, level_asked=plan.level_asked,
                            level_played=level_played, stimulus_json=json.dumps(stimulus_params or {}, sort_keys=True),
                            options_json=json.dumps(list(plan.options)), answer_letter=plan.answer_letter,
                            chosen_letter=chosen_letter if chosen_letter in LETTERS else None, is_correct=correct,
                            state_json=json.dumps(state, sort_keys=True), rt_ms=rt_ms, presented_at=presented_at,
                            answered_at=answered_at or utc_now(), uncalibrated=uncalibrated,
                            attenuation_db=attenuation_db, level_db_spl=level_db_spl)
        try:
            self._commit(row, est)
        except BaseException:
            # not stored: forget it here too, so that memory and database agree
            self.procedure = replay(self.dim, self.settings, list(zip(self.procedure.history.levels[:-1],
                                                                      self.procedure.history.correct[:-1])))
            raise
        return row

    def block_update(self, est) -> dict:
        """The block's columns after the latest answer (its estimate, count and status)."""
        return dict(n_trials=self.n_trials, threshold=est.threshold, ci_low=est.ci_low, ci_high=est.ci_high,
                    target_p_correct=est.target_p_correct, status="completed" if self.finished() else "running",
                    updated_at=utc_now())

    def _commit(self, row: AdaptiveTrial, est) -> None:
        """Store ``row`` and the block's new estimate in one transaction (renewing the lease)."""
        with DbSession(self.engine) as s:
            if self.holder is not None:
                leases.guard(s.connection(), self.session_id, self.holder, leases.lease_for(LEASE_S))
            s.add(row)
            block = s.get(AdaptiveBlock, self.block_id)
            for name, value in self.block_update(est).items():
                setattr(block, name, value)
            s.add(block)
            if self.finished():
                _complete_if_done(s, self.session_id, block.id)
            s.commit()
            s.refresh(row)


def _complete_if_done(s: DbSession, session_id: int, finished_block_id: int) -> None:
    """In a block's last answer's transaction: the session is completed when no adaptive block
    and no planned trial is left (the planned trials come first; a block may also be the
    last thing a resumed session had left)."""
    others = s.exec(select(AdaptiveBlock.id).where(AdaptiveBlock.session_id == session_id,
                                                   AdaptiveBlock.id != finished_block_id,
                                                   AdaptiveBlock.status != "completed")).first()
    if others is not None or s.connection().execute(repo.unanswered_query(session_id)).first() is not None:
        return
    session = s.get(Session, session_id)
    if session.status in ("completed", "aborted"):
        return
    session.status, session.ended_at = "completed", utc_now()
    s.add(session)
    s.add(AuditLog(session_id=session_id, event="completed", detail="after the adaptive blocks"))


def adaptive_pending(engine: Engine, session_id: int) -> bool:
    """True when the session's study asks for adaptive blocks and one of them is not finished
    (or not begun): a session whose planned trials are all answered still has trials to give."""
    with DbSession(engine) as s:
        session = s.get(Session, session_id)
        study = s.get(Study, session.study_id)
        dims = json.loads(study.protocol_json).get("adaptive_dimensions") or []
        blocks = s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == session_id)).all()
        if session.take_home:
            # a take-home session runs the blocks its package made (created when it began); one
            # imported from an older bundle, without blocks, has none left to give
            dims = [b.dimension for b in blocks]
        if not dims:
            return False
        done = {b.dimension for b in blocks if b.status == "completed"}
    return not set(dims) <= done
