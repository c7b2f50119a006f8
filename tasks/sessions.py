"""Studies and sessions over the database: plan once, answer trial by trial, resume exactly.

Every answer is committed before the next trial is handed out; a planned trial can be answered
once only (a unique constraint in the database), so a crash at any moment loses nothing that
was confirmed and never records an answer twice.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session as DbSession

from db import repo
from db.answers import AnswerStore, ResponseRow, TrialRow
from db.models import Participant, PlannedTrial, Session, Study, utc_now
from db.outbox import unreachable
from tasks.codes import code_problem
from tasks.loader import Dataset, dataset_fingerprint
from tasks.plan import PlanTrial, Protocol, make_plan
from tasks.runs import Run, letter_index, make_run


class DatasetChangedError(Exception):
    """The dataset's meta files differ from those the study began with."""


class StudyError(Exception):
    """A study or session request that cannot be met; the message says why."""


class StoredDataError(Exception):
    """A value stored in the database cannot be read (edited by hand outside the app)."""


def check_dataset(study: Study, root: Path | str) -> None:
    current = dataset_fingerprint(root)
    if current != study.dataset_fingerprint:
        raise DatasetChangedError(
            f"the dataset at {root} has changed since study {study.name!r} began "
            f"(fingerprint {study.dataset_fingerprint[:12]} then, {current[:12]} now). Its runs and answers "
            "may no longer match; restore the original files or start a new study. Stored responses are untouched.")


def open_study(engine: Engine, dataset: Dataset, name: str, protocol: Protocol) -> Study:
    """The study called ``name``: created with this protocol, or the existing one after checking
    that the dataset is unchanged (its stored protocol stays in force)."""
    with DbSession(engine) as s:
        study = repo.get_study(s, name)
        if study is None:
            try:
                return repo.add_study(s, Study(name=name, dataset_root=str(dataset.root),
                                               dataset_fingerprint=dataset_fingerprint(dataset.root),
                                               protocol_json=protocol.to_json()))
            except IntegrityError:  # another station created it at the same moment: use theirs
                s.rollback()
                study = repo.get_study(s, name)
                if study is None:
                    raise
    check_dataset(study, dataset.root)
    return study


def study_protocol(study: Study) -> Protocol:
    try:
        return Protocol.from_json(study.protocol_json)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise StoredDataError(f"study {study.name!r} (id {study.id}): its stored protocol_json cannot be read "
                              f"({exc.__class__.__name__}: {exc}); it was edited outside the app. Stored "
                              "responses are untouched.") from None


def trial_options(trial) -> list[str]:
    """The presented options of a stored planned trial; a hand-edited options_json is a clear
    error naming the session, position and item, not a JSONDecodeError."""
    try:
        options = json.loads(trial.options_json)
    except (ValueError, TypeError) as exc:
        options = exc
    if not isinstance(options, list) or not options or not all(isinstance(o, str) for o in options):
        why = (f"{options.__class__.__name__}: {options}" if isinstance(options, Exception)
               else "an empty list" if options == [] else "not a list of texts")
        raise StoredDataError(f"session {trial.session_id}, trial at position {trial.position} (item "
                              f"{trial.item_id!r}, planned trial id {trial.id}): its stored options_json cannot "
                              f"be read ({why}); it was edited outside the app. Stored responses are untouched.")
    return options


def trial_row(pt: PlanTrial) -> PlannedTrial:
    """A planned trial as a table object (take-home packages serialise these)."""
    return PlannedTrial(**trial_values(pt))


def trial_values(pt: PlanTrial, options_json: dict[tuple[str, ...], str] | None = None) -> dict:
    """The stored values of one planned trial (a plain row for the bulk insert); options_json
    is an optional cache of encoded option lists."""
    run = pt.run
    options = tuple(run.options)
    encoded = None if options_json is None else options_json.get(options)
    if encoded is None:
        encoded = json.dumps(list(options), ensure_ascii=False)
        if options_json is not None:
            options_json[options] = encoded
    return dict(
        position=pt.position, block=pt.block, kind=pt.kind, catch_of=pt.catch_of, break_before=pt.break_before,
        variant=run.variant, item_id=run.item.id, rotate_id=run.rotate_id, unique_id=run.unique_id,
        task=run.item.task, category=run.item.category, sub_category=run.item.sub_category,
        options_json=encoded, answer=run.answer,
        answer_letter=run.answer_letter, shuffled_seg_order=run.shuffled_seg_order, withheld_reason=None,
    )


# attempts at enrolment when another station took the same position or code at the same moment
ENROL_ATTEMPTS = 20


def _enrol_retry(engine: Engine, attempt) -> Session:
    """Run ``attempt(s)`` in a fresh database session until it is not beaten by another station
    (a unique position or code taken meanwhile, SQLite's write lock held): bounded, and the
    last failure is a clear StudyError."""
    for n in range(ENROL_ATTEMPTS):
        try:
            with DbSession(engine) as s:
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


def _new_session(s: DbSession, dataset: Dataset, study: Study, participant: Participant, index: int,
                 app_version: str, **session_fields) -> Session:
    protocol = study_protocol(study)
    plan = make_plan(dataset, protocol, participant.code, index)
    session = Session(study_id=study.id, participant_id=participant.id, cohort_index=index,
                      plan_seed=protocol.seed, app_version=app_version, **session_fields)
    options_json: dict[tuple[str, ...], str] = {}  # the same few option lists recur across runs
    return repo.add_session(s, session, [trial_values(t, options_json) for t in plan])


def start_or_resume(engine: Engine, dataset: Dataset, study: Study, participant_code: str,
                    app_version: str, cohort_index: int | None = None,
                    participant_fields: dict | None = None, **session_fields) -> Session:
    """The participant's session in this study: the unfinished (or finished) one if it exists,
    else a new one with its whole plan stored. A new session takes the next counterbalancing
    position under the study's enrolment lock, so stations enrolling at once get distinct,
    gap-free positions (the unique (study_id, cohort_index) backs it; a lost race is retried)."""
    code = participant_code.strip()
    problem = code_problem(code)
    if problem:
        raise StudyError(problem)
    check_dataset(study, dataset.root)

    def attempt(s: DbSession) -> Session:
        participant = repo.get_participant(s, code)
        if participant is None:
            participant = repo.add_participant(s, Participant(code=code, **(participant_fields or {})))
        existing = repo.session_for(s, study.id, participant.id)
        if existing is not None and existing.status != "aborted":
            return existing
        index = cohort_index
        if index is None:
            repo.lock_enrolment(s, study.id)
            index = repo.next_cohort_index(s, study.id)
        return _new_session(s, dataset, study, participant, index, app_version, **session_fields)

    return _enrol_retry(engine, attempt)


def enrol_next(engine: Engine, dataset: Dataset, study: Study, app_version: str, code_for, station: str,
               **session_fields) -> Session:
    """A new session at the study's next free counterbalancing position for a new participant
    whose code is ``code_for(position)`` (e.g. SIM001 for position 0), taken by ``station``:
    position, code, session and plan in one transaction under the enrolment lock, so that many
    stations fill one study with distinct codes and positions 0, 1, 2, ... without gaps."""
    check_dataset(study, dataset.root)

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
        return _new_session(s, dataset, study, participant, index, app_version, station=station, **session_fields)

    return _enrol_retry(engine, attempt)


def run_for(dataset: Dataset, trial: PlannedTrial) -> Run:
    """The presentable run of a planned trial, rebuilt from the dataset."""
    from tasks.items import VARIANT_SOURCE

    return make_run(dataset.item(VARIANT_SOURCE[trial.variant], trial.item_id), trial.variant, trial.rotate_id)


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

    @property
    def done(self) -> int:
        return self.answered + self.withheld

    @property
    def test_total(self) -> int:
        return self.total - self.practice_total

    @property
    def test_done(self) -> int:
        return self.done - self.practice_done


class SessionRunner:
    """Hands out the first unanswered planned trial and stores answers, one commit each.

    Each answer is one transaction (db.answers): the response, the next unanswered trial found
    from the session's cursor by one indexed query, the cursor moved onto it (or the completed
    status after the last one). That next trial is what next_trial() hands out, so neither
    call costs more late in a long plan or in a database of many sessions.

    ``link``: a lab station's way to the server (tasks.station.StationLink). Answers then go
    through its journal when the server cannot be reached, and the trials come from the
    session's remaining plan, read into memory when the session begins."""

    def __init__(self, engine: Engine, session_id: int, link=None):
        self.engine = engine
        self.session_id = session_id
        self._journal = None if link is None else link.store(session_id)
        self._store = AnswerStore(engine, session_id) if link is None else self._journal
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
            self._counts = Progress(p.answered + 1, p.total, p.withheld, p.practice_total,
                                    p.practice_done + (trial.kind == "practice"))

    def begin(self) -> None:
        """Mark the session running (or resumed) in its audit log."""
        self._next_known = False
        self._counts = None
        if self._journal is not None:
            self._journal.deliver()  # what a crash left in the journal first, so the plan read is right
        with DbSession(self.engine) as s:
            session = s.get(Session, self.session_id)
            if session.status in ("completed", "aborted"):
                raise StudyError(f"session {self.session_id} is {session.status}")
            was = session.status
            repo.set_status(s, session, "running")
            if was != "planned":
                repo.audit(s, "resumed", f"from {was} after {repo.count_answered(s, self.session_id)} answers",
                           self.session_id)
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
        row = repo.withhold_trial(self.engine, self.session_id, trial.id, reason)
        if self._journal is not None:
            self._counts = self._journal.withheld(trial, self._counts)
            self._next, self._next_known = self._journal.next_trial(), True
            return self._next
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
    total = answered = withheld = practice_total = practice_done = 0
    with engine.connect() as conn:
        for is_practice, n, n_answered, n_withheld in conn.execute(stmt):
            total, answered, withheld = total + n, answered + n_answered, withheld + n_withheld
            if is_practice:
                practice_total, practice_done = n, n_answered + n_withheld
    return Progress(answered, total, withheld, practice_total, practice_done)


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


# The pause a level check answer other than "comfortable" causes: its audit detail starts so.
LEVEL_CHECK_PAUSE = "level check: "
LEVEL_CHECK_OK = "comfortable"


def level_check_pause_detail(answer: str) -> str:
    """The audit detail of a pause for a level check answer (e.g. "level check: too quiet")."""
    return LEVEL_CHECK_PAUSE + answer


def needs_level_check(engine: Engine, session_id: int) -> bool:
    """True when the session has had its screening but no level check answered "comfortable"
    since: the level check failed (too loud, too quiet, cannot make it comfortable) and the
    session was paused for it, or the program stopped between screening and level check (a
    crash). Sessions without screening have no level check either."""
    screened, answer = False, None
    with DbSession(engine) as s:
        for a in repo.audit_log(s, session_id):
            if a.event == "screening":
                screened, answer = True, None
            elif a.event == "level_check":
                try:
                    answer = json.loads(a.detail).get("answer")
                except (ValueError, AttributeError):
                    answer = None  # unreadable: check the level again
    return screened and answer != LEVEL_CHECK_OK


def pause_reason(engine: Engine, session_id: int) -> str | None:
    """Why a paused session is paused, as a sentence for the console (Sessions page); None when
    the session is not paused or no reason was recorded. For a failed level check it says what
    the participant answered and that the level check runs again when the session resumes.
    One indexed query (tasks.pause_reasons, which the Sessions page runs for every session)."""
    from tasks.pause_reasons import pause_reasons  # it builds on describe_pause below

    return pause_reasons(engine, session_id).get(session_id)


def describe_pause(detail: str) -> str | None:
    """The console's sentence for the detail of a stored "paused" event (None when empty)."""
    if not detail:
        return None
    if detail.startswith(LEVEL_CHECK_PAUSE):
        answer = detail[len(LEVEL_CHECK_PAUSE):]
        return (f"level check: the participant answered \"{answer}\"; adjust the sound, then resume: "
                "the level check runs again first")
    return detail

