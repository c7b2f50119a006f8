"""STAR Listening Lab: the command line and the one place where objects are built and wired."""
from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

APP_NAME = "STAR Listening Lab"
APP_VERSION = "0.1.0"

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _fail(message: str, code: int = EXIT_PROBLEMS) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def cmd_validate(args: argparse.Namespace) -> int:
    from tasks.dataset.items import printable
    from tasks.dataset.loader import NotADatasetError, format_report, load_dataset

    try:
        ds = load_dataset(args.dataset, check_audio=False if args.no_audio else "full")
    except NotADatasetError as exc:
        return _fail(printable(exc), EXIT_USAGE)
    print(format_report(ds))
    return EXIT_PROBLEMS if ds.problems else EXIT_OK


def cmd_runs(args: argparse.Namespace) -> int:
    from tasks.dataset.items import VARIANT_SOURCE, printable
    from tasks.dataset.loader import NotADatasetError, load_dataset
    from tasks.dataset.runs import RunError, expand_runs, format_run

    source = VARIANT_SOURCE[args.alias]
    try:
        ds = load_dataset(args.dataset, aliases=[source], check_audio=False)
    except NotADatasetError as exc:
        return _fail(printable(exc), EXIT_USAGE)
    try:
        item = ds.item(source, args.id)
    except KeyError:
        reasons = [str(p) for s in ds.set_aside if s.alias == source and s.item_id == args.id for p in s.reasons]
        detail = ("; set aside: " + "; ".join(reasons)) if reasons else ""
        return _fail(printable(f"no valid {source} item with id {args.id!r} in {ds.root}{detail}"))
    try:
        runs = expand_runs(item, args.alias)
    except (RunError, ValueError) as exc:
        return _fail(printable(f"item {args.id!r} cannot be shown as {args.alias}: {exc}"))
    print("\n\n".join(format_run(r) for r in runs))
    return EXIT_OK


def _open_db(path_or_url, create: bool = True):
    """The database; commands that only read pass create=False, so that a mistyped --db is
    refused instead of becoming a new empty database."""
    from db.engine import DatabaseFileError, default_db_path, open_database

    target = path_or_url or default_db_path()
    try:
        return open_database(target, create=create)
    except DatabaseFileError as exc:
        # a lab server that wants a password not found in PGPASSWORD or ~/.pgpass: ask for it
        # (it goes to the driver only, never into a URL, message or file)
        if "refused the login" not in str(exc) or not sys.stdin.isatty():
            raise
        import getpass

        return open_database(target, create=create, password=getpass.getpass("lab server password: "))


def data_dir() -> Path:
    from db.engine import default_db_path

    return default_db_path().parent


def builtin_bank_path(progress=None, should_cancel=None, settings=None) -> Path:
    """The built-in small bank in the user data folder, generated on first use; rendered as
    the station settings ``bank_renderer`` / ``bank_hrtf_file`` say when ``settings`` is given."""
    from tasks.bank import BankConfig, ensure_builtin_bank

    config = BankConfig()
    if settings is not None:
        config = BankConfig(renderer=settings.get("bank_renderer"), hrtf_path=settings.get("bank_hrtf_file") or "")
    return ensure_builtin_bank(data_dir(), seed=0, progress=progress, config=config)


def cmd_devices(args: argparse.Namespace) -> int:
    from audio.devices import AudioBackendError, format_device_list

    try:
        print(format_device_list())
    except AudioBackendError as exc:
        return _fail(str(exc))
    return EXIT_OK


def cmd_generate_bank(args: argparse.Namespace) -> int:
    from audio.hrtf import HrtfError
    from tasks.bank import BankConfig, generate_bank

    def progress(done: int, total: int, label: str) -> None:
        print(f"\r{done}/{total} {label[:60]:60}", end="", file=sys.stderr, flush=True)

    try:
        config = BankConfig(renderer=args.renderer, hrtf_path=str(args.hrtf or ""))
        summary = generate_bank(args.out, seed=args.seed, scale=args.scale, progress=progress, config=config)
    except (HrtfError, ValueError, FileExistsError) as exc:
        print(file=sys.stderr)
        return _fail(f"generate-bank: {exc}")
    print(file=sys.stderr)
    counts = ", ".join(f"{a}: {n}" for a, n in summary.counts.items())
    print(f"bank written to {summary.root}: {counts} items, {summary.n_audio_files} audio files"
          + (f", {summary.n_capped} levels capped below 0 dBFS" if summary.n_capped else ""))
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    from tasks.dataset.loader import load_dataset
    from tasks.simulation.observers import Observer, PsychometricObserver, parse_thresholds
    from tasks.study.plan import Protocol
    from tasks.simulation.simulate import simulate

    if args.station:
        from tasks.labserver.station import station_problem

        if station_problem(args.station):
            return _fail(station_problem(args.station), EXIT_USAGE)
    dataset = load_dataset(args.dataset or builtin_bank_path(), check_audio=False)
    adaptive = [d.strip() for d in (args.adaptive or "").split(",") if d.strip()]
    protocol = Protocol(mode=args.protocol, variants=args.variants, items_per_group=args.items_per_group,
                        practice_per_block=args.practice, catch_every=args.catch_every, seed=args.seed,
                        min_run_spacing=args.min_run_spacing, adaptive_dimensions=adaptive,
                        adaptive_procedure=args.adaptive_procedure, adaptive_max_trials=args.adaptive_trials)
    adaptive_observer = None
    if adaptive:
        if args.observer != "psychometric":
            print("--adaptive needs --observer psychometric (with --observer-threshold DIMENSION=VALUE)",
                  file=sys.stderr)
            return EXIT_USAGE
        try:
            adaptive_observer = PsychometricObserver(parse_thresholds(args.observer_threshold))
            for name in adaptive:
                adaptive_observer.threshold(name)
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return EXIT_USAGE
    engine = _open_db(args.db)

    def committed(code: str, position: int) -> None:
        if args.print_commits:
            print(f"committed {code} {position}", flush=True)

    if args.station:
        return _simulate_station(args, engine, dataset, protocol, committed)
    study = simulate(engine, dataset, protocol, args.participants, Observer(args.observer), APP_VERSION,
                     study_name=args.study, delay_s=args.delay_ms / 1000.0,
                     on_commit=committed if args.print_commits else None, batch_answers=args.batch,
                     adaptive_observer=adaptive_observer)
    print(f"study {study.name!r}: {args.participants} simulated participants complete in {engine.url.database}")
    return EXIT_OK


def _simulate_station(args: argparse.Namespace, engine, dataset, protocol, committed) -> int:
    from db.outbox import Outbox, default_outbox_path
    from tasks.simulation.observers import Observer
    from tasks.simulation.simulate import simulation_study_name
    from tasks.labserver.station import simulate_station

    observer = Observer(args.observer)
    outbox = Outbox(args.outbox or default_outbox_path(data_dir(), args.station))

    def state(name: str, pending: int) -> None:
        print(f"station {args.station}: {name} ({pending} answers in the journal)", file=sys.stderr, flush=True)

    try:
        study = simulate_station(engine, dataset, protocol, args.participants, observer, APP_VERSION, args.station,
                                 outbox, args.study or simulation_study_name(observer, protocol),
                                 delay_s=args.delay_ms / 1000.0, on_commit=committed if args.print_commits else None,
                                 wait_s=args.wait_s, on_state=state)
    finally:
        outbox.close()
    print(f"study {study.name!r}: station {args.station} finished its {args.participants} simulated participants")
    return EXIT_OK


def cmd_lab_grants(args: argparse.Namespace) -> int:
    """Print the SQL that gives a lab server's station and experimenter roles their rights
    (docs/lab-server.md); run it with psql as the database owner after the schema exists."""
    from sqlmodel import SQLModel

    import db.models  # noqa: F401  (the tables)
    from db.pg import role_grants

    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    if not args.db:
        print(";\n".join(role_grants(args.database, args.station_role, args.experimenter_role, tables)) + ";")
        return EXIT_OK
    # create or upgrade the schema as the owner, then grant on the tables it has
    engine = _open_db(args.db)
    if engine.dialect.name != "postgresql":
        return _fail(f"lab-grants --db needs a PostgreSQL URL (roles do not exist in SQLite); got {args.db}")
    with engine.begin() as conn:
        for sql in role_grants(engine.url.database, args.station_role, args.experimenter_role, tables):
            conn.exec_driver_sql(sql)
    print(f"granted: {args.station_role} (station), {args.experimenter_role} (experimenter) on "
          f"{engine.url.database}, schema created or up to date")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from tasks.results.export import export

    result = export(_open_db(args.db, create=False), args.out, APP_VERSION, study_name=args.study, majority=True)
    print(f"exported {result.responses} responses of {result.participants} participants: "
          f"{len(result.files)} files in {result.out_dir}")
    for study, attenuation in result.attenuation.items():
        print(f"  {study}: {attenuation.describe()}")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from tasks.results.compare import read_models, write_compare
    from sqlmodel import Session as DbSession

    from db import repo
    from tasks.results.compare_input import collect_human_inputs
    from tasks.model_results import known_items_of

    db = _open_db(args.db, create=False)
    known = None
    if args.models:
        with DbSession(db) as s:
            roots = [st.dataset_root for st in repo.list_studies(s) if args.study in (None, st.name)]
        known, note = known_items_of(roots)
        if note:
            print(f"note: {note}", file=sys.stderr)
    models = read_models(args.models, known) if args.models else []
    files = write_compare(args.out, collect_human_inputs(db, args.study), models)
    for m in models:
        for w in m.warnings:
            print(f"warning: {w}", file=sys.stderr)
    print(files[0].read_text(encoding="utf-8"))
    print("written: " + ", ".join(str(f) for f in files))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from tasks.analysis.report import write_report

    summary = write_report(_open_db(args.db, create=False), args.out, models_dir=args.models, study_name=args.study,
                           exclude_failed_screening=args.exclude_failed_screening, seed=args.seed,
                           n_bootstrap=args.bootstrap, item_params=args.item_params)
    for w in summary.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"report on study {summary.study}: {summary.participants} participants, {summary.responses} answers"
          + (f", {len(summary.excluded)} excluded for failed screening" if summary.excluded else "")
          + f"; {len(summary.files)} files in {summary.out_dir} ({summary.seconds:.1f} s)")
    return EXIT_OK


def cmd_plan_power(args: argparse.Namespace) -> int:
    from tasks.analysis.power import Population, PowerError, plan_power, write_power
    from tasks.analysis.responses import load_responses, pick_study
    from tasks.dataset.loader import load_dataset

    try:
        sizes = [int(v) for v in args.participants.split(",") if v.strip()]
        items = [None if v.strip() == "all" else int(v) for v in args.items_per_subcategory.split(",") if v.strip()]
    except ValueError:
        return _fail("--participants and --items-per-subcategory take whole numbers separated by commas "
                     f"(items also 'all'), not {args.participants!r} / {args.items_per_subcategory!r}", EXIT_USAGE)
    dataset = load_dataset(args.dataset or builtin_bank_path(), check_audio=False)
    pilot = None
    if args.pilot_db is not None:
        engine = _open_db(args.pilot_db, create=False)
        pilot = load_responses(engine, pick_study(engine, args.pilot_study))
    population = Population(args.observer_threshold, args.threshold_sd, args.observer_accuracy, args.accuracy_sd)
    try:
        result = plan_power(dataset, args.target_ci_halfwidth, sizes, args.seeds, items, population, pilot, args.seed)
    except PowerError as exc:
        return _fail(str(exc))
    files = write_power(result, args.out)
    shown = result.needed[result.needed["score"].isin(["Final MA"]) | result.needed["score"].str.endswith(" Total")]
    print(f"{result.source}; target CI half-width {result.target_ci_halfwidth} points")
    print(shown.to_string(index=False))
    print(f"{len(files)} files in {args.out} ({result.seconds:.1f} s)")
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    """The app: console on the built-in bank (or the last study), audio on the station's device.

    The window comes first: only PySide6 is imported before it is painted; the database is
    opened, then the audio output, on worker threads after that (gui/launch.py)."""
    import os

    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        return _fail("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset). Run it on a "
                     "desktop, under xvfb-run, or with QT_QPA_PLATFORM=offscreen; the command-line tools "
                     "(python main.py --help) need no display.")
    from gui.launch import StartupError, run_gui

    opened = {}  # the audio services, to close after the event loop

    def open_context(progress=None, should_cancel=None):
        from db.engine import DatabaseFileError
        from db.settings import Settings
        from gui.common.context import AppContext
        from sqlalchemy.exc import OperationalError

        try:
            db = _open_db(getattr(args, "app_db", None))
            settings = Settings.for_station(db, data_dir())
        except DatabaseFileError as exc:
            raise StartupError(str(exc)) from None
        except OperationalError as exc:
            raise StartupError(f"database error: {exc.orig}. Responses already saved are kept.") from None
        except OSError as exc:
            raise StartupError(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)) from None
        return AppContext(db=db, settings=settings, data_dir=data_dir(), app_version=APP_VERSION,
                          builtin_bank=functools.partial(builtin_bank_path, settings=settings))

    def open_audio(ctx, progress=None, should_cancel=None):
        import socket

        from audio.devices import AudioBackendError
        from audio.engine import EngineError
        from tasks.presentation.presenter import build_audio

        try:
            audio = build_audio(ctx.db, ctx.settings, socket.gethostname())
        except (AudioBackendError, EngineError, OSError) as exc:
            print(f"warning: no audio output ({exc}); the console opens without sessions", file=sys.stderr)
            return None, str(exc)
        opened["audio"] = audio
        return audio, "" if audio is not None else "no output device found"

    code = run_gui(open_context, open_audio, package=args.package)
    audio = opened.get("audio")
    if audio is not None:
        if audio.presenter.engine.stream_abandoned:
            # PortAudio would block for minutes closing a stream whose server died (see
            # audio/engine.py); everything is saved, so leave at once.
            sys.stdout.flush()
            os._exit(code)
        audio.presenter.engine.close()
    return code


def cmd_make_package(args: argparse.Namespace) -> int:
    from sqlmodel import Session as DbSession

    from db import repo
    from tasks.dataset.loader import load_dataset
    from tasks.takehome.packages import make_package, read_package_text

    texts = {key: read_package_text(path, what) for key, path, what in (
        ("information", args.information, "study information"), ("consent", args.consent, "consent"),
        ("return_instructions", args.return_instructions, "return instructions")) if path is not None}
    db = _open_db(args.db, create=False)
    with DbSession(db) as s:
        study = repo.get_study(s, args.study)
    if study is None:
        return _fail(f"no study {args.study!r} in {db.url.database}")
    dataset = load_dataset(args.dataset or study.dataset_root, check_audio=False)
    aside = [s for s in dataset.set_aside if any(p.field in ("audio_paths", "uncut_audio_path") for p in s.reasons)]
    if aside:
        print(f"note: {len(aside)} items set aside for their audio paths are not planned (see validate)",
              file=sys.stderr)
    for code in args.participant:
        out = args.out / f"star-lab-package-{args.study}-{code}.zip"
        make_package(db, dataset, args.study, code, out, APP_VERSION, texts=texts)
        print(f"package for {code}: {out}")
    return EXIT_OK


def cmd_import_results(args: argparse.Namespace) -> int:
    from tasks.dataset.items import printable
    from tasks.takehome.packages import BundleError, import_results

    db = _open_db(args.db, create=False)
    failures = 0
    durations: dict = {}  # dataset root -> clip durations, read once for all the bundles
    print("Take-home data: each bundle's integrity code catches damage and casual edits, not a participant who "
          "reads the package (the key is inside it); the plausibility checks below are what the lab can see "
          "(docs/takehome-trust.md).")
    for bundle in args.bundles:
        try:
            r = import_results(db, bundle, durations)
        except BundleError as exc:
            failures += 1
            print(f"refused: {printable(exc)}", file=sys.stderr)
            continue
        print(printable(f"{r.status}: {bundle} ({r.participant}, study {r.study!r}, {r.responses} responses)"))
        if r.plausibility is not None:
            print("\n".join(printable(line) for line in r.plausibility.lines()))
    return EXIT_PROBLEMS if failures else EXIT_OK


def cmd_selftest(args: argparse.Namespace) -> int:
    from tasks.selftest import run_selftest

    ok = run_selftest(print, APP_VERSION)
    return EXIT_OK if ok else EXIT_PROBLEMS


def add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=None, help="database file or SQLAlchemy URL (default: user data folder)")


def build_parser() -> argparse.ArgumentParser:
    from tasks.dataset.items import VARIANTS

    parser = argparse.ArgumentParser(
        prog="main.py",
        description=f"{APP_NAME}: human baselines for STAR-Bench. Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {APP_VERSION}")
    parser.add_argument("--selftest", action="store_true",
                        help="check this installation without a window: synthesis, rendering, database, export, "
                             "and a short sound on a real device if one exists")
    parser.add_argument("--package", type=Path, default=None, metavar="FILE",
                        help="run a take-home study package (participant mode)")
    parser.add_argument("--db", dest="app_db", default=None, metavar="FILE",
                        help="database file or SQLAlchemy URL for the app (default: user data folder)")
    parser.add_argument("--station", dest="app_station", default=None, metavar="NAME",
                        help="this computer's station name on a lab server (default: the host name)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check a STAR-Bench folder (JSON and every audio sample); exit 0 only when it has no problem")
    p.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    p.add_argument("--no-audio", action="store_true", help="check the JSON files only")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("runs", help="print the presented runs of one item")
    p.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    p.add_argument("--alias", required=True, choices=VARIANTS)
    p.add_argument("--id", required=True)
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("devices", help="list the audio output devices")
    p.set_defaults(func=cmd_devices)

    p = sub.add_parser("generate-bank", help="synthesize an item bank in the STAR-Bench v1.0 layout")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scale", choices=("small", "full"), default="small")
    p.add_argument("--renderer", choices=("hrtf", "spherical"), default="hrtf",
                   help="spatial items: measured HRTF (default) or the spherical-head fallback (docs/hrtf.md)")
    p.add_argument("--hrtf", type=Path, default=None, metavar="FILE.sofa",
                   help="a SimpleFreeFieldHRIR SOFA file instead of the built-in MIT KEMAR set")
    p.set_defaults(func=cmd_generate_bank)

    from tasks.simulation.observers import OBSERVERS
    from tasks.study.plan import PROTOCOLS

    p = sub.add_parser("simulate", help="run simulated participants through plan, answers and storage")
    p.add_argument("--dataset", type=Path, default=None, metavar="DIR",
                   help="STAR-Bench folder (default: the built-in bank)")
    p.add_argument("--participants", type=int, required=True, metavar="N")
    p.add_argument("--observer", choices=OBSERVERS, default="perfect")
    p.add_argument("--protocol", choices=PROTOCOLS, default="single-pass")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--variants", nargs="+", default=["pc", "tr", "sr"], choices=VARIANTS)
    p.add_argument("--items-per-group", type=int, default=None, metavar="N",
                   help="stratified subset: N items per sub-category (default: all items)")
    p.add_argument("--practice", type=int, default=0, metavar="N", help="practice trials per block")
    p.add_argument("--catch-every", type=int, default=0, metavar="N")
    p.add_argument("--min-run-spacing", type=int, default=3, metavar="K")
    p.add_argument("--study", default=None, help="study name (default: sim-<observer>-<protocol>-seed<S>)")
    p.add_argument("--adaptive", default="", metavar="DIM[,DIM...]",
                   help="add adaptive threshold blocks for these dimensions (pitch, loudness, duration, azimuth, "
                        "elevation, distance); needs --observer psychometric")
    p.add_argument("--observer-threshold", action="append", default=[], metavar="DIM=VALUE",
                   help="the psychometric observer's threshold in the dimension's unit (cents, dB, ms, deg, m)")
    p.add_argument("--adaptive-procedure", choices=("quest+", "2down1up", "3down1up"), default="quest+")
    p.add_argument("--adaptive-trials", type=int, default=60, metavar="N", help="trials per adaptive block")
    add_db_option(p)
    p.add_argument("--delay-ms", type=float, default=0.0, help=argparse.SUPPRESS)
    p.add_argument("--print-commits", action="store_true", help="print a line after each committed answer")
    p.add_argument("--batch", type=int, default=500, metavar="N",
                   help="answers per transaction (default 500; a kill loses at most one batch, which a rerun "
                        "redoes with the same answers; a --station commits each answer)")
    p.add_argument("--station", default=None, metavar="NAME",
                   help="behave as station NAME of a lab server: take the study's next free participants "
                        "(one commit per answer; answers wait in an offline journal while the server is away)")
    p.add_argument("--outbox", type=Path, default=None, metavar="FILE",
                   help="the station's offline journal (default: outbox-NAME.sqlite3 in the user data folder)")
    p.add_argument("--wait-s", type=float, default=300.0, metavar="S",
                   help="how long a station waits for an unreachable server between sessions (default 300)")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("lab-grants", help="print the SQL giving a lab server's station and experimenter roles "
                                          "their rights (station: insert answers, read plans, never delete)")
    p.add_argument("--database", default="starlab", help="the database name in the printed SQL")
    p.add_argument("--db", default=None, metavar="URL",
                   help="instead of printing: connect as the database owner, create or upgrade the schema and grant")
    p.add_argument("--station-role", default="starlab_station")
    p.add_argument("--experimenter-role", default="starlab_experimenter")
    p.set_defaults(func=cmd_lab_grants)

    p = sub.add_parser("export", help="write human results in the model kit's layout plus a tidy CSV")
    add_db_option(p)
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--study", default=None, help="only this study (default: all)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("make-package", help="write take-home study packages for participants")
    add_db_option(p)
    p.add_argument("--study", required=True)
    p.add_argument("--participant", required=True, nargs="+", metavar="CODE")
    p.add_argument("--dataset", type=Path, default=None, help="the study's dataset folder (default: as recorded)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--information", type=Path, default=None, metavar="FILE",
                   help="study information shown to the participant before consent (.md: Markdown, else plain text)")
    p.add_argument("--consent", type=Path, default=None, metavar="FILE",
                   help="the consent statement the participant agrees to (or declines: then nothing is recorded)")
    p.add_argument("--return-instructions", type=Path, default=None, metavar="FILE",
                   help="how to send the results bundle back (shown on the last screen)")
    p.set_defaults(func=cmd_make_package)

    p = sub.add_parser("import-results", help="check take-home results bundles and merge them into the database")
    p.add_argument("bundles", type=Path, nargs="+", metavar="BUNDLE")
    add_db_option(p)
    p.set_defaults(func=cmd_import_results)

    p = sub.add_parser("compare", help="leaderboard of humans against model results and the paper's rows")
    add_db_option(p)
    p.add_argument("--models", type=Path, default=None, metavar="WORKDIR",
                   help="model results in the kit's layout: WORKDIR/<model>/<alias>/infer_results.jsonl")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--study", default=None)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("report", help="the human-vs-model report: statistics, figures, item analysis, kit exports")
    add_db_option(p)
    p.add_argument("--models", type=Path, default=None, metavar="WORKDIR",
                   help="model results in the kit's layout: WORKDIR/<model>/<alias>/infer_results.jsonl")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--study", default=None, help="the study (needed when the database holds several)")
    p.add_argument("--exclude-failed-screening", action="store_true",
                   help="leave out every participant who failed a headphone-screening test")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and of the majority's tie rule")
    p.add_argument("--bootstrap", type=int, default=2000, metavar="B", help="bootstrap resamples (default 2000)")
    p.add_argument("--item-params", type=Path, default=None, metavar="FILE.csv",
                   help="CSV item_id,dimension,difference,unit: the differences of pc items for the psychometric fits "
                        "(the built-in bank's items carry them already)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("plan-power", help="participants (and items) needed for a target CI half-width, by simulation")
    p.add_argument("--dataset", type=Path, default=None, metavar="DIR", help="default: the built-in bank")
    p.add_argument("--target-ci-halfwidth", type=float, required=True, metavar="POINTS",
                   help="wanted half-width of the 95%% CI, in percentage points")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--participants", default="5,10,20,40,80", metavar="N,N,...", help="cohort sizes to simulate")
    p.add_argument("--items-per-subcategory", default="all", metavar="K,K,...",
                   help="items per sub-category (or category) to simulate, 'all' for every item (default)")
    p.add_argument("--seeds", type=int, default=20, metavar="N", help="simulated cohorts per size (default 20)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pilot-db", type=Path, default=None, metavar="FILE",
                   help="resample the participants of a pilot study instead of simulated observers")
    p.add_argument("--pilot-study", default=None, help="the pilot study (needed when the database holds several)")
    p.add_argument("--observer-threshold", type=float, default=0.35, help="difference level (0..1) at the midpoint")
    p.add_argument("--threshold-sd", type=float, default=0.10, help="its spread between participants")
    p.add_argument("--observer-accuracy", type=float, default=0.8, help="accuracy on items without a known level")
    p.add_argument("--accuracy-sd", type=float, default=0.08, help="its spread between participants")
    p.set_defaults(func=cmd_plan_power)
    return parser


def user_errors() -> tuple[type[Exception], ...]:
    """Errors caused by the environment or the input: a clear message, never a traceback."""
    from sqlalchemy.exc import OperationalError

    from db.engine import DatabaseFileError
    from tasks.analysis.responses import ReportError
    from tasks.results.trial_records import ExportError
    from tasks.dataset.loader import NotADatasetError
    from tasks.study.plan import PlanError
    from tasks.study.studies import DatasetChangedError, StoredDataError, StudyError
    from tasks.takehome.packages import BundleError

    return (BundleError, DatabaseFileError, DatasetChangedError, ExportError, NotADatasetError, PlanError, ReportError,
            StudyError, StoredDataError, OperationalError, OSError)


def app_only_arguments(argv: list[str]) -> argparse.Namespace | None:
    """The arguments when they only open the app (no command, no --help/--version/--selftest),
    read without build_parser: the command parsers import the task layer (and numpy), which
    the app's first window does not need. None otherwise."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--package", type=Path, default=None)
    parser.add_argument("--db", dest="app_db", default=None)
    parser.add_argument("--station", dest="app_station", default=None)
    try:
        args, rest = parser.parse_known_args(argv)
    except argparse.ArgumentError:  # a malformed option: the full parser reports it
        return None
    return None if rest else args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if len(argv) == 1 and argv[0].lower().endswith(".zip") and Path(argv[0]).is_file():
        argv = ["--package", argv[0]]  # a package dropped on the program
    args = app_only_arguments(argv)
    if args is not None:
        args.selftest, args.func = False, cmd_gui
    else:
        args = build_parser().parse_args(argv)
    if getattr(args, "app_station", None):
        from tasks.labserver.station import STATION_ENV, station_problem

        if station_problem(args.app_station):
            return _fail(station_problem(args.app_station), EXIT_USAGE)

        os.environ[STATION_ENV] = args.app_station  # read where sessions are started (tasks.labserver.station.station_name)
    if args.selftest:
        args.func = cmd_selftest
    elif not getattr(args, "func", None):
        args.func = cmd_gui
    try:
        return args.func(args)
    except user_errors() as exc:
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, OperationalError):
            return _fail(f"database error: {exc.orig}. Responses already saved are kept.")
        if isinstance(exc, OSError):
            return _fail(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc))
        return _fail(str(exc))


if __name__ == "__main__":
    if getattr(sys, "frozen", False):  # a built app: the console's Results page computes in a child process
        import multiprocessing

        multiprocessing.freeze_support()
    sys.exit(main())
