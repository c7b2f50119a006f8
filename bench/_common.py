"""Helpers shared by the data-path benchmarks: the STAR-Bench-shaped study and the raw
sqlite3 peer that does the same storage work without the app's layers."""
from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench._shape import write_starbench_shape


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def load_avg() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


@contextmanager
def station_lab(**dataset):
    """A private PostgreSQL server with a lab of one station (booth1) and a small dataset
    (tests.support.factories.write_dataset(**dataset)) in a temporary folder: yields (server,
    folder, lab, dataset, the owner's engine, booth1's engine); dropped and stopped after, with
    the machine's load printed before and after."""
    from db.engine import open_database
    from tasks.dataset.loader import load_dataset
    from tests.support.factories import write_dataset
    from tests.support.pg_harness import start_postgres
    from tests.support.pg_roles import make_lab

    print(f"cores: {cores()}, load average before: {load_avg()}")
    server = start_postgres()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            lab = make_lab(server, stations=("booth1",))
            ds = load_dataset(write_dataset(folder / "ds", **dataset), check_audio=False)
            owner, booth = open_database(lab.owner_url()), open_database(lab.station_url("booth1"))
            yield server, folder, lab, ds, owner, booth
            for engine in (owner, booth):
                engine.dispose()
            lab.drop()
    finally:
        server.stop()
    print(f"load average after: {load_avg()}")


def shaped_dataset(folder: Path):
    from tasks.dataset.loader import load_dataset

    return load_dataset(write_starbench_shape(folder), check_audio=False)


def full_robust():
    from tasks.study.plan import Protocol

    return Protocol(mode="full-robust", practice_per_block=0)


def raw_connect(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection with the app's durability settings (WAL, synchronous=FULL),
    autocommit off: the caller commits."""
    con = sqlite3.connect(str(path), isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    return con


RAW_INSERT = ("INSERT INTO response (planned_trial_id, session_id, chosen_letter, chosen_text, is_correct, rt_ms, "
              "n_replays, presented_at, answered_at, uncalibrated, attenuation_db, level_db_spl) "
              "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, 1, 0.0, NULL)")
RAW_NEXT = ("SELECT * FROM planned_trial WHERE session_id = ? AND position > ? ORDER BY position LIMIT 1")


def raw_values(trial_row: tuple, session_id: int) -> tuple:
    """Response values for a planned_trial row (id, session_id, position, ...; answer_letter
    at index 16), chosen right."""
    now = time.strftime("%Y-%m-%d %H:%M:%S.000000")
    return (trial_row[0], session_id, trial_row[16], "text", 1, 800.0, now, now)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def run_child(argv: list[str], cwd: Path | None = None) -> tuple[float, float, int, str]:
    """Run a child process to its end: (wall seconds, peak RSS in MB of that child, exit
    status, stderr tail). The peak comes from wait4's resource usage of that one child."""
    import subprocess

    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
    err = proc.stderr.read().decode(errors="replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, proc.returncode, err[-2000:]


ROOT = Path(__file__).resolve().parents[1]


def main_py(*args: str) -> list[str]:
    import sys

    return [sys.executable, str(ROOT / "main.py"), *args]


def simulate_argv(dataset: Path, db: Path, participants: int, batch: int = 500) -> list[str]:
    return main_py("simulate", "--dataset", str(dataset), "--participants", str(participants), "--observer",
                   "psychometric", "--protocol", "full-robust", "--seed", "1", "--batch", str(batch), "--db", str(db))


def response_content(db: Path) -> list[tuple]:
    """What simulate stores, timestamps and row ids aside (for the resume check)."""
    con = sqlite3.connect(str(db))
    rows = con.execute("SELECT p.code, t.position, t.unique_id, r.chosen_letter, r.is_correct, r.rt_ms "
                       "FROM response r JOIN planned_trial t ON t.id = r.planned_trial_id "
                       "JOIN session s ON s.id = r.session_id JOIN participant p ON p.id = s.participant_id "
                       "ORDER BY p.code, t.position").fetchall()
    con.close()
    return rows
