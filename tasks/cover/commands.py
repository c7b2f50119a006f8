"""The cover design's commands: ``coverage`` (answers per unit so far, and what is still needed)."""
from __future__ import annotations

import argparse

from tasks.cli import EXIT_OK, CommandContext


def cmd_coverage(args: argparse.Namespace, ctx: CommandContext) -> int:
    from tasks.analysis.responses import pick_study
    from tasks.cover.coverage_csv import summary_lines, write_coverage

    engine = ctx.open_db(args.db, create=False)
    summary = write_coverage(engine, pick_study(engine, args.study), args.out)
    print("\n".join(summary_lines(summary)))
    print(f"written: {args.out}")
    return EXIT_OK
