"""Other databases than SQLite take SQLAlchemy Core instead of the driver shortcuts (bulk plan
insert, per-answer transaction, simulate batches, streamed reads). Run both on SQLite files and
check that they store and export the same thing."""
import csv
import io
import sqlite3
from pathlib import Path

from db.engine import open_database
from tasks.results.export import export
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study
from tasks.study.enrolment import start_or_resume
from tasks.simulation.simulate import simulate


def run_study(engine, ds, out: Path) -> None:
    protocol = Protocol(mode="full-robust", practice_per_block=1, catch_every=5, min_run_spacing=2, seed=6)
    simulate(engine, ds, protocol, 2, Observer("psychometric"), "test", study_name="p", batch_answers=9)
    study = open_study(engine, ds, "p", protocol)
    runner = SessionRunner(engine, start_or_resume(engine, ds, study, "P7", "test").id)
    for k in range(12):
        t = runner.next_trial()
        saved = runner.answer(t, t.answer_letter if k % 2 else "<B>", rt_ms=600.0 + k, n_replays=k % 3)
        assert saved.planned_trial_id == t.id
    assert runner.progress().answered == 12
    export(engine, out, "test")


def test_the_portable_path_stores_and_exports_what_the_sqlite_path_does(tmp_path, dataset_dir, monkeypatch):
    ds = load_dataset(dataset_dir)
    fast = open_database(tmp_path / "fast.sqlite3")
    run_study(fast, ds, tmp_path / "fast")
    portable = open_database(tmp_path / "portable.sqlite3")
    monkeypatch.setattr(portable.dialect, "name", "portable")  # every shortcut checks this name
    run_study(portable, ds, tmp_path / "portable")
    files = sorted(p.relative_to(tmp_path / "fast") for p in (tmp_path / "fast").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "portable") for p in (tmp_path / "portable").rglob("*")
                           if p.is_file())
    for rel in files:
        a, b = (tmp_path / "fast" / rel).read_text(), (tmp_path / "portable" / rel).read_text()
        if rel.name == "trials.csv":  # the two runs answered at different times
            a, b = ([{k: v for k, v in row.items() if not k.endswith("_at")} for row in csv.DictReader(io.StringIO(x))]
                    for x in (a, b))
            assert a == b and len(a) > 100 and sum(r["answered"] == "True" for r in a) > 100
            continue
        if rel.name == "trials.columns.json":
            continue
        assert a == b, rel
    assert stored(tmp_path / "fast.sqlite3") == stored(tmp_path / "portable.sqlite3")


def stored(path: Path):
    con = sqlite3.connect(path)
    out = (con.execute("SELECT planned_trial_id, session_id, chosen_letter, chosen_text, is_correct, rt_ms, n_replays, "
                       "uncalibrated, attenuation_db, level_db_spl, typeof(presented_at), typeof(answered_at) "
                       "FROM response ORDER BY id").fetchall(),
           con.execute("SELECT * FROM planned_trial ORDER BY id").fetchall(),
           con.execute("SELECT id, status, next_position FROM session ORDER BY id").fetchall(),
           con.execute("SELECT session_id, event FROM audit_log ORDER BY id").fetchall())
    con.close()
    return out
