"""The Results page's two computations on a paper-shaped database (full-robust, ~8,200 runs per
participant), each as its own process as the page runs them: the leaderboard
(gui.console.results_data.results_from_url, the peer) and the report's figures
(gui.console.results_data.figures_from_url: bootstrap B = 2,000, contrasts, item analysis, five
PNGs). Wall time and peak memory of each; the figure printed is figures / leaderboard.

Then the same two again with the page's cache (gui/console/results_cache.py): first computed and
stored, then read back (what the page shows on a second look, or after a restart, while no new
answer came), then after one new answer is stored (computed again). Printed as ratios against
the uncached leaderboard of the same run. Last, each waiting target (a freshly computed
leaderboard under 2 s, figures under 10 s, also after a new answer) and whether it is met.

Run: ``python -m bench results_figures [--participants 40] [--dir DIR]``.
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
cache = Path(sys.argv[3]) if len(sys.argv) > 3 else None
quiet = dict(progress=lambda *a: None, should_cancel=lambda: False)
if which == "leaderboard":
    done = results_from_url(url, None, None, False, cache, **quiet)
    assert done.answered_test > 0
else:
    done = figures_from_url(url, None, None, 1000, False, cache, **quiet)
    assert len(done.figures) >= 3, done.missing
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--dir", type=Path, default=None, help="folder for the database (default: a temp folder)")
    args = parser.parse_args(argv)
    print(f"results figures: {cores()} cores, load average {load_avg()}")
    with tempfile.TemporaryDirectory(prefix="results-figures-bench-", dir=args.dir) as tmp:
        db = Path(tmp) / "lab.sqlite3"
        made = build_paper_scale_db(db, args.participants)
        print(f"  database: {made.participants} participants, {made.responses} responses")
        cache = Path(tmp) / "results-cache"
        measured = {}

        def run(which: str, label: str, *extra: str) -> None:
            seconds, peak_mb, code, err = run_child([sys.executable, "-c", CHILD, f"sqlite:///{db}", which, *extra],
                                                    cwd=ROOT)
            if code != 0:
                raise SystemExit(f"{which} failed: {err}")
            measured[label] = seconds
            print(f"  {label:>32}: {seconds:6.1f} s, peak {peak_mb:6.0f} MB, "
                  f"{seconds / measured['leaderboard']:5.2f}x the leaderboard", flush=True)

        for which in ("leaderboard", "figures"):
            run(which, which)
        for which in ("leaderboard", "figures"):
            run(which, f"{which}, cached: first", str(cache))
        for which in ("leaderboard", "figures"):
            run(which, f"{which}, cached: again", str(cache))
        in_window(db, cache, measured)
        add_one_answer(db)
        for which in ("leaderboard", "figures"):
            run(which, f"{which}, after a new answer", str(cache))
        print(f"  figures / leaderboard {measured['figures'] / measured['leaderboard']:.2f}x")
        print_targets(measured, args.participants)


# the page's waiting targets for a freshly computed result (docs/results-page.md), in seconds
TARGETS = {"leaderboard": 2.0, "figures": 10.0, "leaderboard, after a new answer": 2.0,
           "figures, after a new answer": 10.0}


def print_targets(measured: dict, participants: int) -> None:
    print(f"  targets ({participants} participants; set for 40, on a loaded 2-core machine):")
    for label, target in TARGETS.items():
        seconds = measured[label]
        print(f"    {label:>32}: {seconds:6.1f} s, target under {target:4.1f} s: "
              f"{'met' if seconds < target else 'NOT met'}")


def in_window(db: Path, cache: Path, measured: dict) -> None:
    """The leaderboard read back as the page reads it, on a thread of the window's process whose
    engine is open (gui.console.results_page.leaderboard_job): no child process."""
    import time

    from db.engine import make_engine
    from gui.console.results_data import stored_leaderboard

    engine = make_engine(f"sqlite:///{db}")
    try:
        engine.connect().close()  # the window's engine is open already
        t0 = time.perf_counter()
        kept, _state = stored_leaderboard(engine, None, None, False, cache, progress=lambda *a: None,
                                          should_cancel=lambda: False)
        seconds = time.perf_counter() - t0
    finally:
        engine.dispose()
    assert kept is not None and kept.answered_test > 0
    print(f"  {'leaderboard, read back in-window':>32}: {seconds:6.2f} s, "
          f"{seconds / measured['leaderboard']:5.3f}x the leaderboard", flush=True)


def add_one_answer(db: Path) -> None:
    """One more answered trial (a copy of the last planned trial and its answer, at the next
    position): what a running session adds."""
    import sqlite3

    con = sqlite3.connect(str(db))
    with con:
        cols = [r[1] for r in con.execute("PRAGMA table_info(planned_trial)") if r[1] != "id"]
        last = con.execute("SELECT MAX(id) FROM planned_trial").fetchone()[0]
        listed = ", ".join(cols)
        picked = ", ".join("position + 1" if c == "position" else c for c in cols)
        trial = con.execute(f"INSERT INTO planned_trial ({listed}) SELECT {picked} FROM planned_trial WHERE id = ?",
                            (last,)).lastrowid
        rcols = [r[1] for r in con.execute("PRAGMA table_info(response)") if r[1] not in ("id", "planned_trial_id")]
        rlisted = ", ".join(rcols)
        con.execute(f"INSERT INTO response (planned_trial_id, {rlisted}) SELECT ?, {rlisted} FROM response "
                    "WHERE planned_trial_id = ?", (trial, last))
    con.close()


if __name__ == "__main__":
    main()
