"""Helpers of the lab-server tests and the stations benchmark: station processes
(``main.py simulate --station``), what a study holds on the server, and an export with the
columns that a run cannot repeat (times, database ids) taken out."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]
STUDY = "lab"
SEED = 3
OBSERVER = "psychometric"
# differ from run to run by nature: clock times and the database's own row numbers
UNREPEATABLE = {"presented_at", "answered_at", "session_id", "exported_at", "created_at", "started_at",
                "ended_at", "generated_at", "database"}


def station_cmd(dataset: Path, db: str | Path, station: str, participants: int, outbox: Path,
                delay_ms: float = 0.0, print_commits: bool = False) -> list[str]:
    cmd = [sys.executable, str(ROOT / "main.py"), "simulate", "--dataset", str(dataset), "--db", str(db),
           "--participants", str(participants), "--station", station, "--outbox", str(outbox),
           "--study", STUDY, "--seed", str(SEED), "--observer", OBSERVER, "--wait-s", "120"]
    if delay_ms:
        cmd += ["--delay-ms", str(delay_ms)]
    if print_commits:
        cmd.append("--print-commits")
    return cmd


def reference_cmd(dataset: Path, db: Path, participants: int) -> list[str]:
    """The same study on one SQLite file, one process, no station: the reference of a station run."""
    return [sys.executable, str(ROOT / "main.py"), "simulate", "--dataset", str(dataset), "--db", str(db),
            "--participants", str(participants), "--study", STUDY, "--seed", str(SEED), "--observer", OBSERVER]


def start_stations(dataset: Path, db: str, n_stations: int, participants: int, folder: Path,
                   delay_ms: float = 0.0) -> list[subprocess.Popen]:
    return [subprocess.Popen(station_cmd(dataset, db, f"booth{i}", participants, folder / f"outbox-{i}.sqlite3",
                                         delay_ms), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for i in range(n_stations)]


def finish(procs: list[subprocess.Popen], timeout_s: float = 600) -> list[str]:
    """Wait for every station; their stderr (each must have exited 0 without a traceback)."""
    errs = []
    for p in procs:
        out, err = p.communicate(timeout=timeout_s)
        assert p.returncode == 0 and "Traceback" not in err, (p.args, p.returncode, err[-2000:])
        errs.append(err)
    return errs


def study_facts(engine) -> dict:
    """Codes, positions, stations, answers per planned trial, sessions and their states."""
    with engine.connect() as conn:
        sessions = conn.execute(text(
            "SELECT p.code, s.cohort_index, s.station, s.status FROM session s JOIN participant p "
            "ON p.id = s.participant_id JOIN study st ON st.id = s.study_id WHERE st.name = :n "
            "ORDER BY s.cohort_index"), {"n": STUDY}).all()
        per_trial = conn.execute(text(
            "SELECT COUNT(r.id) FROM planned_trial t JOIN session s ON s.id = t.session_id JOIN study st "
            "ON st.id = s.study_id LEFT JOIN response r ON r.planned_trial_id = t.id WHERE st.name = :n "
            "GROUP BY t.id"), {"n": STUDY}).scalars().all()
    return {"codes": [r[0] for r in sessions], "positions": [r[1] for r in sessions],
            "stations": sorted({r[2] for r in sessions if r[2]}), "statuses": {r[3] for r in sessions},
            "answers_per_trial": sorted(set(per_trial)), "trials": len(per_trial)}


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in UNREPEATABLE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def export_content(engine, out: Path, app_version: str = "test") -> dict[str, object]:
    """Every exported file by its path, with the unrepeatable columns and keys taken out."""
    from tasks.results.export import export

    export(engine, out, app_version, study_name=STUDY)
    content: dict[str, object] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        name = str(path.relative_to(out))
        if path.suffix == ".csv":
            with open(path, newline="") as f:
                content[name] = [_strip(row) for row in csv.DictReader(f)]
        elif path.suffix == ".jsonl":
            content[name] = [_strip(json.loads(line)) for line in path.read_text().splitlines() if line]
        elif path.suffix == ".json":
            content[name] = _strip(json.loads(path.read_text()))
        else:
            content[name] = path.read_bytes()
    return content
