"""The take-home commands: ``make-package`` (study packages for participants) and
``import-results`` (check returned bundles and merge them into the database)."""
from __future__ import annotations

import argparse
import sys

from tasks.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CommandContext, CommandError


def cmd_make_package(args: argparse.Namespace, ctx: CommandContext) -> int:
    from sqlmodel import Session as DbSession

    from db import repo
    from tasks.dataset.loader import load_dataset
    from tasks.dataset.items import printable
    from tasks.dataset.paths import inside_folder
    from tasks.study.codes import code_problem
    from tasks.takehome.packages import make_package, package_file_name, read_package_text, unknown_participants

    for code in args.participant:
        if code_problem(code):
            raise CommandError(printable(code_problem(code)), EXIT_USAGE)
    texts = {key: read_package_text(path, what) for key, path, what in (
        ("information", args.information, "study information"), ("consent", args.consent, "consent"),
        ("return_instructions", args.return_instructions, "return instructions")) if path is not None}
    db = ctx.open_db(args.db, create=False)
    with DbSession(db) as s:
        study = repo.get_study(s, args.study)
    if study is None:
        raise CommandError(printable(f"no study {args.study!r} in {db.url.database}"))
    dataset = load_dataset(args.dataset or study.dataset_root, check_audio=False)
    aside = [s for s in dataset.set_aside if any(p.field in ("audio_paths", "uncut_audio_path") for p in s.reasons)]
    if aside:
        print(f"note: {len(aside)} items set aside for their audio paths are not planned (see validate)",
              file=sys.stderr)
    from tasks.cover.context import CoverContexts

    shares = CoverContexts()  # a cover study's units and times, built once for all the packages
    new = set(unknown_participants(db, args.participant))  # make_package adds them: said, one line each
    for code in args.participant:
        out = inside_folder(args.out, package_file_name(args.study, code))
        make_package(db, dataset, args.study, code, out, ctx.app_version, texts=texts, shares=shares)
        print(f"package for {code}: {out}")
        if code in new:
            new.discard(code)
            print(f"participant {code} was not in the database: added (consent is given at home)")
    return EXIT_OK


def cmd_import_results(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Each bundle on its own: a refused one is reported and the others still merge (exit 1)."""
    from tasks.dataset.items import printable
    from tasks.takehome.files import BundleError
    from tasks.takehome.importing import import_results

    db = ctx.open_db(args.db, create=False)
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
        if r.after_release:
            print(f"  returned after its share was released: its answers are kept and count; {r.units_past_k} of its "
                  "runs now have more answers than the study asks for")
        if r.plausibility is not None:
            print("\n".join(printable(line) for line in r.plausibility.lines()))
    return EXIT_PROBLEMS if failures else EXIT_OK
