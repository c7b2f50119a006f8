"""A role of the private test server that must give a password (scram-sha-256 in pg_hba.conf,
for that role only: the other tests' roles keep trust), and a child-process probe of what a
computing process sees of it (tests/gui/test_results_password.py)."""
from __future__ import annotations

import secrets
import uuid


def password_role(server) -> tuple[str, str, str]:
    """(url without a password, role, password): a new login role owning a new database, which
    the server lets in with its password only."""
    role = f"pw_{uuid.uuid4().hex[:10]}"
    password = f"typed-{secrets.token_hex(8)}"
    server.psql(f"SET password_encryption = 'scram-sha-256'; CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
    server.psql(f'CREATE DATABASE "{role}" OWNER "{role}"')
    hba = server.data_dir / "pg_hba.conf"
    # first match wins: this role's line before the trust lines initdb wrote
    hba.write_text(f"local all {role} scram-sha-256\n" + hba.read_text())
    server.psql("SELECT pg_reload_conf()")
    return server.url(role, role=role), role, password


def probe(target, *, progress, should_cancel) -> tuple[str, bytes, bytes]:
    """In the child (gui.common.processes.run_in_process): the role the child's own engine logs in
    as, and the child's command line and environment as other users of the machine can read them."""
    from sqlalchemy import text

    from db.engine import make_engine

    engine = make_engine(target)
    try:
        with engine.connect() as conn:
            user = conn.execute(text("SELECT current_user")).scalar_one()
    finally:
        engine.dispose()
    with open("/proc/self/cmdline", "rb") as f:
        cmdline = f.read()
    with open("/proc/self/environ", "rb") as f:
        environ = f.read()
    return user, cmdline, environ
