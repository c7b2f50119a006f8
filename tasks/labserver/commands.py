"""The ``lab-grants`` command: the SQL that gives a lab server's station and experimenter
roles their rights (docs/lab-server.md)."""
from __future__ import annotations

import argparse

from tasks.cli import EXIT_OK, EXIT_USAGE, CommandContext, CommandError


def _binds(pairs: list[str]) -> tuple[tuple[str, str], ...]:
    """--bind ROLE=STATION, each checked (role: db.pg.role_name_problem at grant time; station:
    the rule station names follow)."""
    from tasks.labserver.names import station_problem

    binds = []
    for pair in pairs:
        role, sep, name = pair.partition("=")
        if not sep:
            raise CommandError(f"--bind {pair!r}: give ROLE=STATION (e.g. booth2_login=booth2)", EXIT_USAGE)
        problem = station_problem(name)
        if problem:
            raise CommandError(f"--bind {pair!r}: {problem}", EXIT_USAGE)
        binds.append((role, name))
    return tuple(binds)


def cmd_lab_grants(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Print the SQL (run it with psql as the database owner after the schema exists), or with
    ``--db`` connect as the owner, create or upgrade the schema and grant."""
    from sqlmodel import SQLModel

    import db.models  # noqa: F401  (the tables)
    from db.pg import role_grants

    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    binds = _binds(args.bind)
    if not args.db:
        print(";\n".join(role_grants(args.database, args.station_role, args.experimenter_role, tables, binds)) + ";")
        return EXIT_OK
    # create or upgrade the schema as the owner, then grant on the tables it has
    engine = ctx.open_db(args.db)
    if engine.dialect.name != "postgresql":
        raise CommandError(f"lab-grants --db needs a PostgreSQL URL (roles do not exist in SQLite); got {args.db}")
    with engine.begin() as conn:
        for login, _name in binds:
            member = conn.exec_driver_sql(
                "SELECT pg_has_role(r.oid, s.oid, 'MEMBER') FROM pg_roles r, pg_roles s "
                "WHERE r.rolname = %(login)s AND s.rolname = %(station)s",
                {"login": login, "station": args.station_role}).scalar()
            if not member:
                raise CommandError(f"--bind {login}: the login role {login!r} does not exist or is not a member of "
                                   f"{args.station_role!r}; create it as the server's administrator with "
                                   f"createuser --pwprompt --role {args.station_role} {login}")
        for sql in role_grants(engine.url.database, args.station_role, args.experimenter_role, tables, binds):
            conn.exec_driver_sql(sql)
    bound = "".join(f"; {role} is station {name}" for role, name in binds)
    print(f"granted: {args.station_role} (station), {args.experimenter_role} (experimenter) on "
          f"{engine.url.database}, schema created or up to date{bound}")
    return EXIT_OK


def cmd_lab_journal(args: argparse.Namespace, ctx: CommandContext) -> int:
    """What a station's journal holds: answers waiting, conflicts, and the quarantined entries
    with their reasons (docs/lab-server.md, "A damaged journal")."""
    from db.outbox import Outbox, default_outbox_path
    from tasks.dataset.paths import path_component
    from tasks.labserver.names import station_problem

    if args.outbox is None:
        if not args.station:
            raise CommandError("lab-journal needs --station NAME or --outbox FILE", EXIT_USAGE)
        if station_problem(args.station):
            raise CommandError(station_problem(args.station), EXIT_USAGE)
        args.outbox = default_outbox_path(ctx.data_dir(), path_component(args.station))
    if not args.outbox.is_file():
        raise CommandError(f"no journal at {args.outbox}")
    outbox = Outbox(args.outbox)
    try:
        if outbox.opened_note:
            print(outbox.opened_note)
        quarantined = outbox.quarantined()
        adaptive = outbox.adaptive_conflicts()
        print(f"{args.outbox}: {outbox.count()} entries waiting (answers, withheld and adaptive trials), "
              f"{outbox.count('delivered')} delivered, "
              f"{len(outbox.conflicts()) + len(adaptive)} conflicts, {len(quarantined)} quarantined")
        for planned_trial_id, note in outbox.conflicts():
            print(f"conflict: planned trial {planned_trial_id}: {note}")
        for session_id, dimension, trial_index, note in adaptive:
            print(f"conflict: session {session_id}, adaptive {dimension} trial {trial_index}: {note}")
        for entry_id, at, planned_trial_id, session_id, reason in quarantined:
            print(f"quarantined #{entry_id} at {at}: planned trial {planned_trial_id!r}, session {session_id!r}: "
                  f"{reason}")
    finally:
        outbox.close()
    return EXIT_OK
