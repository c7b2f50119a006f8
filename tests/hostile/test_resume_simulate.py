"""simulate stores answers in batches; killed (SIGKILL) at several points and run again, it
ends with exactly the database of an uninterrupted run (timestamps aside)."""
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.subprocess  # main.py simulate, killed and run again

ROOT = Path(__file__).resolve().parents[2]


def simulate_cmd(dataset: Path, db: Path) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "simulate", "--dataset", str(dataset), "--participants", "3",
            "--observer", "psychometric", "--protocol", "full-robust", "--variants", "sr", "tr", "--seed", "5",
            "--catch-every", "4", "--db", str(db), "--batch", "7", "--print-commits", "--delay-ms", "1"]


def run_and_kill_after(dataset: Path, db: Path, commits: int) -> tuple[int, bool]:
    """Start simulate, SIGKILL it once it has confirmed `commits` more answers; (answers
    confirmed, killed). A run that finishes first is not killed."""
    proc = subprocess.Popen(simulate_cmd(dataset, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    seen = 0
    for line in proc.stdout:
        if line.startswith("committed "):
            seen += 1
            if seen >= commits:
                os.kill(proc.pid, signal.SIGKILL)
                break
    proc.wait()
    err = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    assert "Traceback" not in err, err
    return seen, proc.returncode == -signal.SIGKILL


def content(db: Path):
    """Everything simulate stores, except timestamps and row ids."""
    con = sqlite3.connect(db)
    responses = con.execute(
        "SELECT p.code, t.position, t.unique_id, t.kind, r.chosen_letter, r.chosen_text, r.is_correct, r.rt_ms, "
        "r.n_replays, r.uncalibrated, r.attenuation_db, r.level_db_spl FROM response r "
        "JOIN planned_trial t ON t.id = r.planned_trial_id JOIN session s ON s.id = r.session_id "
        "JOIN participant p ON p.id = s.participant_id ORDER BY p.code, t.position").fetchall()
    planned = con.execute(
        "SELECT p.code, t.position, t.block, t.kind, t.catch_of, t.variant, t.item_id, t.rotate_id, t.options_json, "
        "t.answer_letter FROM planned_trial t JOIN session s ON s.id = t.session_id "
        "JOIN participant p ON p.id = s.participant_id ORDER BY p.code, t.position").fetchall()
    sessions = con.execute("SELECT p.code, s.cohort_index, s.status, s.next_position FROM session s "
                           "JOIN participant p ON p.id = s.participant_id ORDER BY p.code").fetchall()
    con.close()
    return responses, planned, sessions


def test_killed_simulate_resumes_to_the_uninterrupted_result(tmp_path, dataset_dir):
    db = tmp_path / "killed.sqlite3"
    kills = 0
    for commits in (3, 9, 30, 31, 60, 100):  # inside a batch, across participants, again and again
        _seen, killed = run_and_kill_after(dataset_dir, db, commits)
        kills += killed
        con = sqlite3.connect(db)
        stored = con.execute("SELECT planned_trial_id FROM response").fetchall()
        con.close()
        assert len(stored) == len(set(stored)), "an answer was recorded twice"
    assert kills >= 4
    done = subprocess.run(simulate_cmd(dataset_dir, db), capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    clean = tmp_path / "clean.sqlite3"
    subprocess.run(simulate_cmd(dataset_dir, clean), capture_output=True, text=True, cwd=ROOT, check=True)
    killed_content, clean_content = content(db), content(clean)
    responses, planned, sessions = killed_content
    assert len(responses) == len(planned) > 100
    assert all(status == "completed" for _code, _i, status, _pos in sessions) and len(sessions) == 3
    assert killed_content == clean_content


def test_batch_size_does_not_change_the_answers(tmp_path, dataset_dir):
    results = []
    for batch in ("1", "1000"):
        db = tmp_path / f"b{batch}.sqlite3"
        cmd = simulate_cmd(dataset_dir, db)
        cmd[cmd.index("--batch") + 1] = batch
        subprocess.run([c for c in cmd if c not in ("--print-commits",)], capture_output=True, text=True, cwd=ROOT,
                       check=True)
        results.append(content(db))
    assert results[0] == results[1]
