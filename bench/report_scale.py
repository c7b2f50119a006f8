"""``report`` on a paper-shaped database (full-robust, ~8,200 runs per participant): wall time and
peak memory, each command as its own process.

Run: ``python -m bench report_scale [--participants 40] [--bootstrap 2000] [--dir DIR]``.
Peer, in the same run and on the same database: the ``compare`` command (one streamed read and
the leaderboard), so the figure printed is report / compare; the report adds the bootstrap, the
item analysis, the agreement statistics, the figures and the human-majority folder. With 200
participants it also says whether the report met its target (under 30 s).
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench._common import ROOT, cores, load_avg, main_py, run_child
from bench._paper_db import build_paper_scale_db


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--bootstrap", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=None, help="folder for the outputs (default: a temp folder)")
    args = parser.parse_args(argv)
    print(f"report scale: {cores()} cores, load average {load_avg()}")
    with tempfile.TemporaryDirectory(prefix="report-bench-", dir=args.dir) as tmp:
        tmp = Path(tmp)
        db = tmp / "lab.sqlite3"
        made = build_paper_scale_db(db, args.participants)
        print(f"  database: {made.participants} participants, {made.responses} responses")
        runs = {
            "compare": main_py("compare", "--db", str(db), "--out", str(tmp / "compare")),
            "report": main_py("report", "--db", str(db), "--out", str(tmp / "report"), "--bootstrap",
                              str(args.bootstrap)),
        }
        measured = {}
        for name, cmd in runs.items():
            seconds, peak_mb, code, err = run_child(cmd, cwd=ROOT)
            if code != 0:
                raise SystemExit(f"{name} failed: {err}")
            measured[name] = (seconds, peak_mb)
            print(f"  {name:>8}: {seconds:6.1f} s, peak {peak_mb:6.0f} MB", flush=True)
        ratio = measured["report"][0] / measured["compare"][0]
        print(f"  report / compare {ratio:.2f}x (B = {args.bootstrap})")
        seconds = measured["report"][0]
        if args.participants == TARGET_PARTICIPANTS:
            print(f"  target: report under {TARGET_S:.0f} s with {TARGET_PARTICIPANTS} participants: {seconds:.1f} s, "
                  f"{'met' if seconds < TARGET_S else 'NOT met'}")


TARGET_PARTICIPANTS, TARGET_S = 200, 30.0  # the paper's scale (docs/report.md)


if __name__ == "__main__":
    main()
