"""Sessions over the database: answer trial by trial, resume exactly.

Every answer is committed before the next trial is handed out; a planned trial can be answered
once only (a unique constraint in the database), so a crash at any moment loses nothing that
was confirmed and never records an answer twice.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession

from db import repo
from db.answers import AnswerStore, ResponseRow, TrialRow
from db.models import PlannedTrial, Session, Study, utc_now
from db.outbox import unreachable
from tasks.adaptive.blocks import ensure_blocks
from tasks.dataset.runs import letter_index
from tasks.study.ownership import LEASE_S
from tasks.study.studies import StudyError, study_protocol, trial_options

RESPONSE_DEFAULTS = {"n_replays": 0, "rt_ms": None, "presented_at": None, "uncalibrated": True,
                     "attenuation_db": 0.0, "level_db_spl": None, "paused_ms": 0.0, "rt_interrupted": False}


def answer_values(trial, chosen_letter: str | None, options: list[str] | None = None, **fields) -> dict:
    """The stored values of a response to a planned trial (every column but id/session_id):
    the chosen option's text from the trial's stored options (``options``, when the caller has
    decoded them already); a letter that names no option is stored as no answer, scored wrong."""
    options = trial_options(trial) if options is None else options
    chosen_text = None
    if chosen_letter is not None:
        try:
            chosen_text = options[letter_index(chosen_letter)]
        except (ValueError, IndexError):
            chosen_letter = None
    values = {**RESPONSE_DEFAULTS, **fields}
    values.update(planned_trial_id=trial.id, chosen_letter=chosen_letter, chosen_text=chosen_text,
                  is_correct=chosen_letter == trial.answer_letter)
    return values


@dataclass(frozen=True)
class Progress:
    """How far a session is: ``answered`` responses and ``withheld`` trials of ``total``
    planned ones; the practice trials among them separately (the participant sees "Practice
    n of m" and "Question n of m" counted over test and catch trials only)."""

    answered: int
    total: int
    withheld: int = 0
    practice_total: int = 0
    practice_done: int = 0  # answered or withheld practice trials
    practice_withheld: int = 0

    @property
    def done(self) -> int:
        return self.answered + self.withheld

    @property
    def test_total(self) -> int:
        return self.total - self.practice_total

    @property
    def test_done(self) -> int:
        return self.done - self.practice_done

    def plus(self, answered: int = 0, withheld: int = 0, practice_answered: int = 0,
             practice_withheld: int = 0) -> Progress:
        """These counts with more trials done: ``answered`` and ``withheld`` of every kind, and how
        many of each are practice trials."""
        return replace(self, answered=self.answered + answered, withheld=self.withheld + withheld,
                       practice_done=self.practice_done + practice_answered + practice_withheld,
                       practice_withheld=self.practice_withheld + practice_withheld)

    def shown_count(self, practice: bool) -> tuple[int, int]:
        """(number of the next question shown, how many are shown in all) among practice trials
        (``practice``) or test and catch trials: withheld trials are never shown, so they count in
        neither; the number depends only on what is stored, the same after a resume."""
        if practice:
            withheld = self.practice_withheld
            return self.practice_done - withheld + 1, self.practice_total - withheld
        withheld = self.withheld - self.practice_withheld
        return self.test_done - withheld + 1, self.test_total - withheld


class SessionRunner:
    """Hands out the first unanswered planned trial and stores answers, one commit each.

    Each answer is one transaction (db.answers): the response, the next unanswered trial found
    from the session's cursor by one indexed query, the cursor moved onto it (or the completed
    status after the last one). That next trial is what next_trial() hands out, so neither
    call costs more late in a long plan or in a database of many sessions.

    ``link``: a lab station's way to the server (tasks.labserver.station.StationLink). Answers then go
    through its journal when the server cannot be reached, and the trials come from the
    session's remaining plan, read into memory when the session begins.

    ``holder``: the lease of the window running the session (tasks.study.ownership): each answer
    renews it and is refused (db.leases.NotOwner, nothing stored) once another window holds it."""

    def __init__(self, engine: Engine, session_id: int, link=None, holder: str | None = None):
        self.engine = engine
        self.session_id = session_id
        self.holder = holder
        lease = None if holder is None else (holder, LEASE_S)
        self._journal = None if link is None else link.store(session_id, lease)
        self._store = AnswerStore(engine, session_id, holder, LEASE_S) if link is None else self._journal
        # the next trial as found in the last answer's transaction; None: ask the database
        self._next: TrialRow | None = None
        self._next_known = False
        self._counts: Progress | None = None  # counted once, then kept up to date

    def session(self) -> Session:
        with DbSession(self.engine) as s:
            return s.get(Session, self.session_id)

    def next_trial(self) -> TrialRow | None:
        """The first unanswered planned trial (its columns by name, as on PlannedTrial)."""
        if not self._next_known:
            self._next, self._next_known = self._store.next_trial(), True
        return self._next

    def progress(self) -> Progress:
        """Counted once (one grouped query), then kept up to date by answer() and withhold()."""
        if self._counts is None:
            self._counts = progress_counts(self.engine, self.session_id)
        return self._counts

    def _count_answer(self, trial) -> None:
        p = self._counts
        if p is not None:
            self._counts = p.plus(answered=1, practice_answered=trial.kind == "practice")

    def begin(self) -> None:
        """Mark the session running (or resumed) in its audit log."""
        self._next_known = False
        self._counts = None
        if self._journal is not None:
            self._journal.deliver()  # what a crash left in the journal first, so the plan read is right
        with DbSession(self.engine) as s:
            session = s.get(Session, self.session_id)
            if session.status in ("completed", "aborted", "released"):
                raise StudyError(f"session {self.session_id} is {session.status}")
            was = session.status
            protocol = study_protocol(s.get(Study, session.study_id))
            repo.set_status(s, session, "running")
            if was != "planned":
                repo.audit(s, "resumed", f"from {was} after {repo.count_answered(s, self.session_id)} answers",
                           self.session_id)
        if protocol.adaptive_dimensions:
            # made now, so that the last planned answer leaves the session running: it completes
            # only with its last adaptive block (and a crash in between is offered for resumption)
            ensure_blocks(self.engine, self.session_id, protocol)
        if self._journal is not None:
            self._counts = self._journal.load(progress_counts(self.engine, self.session_id))

    def follows_practice(self, trial) -> bool:
        """True when ``trial`` is the first test or catch trial after practice (see follows_practice)."""
        if self._journal is not None:
            return self._journal.follows_practice(trial)
        return follows_practice(self.engine, trial)

    def answer(self, trial: PlannedTrial, chosen_letter: str | None, rt_ms: float | None = None,
               n_replays: int = 0, presented_at: datetime | None = None, **levels) -> ResponseRow:
        """Commit the answer and move the cursor, in one transaction (durable on return)."""
        values = answer_values(trial, chosen_letter, rt_ms=rt_ms, n_replays=n_replays, presented_at=presented_at,
                               answered_at=utc_now(), **levels)
        self._next_known = False
        saved, self._next = self._store.record(values)
        self._next_known = True
        self._count_answer(trial)
        return saved

    def withhold(self, trial, reason: str) -> TrialRow | None:
        """Record that ``trial`` is withheld (never played: e.g. over the safety ceiling) and
        move on, in one transaction; returns the next trial (None: the session is complete)."""
        self._next_known = False
        if self._journal is not None:  # a station: on the server, or in its journal while the server is away
            self._counts = self._journal.withhold(trial, reason, self._counts)
            self._next, self._next_known = self._journal.next_trial(), True
            return self._next
        row = repo.withhold_trial(self.engine, self.session_id, trial.id, reason)
        self._next, self._next_known = (None if row is None else TrialRow._make(row)), True
        self._counts = None  # counted again (rare: an already withheld trial must not count twice)
        return self._next

    def pause(self, detail: str = "") -> None:
        self._status("paused", detail)

    def abort(self, detail: str = "") -> None:
        self._status("aborted", detail)

    def _status(self, status: str, detail: str) -> None:
        try:
            with DbSession(self.engine) as s:
                repo.set_status(s, s.get(Session, self.session_id), status, detail)
        except Exception as exc:
            if self._journal is None or not unreachable(exc):
                raise
            # a station without its server: the session stays "running" there and is offered
            # for resumption on the next start, as after a crash; its answers are in the journal


def progress_counts(engine: Engine, session_id: int) -> Progress:
    """A session's Progress from the database (one grouped query over its plan)."""
    pt, r = repo.PLANNED_TRIAL_TABLE, repo.RESPONSE_TABLE
    practice = pt.c.kind == "practice"
    stmt = (select(practice, func.count(pt.c.id), func.count(r.c.id), func.count(pt.c.withheld_reason))
            .select_from(pt.outerjoin(r, r.c.planned_trial_id == pt.c.id))
            .where(pt.c.session_id == session_id).group_by(practice))
    total = answered = withheld = practice_total = practice_done = practice_withheld = 0
    with engine.connect() as conn:
        for is_practice, n, n_answered, n_withheld in conn.execute(stmt):
            total, answered, withheld = total + n, answered + n_answered, withheld + n_withheld
            if is_practice:
                practice_total, practice_done, practice_withheld = n, n_answered + n_withheld, n_withheld
    return Progress(answered, total, withheld, practice_total, practice_done, practice_withheld)


def follows_practice(engine: Engine, trial) -> bool:
    """True when ``trial`` is a test or catch trial right after a practice trial of the plan:
    the moment to say that practice is over."""
    if trial.kind == "practice" or trial.position == 0:
        return False
    pt = repo.PLANNED_TRIAL_TABLE
    with engine.connect() as conn:
        kind = conn.execute(select(pt.c.kind).where(pt.c.session_id == trial.session_id,
                                                    pt.c.position == trial.position - 1)).scalar()
    return kind == "practice"
