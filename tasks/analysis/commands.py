"""The analysis commands: ``report`` (the human-vs-model report) and ``plan-power``
(participants and items needed for a target CI half-width, by simulation)."""
from __future__ import annotations

import argparse
import sys

from tasks.cli import EXIT_OK, EXIT_USAGE, CommandContext, CommandError


def cmd_report(args: argparse.Namespace, ctx: CommandContext) -> int:
    from tasks.analysis.blas import one_blas_thread
    from tasks.analysis.report import write_report
    from tasks.dataset.items import printable

    one_blas_thread()  # its own process: small matrix products run faster on one thread (blas.py)
    summary = write_report(ctx.open_db(args.db, create=False), args.out, models_dir=args.models,
                           study_name=args.study, exclude_failed_screening=args.exclude_failed_screening,
                           seed=args.seed, n_bootstrap=args.bootstrap, item_params=args.item_params)
    for w in summary.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"report on study {printable(summary.study)}: {summary.participants} participants, {summary.responses} answers"
          + (f", {len(summary.excluded)} excluded for failed screening" if summary.excluded else "")
          + f"; {len(summary.files)} files in {summary.out_dir} ({summary.seconds:.1f} s)")
    return EXIT_OK


def cmd_plan_power(args: argparse.Namespace, ctx: CommandContext) -> int:
    from tasks.analysis.power import Population, PowerError, plan_power, write_power
    from tasks.analysis.responses import load_responses, pick_study
    from tasks.bank.build import builtin_bank_for
    from tasks.dataset.loader import load_dataset

    try:
        sizes = [int(v) for v in args.participants.split(",") if v.strip()]
        items = [None if v.strip() == "all" else int(v) for v in args.items_per_subcategory.split(",") if v.strip()]
    except ValueError:
        raise CommandError("--participants and --items-per-subcategory take whole numbers separated by commas "
                           f"(items also 'all'), not {args.participants!r} / {args.items_per_subcategory!r}",
                           EXIT_USAGE) from None
    dataset = load_dataset(args.dataset or builtin_bank_for(ctx.data_dir()), check_audio=False)
    if args.design == "cover":
        return _plan_cover_power(args, dataset)
    pilot = None
    if args.pilot_db is not None:
        engine = ctx.open_db(args.pilot_db, create=False)
        pilot = load_responses(engine, pick_study(engine, args.pilot_study))
    population = Population(args.observer_level, args.level_sd, args.observer_accuracy, args.accuracy_sd)
    try:
        result = plan_power(dataset, args.target_ci_halfwidth, sizes, args.seeds, items, population, pilot, args.seed)
    except PowerError as exc:
        raise CommandError(str(exc)) from None
    files = write_power(result, args.out)
    shown = result.needed[result.needed["score"].isin(["Final MA"]) | result.needed["score"].str.endswith(" Total")]
    print(f"{result.source}; target CI half-width {result.target_ci_halfwidth} points")
    print(shown.to_string(index=False))
    print(f"{len(files)} files in {args.out} ({result.seconds:.1f} s)")
    return EXIT_OK


def _plan_cover_power(args: argparse.Namespace, dataset) -> int:
    from tasks.analysis.power import Population, PowerError
    from tasks.cover.power import plan_cover_power, write_cover_power

    if args.pilot_db is not None:
        raise CommandError("--pilot-db plans the shared design only; leave it out with --design cover", EXIT_USAGE)
    try:
        ks = [int(v) for v in args.responses_per_run.split(",") if v.strip()]
    except ValueError:
        raise CommandError(f"--responses-per-run takes whole numbers separated by commas, not "
                           f"{args.responses_per_run!r}", EXIT_USAGE) from None
    population = Population(args.observer_level, args.level_sd, args.observer_accuracy, args.accuracy_sd)
    try:
        result = plan_cover_power(dataset, args.target_ci_halfwidth, ks, args.runs_per_participant,
                                  args.session_minutes, args.seeds, population, args.seed)
    except PowerError as exc:
        raise CommandError(str(exc)) from None
    files = write_cover_power(result, args.out)
    print(f"cover design; target CI half-width {result.target_ci_halfwidth} points; "
          f"{result.trial_s:.1f} s per trial")
    print(result.table.to_string(index=False))
    print(f"{len(files)} files in {args.out} ({result.seconds:.1f} s)")
    return EXIT_OK
