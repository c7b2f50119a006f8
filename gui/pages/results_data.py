"""What the Results page shows, computed from the database on a worker thread (no Qt here).

``results_data`` is the page's one adapter to the data path: it reads the study's records with
tasks.export.load_records and scores them with tasks.compare.build_rows, exactly as the
``compare`` command does, then adds the per-participant table and the safety-ceiling summary.
It reports progress and stops at the next step boundary once ``should_cancel()`` is true.
The page runs it in a child process (gui/processes.py) through ``results_from_url``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tasks.loader import Cancelled


@dataclass(frozen=True)
class PersonResult:
    code: str
    answered: int  # answered test trials
    pc_ma: float | None
    tr_oa: float | None
    sr_oa: float | None
    attenuated: int  # answered trials (any kind) the safety ceiling attenuated
    max_attenuation_db: float


@dataclass(frozen=True)
class AttenuationSummary:
    """Answered trials (test, practice and catch) whose stimulus the safety ceiling turned down."""

    answered: int
    attenuated: int
    mean_attenuation_db: float  # over the attenuated trials; 0 when none
    max_attenuation_db: float


@dataclass
class ResultsData:
    rows: list  # tasks.compare.LeaderRow, in leaderboard order
    people: list[PersonResult]
    attenuation: AttenuationSummary
    answered_test: int
    warnings: list[str] = field(default_factory=list)


def attenuation_summary(attenuations_db: list[float]) -> AttenuationSummary:
    hit = [a for a in attenuations_db if a > 0.0]
    return AttenuationSummary(len(attenuations_db), len(hit), sum(hit) / len(hit) if hit else 0.0,
                              max(hit, default=0.0))


def results_data(engine, study_name: str | None, models_dir: Path | None, progress, should_cancel) -> ResultsData:
    from tasks.compare import build_rows, read_models
    from tasks.export import answered_test_records, load_records
    from tasks.scoring import leaderboard_row, score_all

    def step(done: int, total: int, label: str) -> None:
        if should_cancel():
            raise Cancelled("cancelled")
        progress(done, total, label)

    step(0, 4, "reading responses")
    records = load_records(engine, study_name)
    step(1, 4, "reading model results")
    warnings: list[str] = []
    models = []
    if models_dir is not None:
        try:
            models = read_models(models_dir)
        except OSError as exc:
            warnings.append(f"model results in {models_dir}: {exc.strerror or exc}")
    warnings += [w for m in models for w in m.warnings]
    step(2, 4, "scoring the leaderboard")
    rows = build_rows(records, models)

    by_person: dict[str, list] = {}
    attenuation_by_person: dict[str, list[float]] = {}
    for rec in records:
        if rec.response is not None:
            attenuation_by_person.setdefault(rec.participant.code, []).append(float(rec.response.attenuation_db or 0.0))
    for rec in answered_test_records(records):
        by_person.setdefault(rec.participant.code, []).append(rec.run_result())
    codes = sorted(set(by_person) | set(attenuation_by_person))
    total = 3 + len(codes)
    people = []
    for i, code in enumerate(codes):
        if i % 10 == 0:
            step(3 + i, total, f"scoring participant {i + 1} of {len(codes)}")
        results = by_person.get(code, [])
        row = leaderboard_row(score_all(results)) if results else {}
        mine = attenuation_summary(attenuation_by_person.get(code, []))
        people.append(PersonResult(code, len(results), row.get("pc_ma"), row.get("tr_oa"), row.get("sr_oa"),
                                   mine.attenuated, mine.max_attenuation_db))
    everyone = attenuation_summary([a for values in attenuation_by_person.values() for a in values])
    progress(total, total, "done")
    return ResultsData(rows, people, everyone, sum(p.answered for p in people), warnings)


def results_from_url(db_url: str, study_name: str | None, models_dir: Path | None, progress,
                     should_cancel) -> ResultsData:
    """results_data in a child process: an engine of its own on the same database (read only
    here; SQLite's WAL lets it read while the app writes answers)."""
    from db.engine import make_engine

    engine = make_engine(db_url)
    try:
        return results_data(engine, study_name, models_dir, progress, should_cancel)
    finally:
        engine.dispose()
