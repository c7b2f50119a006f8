"""STAR Listening Lab: the command line and the one place where objects are built and wired.

The commands' arguments and bodies live in tasks/ (tasks/cli.py, tasks/<package>/commands.py).
Here: the program's own options, the database and audio output they are given, the app's
start, and the mapping of known errors to one line on stderr and an exit code."""
from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

from tasks.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CommandContext, CommandError, run_body
from tasks.version import app_version

APP_NAME = "STAR Listening Lab"


def _fail(message: str, code: int = EXIT_PROBLEMS) -> int:
    from tasks.dataset.items import printable  # a name in the message may hold control characters

    print(f"error: {printable(message)}", file=sys.stderr)
    return code


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


def builtin_bank_path(settings=None, progress=None, should_cancel=None) -> Path:
    """The built-in bank as the station settings render it (tasks.bank.build.builtin_bank_for),
    imported on first use: tasks.bank takes 0.6 s to import, which the app's start does not wait for."""
    from tasks.bank.build import builtin_bank_for

    return builtin_bank_for(data_dir(), settings, progress=progress, should_cancel=should_cancel)


def cmd_gui(args: argparse.Namespace) -> int:
    """The app: console on the built-in bank (or the last study), audio on the station's device.

    The window comes first: only PySide6 is imported before it is painted; the database is
    opened (on a lab server: connected to, which may take seconds), then the audio output, on
    worker threads after that (gui/launch.py)."""
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
            db = _open_db(args.app_db)
            settings = Settings.for_station(db, data_dir())
        except (DatabaseFileError, OperationalError, OSError) as exc:
            raise StartupError(user_message(exc)) from None
        return AppContext(db=db, settings=settings, data_dir=data_dir(), app_version=app_version(),
                          builtin_bank=functools.partial(builtin_bank_path, settings), station=args.app_station)

    def open_audio(ctx, progress=None, should_cancel=None, rescan=False):
        import socket

        from audio.devices import AudioBackendError, rescan_devices
        from audio.playback.events import EngineError
        from tasks.presentation.presenter import build_audio

        try:
            if rescan:  # Retry on the take-home's first screen: a headphone plugged in since
                rescan_devices()
            audio = build_audio(ctx.db, ctx.settings, socket.gethostname())
        except (AudioBackendError, EngineError, OSError) as exc:
            print(f"warning: no audio output ({exc}); the console opens without sessions", file=sys.stderr)
            return None, str(exc)
        opened["audio"] = audio
        return audio, "" if audio is not None else "no output device found"

    lab_server = str(args.app_db or "").split(":", 1)[0].lower().startswith("postgres")
    code = run_gui(open_context, open_audio, package=args.package, lab_server=lab_server)
    audio = opened.get("audio")
    if audio is not None:
        if audio.presenter.engine.stream_abandoned:
            # PortAudio would block for minutes closing a stream whose server died (see
            # audio/playback/engine.py); everything is saved, so leave at once.
            sys.stdout.flush()
            os._exit(code)
        audio.presenter.engine.close()
    return code


def cmd_selftest() -> int:
    from tasks.selftest import run_selftest

    return EXIT_OK if run_selftest(print, app_version()) else EXIT_PROBLEMS


class OneLineParser(argparse.ArgumentParser):
    """A usage error is one line (what is wrong, and where to read more), exit 2; its
    subcommands' parsers are of this class too."""

    def error(self, message: str):
        from tasks.dataset.items import printable

        self.exit(EXIT_USAGE, f"{self.prog}: error: {printable(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from tasks.cli import add_commands

    parser = OneLineParser(
        prog="main.py",
        description=f"{APP_NAME}: human baselines for STAR-Bench. Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {app_version()}")
    parser.add_argument("--selftest", action="store_true",
                        help="check this installation without a window: synthesis, rendering, database, export, "
                             "and a short sound on a real device if one exists")
    parser.add_argument("--package", type=Path, default=None, metavar="FILE",
                        help="run a take-home study package (participant mode)")
    parser.add_argument("--db", dest="app_db", default=None, metavar="FILE",
                        help="database file or SQLAlchemy URL for the app (default: user data folder)")
    parser.add_argument("--station", dest="app_station", default=None, metavar="NAME",
                        help="this computer's station name on a lab server (default: the host name)")
    add_commands(parser.add_subparsers(dest="command", metavar="COMMAND"))
    return parser


def user_errors() -> tuple[type[Exception], ...]:
    """Errors caused by the environment or the input: a clear message, never a traceback."""
    import sqlite3

    from sqlalchemy.exc import DatabaseError

    from db.engine import DatabaseFileError
    from db.pg import RoleNameError
    from tasks.analysis.responses import ReportError
    from tasks.results.trial_records import ExportError
    from tasks.dataset.loader import NotADatasetError
    from tasks.dataset.paths import UnsafePathError
    from tasks.study.plan import PlanError
    from tasks.study.studies import DatasetChangedError, StoredDataError, StudyError
    from tasks.takehome.files import BundleError

    return (BundleError, DatabaseFileError, DatasetChangedError, ExportError, NotADatasetError, PlanError, ReportError,
            RoleNameError, StudyError, StoredDataError, UnsafePathError, DatabaseError, sqlite3.Error, OSError)


def user_message(exc: Exception) -> str:
    """The one line for an error of user_errors()."""
    from sqlalchemy.exc import DatabaseError

    if isinstance(exc, DatabaseError):  # OperationalError too; a damaged file ("disk image is malformed")
        return f"database error: {exc.orig}. Responses already saved are kept."
    if isinstance(exc, OSError):
        return f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)
    return str(exc)


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
    if args is None:
        args = build_parser().parse_args(argv)
    if args.app_station:
        from tasks.labserver.names import station_problem

        if station_problem(args.app_station):
            return _fail(station_problem(args.app_station), EXIT_USAGE)
    try:
        if getattr(args, "selftest", False):
            return cmd_selftest()
        if not getattr(args, "body", None):
            return cmd_gui(args)
        return run_body(args, CommandContext(app_version(), _open_db, data_dir))
    except CommandError as exc:
        return _fail(str(exc), exc.exit_code)
    except user_errors() as exc:
        return _fail(user_message(exc))


if __name__ == "__main__":
    if getattr(sys, "frozen", False):  # a built app: the console's Results page computes in a child process
        import multiprocessing

        multiprocessing.freeze_support()
    sys.exit(main())
