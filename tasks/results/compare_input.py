"""What the leaderboard needs from the database, read as a stream: per study, one scored
leaderboard row per participant and the pooled runs; over all studies, the runs with their
chance credit. Only small run results are kept (never records or ORM objects), and a
participant's own runs are dropped once their last session is read."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import itemgetter, ne
from typing import Iterable

from sqlalchemy import exists, select
from sqlalchemy.engine import Engine

from db import repo

from tasks.cover.scores import add_cover_rows
from tasks.results.session_results import SessionResults, session_answers
from tasks.study.records import OptionsCache, ScoredRow, read_snapshot, scored_batches, study_sessions
from tasks.scoring.metrics import Performance, RunResult, leaderboard_row, score_all

Row = dict[str, float | None]


@dataclass
class StudyInput:
    participant_rows: list[Row] = field(default_factory=list)  # in order of first appearance
    participant_codes: list[str] = field(default_factory=list)  # the code of each row
    participant_runs: list[int] = field(default_factory=list)  # answered test trials behind each row
    pooled: list[RunResult] = field(default_factory=list)  # every participant's runs, in stored order
    # the pooled runs already scored (an export that collects these inputs scores them for its
    # kit folder; then ``pooled`` stays empty)
    pooled_performances: dict[str, Performance] | None = None
    # a cover study's human row (tasks.cover.scores), shown instead of the mean of participants
    cover_row: Row | None = None

    def has_runs(self) -> bool:
        return bool(self.pooled or self.pooled_performances)

    def pooled_scores(self) -> dict[str, Performance]:
        return self.pooled_performances if self.pooled_performances is not None else score_all(self.pooled)


@dataclass
class HumanInputs:
    studies: dict[str, StudyInput] = field(default_factory=dict)  # by study name
    chance: list[RunResult] = field(default_factory=list)  # expected credit 1 / number of options
    any_trials: bool = False  # a planned trial exists in the selected studies


def inputs_from_records(records: Iterable) -> HumanInputs:
    """The same from TrialRecords already in memory (small databases, the console)."""
    out = HumanInputs()
    per_participant: dict[str, dict[str, list[RunResult]]] = {}
    for rec in records:
        out.any_trials = True
        if rec.trial.kind != "test" or rec.response is None:
            continue
        study = out.studies.setdefault(rec.study.name, StudyInput())
        result = rec.run_result()
        study.pooled.append(result)
        per_participant.setdefault(rec.study.name, {}).setdefault(rec.participant.code, []).append(result)
        t = rec.trial
        out.chance.append(RunResult(t.variant, t.item_id, t.rotate_id, t.category, t.sub_category,
                                    1.0 / len(rec.presented_options())))
    for name, by_code in per_participant.items():
        study = out.studies[name]
        study.participant_rows = [leaderboard_row(score_all(rs)) for rs in by_code.values()]
        study.participant_codes = list(by_code)
        study.participant_runs = [len(rs) for rs in by_code.values()]
    return out


def collect_human_inputs(engine: Engine, study_name: str | None = None,
                         store: SessionResults | None = None) -> HumanInputs:
    """The leaderboard's inputs from the database. ``store``: sessions kept from an earlier
    computation (tasks.results.session_results); only sessions whose answers changed since are
    read, and the store is written back with what was read."""
    out = HumanInputs()
    cache = OptionsCache()
    # (variant, item_id, rotate_id, category, sub_category, options_json, is_correct) -> the
    # run's result and its chance credit: RunResult is immutable, so the lists hold shared
    # objects (a few per distinct run) instead of one object per stored response
    shared: dict[tuple, tuple[tuple, RunResult, RunResult]] = {}
    # the same entries by (item_id, rotate_id, is_correct): cheap to hash; a row whose other
    # columns differ from the entry's (a hand-edited row) is looked up by all its columns
    by_short_key: dict[tuple, tuple[tuple, RunResult, RunResult]] = {}

    def results_of(t) -> tuple[tuple, RunResult, RunResult]:
        key = t[3:]
        found = shared.get(key)
        if found is None:
            t = ScoredRow._make(t)
            chance = 1.0 / len(cache.options(t))
            found = shared[key] = (key,
                RunResult(t.variant, t.item_id, t.rotate_id, t.category, t.sub_category, bool(t.is_correct)),
                RunResult(t.variant, t.item_id, t.rotate_id, t.category, t.sub_category, chance))
        by_short_key.setdefault((t[4], t[5], t[9]), found)
        return found

    def read_session(conn, session_id: int) -> list[tuple[tuple, RunResult, RunResult]]:
        entries = []
        for batch in scored_batches(conn, session_id):
            # each row's entry by its short key, checked against all its columns (C-level maps)
            found = list(map(by_short_key.get, map(_SHORT_KEY, batch), repeat(_NOT_FOUND)))
            wrong = list(map(ne, map(_KEY, found), map(_COLUMNS, batch)))
            if any(wrong):
                for k in compress(range(len(batch)), wrong):
                    found[k] = results_of(batch[k])
            entries += found
        return entries

    groups = study_sessions(engine, study_name)
    with read_snapshot(engine) as conn:
        answers = session_answers(conn) if store is not None else None
        for g in groups:
            study: StudyInput | None = None
            last = g.last_session_of()
            first_seen: dict[str, int] = {}  # participant code -> order of first appearance
            open_runs: dict[str, list[RunResult]] = {}
            behind: dict[str, list[tuple]] = {}  # participant code -> their sessions' (id, fingerprint)s
            finished: dict[str, Row] = {}
            n_runs: dict[str, int] = {}
            for i, session in enumerate(g.sessions):
                code = g.participants[session.participant_id].code
                if answers is None:
                    entries = read_session(conn, session.id)
                elif session.id not in answers:
                    entries = []  # no response at all
                else:
                    # the session's own plan seed and creation time too: a session id used again
                    # (another database file at the same path) is never taken for the kept one
                    fingerprint = (*answers[session.id].fingerprint, session.plan_seed, str(session.created_at))
                    behind.setdefault(code, []).append((session.id, fingerprint))
                    entries = store.entries(session.id, fingerprint)
                    if entries is None:
                        entries = read_session(conn, session.id)
                        store.keep(session.id, fingerprint, entries)
                if entries:
                    out.any_trials = True
                    if study is None:
                        study = out.studies[g.study.name] = StudyInput()
                    first_seen.setdefault(code, len(first_seen))
                    results = list(map(_RESULT, entries))
                    study.pooled += results
                    open_runs.setdefault(code, []).extend(results)
                    out.chance += map(_CHANCE, entries)
                if last[session.participant_id] == i and code in open_runs:
                    done = open_runs.pop(code)
                    if store is None:
                        finished[code] = leaderboard_row(score_all(done))
                    else:
                        finished[code] = store.row(tuple(behind[code]), lambda: leaderboard_row(score_all(done)))
                    n_runs[code] = len(done)
            if not out.any_trials:
                out.any_trials = _has_planned_trials(conn, g)
            if study is not None:
                codes = sorted(first_seen, key=first_seen.get)
                study.participant_rows = [finished[c] for c in codes]
                study.participant_codes = codes
                study.participant_runs = [n_runs[c] for c in codes]
    if store is not None:
        store.answers = answers
        store.save(set(answers))
    add_cover_rows(engine, out)
    return out


# in a row of scored_batches: (item_id, rotate_id, is_correct), and the columns from variant on
_SHORT_KEY, _COLUMNS = itemgetter(4, 5, 9), itemgetter(slice(3, None))
_KEY, _RESULT, _CHANCE = itemgetter(0), itemgetter(1), itemgetter(2)  # of an entry of collect_human_inputs
_NOT_FOUND = (None, None, None)


def _has_planned_trials(conn, g) -> bool:
    pt = repo.PLANNED_TRIAL_TABLE
    ids = [se.id for se in g.sessions]
    return bool(ids) and conn.execute(select(exists().where(pt.c.session_id.in_(ids)))).scalar()
