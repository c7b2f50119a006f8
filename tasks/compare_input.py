"""What the leaderboard needs from the database, read as a stream: per study, one scored
leaderboard row per participant and the pooled runs; over all studies, the runs with their
chance credit. Only small run results are kept (never records or ORM objects), and a
participant's own runs are dropped once their last session is read."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import exists, select
from sqlalchemy.engine import Engine

from db import repo

from tasks.records import OptionsCache, read_snapshot, scored_rows, study_sessions
from tasks.scoring import RunResult, leaderboard_row, score_all

Row = dict[str, float | None]


@dataclass
class StudyInput:
    participant_rows: list[Row] = field(default_factory=list)  # in order of first appearance
    pooled: list[RunResult] = field(default_factory=list)  # every participant's runs, in stored order


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
        out.studies[name].participant_rows = [leaderboard_row(score_all(rs)) for rs in by_code.values()]
    return out


def collect_human_inputs(engine: Engine, study_name: str | None = None) -> HumanInputs:
    out = HumanInputs()
    cache = OptionsCache()
    n_options: dict[str, int] = {}
    interned: dict[str, str] = {}  # one string object per distinct id / name across millions of runs

    def intern(text):
        return None if text is None else interned.setdefault(text, text)

    groups = study_sessions(engine, study_name)
    with read_snapshot(engine) as conn:
        for g in groups:
            study: StudyInput | None = None
            last = g.last_session_of()
            first_seen: dict[str, int] = {}  # participant code -> order of first appearance
            open_runs: dict[str, list[RunResult]] = {}
            finished: dict[str, Row] = {}
            for i, session in enumerate(g.sessions):
                code = g.participants[session.participant_id].code
                for t in scored_rows(conn, session.id):
                    out.any_trials = True
                    if study is None:
                        study = out.studies[g.study.name] = StudyInput()
                    variant, item_id, category, sub = intern(t.variant), intern(t.item_id), intern(t.category), \
                        intern(t.sub_category)
                    result = RunResult(variant, item_id, t.rotate_id, category, sub, t.is_correct)
                    study.pooled.append(result)
                    first_seen.setdefault(code, len(first_seen))
                    open_runs.setdefault(code, []).append(result)
                    k = n_options.get(t.options_json)
                    if k is None:
                        k = n_options[t.options_json] = len(cache.options(t))
                    out.chance.append(RunResult(variant, item_id, t.rotate_id, category, sub, 1.0 / k))
                if last[session.participant_id] == i and code in open_runs:
                    finished[code] = leaderboard_row(score_all(open_runs.pop(code)))
            if not out.any_trials:
                out.any_trials = _has_planned_trials(conn, g)
            if study is not None:
                study.participant_rows = [finished[c] for c in sorted(first_seen, key=first_seen.get)]
    return out


def _has_planned_trials(conn, g) -> bool:
    pt = repo.PLANNED_TRIAL_TABLE
    ids = [se.id for se in g.sessions]
    return bool(ids) and conn.execute(select(exists().where(pt.c.session_id.in_(ids)))).scalar()
