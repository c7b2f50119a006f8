"""The ``simulate`` command: simulated participants through plan, answers and storage, on one
computer or as a station of a lab server."""
from __future__ import annotations

import argparse
import sys

from tasks.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CommandContext, CommandError

MAX_PARTICIPANTS = 10_000
MAX_ADAPTIVE_TRIALS = 1_000  # per adaptive block; a real block ends well before
MAX_SEED = 2**63 - 1  # the seeds numpy and the database hold as 64-bit integers
# option -> (smallest, largest) accepted value
LIMITS = {"participants": (1, MAX_PARTICIPANTS), "adaptive_trials": (1, MAX_ADAPTIVE_TRIALS), "seed": (0, MAX_SEED),
          "practice": (0, 1_000), "catch_every": (0, 1_000_000), "min_run_spacing": (0, 1_000),
          "items_per_group": (1, 1_000_000), "batch": (1, 1_000_000)}


def limits_problem(args: argparse.Namespace) -> str | None:
    """The first option of ``args`` outside its LIMITS, named with its range; None when all fit."""
    for key, (low, high) in LIMITS.items():
        value = getattr(args, key, None)
        if value is not None and not low <= value <= high:
            return f"--{key.replace('_', '-')} {value}: use a whole number from {low} to {high}"
    for key in ("delay_ms", "wait_s"):
        value = getattr(args, key, None)
        if value is not None and not 0 <= value <= 86_400_000:  # also refuses nan
            return f"--{key.replace('_', '-')} {value}: use a number from 0 to 86400000"
    return None


def cmd_simulate(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Checks every input before the database is opened: a mistake creates no database file."""
    from tasks.bank.build import builtin_bank_for
    from tasks.dataset.loader import load_dataset
    from tasks.simulation.observers import Observer, parse_thresholds
    from tasks.simulation.simulate import simulate
    from tasks.study.plan import Protocol

    if limits_problem(args):
        raise CommandError(limits_problem(args), EXIT_USAGE)
    if args.participants is None and args.design != "cover":
        raise CommandError("--participants until-covered needs --design cover", EXIT_USAGE)
    if args.station:
        from tasks.labserver.names import station_problem

        if station_problem(args.station):
            raise CommandError(station_problem(args.station), EXIT_USAGE)
    dataset = load_dataset(args.dataset or builtin_bank_for(ctx.data_dir()), check_audio=False)
    adaptive = [d.strip() for d in (args.adaptive or "").split(",") if d.strip()]
    protocol = Protocol(mode=args.protocol, variants=args.variants, items_per_group=args.items_per_group,
                        practice_per_block=args.practice, catch_every=args.catch_every, seed=args.seed,
                        min_run_spacing=args.min_run_spacing, adaptive_dimensions=adaptive,
                        adaptive_procedure=args.adaptive_procedure, adaptive_max_trials=args.adaptive_trials,
                        **_design_fields(args))
    observer = Observer(args.observer)
    if args.observer_threshold and not adaptive:
        print("--observer-threshold sets thresholds for adaptive blocks and changes no answer without them: "
              "add --adaptive DIMENSION[,...] or leave it out", file=sys.stderr)
        return EXIT_USAGE
    if adaptive:
        if args.observer != "psychometric":
            print("--adaptive needs --observer psychometric (with --observer-threshold DIMENSION=VALUE)",
                  file=sys.stderr)
            return EXIT_USAGE
        try:
            observer = Observer(args.observer, adaptive_thresholds=parse_thresholds(args.observer_threshold))
            observer.check_adaptive(adaptive)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return EXIT_USAGE
    engine = ctx.open_db(args.db)

    def committed(code: str, position: int) -> None:
        if args.print_commits:
            print(f"committed {code} {position}", flush=True)

    if not args.station and engine.dialect.name == "postgresql":
        from db.pg import bound_station

        # a station's login role (lab-grants --bind) writes only its own station's sessions: it
        # simulates as that station, as the console does without --station
        args.station = bound_station(engine)
    if args.station:
        return _simulate_station(args, ctx, engine, dataset, protocol, committed)
    if protocol.design == "cover":
        return _simulate_cover(args, ctx, engine, dataset, protocol, observer, committed)
    study = simulate(engine, dataset, protocol, args.participants, observer, ctx.app_version,
                     study_name=args.study, delay_s=args.delay_ms / 1000.0,
                     on_commit=committed if args.print_commits else None, batch_answers=args.batch)
    print(f"study {study.name!r}: {args.participants} simulated participants complete in {engine.url.database}")
    return EXIT_OK


def _design_fields(args: argparse.Namespace) -> dict:
    """The protocol's design fields, checked by Protocol (a bad value is a usage error there)."""
    if args.design != "cover":
        return {}
    return {"design": "cover", "responses_per_run": args.responses_per_run, "session_minutes": args.session_minutes}


def _simulate_cover(args: argparse.Namespace, ctx: CommandContext, engine, dataset, protocol, observer,
                    committed) -> int:
    import time

    from tasks.simulation.simulate import simulate_cover

    start = time.perf_counter()
    study, n, covered = simulate_cover(engine, dataset, protocol, args.participants, observer, ctx.app_version,
                                       study_name=args.study, delay_s=args.delay_ms / 1000.0,
                                       on_commit=committed if args.print_commits else None, batch_answers=args.batch)
    state = (f"covered: every run has {protocol.responses_per_run} answers" if covered
             else "not yet covered")
    print(f"study {study.name!r}: {n} simulated participants with a share, {state} "
          f"({time.perf_counter() - start:.1f} s) in {engine.url.database}")
    return EXIT_OK


def _simulate_station(args: argparse.Namespace, ctx: CommandContext, engine, dataset, protocol, committed) -> int:
    from db.outbox import Outbox, default_outbox_path
    from tasks.dataset.paths import path_component
    from tasks.labserver.station import simulate_station, station_name
    from tasks.simulation.observers import Observer
    from tasks.simulation.simulate import simulation_study_name

    from tasks.labserver.station_lock import StationBusyError, StationLock
    from db.repo import AlreadyAnswered

    station_name(engine, args.station)  # refused in one line when the login role is another station
    observer = Observer(args.observer)
    journal = args.outbox or default_outbox_path(ctx.data_dir(), path_component(args.station))
    lock = StationLock(journal, args.station)
    try:
        lock.acquire()
    except StationBusyError as exc:
        raise CommandError(str(exc), EXIT_PROBLEMS) from None
    outbox = Outbox(journal)
    if outbox.opened_note:
        print(f"station {args.station}: {outbox.opened_note}", file=sys.stderr, flush=True)

    def state(name: str, pending: int) -> None:
        print(f"station {args.station}: {name} ({pending} answers in the journal)", file=sys.stderr, flush=True)

    try:
        study = simulate_station(engine, dataset, protocol, args.participants, observer, ctx.app_version,
                                 args.station, outbox, args.study or simulation_study_name(observer, protocol),
                                 delay_s=args.delay_ms / 1000.0, on_commit=committed if args.print_commits else None,
                                 wait_s=args.wait_s, on_state=state)
        note = outbox.status_note()
    except AlreadyAnswered as exc:
        raise CommandError(f"station {args.station!r}: {exc} by another process running as the same station (on "
                           "another computer or with another --outbox); this one stopped, every answer stored so "
                           "far is kept. Give each process its own --station NAME", EXIT_PROBLEMS) from None
    finally:
        outbox.close()
        lock.release()
    count = "until-covered" if args.participants is None else args.participants
    print(f"study {study.name!r}: station {args.station} finished its {count} simulated participants"
          + (f"; {note}" if note else ""))
    return EXIT_OK
