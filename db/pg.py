"""PostgreSQL specifics of a lab server: the driver a plain postgresql:// URL selects, how a
server URL is shown (never with its password), the backup taken before a migration, and the
two roles of a lab (station, experimenter).

The password never travels in a URL the app keeps: it comes from PGPASSWORD, ~/.pgpass (both
read by libpq itself) or a prompt, and is handed to the driver as a connection argument.
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import weakref
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL, Engine, make_url

DRIVER = "postgresql+psycopg"
# set to the path of a dump made by hand (the command the refusal names) to migrate without pg_dump here
BACKUP_DONE_ENV = "STAR_LAB_PG_BACKUP"
# advisory lock keys (pg_advisory_xact_lock): schema creation; a study's enrolment (key, study id)
SCHEMA_LOCK_KEY = 5_317_004
ENROL_LOCK_KEY = 5_317_005


class BackupRefused(Exception):
    """A migration needs a backup first and none could be made here; the message names the command."""


def server_url(text: str) -> URL:
    """A postgresql:// URL with psycopg 3 as its driver (SQLAlchemy's default would be psycopg2)."""
    url = make_url(text)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername=DRIVER)
    return url


def is_server_url(text: str) -> bool:
    return text.split("://", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")


def shown(url: URL) -> str:
    """The URL as messages, logs and exports show it: the password as ***."""
    return url.render_as_string(hide_password=True)


def libpq_url(url: URL) -> str:
    """The URL as libpq tools (pg_dump, psql) take it, without a password (it goes through PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def pg_dump_path() -> str | None:
    """pg_dump on PATH (Debian's wrapper picks the right major version), else the newest in
    /usr/lib/postgresql/<major>/bin."""
    found = shutil.which("pg_dump")
    if found:
        return found
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), key=lambda p: int(p.split("/")[4]))
    return versions[-1] if versions else None


def dump_command(url: URL, target: Path, pg_dump: str = "pg_dump") -> list[str]:
    return [pg_dump, "--format=custom", f"--file={target}", f"--dbname={libpq_url(url)}"]


def backup_server(engine: Engine, backup_dir: Path, suffix: str, password: str | None = None) -> Path:
    """A pg_dump (custom format) of the database into ``backup_dir``; BackupRefused with the exact
    command to run first when pg_dump is missing or fails (unless STAR_LAB_PG_BACKUP names a
    dump that exists: then that one counts)."""
    url = engine.url
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = Path(backup_dir) / f"{url.database}.{suffix}.{stamp}.dump"
    made = os.environ.get(BACKUP_DONE_ENV)
    if made and Path(made).is_file() and Path(made).stat().st_size > 0:
        return Path(made)
    pg_dump = pg_dump_path()
    command = " ".join(dump_command(url, target))
    how = (f"back the database up first with:\n  {command}\nthen run again with {BACKUP_DONE_ENV}={target}; "
           "nothing was changed")
    if pg_dump is None:
        raise BackupRefused(f"{shown(url)} needs a migration ({suffix} -> newer) and pg_dump is not installed "
                            f"here (apt-get install postgresql-client); {how}")
    Path(backup_dir).mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password
    done = subprocess.run(dump_command(url, target, pg_dump), capture_output=True, text=True, env=env)
    if done.returncode != 0 or not target.is_file():
        raise BackupRefused(f"pg_dump of {shown(url)} failed ({done.stderr.strip()[-300:]}); {how}")
    return target


def describe_server_error(url: URL, text: str) -> str | None:
    """A clear sentence for a lab-server error, or None when it is not one of the known kinds."""
    where = shown(url)
    low = text.lower()
    # first: psycopg 3 says "connection failed: ... fe_sendauth: no password supplied" of a login
    # refused for its password, which is no network trouble (and main.py's prompt answers it)
    if "password authentication failed" in low or "no password supplied" in low:
        return (f"the lab server {where} refused the login (wrong or missing password: set PGPASSWORD, "
                "~/.pgpass or answer the prompt)")
    if "connection refused" in low or "could not connect" in low or "no such file or directory" in low \
            or "server closed the connection" in low or "connection timed out" in low \
            or "terminating connection" in low or "the database system is" in low or "connection is lost" in low \
            or "consuming input failed" in low or "connection failed" in low:
        return f"the lab server {where} cannot be reached (network or server down)"
    if "permission denied" in low or "must be owner" in low or "row-level security" in low:
        return f"the lab server {where} refused this for the role {url.username!r}: {text.strip().splitlines()[0]}"
    if "does not exist" in low and "database" in low:
        return f"the lab server has no database {url.database!r} ({where}); create it first (docs/lab-server.md)"
    return None


# -- roles ------------------------------------------------------------------------------------
# What the station role may do, column by column, and its row-level security: db/pg_policies.py

# A role name the grants accept: PostgreSQL's own rule for an unquoted identifier (a letter or _,
# then letters, digits, _ or $; at most 63 bytes), lower case so that it means the same quoted or not.
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_$]{0,62}")


class RoleNameError(ValueError):
    """A role name lab-grants refuses; the message names it and says what is allowed."""


def role_name_problem(name: str) -> str | None:
    if ROLE_NAME.fullmatch(name or ""):
        return None
    return (f"{name!r} is not a role name lab-grants accepts: use lower-case letters, digits and _ "
            "(starting with a letter or _), at most 63 characters")


def quoted(identifier: str) -> str:
    """An identifier quoted as PostgreSQL reads it (psycopg's sql.Identifier: embedded quotes doubled)."""
    from psycopg import sql  # here: psycopg is needed only with a lab server

    return sql.Identifier(identifier).as_string()


# engine -> the station its login role is bound to, as the server answered (once per engine:
# the console asks at every session start, simulate twice at its start)
_BOUND: "weakref.WeakKeyDictionary[Engine, str | None]" = weakref.WeakKeyDictionary()


def bound_station(engine: Engine) -> str | None:
    """The station the connection's login role is bound to (lab-grants --bind), or None: not
    bound, no bindings on this server (lab-grants not run yet), or the server not reachable.
    The server's answer is kept for the engine's life (a binding changed meanwhile counts from
    the program's next start); an unreachable server is asked again next time."""
    from sqlalchemy.exc import DBAPIError

    if engine in _BOUND:
        return _BOUND[engine]
    try:
        with engine.connect() as conn:
            bound = conn.exec_driver_sql("SELECT public.lab_station()").scalar()
    except DBAPIError:
        return None
    _BOUND[engine] = bound
    return bound


def literal(value: str) -> str:
    """A string literal as PostgreSQL reads it (psycopg's sql.Literal)."""
    from psycopg import sql  # here: psycopg is needed only with a lab server

    return sql.Literal(value).as_string()


def role_grants(database: str, station_role: str, experimenter_role: str, tables: list[str],
                binds: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """The SQL (run by the database owner after the schema exists) that gives the station group
    role exactly what a station needs (db/pg_policies.py: column privileges, no DELETE, no
    UPDATE of responses, row-level security keeping each station to its own sessions) and the
    experimenter role all of it (migrations need the owner: make the experimenter the owner of
    the database and tables); ``binds``: (login role, station name) pairs, each login role (a
    member of the station role) bound to its station. Idempotent. Every name is quoted as
    an identifier or a literal; role names must also pass role_name_problem (RoleNameError),
    so that a name can never be read as SQL."""
    from db.pg_policies import bind_station, station_privileges

    for role in (station_role, experimenter_role, *(login for login, _ in binds)):
        problem = role_name_problem(role)
        if problem:
            raise RoleNameError(problem)
    station, experimenter = quoted(station_role), quoted(experimenter_role)
    sql = [f"GRANT CONNECT ON DATABASE {quoted(database)} TO {station}, {experimenter}",
           f"GRANT USAGE ON SCHEMA public TO {station}, {experimenter}"]
    for table in tables:
        sql.append(f"GRANT ALL ON {quoted(table)} TO {experimenter}")
    sql.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {experimenter}")
    sql += station_privileges(station, experimenter, tables, quoted)
    for login, name in binds:
        sql += bind_station(login, name, literal)
    return sql
