"""screening.csv and its sidecar screening.columns.json: the headphone-screening outcomes of
every screened session, one row per test, written by ``tasks.results.export.export`` beside trials.csv.

The rows come from ``tasks.study.screening_records.read_screening`` (the last screening stored for
each session), the one reader every consumer shares, so the file says "failed" exactly when the
report and the Sessions page do. A session with no row was not screened.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy.engine import Engine

from tasks.results.trial_records import ExportError
from tasks.study.screening_records import ScreeningRecordError, read_screening
from tasks.results.trials_csv import iso_utc

SCREENING_FILE = "screening.csv"
SCREENING_SIDECAR = "screening.columns.json"

SCREENING_COLUMNS: dict[str, str] = {
    "study": "study name (as in trials.csv)",
    "participant": "pseudonymous participant code (as in trials.csv)",
    "session": "session number in the database (trials.csv: session_id)",
    "test": "screening test: antiphase (Woods et al. 2017), huggins (Milne et al. 2021) or localization "
            "(optional binaural left/right/front/back check, docs/hrtf.md)",
    "correct": "trials of this test answered correctly",
    "trials": "trials of this test presented",
    "passed": "true when the test's pass criterion was met",
    "at": "when the screening was stored (ISO 8601, UTC)",
    "seed": "the seed the session's screening sequences came from (audio.screening's tests take it; "
            "screenings stored before seeds were recorded: the session number)",
}


def write_screening(engine: Engine, out_dir: Path, study_name: str | None = None) -> list[Path]:
    """Write screening.csv and screening.columns.json into ``out_dir``; returns their paths.
    A damaged screening row is an ExportError that names its session (nothing is guessed)."""
    try:
        outcomes = read_screening(engine, study_name)
    except ScreeningRecordError as exc:
        raise ExportError(f"{SCREENING_FILE} not written: {exc}. The other export files are written; "
                          "the database is unchanged.") from None
    csv_path, sidecar_path = Path(out_dir) / SCREENING_FILE, Path(out_dir) / SCREENING_SIDECAR
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(SCREENING_COLUMNS)
        for o in outcomes:
            writer.writerow([o.study, o.participant_code, o.session_id, o.test, o.n_correct, o.n_trials,
                             "true" if o.passed else "false", iso_utc(o.at), o.seed])
    sidecar = {
        "description": ("One row per screening test of every screened session (the last screening stored "
                        "for the session); sessions without a row were not screened. A participant "
                        "failed screening when any row of theirs has passed=false."),
        "columns": SCREENING_COLUMNS,
        "sessions_screened": len({o.session_id for o in outcomes}),
    }
    sidecar_path.write_text(json.dumps(sidecar, indent=2, ensure_ascii=False), encoding="utf-8")
    return [csv_path, sidecar_path]
