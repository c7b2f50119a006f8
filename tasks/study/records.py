"""Stored trials read as a stream: study by study, session by session (cohort order), trial by
trial (plan order), with plain rows instead of ORM objects, so that exporting or comparing a
database of millions of responses holds one row at a time (plus what the caller keeps).

All reads of one call share one connection and so one consistent snapshot of the database.
"""
from __future__ import annotations

from collections import namedtuple
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session as DbSession
from sqlmodel import select as orm_select

from db import repo
from db.models import Participant, Session, Study
from tasks.study.studies import trial_options

_PT = repo.PLANNED_TRIAL_TABLE
_R = repo.RESPONSE_TABLE
# attribute access as on the table objects: trial.position, response.is_correct, ...
TrialRow = namedtuple("TrialRow", [c.name for c in _PT.columns])
ResponseRow = namedtuple("ResponseRow", [c.name for c in _R.columns])
_N_PT = len(_PT.columns)


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection inside one read transaction: every read through it (driver-level reads
    included) sees the same state of the database, whatever is written meanwhile."""
    with engine.connect() as conn, conn.begin():
        yield conn


@dataclass
class StudySessions:
    study: Study
    sessions: list[Session]  # in cohort order
    participants: dict[int, Participant]  # by id

    def last_session_of(self) -> dict[int, int]:
        """participant id -> index in ``sessions`` of that participant's last session."""
        return {se.participant_id: i for i, se in enumerate(self.sessions)}


def study_sessions(engine: Engine, study_name: str | None = None) -> list[StudySessions]:
    """Studies (all, or the one named) with their sessions and participants: small tables."""
    with DbSession(engine) as s:
        participants = {p.id: p for p in s.exec(orm_select(Participant)).all()}
        out = []
        for study in repo.list_studies(s):
            if study_name not in (None, study.name):
                continue
            sessions = list(repo.sessions_of_study(s, study.id))
            out.append(StudySessions(study, sessions, {se.participant_id: participants[se.participant_id]
                                                       for se in sessions}))
        return out


# positions of columns in the plain rows of session_batches (planned trial, then response)
PT_AT = {c.name: i for i, c in enumerate(_PT.columns)}
R_AT = {c.name: _N_PT + i for i, c in enumerate(_R.columns)}
FETCH_ROWS = 10000  # rows per fetchmany: few driver calls, a few MB at most


def session_batches(conn: Connection, session_id: int) -> Iterator[list[tuple]]:
    """The rows of session_rows as plain tuples (planned trial columns, then response columns,
    all None when unanswered; positions in PT_AT and R_AT), in lists of up to FETCH_ROWS. On
    SQLite booleans stay as stored (0 or 1): the reader converts the few it writes."""
    if conn.dialect.name != "sqlite":
        stmt = (select(_PT, _R).select_from(_PT.outerjoin(_R, _R.c.planned_trial_id == _PT.c.id))
                .where(_PT.c.session_id == session_id).order_by(_PT.c.position))
        result = conn.execution_options(yield_per=FETCH_ROWS).execute(stmt)
        while batch := result.fetchmany(FETCH_ROWS):
            yield [tuple(row) for row in batch]
        return
    cursor = conn.connection.driver_connection.execute(_ROWS_SQL, (session_id,))
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield batch


_ROWS_SQL = (f"SELECT {', '.join('t.' + c.name for c in _PT.columns)}, {', '.join('r.' + c.name for c in _R.columns)} "
             "FROM planned_trial t LEFT OUTER JOIN response r ON r.planned_trial_id = t.id "
             "WHERE t.session_id = ? ORDER BY t.position")
_BOOLEAN_PT = [i for i, c in enumerate(_PT.columns) if c.name == "break_before"]
_BOOLEAN_R = [i for i, c in enumerate(_R.columns) if c.name in ("is_correct", "uncalibrated")]


def session_rows(conn: Connection, session_id: int) -> Iterator[tuple[TrialRow, ResponseRow | None]]:
    """Every planned trial of a session in plan order with its response (or None).

    On SQLite the rows come straight from the driver (booleans made bool here; times stay
    the stored UTC text, which tasks.results.export.iso_utc formats): SQLAlchemy's per-value result
    processing would double the cost of exporting millions of rows."""
    if conn.dialect.name != "sqlite":
        stmt = (select(_PT, _R).select_from(_PT.outerjoin(_R, _R.c.planned_trial_id == _PT.c.id))
                .where(_PT.c.session_id == session_id).order_by(_PT.c.position))
        for row in conn.execution_options(yield_per=2000).execute(stmt):
            values = tuple(row)
            yield TrialRow._make(values[:_N_PT]), (None if values[_N_PT] is None else ResponseRow._make(values[_N_PT:]))
        return
    cursor = conn.connection.driver_connection.execute(_ROWS_SQL, (session_id,))
    while batch := cursor.fetchmany(2000):
        for values in batch:
            t = list(values[:_N_PT])
            for i in _BOOLEAN_PT:
                t[i] = bool(t[i])
            if values[_N_PT] is None:
                yield TrialRow._make(t), None
                continue
            r = list(values[_N_PT:])
            for i in _BOOLEAN_R:
                r[i] = bool(r[i])
            yield TrialRow._make(t), ResponseRow._make(r)


def _answered_test_batches(conn: Connection, columns: tuple, session_id: int) -> Iterator[list[tuple]]:
    """The given columns (planned trial's or response's) of a session's answered test trials in
    plan order, as plain tuples in lists of up to FETCH_ROWS; on SQLite straight from the driver
    (booleans then 0 or 1)."""
    if conn.dialect.name != "sqlite":
        stmt = (select(*columns).select_from(_PT.join(_R, _R.c.planned_trial_id == _PT.c.id))
                .where(_PT.c.session_id == session_id, _PT.c.kind == "test").order_by(_PT.c.position))
        result = conn.execution_options(yield_per=FETCH_ROWS).execute(stmt)
        while batch := result.fetchmany(FETCH_ROWS):
            yield [tuple(row) for row in batch]
        return
    sql = (f"SELECT {', '.join(('r.' if c.table is _R else 't.') + c.name for c in columns)} "
           "FROM planned_trial t JOIN response r ON r.planned_trial_id = t.id "
           "WHERE t.session_id = ? AND t.kind = 'test' ORDER BY t.position")
    cursor = conn.connection.driver_connection.execute(sql, (session_id,))
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield batch


_SCORED_COLUMNS = (_PT.c.id, _PT.c.session_id, _PT.c.position, _PT.c.variant, _PT.c.item_id, _PT.c.rotate_id,
                   _PT.c.category, _PT.c.sub_category, _PT.c.options_json, _R.c.is_correct)


ScoredRow = namedtuple("ScoredRow", [c.name for c in _SCORED_COLUMNS])


def scored_rows(conn: Connection, session_id: int) -> Iterator[ScoredRow]:
    """The answered test trials of a session in plan order, with only the columns scoring
    needs (variant, item_id, rotate_id, category, sub_category, options_json, is_correct);
    on SQLite straight from the driver, as session_rows (is_correct then 0 or 1)."""
    for batch in scored_batches(conn, session_id):
        yield from map(ScoredRow._make, batch)


def scored_batches(conn: Connection, session_id: int) -> Iterator[list[tuple]]:
    """The rows of scored_rows as plain tuples (columns in ScoredRow order), in lists of up to
    FETCH_ROWS."""
    return _answered_test_batches(conn, _SCORED_COLUMNS, session_id)


class OptionsCache:
    """Decoded option lists by their stored JSON text: the same few thousand lists recur in
    every session, so each is decoded (and checked) once per export."""

    def __init__(self) -> None:
        self._by_text: dict[str, list[str]] = {}

    def known(self, options_json: str) -> list[str] | None:
        """The decoded list of an options_json already read, else None."""
        return self._by_text.get(options_json)

    def options(self, trial) -> list[str]:
        found = self._by_text.get(trial.options_json)
        if found is None:
            found = self._by_text[trial.options_json] = trial_options(trial)
        return found


class PlainOptions:
    """OptionsCache for the plain rows of session_batches (a bad options_json still gives the
    message naming the session, position, item and planned-trial id)."""

    def __init__(self, cache: OptionsCache) -> None:
        self._cache = cache
        self._at = PT_AT["options_json"]

    def __call__(self, values: tuple) -> list[str]:
        found = self._cache.known(values[self._at])
        return found if found is not None else self._cache.options(TrialRow._make(values[:_N_PT]))


_ANSWER_COLUMNS = (_PT.c.id, _PT.c.variant, _PT.c.item_id, _PT.c.rotate_id, _R.c.chosen_letter, _R.c.is_correct)


def answer_batches(conn: Connection, session_id: int) -> Iterator[list[tuple]]:
    """The answered test trials of a session in plan order, only (planned trial id, variant,
    item_id, rotate_id, chosen_letter, is_correct): the few columns an analysis of the answers
    reads, so that reading millions of them moves no option lists or times (the planned trial
    of a run seen first comes whole from trials_by_id)."""
    return _answered_test_batches(conn, _ANSWER_COLUMNS, session_id)


def trials_by_id(conn: Connection, ids: list[int]) -> dict[int, tuple]:
    """Planned trial rows (plain tuples, columns at PT_AT) by id."""
    out: dict[int, tuple] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for row in conn.execute(select(_PT).where(_PT.c.id.in_(chunk))):
            out[row[0]] = tuple(row)
    return out
