"""What the Results page shows, computed from the database on a worker thread (no Qt here).

``results_data`` is the page's one adapter to the data path: it reads the study as a stream with
tasks.results.compare_input.collect_human_inputs and scores it with tasks.results.compare.build_rows, exactly as
the ``compare`` command does, then adds the per-participant table and the safety-ceiling summary
(grouped queries).
It reports progress and stops at the next step boundary once ``should_cancel()`` is true.
The page runs it in a child process (gui/common/processes.py) through ``results_from_url``; then the
report's figures through ``figures_from_url`` (a second child process, so that the leaderboard
shows while the bootstrap runs); the Export report button runs ``report_from_url``, the Export
button ``export_and_count_job`` (the export and comparison, then the responses by kind).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tasks.dataset.loader import Cancelled

if TYPE_CHECKING:
    from db.engine import ConnectTarget


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
    rows: list  # tasks.results.compare.LeaderRow, in leaderboard order
    people: list[PersonResult]
    attenuation: AttenuationSummary
    answered_test: int
    warnings: list[str] = field(default_factory=list)
    # participants left out because they failed the headphone screening: "code (failed tests)"
    excluded: list[str] = field(default_factory=list)


def failed_screening(engine, study_name: str | None) -> dict[tuple[str, str], list[str]]:
    """(study, participant code) -> the screening tests failed (tasks.study.screening_records)."""
    from tasks.study.screening_records import failed_participants, read_screening

    return failed_participants(read_screening(engine, study_name))


def without_participants(engine, inputs, excluded: set[tuple[str, str]]):
    """The leaderboard inputs with the participants in ``excluded`` ((study, code) pairs) left
    out: their rows, and their runs taken out of the pooled and chance lists (read again from
    their sessions, one multiset difference per list)."""
    from collections import Counter

    from tasks.study.records import OptionsCache, ScoredRow, read_snapshot, scored_rows, study_sessions
    from tasks.scoring.metrics import RunResult

    if not excluded:
        return inputs
    cache = OptionsCache()
    drop_pooled: dict[str, Counter] = {}
    drop_chance: Counter = Counter()
    groups = study_sessions(engine, None)
    with read_snapshot(engine) as conn:
        for g in groups:
            for session in g.sessions:
                code = g.participants[session.participant_id].code
                if (g.study.name, code) not in excluded:
                    continue
                for t in scored_rows(conn, session.id):
                    t = ScoredRow._make(t)
                    key = (t.variant, t.item_id, t.rotate_id, t.category, t.sub_category)
                    drop_pooled.setdefault(g.study.name, Counter())[RunResult(*key, bool(t.is_correct))] += 1
                    drop_chance[RunResult(*key, 1.0 / len(cache.options(t)))] += 1

    def minus(results: list, drop: Counter) -> list:
        drop = Counter(drop)
        kept = []
        for r in results:
            if drop[r] > 0:
                drop[r] -= 1
            else:
                kept.append(r)
        return kept

    for name, study in inputs.studies.items():
        keep = [i for i, c in enumerate(study.participant_codes) if (name, c) not in excluded]
        study.participant_rows = [study.participant_rows[i] for i in keep]
        study.participant_codes = [study.participant_codes[i] for i in keep]
        study.participant_runs = [study.participant_runs[i] for i in keep]
        study.pooled = minus(study.pooled, drop_pooled.get(name, Counter()))
    inputs.chance = minus(inputs.chance, drop_chance)
    return inputs


def attenuation_by_person(engine, study_name: str | None,
                          answers: dict | None = None) -> dict[tuple[str, str], tuple[int, int, float, float]]:
    """(study name, participant code) -> (answered trials, attenuated trials, sum and max of their attenuation
    in dB) over the responses (any kind of trial), summed per person from each session's
    (tasks.results.session_results.session_answers: one grouped query, read here unless given)."""
    from sqlalchemy import select

    from db.models import Participant, Session, Study
    from tasks.results.session_results import session_answers

    query = (select(Session.id, Study.name, Participant.code)
             .join(Participant, Participant.id == Session.participant_id)
             .join(Study, Study.id == Session.study_id).order_by(Session.id))
    if study_name is not None:
        query = query.where(Study.name == study_name)
    out: dict[tuple[str, str], tuple[int, int, float, float]] = {}
    with engine.connect() as conn:
        if answers is None:
            answers = session_answers(conn)
        for sid, name, code in conn.execute(query):
            a = answers.get(sid)
            if a is None:
                continue
            n, k, total, peak = out.get((name, code), (0, 0, 0.0, 0.0))
            out[(name, code)] = (n + a.responses, k + a.attenuated, total + a.attenuation_sum_db,
                                 max(peak, a.attenuation_max_db))
    return out


def results_data(engine, study_name: str | None, models_dir: Path | None, progress, should_cancel,
                 exclude_failed_screening: bool = False, store=None) -> ResultsData:
    """The leaderboard as the compare command computes it, from a streamed read of the database
    (tasks.results.compare_input: only small run results are kept), plus one row per participant and
    the safety-ceiling summary from grouped queries. ``exclude_failed_screening``: participants
    who failed a headphone-screening test are left out of the leaderboard (pooled and chance
    rows too) and marked in the participant table. ``store``: the sessions kept from an earlier
    computation (tasks.results.session_results.SessionResults): only sessions with new answers
    are read."""
    from tasks.results.compare import build_rows
    from tasks.model_results.reader import read_models
    from tasks.results.compare_input import collect_human_inputs

    def step(done: int, total: int, label: str) -> None:
        if should_cancel():
            raise Cancelled("cancelled")
        progress(done, total, label)

    step(0, 4, "reading responses")
    inputs = collect_human_inputs(engine, study_name, store)
    failed = failed_screening(engine, study_name) if exclude_failed_screening else {}
    inputs = without_participants(engine, inputs, set(failed))
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
    rows = build_rows(inputs, models)
    step(3, 4, "safety ceiling per participant")
    scored: dict[tuple[str, str], tuple[int, dict]] = {}
    for name, study in inputs.studies.items():
        for code, row, n in zip(study.participant_codes, study.participant_rows, study.participant_runs):
            scored[(name, code)] = (n, row)
    per_person = attenuation_by_person(engine, study_name, None if store is None else store.answers)
    keys = set(scored) | set(per_person)
    several_studies = len({name for name, _code in keys}) > 1
    people = []
    for name, code in sorted(keys, key=lambda k: (k[1], k[0])):
        n, row = scored.get((name, code), (0, {}))
        _answered, attenuated, _sum_db, peak_db = per_person.get((name, code), (0, 0, 0.0, 0.0))
        label = f"{code} ({name})" if several_studies else code
        if (name, code) in failed:
            label += " (excluded)"
        people.append(PersonResult(label, n, row.get("pc_ma"), row.get("tr_oa"), row.get("sr_oa"), attenuated, peak_db))
    answered = sum(v[0] for v in per_person.values())
    attenuated = sum(v[1] for v in per_person.values())
    total_db = sum(v[2] for v in per_person.values())
    everyone = AttenuationSummary(answered, attenuated, total_db / attenuated if attenuated else 0.0,
                                  max((v[3] for v in per_person.values()), default=0.0))
    progress(4, 4, "done")
    excluded = [f"{code} ({', '.join(tests)})" if not several_studies else f"{code} ({name}: {', '.join(tests)})"
                for (name, code), tests in sorted(failed.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    answered_test = sum(p.answered for p in people if not p.code.endswith(" (excluded)"))
    return ResultsData(rows, people, everyone, answered_test, warnings, excluded)


def results_from_url(db_url: ConnectTarget, study_name: str | None, models_dir: Path | None,
                     exclude_failed_screening: bool = False, cache_dir: Path | None = None,
                     missed: str | None = None, *, progress, should_cancel) -> ResultsData:
    """results_data in a child process: an engine of its own on the same database (read only
    here; SQLite's WAL lets it read while the app writes answers). ``cache_dir``: kept there
    until the database changes (gui/console/results_cache.py). ``missed``: the database's state
    under which the page just found nothing kept (stored_leaderboard), so not looked up again."""
    from db.engine import make_engine
    from gui.console.results_cache import cached
    from tasks.results.session_results import SessionResults

    engine = make_engine(db_url)
    try:
        inputs = leaderboard_inputs(engine, study_name, models_dir, exclude_failed_screening)
        return cached(cache_dir, engine, inputs, lambda: results_data(
            engine, study_name, models_dir, progress, should_cancel,
            exclude_failed_screening=exclude_failed_screening,
            store=SessionResults.open(cache_dir, engine.url.render_as_string())), progress, missed)
    finally:
        engine.dispose()


def leaderboard_inputs(engine, study_name: str | None, models_dir: Path | None,
                       exclude_failed_screening: bool) -> tuple:
    """What the leaderboard is kept under in the cache (gui/console/results_cache.py)."""
    from gui.console.results_cache import folder_fingerprint

    return ("leaderboard", engine.url.render_as_string(), study_name, str(models_dir), folder_fingerprint(models_dir),
            exclude_failed_screening)


def stored_leaderboard(engine, study_name: str | None, models_dir: Path | None, exclude_failed_screening: bool,
                       cache_dir: Path, *, progress, should_cancel) -> tuple[ResultsData | None, str]:
    """(the leaderboard kept in the cache for the database as it is now, or None; the database's
    state it was looked up under), read on a worker thread of the window's process: one small
    query and one file, no child process."""
    from gui.console.results_cache import UNCHANGED, lookup

    found, value, key = lookup(cache_dir, engine, leaderboard_inputs(engine, study_name, models_dir,
                                                                     exclude_failed_screening))
    if found:
        progress(1, 1, UNCHANGED)
    return (value if found else None), key


def figures_from_url(db_url: ConnectTarget, study_name: str | None, models_dir: Path | None, width_px: int,
                     exclude_failed_screening: bool = False, cache_dir: Path | None = None, *, progress,
                     should_cancel):
    """The report's figures for the page (tasks.analysis.page_data.page_report) in a child
    process: matplotlib is imported there, never in the window's process. ``cache_dir``: kept
    there until the database changes (gui/console/results_cache.py)."""
    from db.engine import make_engine
    from gui.console.results_cache import cached, folder_fingerprint
    from tasks.analysis.blas import one_blas_thread

    one_blas_thread()
    engine = make_engine(db_url)
    try:
        def compute():
            from tasks.analysis.page_data import page_report

            return page_report(engine, study_name, models_dir, width_px, progress, should_cancel,
                               exclude_failed_screening=exclude_failed_screening)

        inputs = ("figures", engine.url.render_as_string(), study_name, str(models_dir),
                  folder_fingerprint(models_dir), width_px, exclude_failed_screening)
        return cached(cache_dir, engine, inputs, compute, progress)
    finally:
        engine.dispose()


def export_job(db_url: ConnectTarget, out: Path, version: str, models: Path | None, progress, should_cancel):
    """The export and the comparison, run in a child process (gui/common/processes.py)."""
    from db.engine import make_engine
    from tasks.results.compare import export_and_compare
    from tasks.model_results.reader import read_models

    db = make_engine(db_url)
    try:
        progress(0, 2, "exporting and comparing")
        # the comparison from the export's own read and scoring: the compare command's files,
        # without reading and scoring every response a second time
        result, _files = export_and_compare(db, out, version, read_models(models) if models else [])
        progress(2, 2, "done")
        return result
    finally:
        db.dispose()


def export_and_count_job(db_url: ConnectTarget, out: Path, version: str, models: Path | None, progress, should_cancel):
    """The Results page's export job (run in a child process), then the responses by kind."""
    from db.engine import make_engine
    from tasks.study.response_counts import responses_by_kind

    result = export_job(db_url, out, version, models, progress, should_cancel)
    engine = make_engine(db_url)
    try:
        return result, responses_by_kind(engine)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class ReportWritten:
    """What Export report wrote (from tasks.analysis.report.ReportSummary; plain data, so that
    the window's process does not import the report's modules, matplotlib among them)."""

    report_html: Path
    participants: int
    models: list[str]
    figures: list[str]
    tables: list[str]
    warnings: list[str]
    seconds: float
    excluded: list[str] = field(default_factory=list)  # codes left out (failed screening)


def report_from_url(db_url: ConnectTarget, out: Path, models_dir: Path | None, study_name: str | None,
                    exclude_failed_screening: bool = False, *, progress, should_cancel) -> ReportWritten:
    """tasks.analysis.report.write_report in a child process (the Export report button)."""
    from db.engine import make_engine
    from tasks.analysis.blas import one_blas_thread
    from tasks.analysis.report import write_report

    one_blas_thread()
    engine = make_engine(db_url)
    try:
        done = write_report(engine, Path(out), models_dir, study_name, exclude_failed_screening, progress=progress)
    finally:
        engine.dispose()
    return ReportWritten(Path(done.out_dir) / "report.html", done.participants, list(done.models),
                         list(done.figures), list(done.tables), list(done.warnings), done.seconds, list(done.excluded))
