"""Database set-up: an engine for a SQLite file (default) or any SQLAlchemy URL, the pragmas
that make every committed response durable, the schema version and migrations with a backup.
"""
from __future__ import annotations

import sqlite3
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from sqlalchemy import event, insert, inspect
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlmodel import Session as DbSession, SQLModel, create_engine, select

from db import pg
from db.models import SCHEMA_VERSION, AuditLog, SchemaInfo

APP_DIR_NAME = "star-listening-lab"


class DatabaseFileError(Exception):
    """The database cannot be used: not a database, locked, read-only, newer schema, missing,
    or another program's SQLite file."""


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_DIR_NAME, appauthor=False)) / "star-lab.sqlite3"


def sqlite_url(path: Path) -> URL:
    """The URL of a SQLite file, built from its parts: a path with "?" or "#" in it stays the
    path (as text it would be cut at the query string)."""
    return URL.create("sqlite", database=str(Path(path).expanduser().resolve()))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Python's sqlite3 module (before 3.12) commits DDL on its own and opens transactions only
    # before INSERT/UPDATE/DELETE. Switch that off and let SQLAlchemy's "begin" event issue BEGIN,
    # so that a transaction is really one (schema creation included) - SQLAlchemy's own recipe.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=2000")
    cur.close()


# the password typed at the lab server's prompt, by the engine it was given to (in memory only),
# so that a child process can open its own engine on the same server (connect_target)
_PROMPTED_PASSWORDS: "weakref.WeakKeyDictionary[Engine, str]" = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class ConnectTarget:
    """What a child process needs to open an engine of its own on the same database: the URL and
    the password typed at the prompt, if any. It travels pickled through the multiprocessing
    pipe (memory), never on a command line, in the environment or in a file; its repr hides the
    password."""

    url: str
    password: str | None = field(default=None, repr=False)


def connect_target(engine: Engine) -> ConnectTarget:
    return ConnectTarget(engine.url.render_as_string(hide_password=False), _PROMPTED_PASSWORDS.get(engine))


def make_engine(url_or_path: str | Path | ConnectTarget, create: bool = True, password: str | None = None) -> Engine:
    """An engine for a path (SQLite file, created with its folder unless ``create`` is False:
    then a missing file is refused and nothing is made) or a SQLAlchemy URL. A plain
    postgresql:// URL uses psycopg 3; its ``password`` (from a prompt) goes to the driver, never
    into the URL (PGPASSWORD and ~/.pgpass are read by the driver itself). A ConnectTarget
    brings its own password (connect_target: a child process's engine)."""
    if isinstance(url_or_path, ConnectTarget):
        url_or_path, password = url_or_path.url, password or url_or_path.password
    text = str(url_or_path)
    url: str | URL = text
    if pg.is_server_url(text):
        server = pg.server_url(text)
        # A connection whose cable was pulled must fail within seconds, not after the system's TCP
        # timeout (minutes): keepalives probe an idle connection, tcp_user_timeout bounds how long
        # sent data may stay unacknowledged (libpq parameters, passed through by psycopg).
        args = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
                "keepalives_count": 3, "tcp_user_timeout": 10000}
        if password:
            args["password"] = password
        # pre-ping: a connection the server dropped (restart, network) is replaced, not used
        engine = create_engine(server, connect_args=args, pool_pre_ping=True, pool_size=2, max_overflow=4)
        if password:
            _PROMPTED_PASSWORDS[engine] = password
        return engine
    if "://" not in text:
        path = Path(text).expanduser()
        if path.is_dir():
            raise DatabaseFileError(f"{path} is a folder, not a database file")
        if path.exists() and not path.is_file():  # a FIFO would block, a device be written to
            raise DatabaseFileError(f"{path} is not a regular file (a device or FIFO), not a database file")
        if not create and not path.is_file():
            raise DatabaseFileError(f"no database at {path}: this command only reads an existing database "
                                    "(check the --db path); nothing was created")
        if not create and path.stat().st_size == 0:
            raise DatabaseFileError(f"{path} is an empty file (0 bytes), not a database: this command only reads "
                                    "an existing database; the file was left as it is")
        path.parent.mkdir(parents=True, exist_ok=True)
        url = sqlite_url(path)
    try:
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 2.0}
                               if text.startswith("sqlite") or not isinstance(url, str) else {})
    except ImportError as exc:  # a URL whose driver is not part of the app (mysql://: MySQLdb)
        raise DatabaseFileError(f"{_shown_url(text)}: this kind of database is not supported (its driver "
                                f"{exc.name or 'module'} is not part of the app); use a file or postgresql://") from None
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:  # foo://, a malformed URL
        raise DatabaseFileError(f"{_shown_url(text)}: not a database this app can open ({exc}); use a file "
                                "or postgresql://") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    return engine


def _shown_url(text: str) -> str:
    """A --db URL as a message shows it: its password hidden (when it parses at all)."""
    try:
        return make_url(text).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return text.split("://", 1)[0] + "://..."


def sqlite_file(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return None
    return Path(engine.url.database)


def describe_db_error(engine: Engine, exc: Exception) -> str:
    where = sqlite_file(engine) or engine.url.render_as_string(hide_password=True)
    text = str(getattr(exc, "orig", exc))
    if engine.dialect.name == "postgresql":
        known = pg.describe_server_error(engine.url, text)
        if known:
            return known
    if "file is not a database" in text or "file is encrypted" in text:
        return f"{where} is not a STAR Listening Lab database (not an SQLite file)"
    if "database is locked" in text:
        return f"{where} is locked by another program; close it (or the other app window) and try again"
    if "readonly" in text or "read-only" in text:
        return f"{where} cannot be written (read-only file or folder)"
    if "unable to open" in text:
        return f"{where} cannot be opened (missing folder or no permission)"
    if "disk is full" in text or "No space left" in text:
        return f"the disk holding {where} is full; free some space, nothing already saved is lost"
    return f"database error in {where}: {text}"


def refuse_foreign_sqlite(engine: Engine) -> None:
    """Raise DatabaseFileError when the SQLite file has tables but no schema_info of ours: it
    belongs to another program and is left exactly as it is. The file is opened read-only,
    without the pragmas of our own connections (which would switch it to WAL)."""
    path = sqlite_file(engine)
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = {row[0] for row in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise DatabaseFileError(describe_db_error(engine, exc)) from None
    if names and "schema_info" not in names:
        shown = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
        raise DatabaseFileError(f"{path} is an SQLite database of another program (tables: {shown}; no "
                                "STAR Listening Lab schema version); it was left untouched. Choose another file.")


def _v1_to_v2(engine: Engine) -> None:
    """Schema 2: session.next_position, the cursor on the first unanswered trial. Set to the
    first unanswered position of each session (or past the end when all are answered).
    Idempotent, so that a migration interrupted before the version was written can run again."""
    with engine.begin() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("session")}
        if "next_position" not in columns:
            conn.exec_driver_sql("ALTER TABLE session ADD COLUMN next_position INTEGER NOT NULL DEFAULT 0")
        conn.exec_driver_sql(
            "UPDATE session SET next_position = COALESCE("
            " (SELECT MIN(t.position) FROM planned_trial t WHERE t.session_id = session.id"
            "  AND NOT EXISTS (SELECT 1 FROM response r WHERE r.planned_trial_id = t.id)),"
            " (SELECT COALESCE(MAX(t.position) + 1, 0) FROM planned_trial t WHERE t.session_id = session.id))")


def _v2_to_v3(engine: Engine) -> None:
    """Schema 3: response.paused_ms (0.0) and response.rt_interrupted (false) for the time the
    response clock stood still, planned_trial.withheld_reason (NULL: not withheld). Stored
    responses keep their values; older ones were not measured for pauses, so they read as
    "no pause recorded". Idempotent, as _v1_to_v2."""
    with engine.begin() as conn:
        response = {c["name"] for c in inspect(conn).get_columns("response")}
        if "paused_ms" not in response:
            conn.exec_driver_sql("ALTER TABLE response ADD COLUMN paused_ms FLOAT NOT NULL DEFAULT 0.0")
        if "rt_interrupted" not in response:
            conn.exec_driver_sql("ALTER TABLE response ADD COLUMN rt_interrupted BOOLEAN NOT NULL DEFAULT FALSE")
        planned = {c["name"] for c in inspect(conn).get_columns("planned_trial")}
        if "withheld_reason" not in planned:
            conn.exec_driver_sql("ALTER TABLE planned_trial ADD COLUMN withheld_reason VARCHAR")


def _v4_to_v5_stations(engine: Engine) -> None:
    """Schema 5, many stations on one server: session.station (NULL: this computer), a unique
    index on (study_id, cohort_index) so that two stations can never take the same
    counterbalancing position, and the station table (created by create_all after the
    migrations). A database that already holds two sessions at one position (written by hand or
    by an older import) is refused naming those positions, before anything changes. Idempotent."""
    with engine.begin() as conn:
        twice = conn.exec_driver_sql(
            "SELECT study_id, cohort_index, COUNT(*) FROM session GROUP BY study_id, cohort_index "
            "HAVING COUNT(*) > 1 ORDER BY study_id, cohort_index").all()
        if twice:
            shown = "; ".join(f"study {r[0]} position {r[1]}: {r[2]} sessions" for r in twice[:5])
            raise DatabaseFileError(
                "cannot upgrade to schema 5: some counterbalancing positions are taken by more than one "
                f"session ({shown}); give them distinct cohort_index values first. Nothing was changed.")
        columns = {c["name"] for c in inspect(conn).get_columns("session")}
        if "station" not in columns:
            conn.exec_driver_sql("ALTER TABLE session ADD COLUMN station VARCHAR")
        indexes = {i["name"] for i in inspect(conn).get_indexes("session")}
        if "ix_session_station" not in indexes:
            conn.exec_driver_sql("CREATE INDEX ix_session_station ON session (station)")
        uniques = {u["name"] for u in inspect(conn).get_unique_constraints("session")} | indexes
        if "uq_session_study_cohort" not in uniques:
            conn.exec_driver_sql("CREATE UNIQUE INDEX uq_session_study_cohort ON session (study_id, cohort_index)")


def _v3_to_v4_adaptive(engine: Engine) -> None:
    """Schema 4: the adaptive_block and adaptive_trial tables (threshold blocks). Nothing
    stored changes; creating only what is missing keeps it idempotent, as _v1_to_v2."""
    from db.models import AdaptiveBlock, AdaptiveTrial

    with engine.begin() as conn:
        for model in (AdaptiveBlock, AdaptiveTrial):
            model.__table__.create(conn, checkfirst=True)


def _v5_to_v6(engine: Engine) -> None:
    """Schema 6: calibration.headphone_filter ("" = no equalization). Idempotent, as _v1_to_v2;
    a file without the table gets it whole from create_all after the migrations."""
    with engine.begin() as conn:
        if not inspect(conn).has_table("calibration"):
            return
        if "headphone_filter" not in {c["name"] for c in inspect(conn).get_columns("calibration")}:
            conn.exec_driver_sql("ALTER TABLE calibration ADD COLUMN headphone_filter VARCHAR NOT NULL DEFAULT ''")


def _v6_to_v7_leases(engine: Engine) -> None:
    """Schema 7: session.lease_holder and session.lease_until (NULL: no window holds the
    session; a session left running then reads as interrupted, as before). Idempotent."""
    with engine.begin() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("session")}
        if "lease_holder" not in columns:
            conn.exec_driver_sql("ALTER TABLE session ADD COLUMN lease_holder VARCHAR")
        if "lease_until" not in columns:
            kind = "TIMESTAMP WITH TIME ZONE" if engine.dialect.name == "postgresql" else "DATETIME"
            conn.exec_driver_sql(f"ALTER TABLE session ADD COLUMN lease_until {kind}")


Migration = Callable[[Engine], None]
# version -> function that upgrades a database of that version to version + 1
MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4_adaptive, 4: _v4_to_v5_stations,
                                   5: _v5_to_v6, 6: _v6_to_v7_leases}


def backup_before_migration(engine: Engine, version: int, backup_dir: Path | None,
                            password: str | None = None) -> Path | None:
    """SQLite: an online copy beside the file. PostgreSQL: pg_dump into ``backup_dir`` (default:
    the app's data folder), or DatabaseFileError with the exact command to run first."""
    if engine.dialect.name == "postgresql":
        folder = backup_dir if backup_dir is not None else default_db_path().parent / "server-backups"
        try:
            return pg.backup_server(engine, folder, f"v{version}", password)
        except pg.BackupRefused as exc:
            raise DatabaseFileError(str(exc)) from None
    return backup_sqlite(engine, f"v{version}")


def backup_sqlite(engine: Engine, suffix: str) -> Path | None:
    """Copy the database file with SQLite's online backup (consistent even in WAL mode)."""
    path = sqlite_file(engine)
    if path is None:
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.{suffix}.{stamp}.bak{path.suffix}")
    src = sqlite3.connect(str(path))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


@contextmanager
def _one_migrator(engine: Engine):
    """On a server: one migration at a time (a session-level advisory lock held on a connection
    of its own while the migrations run in their transactions). A file needs none: one computer."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({pg.SCHEMA_LOCK_KEY})")
        conn.commit()
        try:
            yield
        finally:
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({pg.SCHEMA_LOCK_KEY})")
            conn.commit()


def init_db(engine: Engine, migrations: Mapping[int, Migration] | None = None,
            target_version: int = SCHEMA_VERSION, backup_dir: Path | None = None,
            password: str | None = None) -> int:
    """Create or upgrade the schema; return the version now in force. Before any migration the
    file is backed up next to itself (a PostgreSQL database: pg_dump into ``backup_dir``).
    Raises DatabaseFileError with a clear message."""
    migrations = MIGRATIONS if migrations is None else migrations
    refuse_foreign_sqlite(engine)
    try:
        has_schema = inspect(engine).has_table("schema_info")
        if not has_schema:
            # one transaction: a crash here leaves either no schema or a whole one
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    # stations starting at once against a new database: one creates, the others wait
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({pg.SCHEMA_LOCK_KEY})")
                    has_schema = inspect(conn).has_table("schema_info")
                if not has_schema:
                    SQLModel.metadata.create_all(conn)
                    conn.execute(insert(SchemaInfo).values(id=1, version=target_version))
                    return target_version
        with DbSession(engine) as s:
            info = s.exec(select(SchemaInfo)).first()
        if info is None:  # a creation that an older version of the app left half done
            with engine.begin() as conn:
                SQLModel.metadata.create_all(conn)
                conn.execute(insert(SchemaInfo).values(id=1, version=target_version))
            return target_version
        version = info.version
        if isinstance(version, bool) or not isinstance(version, int):
            raise DatabaseFileError(
                f"{sqlite_file(engine) or pg.shown(engine.url)}: its schema version (schema_info.version) is "
                f"{version!r}, not a version number; the database was left untouched")
        if version > target_version:
            raise DatabaseFileError(
                f"{sqlite_file(engine) or pg.shown(engine.url)} was written by a newer version of the app "
                f"(schema {version}, this app knows {target_version}); update the app")
        if version < target_version:
            with _one_migrator(engine):
                with DbSession(engine) as s:  # again: another station may have migrated meanwhile
                    version = s.exec(select(SchemaInfo)).one().version
                if version >= target_version:
                    return version
                backup = backup_before_migration(engine, version, backup_dir, password)
                while version < target_version:
                    if version not in migrations:
                        raise DatabaseFileError(f"no migration from schema version {version}")
                    migrations[version](engine)
                    version += 1
                SQLModel.metadata.create_all(engine)  # tables new in this version
                with DbSession(engine) as s:
                    info = s.exec(select(SchemaInfo)).one()
                    info.version = version
                    s.add(info)
                    s.add(AuditLog(event="migrated", detail=f"to schema {version}; backup {backup}"))
                    s.commit()
        return version
    except (OperationalError, DatabaseError) as exc:
        raise DatabaseFileError(describe_db_error(engine, exc)) from None


def check_intact(engine: Engine) -> None:
    """Raise DatabaseFileError when an SQLite file is damaged (PRAGMA quick_check: garbage in
    its pages, "database disk image is malformed"): found before anything is read from it or
    written, not halfway through an export."""
    path = sqlite_file(engine)
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return
    try:  # read-only and without our pragmas, as refuse_foreign_sqlite: another program's file stays as it is
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            verdict = str(con.execute("PRAGMA quick_check(1)").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error as exc:
        text = str(exc)
        if "not a database" in text or "encrypted" in text or "locked" in text or "unable to open" in text:
            raise DatabaseFileError(describe_db_error(engine, exc)) from None
        raise DatabaseFileError(f"{path} is damaged and cannot be read ({text}); it was left as it is: "
                                "restore it from a backup") from None
    if verdict != "ok":
        first = next((line for line in verdict.splitlines() if line.strip() and not line.startswith("***")), verdict)
        raise DatabaseFileError(f"{path} is damaged (SQLite finds: {first[:120]}); nothing was read from it or "
                                "written: restore it from a backup")


def check_schema(engine: Engine) -> None:
    """Raise DatabaseFileError naming the first table or column of this schema version that the
    database lacks (dropped by hand, or a file of another build): refused before any command
    reads a row, rather than failing halfway."""
    where = sqlite_file(engine) or pg.shown(engine.url)
    try:
        found = inspect(engine)
        tables = set(found.get_table_names())
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in tables:
                raise DatabaseFileError(f"{where}: the table {table.name} is missing (the file was changed outside "
                                        "the app?); it was left untouched")
            columns = {c["name"] for c in found.get_columns(table.name)}
            lacking = [c.name for c in table.columns if c.name not in columns]
            if lacking:
                raise DatabaseFileError(f"{where}: the table {table.name} lacks the column(s) {', '.join(lacking)} "
                                        "(the file was changed outside the app?); it was left untouched")
    except (OperationalError, DatabaseError) as exc:
        raise DatabaseFileError(describe_db_error(engine, exc)) from None


def open_database(url_or_path: str | Path | ConnectTarget, create: bool = True,
                  password: str | None = None) -> Engine:
    """make_engine + init_db, with clear errors. With ``create`` False a missing or empty SQLite
    file is refused (commands that only read must not make a database from a mistyped path). A
    damaged file, or one that lacks a table or column of the schema, is refused before use."""
    if isinstance(url_or_path, ConnectTarget):
        password = password or url_or_path.password
    engine = make_engine(url_or_path, create=create, password=password)
    check_intact(engine)
    init_db(engine, password=password)
    check_schema(engine)
    return engine
