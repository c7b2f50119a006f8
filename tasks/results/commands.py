"""The results commands: ``export`` (the model kit's layout plus a tidy CSV) and ``compare``
(the leaderboard of humans against model results and the paper's rows)."""
from __future__ import annotations

import argparse
import sys

from tasks.cli import EXIT_OK, CommandContext


def cmd_export(args: argparse.Namespace, ctx: CommandContext) -> int:
    from tasks.dataset.items import printable
    from tasks.results.export import export

    result = export(ctx.open_db(args.db, create=False), args.out, ctx.app_version, study_name=args.study,
                    majority=True)
    print(f"exported {result.responses} responses of {result.participants} participants: "
          f"{len(result.files)} files in {result.out_dir}")
    for study, attenuation in result.attenuation.items():
        print(f"  {printable(study)}: {attenuation.describe()}")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace, ctx: CommandContext) -> int:
    from sqlmodel import Session as DbSession

    from db import repo
    from tasks.model_results.reader import known_items_of
    from tasks.model_results.reader import read_models
    from tasks.results.compare import write_compare
    from tasks.results.compare_input import collect_human_inputs

    db = ctx.open_db(args.db, create=False)
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
