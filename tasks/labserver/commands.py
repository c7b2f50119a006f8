"""The ``lab-grants`` command: the SQL that gives a lab server's station and experimenter
roles their rights (docs/lab-server.md)."""
from __future__ import annotations

import argparse

from tasks.cli import EXIT_OK, CommandContext, CommandError


def cmd_lab_grants(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Print the SQL (run it with psql as the database owner after the schema exists), or with
    ``--db`` connect as the owner, create or upgrade the schema and grant."""
    from sqlmodel import SQLModel

    import db.models  # noqa: F401  (the tables)
    from db.pg import role_grants

    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    if not args.db:
        print(";\n".join(role_grants(args.database, args.station_role, args.experimenter_role, tables)) + ";")
        return EXIT_OK
    # create or upgrade the schema as the owner, then grant on the tables it has
    engine = ctx.open_db(args.db)
    if engine.dialect.name != "postgresql":
        raise CommandError(f"lab-grants --db needs a PostgreSQL URL (roles do not exist in SQLite); got {args.db}")
    with engine.begin() as conn:
        for sql in role_grants(engine.url.database, args.station_role, args.experimenter_role, tables):
            conn.exec_driver_sql(sql)
    print(f"granted: {args.station_role} (station), {args.experimenter_role} (experimenter) on "
          f"{engine.url.database}, schema created or up to date")
    return EXIT_OK
