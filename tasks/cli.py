"""The commands of ``main.py``: their arguments (``add_commands``), the exit codes, the error a
command raises for one clear line on stderr, and what main.py hands every command.

The command bodies live beside the packages they drive (``tasks/<package>/commands.py``) and
are imported only when run. main.py adds the program's own options, opens the database for the
commands and maps the errors: a command body never writes an ``error:`` line itself."""
from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class CommandError(Exception):
    """The input or the environment stops a command; main.py prints ``error: MESSAGE`` and
    exits with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = EXIT_PROBLEMS):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class CommandContext:
    """What main.py hands every command.

    The database comes as main.py's opener rather than as an open engine, because several
    commands check their input first and must refuse a mistake before anything is made (a
    mistyped ``simulate --station`` creates no database file), or open one only when an option
    asks for it (``plan-power --pilot-db``, ``lab-grants --db``)."""

    app_version: str
    # (path or SQLAlchemy URL or None for the default, create=True) -> Engine; commands that
    # only read pass create=False, so a mistyped --db is refused instead of becoming a new file
    open_db: Callable[..., Engine]
    # the user data folder (a function: finding it imports the database layer, which commands
    # such as validate do not need)
    data_dir: Callable[[], Path]


def add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=None, help="database file or SQLAlchemy URL (default: user data folder)")


def participants_arg(text: str) -> int | None:
    """``--participants``: a whole number, or until-covered (None)."""
    if text == "until-covered":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number or until-covered") from None


def run_body(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run the command the parser chose: ``args.body`` names it as "module:function", imported
    only now, so that a command pays for its own imports only (tasks.bank alone takes 0.6 s)."""
    module, name = args.body.split(":")
    return getattr(importlib.import_module(module), name)(args, ctx)


def add_commands(sub) -> None:
    """The subcommands, in the order ``--help`` lists them, on ``sub`` (the parser's subparsers)."""
    from tasks.dataset.items import VARIANTS
    from tasks.simulation.observers import OBSERVERS
    from tasks.study.plan import PROTOCOLS

    p = sub.add_parser("validate", help="check a STAR-Bench folder (JSON and every audio sample); exit 0 only when it has no problem")
    p.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    p.add_argument("--no-audio", action="store_true", help="check the JSON files only")
    p.set_defaults(body="tasks.dataset.commands:cmd_validate")

    p = sub.add_parser("runs", help="print the presented runs of one item")
    p.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    p.add_argument("--alias", required=True, choices=VARIANTS)
    p.add_argument("--id", required=True)
    p.set_defaults(body="tasks.dataset.commands:cmd_runs")

    p = sub.add_parser("devices", help="list the audio output devices")
    p.set_defaults(body="tasks.presentation.commands:cmd_devices")

    p = sub.add_parser("generate-bank", help="synthesize an item bank in the STAR-Bench v1.0 layout")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--scale", choices=("small", "full"), default="small")
    p.add_argument("--renderer", choices=("hrtf", "spherical"), default="hrtf",
                   help="spatial items: measured HRTF (default) or the spherical-head fallback (docs/hrtf.md)")
    p.add_argument("--hrtf", type=Path, default=None, metavar="FILE.sofa",
                   help="a SimpleFreeFieldHRIR SOFA file instead of the built-in MIT KEMAR set")
    p.set_defaults(body="tasks.bank.commands:cmd_generate_bank")

    p = sub.add_parser("simulate", help="run simulated participants through plan, answers and storage")
    p.add_argument("--dataset", type=Path, default=None, metavar="DIR",
                   help="STAR-Bench folder (default: the built-in bank)")
    p.add_argument("--participants", type=participants_arg, required=True, metavar="N|until-covered",
                   help="how many simulated participants; until-covered (with --design cover): as many as it "
                        "takes to give every run its --responses-per-run answers")
    p.add_argument("--design", choices=("shared", "cover"), default="shared",
                   help="shared: every participant the same items; cover: each a share, the cohort answers every "
                        "run K times (docs/cover-design.md)")
    p.add_argument("--responses-per-run", type=int, default=3, metavar="K", help="cover: answers each run gets")
    p.add_argument("--session-minutes", type=float, default=60.0, metavar="M",
                   help="cover: the longest session; each share is made to fit (default 60)")
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
                   help="the psychometric observer's threshold in the dimension's unit (cents, dB, ms, deg, m) "
                        "in the adaptive blocks; needs --adaptive (the grid's runs do not use it)")
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
    p.set_defaults(body="tasks.simulation.commands:cmd_simulate")

    p = sub.add_parser("lab-grants", help="print the SQL giving a lab server's station and experimenter roles "
                                          "their rights (station: insert answers, read plans, never delete)")
    p.add_argument("--database", default="starlab", help="the database name in the printed SQL")
    p.add_argument("--db", default=None, metavar="URL",
                   help="instead of printing: connect as the database owner, create or upgrade the schema and grant")
    p.add_argument("--station-role", default="starlab_station")
    p.add_argument("--experimenter-role", default="starlab_experimenter")
    p.add_argument("--bind", action="append", default=[], metavar="ROLE=STATION",
                   help="make login role ROLE station STATION (a member of the station role, allowed to change "
                        "only that station's sessions); repeat for each station")
    p.set_defaults(body="tasks.labserver.commands:cmd_lab_grants")

    p = sub.add_parser("lab-journal", help="list a station's offline journal: entries waiting, conflicts and the "
                                           "entries quarantined with their reasons (never deleted)")
    p.add_argument("--station", default=None, help="the station's name (its journal in the data folder)")
    p.add_argument("--outbox", type=Path, default=None, metavar="FILE", help="the journal file itself")
    p.set_defaults(body="tasks.labserver.commands:cmd_lab_journal")

    p = sub.add_parser("export", help="write human results in the model kit's layout plus a tidy CSV")
    add_db_option(p)
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--study", default=None, help="only this study (default: all)")
    p.set_defaults(body="tasks.results.commands:cmd_export")

    p = sub.add_parser("coverage", help="a study's answers per unit (coverage.csv) and what it still needs")
    add_db_option(p)
    p.add_argument("--study", default=None, help="the study (needed when the database holds several)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.set_defaults(body="tasks.cover.commands:cmd_coverage")

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
    p.set_defaults(body="tasks.takehome.commands:cmd_make_package")

    p = sub.add_parser("import-results", help="check take-home results bundles and merge them into the database")
    p.add_argument("bundles", type=Path, nargs="+", metavar="BUNDLE")
    add_db_option(p)
    p.set_defaults(body="tasks.takehome.commands:cmd_import_results")

    p = sub.add_parser("compare", help="leaderboard of humans against model results and the paper's rows")
    add_db_option(p)
    p.add_argument("--models", type=Path, default=None, metavar="WORKDIR",
                   help="model results in the kit's layout: WORKDIR/<model>/<alias>/infer_results.jsonl")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--study", default=None)
    p.set_defaults(body="tasks.results.commands:cmd_compare")

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
    p.set_defaults(body="tasks.analysis.commands:cmd_report")

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
    p.add_argument("--observer-level", type=float, default=0.35, metavar="LEVEL",
                   help="the simulated observers' midpoint on the grid's difference level (0 = the first grid "
                        "step, 1 = the last); not simulate's --observer-threshold, which is in physical units")
    p.add_argument("--level-sd", type=float, default=0.10, help="its spread between participants")
    p.add_argument("--observer-accuracy", type=float, default=0.8, help="accuracy on items without a known level")
    p.add_argument("--accuracy-sd", type=float, default=0.08, help="its spread between participants")
    p.add_argument("--design", choices=("shared", "cover"), default="shared",
                   help="cover: each participant answers a share, every run answered K times (docs/cover-design.md)")
    p.add_argument("--responses-per-run", default="1,2,3,5", metavar="K,K,...",
                   help="cover design: answers per run to plan for")
    p.add_argument("--runs-per-participant", type=int, default=None, metavar="M",
                   help="cover design: runs in one participant's share (default: what --session-minutes holds)")
    p.add_argument("--session-minutes", type=float, default=60.0, metavar="MIN",
                   help="cover design: the longest session, to size shares when M is not given")
    p.set_defaults(body="tasks.analysis.commands:cmd_plan_power")
