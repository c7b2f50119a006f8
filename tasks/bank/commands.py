"""The ``generate-bank`` command: synthesize an item bank in the STAR-Bench v1.0 layout."""
from __future__ import annotations

import argparse
import sys

from tasks.cli import EXIT_OK, CommandContext, CommandError


def cmd_generate_bank(args: argparse.Namespace, ctx: CommandContext) -> int:
    from audio.hrtf import HrtfError
    from tasks.bank.common import BankConfig
    from tasks.bank.build import generate_bank

    shown = []  # a progress line was started (and must be ended before a message)

    def progress(done: int, total: int, label: str) -> None:
        if not shown:
            shown.append(True)
        print(f"\r{done}/{total} {label[:60]:60}", end="", file=sys.stderr, flush=True)

    try:
        config = BankConfig(renderer=args.renderer, hrtf_path=str(args.hrtf or ""))
        summary = generate_bank(args.out, seed=args.seed, scale=args.scale, progress=progress, config=config)
    except (HrtfError, ValueError, FileExistsError) as exc:
        if shown:
            print(file=sys.stderr)  # ends the progress line
        raise CommandError(f"generate-bank: {exc}") from None
    print(file=sys.stderr)
    counts = ", ".join(f"{a}: {n}" for a, n in summary.counts.items())
    print(f"bank written to {summary.root}: {counts} items, {summary.n_audio_files} audio files"
          + (f", {summary.n_capped} levels capped below 0 dBFS" if summary.n_capped else ""))
    return EXIT_OK
