"""The Results page's two computations on a paper-shaped database (full-robust, ~8,200 runs per
participant), each as its own process as the page runs them: the leaderboard
(gui.console.results_data.results_from_url, the peer) and the report's figures
(gui.console.results_data.figures_from_url: bootstrap B = 2,000, contrasts, item analysis, five
PNGs). Wall time and peak memory of each; the figure printed is figures / leaderboard.

Run: ``python -m bench results_figures [--participants 20] [--dir DIR]``.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench._common import ROOT, cores, load_avg, run_child
from bench._paper_db import build_paper_scale_db

CHILD = """
import sys
from pathlib import Path
from gui.console.results_data import figures_from_url, results_from_url
url, which = sys.argv[1], sys.argv[2]
quiet = dict(progress=lambda *a: None, should_cancel=lambda: False)
if which == "leaderboard":
    done = results_from_url(url, None, None, **quiet)
    assert done.answered_test > 0
else:
    done = figures_from_url(url, None, None, 1000, **quiet)
    assert len(done.figures) >= 3, done.missing
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=None, help="folder for the database (default: a temp folder)")
    args = parser.parse_args(argv)
    print(f"results figures: {cores()} cores, load average {load_avg()}")
    with tempfile.TemporaryDirectory(prefix="results-figures-bench-", dir=args.dir) as tmp:
        db = Path(tmp) / "lab.sqlite3"
        made = build_paper_scale_db(db, args.participants)
        print(f"  database: {made.participants} participants, {made.responses} responses")
        measured = {}
        for which in ("leaderboard", "figures"):
            seconds, peak_mb, code, err = run_child([sys.executable, "-c", CHILD, f"sqlite:///{db}", which], cwd=ROOT)
            if code != 0:
                raise SystemExit(f"{which} failed: {err}")
            measured[which] = seconds
            print(f"  {which:>11}: {seconds:6.1f} s, peak {peak_mb:6.0f} MB", flush=True)
        print(f"  figures / leaderboard {measured['figures'] / measured['leaderboard']:.2f}x")


if __name__ == "__main__":
    main()
