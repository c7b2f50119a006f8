"""Schema 3 -> 4 (many stations): a schema-3 file is backed up, gains session.station, the
unique (study_id, cohort_index) and the station table, keeps every response; a file where two
sessions share a counterbalancing position is refused with their positions and left as it was."""
import sqlite3

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session as DbSession

from db.engine import DatabaseFileError, init_db, make_engine, open_database
from db.models import SCHEMA_VERSION, Session
from tests.db.test_migration_v3 import make_v2_file


def make_v3_file(path, second_session_at: int | None = None) -> None:
    """The schema-2 file of the v3 test, brought to schema 3 by the app's own migration; then
    the schema-4 additions taken out again (as schema 3 had them: none)."""
    make_v2_file(path)
    init_db(make_engine(path), target_version=3)
    con = sqlite3.connect(path)
    if second_session_at is not None:
        con.execute("INSERT INTO participant VALUES (2, 'P002', NULL, NULL, NULL, '2026-01-01 00:00:00')")
        con.execute("INSERT INTO session (study_id, participant_id, cohort_index, plan_seed, calibration_ids, "
                    "uncalibrated, take_home, level_procedure, app_version, status, next_position, created_at) "
                    "VALUES (1, 2, ?, 0, '[]', 1, 0, 'x', '0.3.0', 'planned', 0, '2026-01-01 00:00:00')",
                    (second_session_at,))
    con.commit()
    con.close()


def test_v3_file_gains_the_station_column_and_one_session_per_position(tmp_path):
    path = tmp_path / "lab.sqlite3"
    make_v3_file(path, second_session_at=1)
    con = sqlite3.connect(path)
    assert "station" not in {r[1] for r in con.execute("PRAGMA table_info(session)")}
    con.close()
    engine = open_database(path)
    con = sqlite3.connect(path)
    assert con.execute("SELECT version FROM schema_info").fetchone() == (SCHEMA_VERSION,)
    assert con.execute("SELECT id, cohort_index, station FROM session ORDER BY id").fetchall() == \
        [(1, 0, None), (2, 1, None)]
    assert con.execute("SELECT COUNT(*) FROM response").fetchone() == (2,)
    con.close()
    assert "station" in inspect(engine).get_table_names()
    (backup,) = tmp_path.glob("lab.v3.*.bak.sqlite3")
    old = sqlite3.connect(backup)
    assert old.execute("SELECT version FROM schema_info").fetchone() == (3,)
    old.close()
    # a second session at a taken position is now refused by the database itself
    with DbSession(engine) as s:
        s.add(Session(study_id=1, participant_id=2, cohort_index=0, plan_seed=0, app_version="t"))
        with pytest.raises(IntegrityError):
            s.commit()
    open_database(path)  # again: nothing more to do
    assert len(list(tmp_path.glob("lab.v3.*.bak.sqlite3"))) == 1


def test_two_sessions_at_one_position_are_named_and_nothing_changes(tmp_path):
    path = tmp_path / "lab.sqlite3"
    make_v3_file(path, second_session_at=0)
    with pytest.raises(DatabaseFileError, match="study 1 position 0: 2 sessions"):
        open_database(path)
    con = sqlite3.connect(path)
    assert con.execute("SELECT version FROM schema_info").fetchone() == (3,)
    assert "station" not in {r[1] for r in con.execute("PRAGMA table_info(session)")}
    assert con.execute("SELECT COUNT(*) FROM session").fetchone() == (2,)
    con.close()


def test_a_schema_3_server_database_is_dumped_then_migrated(pg_url, tmp_path):
    """The same migration on PostgreSQL: a schema-3 database (the schema-4 additions taken out)
    is backed up with pg_dump first, then gains the column and the unique position."""
    engine = open_database(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE session DROP CONSTRAINT uq_session_study_cohort")
        conn.exec_driver_sql("DROP INDEX ix_session_station")
        conn.exec_driver_sql("ALTER TABLE session DROP COLUMN station")
        conn.exec_driver_sql("UPDATE schema_info SET version = 3")
    assert "station" not in {c["name"] for c in inspect(engine).get_columns("session")}
    assert init_db(engine, backup_dir=tmp_path / "dumps") == SCHEMA_VERSION
    (dump,) = (tmp_path / "dumps").glob("*.v3.*.dump")
    assert dump.read_bytes()[:5] == b"PGDMP"
    assert "station" in {c["name"] for c in inspect(engine).get_columns("session")}
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO study (name, dataset_root, dataset_fingerprint, protocol_json, created_at) "
                             "VALUES ('s', '/d', 'f', '{}', now())")
        conn.exec_driver_sql("INSERT INTO participant (code, created_at) VALUES ('P001', now()), ('P002', now())")
        conn.exec_driver_sql("INSERT INTO session (study_id, participant_id, cohort_index, plan_seed, "
                             "calibration_ids, uncalibrated, take_home, level_procedure, app_version, status, "
                             "next_position, created_at) VALUES (1, 1, 0, 0, '[]', true, false, 'x', 't', "
                             "'planned', 0, now())")
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO session (study_id, participant_id, cohort_index, plan_seed, "
                                 "calibration_ids, uncalibrated, take_home, level_procedure, app_version, status, "
                                 "next_position, created_at) VALUES (1, 2, 0, 0, '[]', true, false, 'x', 't', "
                                 "'planned', 0, now())")
    assert init_db(engine, backup_dir=tmp_path / "dumps") == SCHEMA_VERSION  # again: nothing more
    assert len(list((tmp_path / "dumps").glob("*.dump"))) == 1
