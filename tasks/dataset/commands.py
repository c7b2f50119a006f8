"""The dataset commands: ``validate`` (check a STAR-Bench folder) and ``runs`` (the presented
runs of one item)."""
from __future__ import annotations

import argparse

from tasks.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CommandContext, CommandError


def cmd_validate(args: argparse.Namespace, ctx: CommandContext) -> int:
    from tasks.dataset.items import printable
    from tasks.dataset.loader import NotADatasetError, format_report, load_dataset

    try:
        ds = load_dataset(args.dataset, check_audio=False if args.no_audio else "full")
    except NotADatasetError as exc:
        raise CommandError(printable(exc), EXIT_USAGE) from None
    print(format_report(ds))
    return EXIT_PROBLEMS if ds.problems else EXIT_OK


def cmd_runs(args: argparse.Namespace, ctx: CommandContext) -> int:
    from tasks.dataset.items import VARIANT_SOURCE, printable
    from tasks.dataset.loader import NotADatasetError, load_dataset
    from tasks.dataset.runs import RunError, expand_runs, format_run

    source = VARIANT_SOURCE[args.alias]
    try:
        ds = load_dataset(args.dataset, aliases=[source], check_audio=False)
    except NotADatasetError as exc:
        raise CommandError(printable(exc), EXIT_USAGE) from None
    try:
        item = ds.item(source, args.id)
    except KeyError:
        reasons = [str(p) for s in ds.set_aside if s.alias == source and s.item_id == args.id for p in s.reasons]
        detail = ("; set aside: " + "; ".join(reasons)) if reasons else ""
        file_problems = [str(p) for p in ds.problems if p.item_id is None and p.index is None]
        detail += ("; " + "; ".join(file_problems)) if file_problems else ""
        raise CommandError(printable(f"no valid {source} item with id {args.id!r} in {ds.root}{detail}")) from None
    try:
        runs = expand_runs(item, args.alias)
    except (RunError, ValueError) as exc:
        raise CommandError(printable(f"item {args.id!r} cannot be shown as {args.alias}: {exc}")) from None
    print("\n\n".join(format_run(r) for r in runs))
    return EXIT_OK
