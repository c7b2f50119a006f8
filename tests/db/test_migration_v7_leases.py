"""Schema 6 -> 7 (_v6_to_v7_leases): sessions gain lease_holder and lease_until; a schema-6 file
is backed up first, its running session reads as interrupted (no lease) and is offered on
start-up as before, and the per-answer path checks leases after."""
import sqlite3

from sqlmodel import Session as DbSession

from db.engine import open_database
from db.leases import lease_of
from db.models import SCHEMA_VERSION, Session as SessionRow
from tasks.dataset.loader import load_dataset
from tasks.study import ownership
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study


def test_v6_file_gains_the_lease_columns_and_its_running_session_is_offered(tmp_path, dataset_dir):
    path = tmp_path / "lab.sqlite3"
    engine = open_database(path)
    ds = load_dataset(dataset_dir)
    study = open_study(engine, ds, "pilot", Protocol(practice_per_block=0))
    sid = start_or_resume(engine, ds, study, "P001", "test").id
    runner = SessionRunner(engine, sid)
    runner.begin()
    trial = runner.next_trial()
    runner.answer(trial, trial.answer_letter)
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE session DROP COLUMN lease_holder")
    con.execute("ALTER TABLE session DROP COLUMN lease_until")
    con.execute("UPDATE schema_info SET version = 6")
    con.commit()
    con.close()

    engine = open_database(path)
    assert list(tmp_path.glob("lab.v6.*.bak.sqlite3"))
    with DbSession(engine) as s:
        row = s.get(SessionRow, sid)
        assert row.status == "running"
        assert ownership.offered_here(lease_of(row), "any-station")  # no lease: interrupted, as before
    holder = ownership.new_holder("booth1")
    ownership.claim(engine, sid, holder)
    runner = SessionRunner(engine, sid, holder=holder)
    runner.begin()
    assert runner.next_trial().position == 1
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT version FROM schema_info").fetchone()[0] == SCHEMA_VERSION == 7
