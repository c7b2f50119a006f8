import sqlite3

import pytest
from sqlalchemy import text
from sqlmodel import Session as DbSession, select

from db.models import SCHEMA_VERSION
from db.engine import DatabaseFileError, init_db, make_engine, open_database
from db.models import AuditLog, SchemaInfo, Study


def test_sqlite_pragmas_make_commits_durable(tmp_path):
    engine = open_database(tmp_path / "sub" / "lab.sqlite3")
    with engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert (tmp_path / "sub" / "lab.sqlite3").is_file()


def test_foreign_keys_are_enforced(tmp_path):
    from sqlalchemy.exc import IntegrityError

    from db.models import Session

    engine = open_database(tmp_path / "lab.sqlite3")
    with DbSession(engine) as s:
        s.add(Session(study_id=999, participant_id=999, cohort_index=0, plan_seed=0, app_version="t"))
        with pytest.raises(IntegrityError):
            s.commit()


def test_a_file_that_is_not_sqlite_gives_a_clear_message(tmp_path):
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_text("this is a text file, not a database\n" * 100)
    with pytest.raises(DatabaseFileError, match="is not a STAR Listening Lab database"):
        open_database(bogus)
    assert bogus.read_text().startswith("this is a text file")  # untouched


def test_a_folder_is_not_a_database(tmp_path):
    with pytest.raises(DatabaseFileError, match="is a folder"):
        open_database(tmp_path)


def test_migration_backs_up_first_then_upgrades(tmp_path):
    path = tmp_path / "lab.sqlite3"
    engine = open_database(path)
    with DbSession(engine) as s:
        s.add(Study(name="old", dataset_root="/d", dataset_fingerprint="f", protocol_json="{}"))
        s.commit()
    seen = []

    now, later = SCHEMA_VERSION, SCHEMA_VERSION + 1

    def to_later(eng):
        with eng.begin() as c:
            c.execute(text("CREATE TABLE extra_later (x INTEGER)"))
        seen.append("ran")

    assert init_db(engine, migrations={now: to_later}, target_version=later) == later
    assert seen == ["ran"]
    backups = list(tmp_path.glob(f"lab.v{now}.*.bak.sqlite3"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("SELECT version FROM schema_info").fetchone() == (now,)
    assert old.execute("SELECT name FROM study").fetchall() == [("old",)]
    old.close()
    with DbSession(engine) as s:
        assert s.exec(select(SchemaInfo)).one().version == later
        assert any(a.event == "migrated" for a in s.exec(select(AuditLog)).all())
    # a newer file than the app knows is refused, not damaged
    with pytest.raises(DatabaseFileError, match="newer version"):
        init_db(make_engine(path), target_version=now)
