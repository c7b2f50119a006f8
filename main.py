"""STAR Listening Lab: the command line and the one place where objects are built and wired."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

APP_NAME = "STAR Listening Lab"
APP_VERSION = "0.1.0"

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _fail(message: str, code: int = EXIT_PROBLEMS) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def cmd_validate(args: argparse.Namespace) -> int:
    from tasks.loader import NotADatasetError, format_report, load_dataset

    try:
        ds = load_dataset(args.dataset, check_audio=not args.no_audio)
    except NotADatasetError as exc:
        return _fail(str(exc), EXIT_USAGE)
    print(format_report(ds))
    return EXIT_PROBLEMS if ds.problems else EXIT_OK


def cmd_runs(args: argparse.Namespace) -> int:
    from tasks.items import VARIANT_SOURCE
    from tasks.loader import NotADatasetError, load_dataset
    from tasks.runs import expand_runs, format_run

    source = VARIANT_SOURCE[args.alias]
    try:
        ds = load_dataset(args.dataset, aliases=[source], check_audio=False)
    except NotADatasetError as exc:
        return _fail(str(exc), EXIT_USAGE)
    try:
        item = ds.item(source, args.id)
    except KeyError:
        reasons = [str(p) for s in ds.set_aside if s.alias == source and s.item_id == args.id for p in s.reasons]
        detail = ("; set aside: " + "; ".join(reasons)) if reasons else ""
        return _fail(f"no valid {source} item with id {args.id!r} in {ds.root}{detail}")
    print("\n\n".join(format_run(r) for r in expand_runs(item, args.alias)))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from tasks.items import VARIANTS

    parser = argparse.ArgumentParser(
        prog="main.py",
        description=f"{APP_NAME}: human baselines for STAR-Bench. Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {APP_VERSION}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check a STAR-Bench folder; exit 0 only when it has no problem")
    p.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    p.add_argument("--no-audio", action="store_true", help="check the JSON files only")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("runs", help="print the presented runs of one item")
    p.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    p.add_argument("--alias", required=True, choices=VARIANTS)
    p.add_argument("--id", required=True)
    p.set_defaults(func=cmd_runs)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_OK
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
