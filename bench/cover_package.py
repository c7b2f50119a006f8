"""Take-home packages and lab enrolments of one full-size cover study (951 pc, 900 tr, 502 sr
items, full-robust: 8,580 units; K=5, 60-minute shares) on a SQLite file, with the study's
CoverContexts kept across them (as the console keeps it for its lifetime and make-package for its
participants) against a fresh one each time (the study's context rebuilt for every share), in
the same run.

Run: ``python -m bench cover_package [--n 6]``

Each round: one lab enrolment (start_or_resume, timed) and one package (make_package, timed:
the share assigned and stored, then the zip written with the share's items and audio), with the
kept contexts, then the same with fresh ones; every lab session is answered and completed (not
timed) before the next round, as a participant would.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench._common import cores, load_avg
from bench.cover_assign import _complete


def main(argv: list[str] | None = None) -> None:
    from db.engine import open_database
    from tasks.cover.context import CoverContexts
    from tasks.dataset.loader import load_dataset
    from tasks.study.enrolment import start_or_resume
    from tasks.study.plan import Protocol
    from tasks.study.studies import open_study
    from tasks.takehome.packages import make_package
    from tests.support.cover_shape import write_cover_shape

    parser = argparse.ArgumentParser(prog="python -m bench cover_package")
    parser.add_argument("--n", type=int, default=6, help="rounds (each: an enrolment and a package, kept and fresh)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dataset = load_dataset(write_cover_shape(tmp / "ds"), check_audio=False)
        engine = open_database(tmp / "lab.sqlite3")
        protocol = Protocol(mode="full-robust", design="cover", responses_per_run=5, session_minutes=60,
                            practice_per_block=2, catch_every=20)
        study = open_study(engine, dataset, "cover", protocol)
        kept = CoverContexts()
        start_or_resume(engine, dataset, study, "WARM", "bench", shares=kept)  # builds the kept context
        times: dict[str, list[float]] = {"enrol kept": [], "enrol fresh": [], "package kept": [], "package fresh": []}
        for k in range(args.n):
            for label in ("kept", "fresh"):
                shares = kept if label == "kept" else CoverContexts()
                t0 = time.perf_counter()
                session = start_or_resume(engine, dataset, study, f"L{label[0]}{k:03d}", "bench", shares=shares)
                times[f"enrol {label}"].append(time.perf_counter() - t0)
                _complete(engine, session.id)
                shares = kept if label == "kept" else CoverContexts()
                t0 = time.perf_counter()
                make_package(engine, dataset, "cover", f"H{label[0]}{k:03d}", tmp / "out" / f"{label}{k}.zip", "bench",
                             shares=shares)
                times[f"package {label}"].append(time.perf_counter() - t0)
        engine.dispose()
    print(f"cover_package: {args.n} rounds, full-size cover study (8,580 units, K=5, M=60), SQLite; "
          f"{cores()} cores, load average {load_avg()}")
    for what in ("enrol", "package"):
        kept_ms = statistics.median(times[f"{what} kept"]) * 1000
        fresh_ms = statistics.median(times[f"{what} fresh"]) * 1000
        print(f"  {what:8s} median kept {kept_ms:7.0f} ms  fresh {fresh_ms:7.0f} ms  kept / fresh {kept_ms / fresh_ms:.2f}")
