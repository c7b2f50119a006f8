"""``export`` and ``compare`` on a paper-scale database (200 participants x 8,580 runs, ~1.7 M
responses): wall time and peak memory of each, as its own process.

Run: ``python -m bench export_scale [--db FILE | --participants 200] [--dir DIR]``. Without
``--db`` the database is first made by ``main.py simulate`` (full-robust, STAR-Bench-shaped).

Peer, in the same run and also as a child process: raw ``sqlite3`` streaming the same joined
rows (planned trial + response, ordered by session and position) into one CSV with the csv
module - the floor of reading and writing every row once. "read only" is the app's own reader
fetching every row and writing nothing: the part of export's time that is the driver's. Peak memory is the child's own
maximum resident set (wait4). Targets: export + compare < 60 s and < 1.5 GB each.
"""
from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
import tempfile
from pathlib import Path

from bench._common import ROOT, cores, load_avg, main_py, run_child, shaped_dataset, simulate_argv


def raw_export(db: str, out: str) -> None:
    """The peer: every planned trial with its response, streamed into one CSV."""
    con = sqlite3.connect(db)
    rows = con.execute("SELECT * FROM planned_trial t LEFT JOIN response r ON r.planned_trial_id = t.id "
                       "ORDER BY t.session_id, t.position")
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([d[0] for d in rows.description])
        for row in rows:
            w.writerow(row)
    con.close()


def read_only(db: str) -> None:
    """Where export's time goes, part 1: the app's own reader (tasks.records.session_batches)
    fetching every row of every session and writing nothing."""
    from db.engine import open_database
    from tasks.records import read_snapshot, session_batches, study_sessions

    engine = open_database(db, create=False)
    groups = study_sessions(engine)
    with read_snapshot(engine) as conn:
        for g in groups:
            for session in g.sessions:
                for _batch in session_batches(conn, session.id):
                    pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="an existing database (else one is simulated)")
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=None, help="folder for the outputs (default: a temp folder)")
    args = parser.parse_args(argv)
    print(f"export scale: {cores()} cores, load average {load_avg()}")
    with tempfile.TemporaryDirectory(prefix="export-bench-", dir=args.dir) as tmp:
        tmp = Path(tmp)
        db = args.db
        if db is None:
            db = tmp / "lab.sqlite3"
            ds = shaped_dataset(tmp / "shape")
            seconds, _mb, code, err = run_child(simulate_argv(ds.root, db, args.participants))
            if code != 0:
                raise SystemExit(f"simulate failed: {err}")
            print(f"  simulated {args.participants} participants in {seconds:.0f} s")
        con = sqlite3.connect(str(db))
        responses = con.execute("SELECT COUNT(*) FROM response").fetchone()[0]
        trials = con.execute("SELECT COUNT(*) FROM planned_trial").fetchone()[0]
        con.close()
        print(f"  database: {db.stat().st_size / 1e6:.0f} MB, {trials} planned trials, {responses} responses")
        runs = {
            "export": main_py("export", "--db", str(db), "--out", str(tmp / "export")),
            "compare": main_py("compare", "--db", str(db), "--out", str(tmp / "compare")),
            "raw peer": [sys.executable, "-c", f"from bench.export_scale import raw_export; "
                                               f"raw_export({str(db)!r}, {str(tmp / 'raw.csv')!r})"],
            "read only": [sys.executable, "-c", f"from bench.export_scale import read_only; read_only({str(db)!r})"],
        }
        measured = {}
        for name, cmd in runs.items():
            seconds, peak_mb, code, err = run_child(cmd, cwd=ROOT)
            if code != 0:
                raise SystemExit(f"{name} failed: {err}")
            measured[name] = (seconds, peak_mb)
            print(f"  {name:>9}: {seconds:6.1f} s, peak {peak_mb:6.0f} MB", flush=True)
        peer_s = measured["raw peer"][0]
        both = measured["export"][0] + measured["compare"][0]
        print(f"  export / peer {measured['export'][0] / peer_s:.2f}x, compare / peer "
              f"{measured['compare'][0] / peer_s:.2f}x, read only / peer {measured['read only'][0] / peer_s:.2f}x; "
              f"export + compare {both:.1f} s = {both / peer_s:.2f}x the peer "
              f"({'<' if both < 60 else '>='} 60 s), peak {max(measured['export'][1], measured['compare'][1]):.0f} MB "
              f"({'<' if max(measured['export'][1], measured['compare'][1]) < 1536 else '>='} 1.5 GB)")
        exported = sum(1 for p in (tmp / "export").rglob("*") if p.is_file())
        print(f"  export wrote {exported} files ({sum(p.stat().st_size for p in (tmp / 'export').rglob('*') if p.is_file()) / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
