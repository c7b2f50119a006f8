import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session as DbSession

from db import repo
from db.engine import DatabaseFileError, open_database
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.studies import DatasetChangedError, StudyError, open_study
from tasks.study.runner import SessionRunner
from tasks.study.enrolment import start_or_resume

ROOT = Path(__file__).resolve().parents[3]


def _lab(where, dataset_dir):
    engine = open_database(where)
    ds = load_dataset(dataset_dir)
    study = open_study(engine, ds, "pilot", Protocol(practice_per_block=0))
    return engine, ds, study


@pytest.fixture
def lab(lab_db, dataset_dir):
    """Once on a SQLite file, once on a PostgreSQL lab server."""
    return _lab(lab_db, dataset_dir)


@pytest.fixture
def sqlite_lab(tmp_path, dataset_dir):
    """SQLite only: for what only a file has (its lock, SQLite's own statement trace)."""
    return _lab(tmp_path / "lab.sqlite3", dataset_dir)


def test_resume_continues_at_first_unanswered_trial(lab):
    engine, ds, study = lab
    session = start_or_resume(engine, ds, study, "P001", "test")
    runner = SessionRunner(engine, session.id)
    runner.begin()
    answered = []
    for _ in range(5):
        t = runner.next_trial()
        runner.answer(t, t.answer_letter, rt_ms=800.0)
        answered.append(t.position)
    # "crash": a fresh process would build everything again from the database
    again = start_or_resume(engine, ds, study, "P001", "test")
    assert again.id == session.id
    runner2 = SessionRunner(engine, again.id)
    runner2.begin()
    assert runner2.next_trial().position == 5
    assert runner2.progress().answered == 5
    with DbSession(engine) as s:
        events = [a.event for a in repo.audit_log(s, session.id)]
    assert events[:2] == ["created", "running"] and "resumed" in events


def test_an_answer_is_never_recorded_twice(lab):
    engine, ds, study = lab
    session = start_or_resume(engine, ds, study, "P002", "test")
    runner = SessionRunner(engine, session.id)
    t = runner.next_trial()
    runner.answer(t, "<A>")
    with pytest.raises(repo.AlreadyAnswered):
        runner.answer(t, "<B>")
    with DbSession(engine) as s:
        rs = repo.responses(s, session.id)
    assert [(r.planned_trial_id, r.chosen_letter) for r in rs] == [(t.id, "<A>")]


def test_invalid_letter_is_stored_as_no_answer_and_scored_wrong(lab):
    engine, ds, study = lab
    runner = SessionRunner(engine, start_or_resume(engine, ds, study, "P003", "test").id)
    t = runner.next_trial()
    r = runner.answer(t, "<Q>")
    assert r.chosen_letter is None and r.is_correct is False


def test_session_completes_and_codes_must_be_pseudonymous(lab):
    engine, ds, study = lab
    with pytest.raises(StudyError, match="pseudonymous"):
        start_or_resume(engine, ds, study, "jane.doe@example.org", "test")
    runner = SessionRunner(engine, start_or_resume(engine, ds, study, "P004", "test").id)
    while (t := runner.next_trial()) is not None:
        runner.answer(t, t.answer_letter)
    assert runner.session().status == "completed"


def test_changed_dataset_is_refused_and_loses_nothing(lab):
    engine, ds, study = lab
    runner = SessionRunner(engine, start_or_resume(engine, ds, study, "P005", "test").id)
    t = runner.next_trial()
    runner.answer(t, t.answer_letter)
    meta = ds.root / "meta_info/holistic_reasoning_spatial.json"
    items = json.loads(meta.read_text())
    items[0]["answer"] = items[0]["options"][1]
    meta.write_text(json.dumps(items))
    with pytest.raises(DatasetChangedError, match="has changed since study 'pilot' began"):
        start_or_resume(engine, ds, study, "P005", "test")
    with pytest.raises(DatasetChangedError):
        open_study(engine, load_dataset(ds.root), "pilot", Protocol())
    assert runner.progress().answered == 1


def test_locked_database_gives_a_clear_message_and_loses_nothing(sqlite_lab, tmp_path):
    engine, ds, study = sqlite_lab
    runner = SessionRunner(engine, start_or_resume(engine, ds, study, "P006", "test").id)
    first = runner.next_trial()
    runner.answer(first, first.answer_letter)
    second = runner.next_trial()
    other = sqlite3.connect(tmp_path / "lab.sqlite3", timeout=0.1)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseFileError, match="locked by another program.*not saved yet"):
            runner.answer(second, second.answer_letter)
    finally:
        other.rollback()
        other.close()
    runner.answer(second, second.answer_letter)  # the kept answer goes in once the lock is gone
    assert runner.progress().answered == 2


def simulate_cmd(dataset, db):
    return [sys.executable, str(ROOT / "main.py"), "simulate", "--dataset", str(dataset), "--participants", "2",
            "--observer", "psychometric", "--protocol", "full-robust", "--variants", "sr", "tr", "--seed", "3",
            "--db", str(db), "--print-commits", "--delay-ms", "4", "--batch", "1"]


@pytest.mark.subprocess
@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_and_resumes(tmp_path, dataset_dir):
    db = tmp_path / "kill.sqlite3"
    rng = random.Random(2024)
    confirmed: set[tuple[str, int]] = set()
    kills = 0
    mid_session_kills = 0
    for _ in range(200):
        # The kill comes after a chosen number of confirmed answers (0: as soon as it starts, in
        # its imports or schema creation), not after a time: the same kills happen however
        # loaded the machine is.
        kill_after = rng.choice([0, 0, 1, 2, 3, 5, 8, 13, 21, 34])
        proc = subprocess.Popen(simulate_cmd(dataset_dir, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, cwd=ROOT)
        seen: list[str] = []
        while len(seen) < kill_after:
            line = proc.stdout.readline()
            if not line:
                break  # it finished (or died) first
            seen.append(line)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        out, err = proc.communicate()
        assert "Traceback" not in err, err
        for line in seen + out.splitlines():
            if line.startswith("committed "):
                _, code, pos = line.split()
                confirmed.add((code, int(pos)))
        if proc.returncode == 0:
            if kills >= 50:
                break
            db.unlink()
            confirmed.clear()
            for extra in tmp_path.glob("kill.sqlite3-*"):
                extra.unlink()
            # start over so that there are more kills; check the finished database first
            continue
        # after every kill: every confirmed answer is in the database exactly once
        con = sqlite3.connect(db)
        if not con.execute("SELECT name FROM sqlite_master WHERE name = 'response'").fetchall():
            con.close()
            assert not confirmed, "answers were confirmed but the schema is missing"
            continue
        rows = con.execute("SELECT p.code, t.position FROM response r JOIN planned_trial t ON t.id = r.planned_trial_id "
                           "JOIN session s ON s.id = r.session_id JOIN participant p ON p.id = s.participant_id").fetchall()
        con.close()
        assert len(rows) == len(set(rows)), "an answer was recorded twice"
        assert confirmed <= set(rows), f"lost answers: {sorted(confirmed - set(rows))[:5]}"
        mid_session_kills += bool(rows)
    assert kills >= 50 and mid_session_kills >= 20, (kills, mid_session_kills)
    # finish the interrupted study and check it equals an uninterrupted one
    done = subprocess.run(simulate_cmd(dataset_dir, db), capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    clean_db = tmp_path / "clean.sqlite3"
    subprocess.run(simulate_cmd(dataset_dir, clean_db), capture_output=True, text=True, cwd=ROOT, check=True)

    def answers(path):
        con = sqlite3.connect(path)
        rows = con.execute("SELECT p.code, t.position, t.unique_id, r.chosen_letter FROM response r "
                           "JOIN planned_trial t ON t.id = r.planned_trial_id JOIN session s ON s.id = r.session_id "
                           "JOIN participant p ON p.id = s.participant_id ORDER BY 1, 2").fetchall()
        planned = con.execute("SELECT COUNT(*) FROM planned_trial").fetchone()[0]
        con.close()
        return rows, planned

    rows, planned = answers(db)
    clean_rows, clean_planned = answers(clean_db)
    assert planned == clean_planned == len(rows)
    assert rows == clean_rows


def test_answer_and_next_trial_cost_the_same_statements_early_and_late(sqlite_lab):
    """Per answer: the same few statements wherever the session stands (as SQLite itself
    traces them), reading planned trials only through LIMIT 1 from the session's cursor: no
    query loads the plan."""
    import re

    from sqlalchemy import event

    engine, ds, study = sqlite_lab
    runner = SessionRunner(engine, start_or_resume(engine, ds, study, "P010", "test").id)
    total = runner.progress().total
    runner.next_trial()  # the first trial; later ones come with each answer's transaction
    statements: list[str] = []
    engine.dispose()  # new connections, each traced by SQLite
    event.listen(engine, "connect", lambda con, _rec: con.set_trace_callback(statements.append))

    def shape(sql: str) -> str:
        return re.sub(r"'[^']*'|\b\d+(\.\d+)?\b", "?", " ".join(sql.split()))

    def one_answer() -> list[str]:
        statements.clear()
        t = runner.next_trial()
        runner.answer(t, t.answer_letter)
        runner.next_trial()
        return [shape(s) for s in statements]

    early = one_answer()
    while runner.progress().answered < total - 3:
        t = runner.next_trial()
        runner.answer(t, t.answer_letter)
    late = one_answer()
    assert early == late
    assert "COMMIT" in early and any(s.startswith("INSERT INTO response") for s in early)
    reads = [s for s in early if s.startswith("SELECT") and "FROM planned_trial" in s]
    assert reads and all("LIMIT" in s and "next_position" in s for s in reads), early
    assert not any("NOT IN" in s for s in early)
    with DbSession(engine) as s:
        session = s.get(type(runner.session()), runner.session_id)
        assert session.next_position == runner.next_trial().position == total - 2


def test_answers_stored_out_of_order_are_skipped_exactly(lab):
    """Take-home imports add responses in any order without moving the cursor: the next trial
    is still the first unanswered one, and the cursor then jumps past the answered ones."""
    from db.models import Response

    engine, ds, study = lab
    session = start_or_resume(engine, ds, study, "P011", "test")
    with DbSession(engine) as s:
        trials = repo.planned_trials(s, session.id)
        for pos in (0, 1, 2, 5, 6):
            s.add(Response(planned_trial_id=trials[pos].id, session_id=session.id, chosen_letter="<A>",
                           chosen_text="x", is_correct=False))
        s.commit()
    with DbSession(engine) as s:
        trials = repo.planned_trials(s, session.id)
    runner = SessionRunner(engine, session.id)
    assert runner.next_trial().position == 3
    runner.answer(runner.next_trial(), "<A>")
    assert runner.next_trial().position == 4
    runner.answer(runner.next_trial(), "<A>")
    assert runner.next_trial().position == 7
    assert runner.session().next_position == 7
    with pytest.raises(repo.AlreadyAnswered):
        runner.answer(trials[5], "<B>")
    assert runner.progress().answered == 7


@pytest.mark.parametrize("code", ["", "P 7", "me@example.org", "P/1", "../P1", "-P1", "P\t1", "x" * 65])
def test_participant_codes_follow_one_rule_everywhere(lab, code):
    """Codes become parts of file names (exports, packages, bundles): the lab refuses what a
    take-home package would refuse."""
    engine, ds, study = lab
    with pytest.raises(StudyError, match="participant code"):
        start_or_resume(engine, ds, study, code, "test")
