"""The lab server itself, on a real PostgreSQL server: the driver a plain URL selects, the
password kept out of every message, the schema and its version, the backup before a
migration (pg_dump, or a refusal naming the command), and the station role's rights."""
from __future__ import annotations

import subprocess
import uuid

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import ProgrammingError
from sqlmodel import Session as DbSession, select

from db import pg
from db.engine import DatabaseFileError, describe_db_error, init_db, make_engine, open_database
from db.models import SCHEMA_VERSION, AuditLog, Response, SchemaInfo
from tasks.results.export import export
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study
from tasks.study.enrolment import start_or_resume


def test_a_plain_postgresql_url_selects_psycopg_3_and_never_shows_the_password(pg_server):
    url = f"postgresql://station:s3cret-pw@/nowhere?host={pg_server.socket_dir}&port=1"  # nothing listens there
    engine = make_engine(url)
    assert engine.dialect.driver == "psycopg"
    assert "s3cret-pw" not in pg.shown(engine.url) and "***" in pg.shown(engine.url)
    with pytest.raises(DatabaseFileError) as caught:
        open_database(url)
    message = str(caught.value)
    assert "cannot be reached" in message and "nowhere" in message
    assert "s3cret-pw" not in message
    # a prompted password goes to the driver, not into the URL
    prompted = make_engine(f"postgresql://station@/nowhere?host={pg_server.socket_dir}&port=1", password="typed-pw")
    assert "typed-pw" not in prompted.url.render_as_string(hide_password=False)


def test_schema_is_created_once_with_its_version_and_reopened_as_is(pg_url):
    engine = open_database(pg_url)
    names = set(inspect(engine).get_table_names())
    assert {"study", "session", "planned_trial", "response", "station", "schema_info"} <= names
    with DbSession(engine) as s:
        assert s.exec(select(SchemaInfo)).one().version == SCHEMA_VERSION
    assert init_db(engine) == SCHEMA_VERSION  # again: nothing to do, no backup asked for
    uniques = {u["name"] for u in inspect(engine).get_unique_constraints("session")}
    assert "uq_session_study_cohort" in uniques
    with engine.begin() as conn:
        conn.execute(text("UPDATE schema_info SET version = :v"), {"v": SCHEMA_VERSION + 1})
    with pytest.raises(DatabaseFileError, match="newer version"):
        init_db(engine)


def test_migration_on_the_server_is_backed_up_with_pg_dump_first(pg_url, pg_server, tmp_path):
    engine = open_database(pg_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO study (name, dataset_root, dataset_fingerprint, protocol_json, created_at) "
                          "VALUES ('old', '/d', 'f', '{}', now())"))
    ran = []

    def later(eng):
        with eng.begin() as conn:
            conn.execute(text("CREATE TABLE extra_later (x INTEGER)"))
        ran.append(True)

    version = init_db(engine, migrations={SCHEMA_VERSION: later}, target_version=SCHEMA_VERSION + 1,
                      backup_dir=tmp_path / "backups")
    assert version == SCHEMA_VERSION + 1 and ran
    (dump,) = (tmp_path / "backups").glob(f"*.v{SCHEMA_VERSION}.*.dump")
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    listing = subprocess.run([str(pg_server.bindir / "pg_restore"), "--list", str(dump)], capture_output=True,
                             text=True, check=True).stdout
    assert "TABLE DATA public study" in listing and "extra_later" not in listing  # taken before the migration
    with DbSession(engine) as s:
        detail = [a.detail for a in s.exec(select(AuditLog)) if a.event == "migrated"]
    assert detail and str(dump) in detail[0]


def test_migration_without_a_possible_backup_is_refused_with_the_command(pg_url, pg_server, tmp_path):
    """A role that may read the version but not dump the data: pg_dump fails, nothing changes,
    and the message names the exact command (without any password)."""
    engine = open_database(pg_url)
    role = f"reader_{uuid.uuid4().hex[:8]}"
    pg_server.psql(f'CREATE ROLE "{role}" LOGIN')
    database = engine.url.database
    pg_server.psql(f'GRANT SELECT ON schema_info TO "{role}"', database=database)
    limited = make_engine(pg_server.url(database, role=role))
    with pytest.raises(DatabaseFileError) as caught:
        init_db(limited, migrations={SCHEMA_VERSION: lambda eng: None}, target_version=SCHEMA_VERSION + 1,
                backup_dir=tmp_path / "backups")
    message = str(caught.value)
    assert "pg_dump --format=custom" in message and database in message and "nothing was changed" in message
    with DbSession(engine) as s:
        assert s.exec(select(SchemaInfo)).one().version == SCHEMA_VERSION
    limited.dispose()


def test_station_role_answers_but_cannot_delete_or_alter_a_response(pg_url, pg_server, dataset_dir, tmp_path):
    owner = open_database(pg_url)
    database = owner.url.database
    suffix = uuid.uuid4().hex[:8]
    station, experimenter = f"station_{suffix}", f"experimenter_{suffix}"
    pg_server.psql(f'CREATE ROLE "{station}" LOGIN; CREATE ROLE "{experimenter}" LOGIN')
    import main

    assert main.main(["lab-grants", "--db", pg_url, "--station-role", station,
                      "--experimenter-role", experimenter, "--bind", f"{station}=booth1"]) == 0
    ds = load_dataset(dataset_dir)
    open_study(owner, ds, "pilot", Protocol(practice_per_block=0))

    booth = open_database(pg_server.url(database, role=station))
    study = open_study(booth, ds, "pilot", Protocol(practice_per_block=0))
    runner = SessionRunner(booth, start_or_resume(booth, ds, study, "P001", "test", station="booth1").id)
    runner.begin()
    first = runner.next_trial()
    runner.answer(first, first.answer_letter, rt_ms=700.0)
    runner.answer(runner.next_trial(), "<A>", rt_ms=900.0)
    for sql in ("DELETE FROM response", "UPDATE response SET is_correct = NOT is_correct",
                "DELETE FROM planned_trial", "DROP TABLE response"):
        with pytest.raises(ProgrammingError) as refused:
            with booth.begin() as conn:
                conn.exec_driver_sql(sql)
        assert "permission denied" in str(refused.value.orig) or "must be owner" in str(refused.value.orig)
        assert "refused this for the role" in describe_db_error(booth, refused.value)
    with DbSession(owner) as s:
        assert len(s.exec(select(Response)).all()) == 2  # both answers still there, unchanged

    # the experimenter reads everything and exports
    office = open_database(pg_server.url(database, role=experimenter))
    result = export(office, tmp_path / "out", "test", study_name="pilot")
    assert result.responses == 2
    for engine in (booth, office, owner):
        engine.dispose()


def test_stations_opening_a_new_database_at_once_create_one_schema(pg_url):
    import threading

    errors, engines = [], []

    def station() -> None:
        try:
            engines.append(open_database(pg_url))
        except Exception as exc:  # noqa: BLE001 - collected and shown by the assertion
            errors.append(repr(exc))

    threads = [threading.Thread(target=station) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(engines) == 6
    with engines[0].connect() as conn:
        assert conn.execute(text("SELECT version FROM schema_info")).scalars().all() == [SCHEMA_VERSION]
    for engine in engines:
        engine.dispose()


def test_stations_upgrading_at_once_migrate_once(pg_url, tmp_path):
    import threading

    open_database(pg_url).dispose()
    ran, errors, versions = [], [], []

    def later(eng):
        with eng.begin() as conn:
            conn.execute(text("CREATE TABLE extra_later (x INTEGER)"))  # a second run would fail here
        ran.append(True)

    def station() -> None:
        engine = make_engine(pg_url)
        try:
            versions.append(init_db(engine, migrations={SCHEMA_VERSION: later}, target_version=SCHEMA_VERSION + 1,
                                    backup_dir=tmp_path / "dumps"))
        except Exception as exc:  # noqa: BLE001 - collected and shown by the assertion
            errors.append(repr(exc))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=station) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and versions == [SCHEMA_VERSION + 1] * 4
    assert len(ran) == 1 and len(list((tmp_path / "dumps").glob("*.dump"))) == 1
