"""``export`` and ``compare`` on a paper-scale database (200 participants x 8,580 runs, ~1.7 M
responses): wall time and peak memory of each, as its own process.

Run: ``python -m bench export_scale [--db FILE | --participants 200] [--dir DIR] [--repeat 3]
[--baseline TREE] [--skip NAME ...]``. Without ``--db`` the database is first made by
``main.py simulate`` (full-robust, STAR-Bench-shaped).

Measured in each repetition, one after the other on the same database:
- ``export`` and ``compare``: the two commands (``main.py export``, ``main.py compare``);
- ``both``: export and compare together as the console's Export button runs them
  (tasks.results.compare.export_and_compare: the comparison from the export's own read and scoring);
- ``raw peer``: raw ``sqlite3`` streaming the same joined rows (planned trial + response, ordered
  by session and position) into one CSV with the csv module - the floor of reading and writing
  every row once;
- ``read only``: the app's own reader fetching every row and writing nothing (the driver's part);
- with ``--baseline TREE`` (another checkout of the app, e.g. ``git archive`` of an earlier
  commit): that tree's ``export`` and ``compare`` commands, so that before and after are
  measured under the same load; their files are compared with ours byte for byte.
Ratios are against the raw peer of the same repetition. Peak memory is the child's own maximum
resident set (wait4). Targets: export + compare < 60 s and < 1.5 GB each.
"""
from __future__ import annotations

import argparse
import csv
import filecmp
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._common import ROOT, cores, load_avg, main_py, run_child, shaped_dataset, simulate_argv


def run_timed(argv: list[str], cwd: Path | None) -> tuple[float, float, float, int, str]:
    """Run a child to its end: (wall seconds, CPU seconds (user + system), peak RSS in MB,
    exit status, stderr tail), from wait4's resource usage of that one child. On a shared
    machine the CPU time shows the work done even when other processes stretch the wall time."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
    err = proc.stderr.read().decode(errors="replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    return (time.perf_counter() - t0, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode,
            err[-2000:])


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
    """Where export's time goes, part 1: the app's own reader (tasks.study.records.session_batches)
    fetching every row of every session and writing nothing."""
    from db.engine import open_database
    from tasks.study.records import read_snapshot, session_batches, study_sessions

    engine = open_database(db, create=False)
    groups = study_sessions(engine)
    with read_snapshot(engine) as conn:
        for g in groups:
            for session in g.sessions:
                for _batch in session_batches(conn, session.id):
                    pass


def both(db: str, out: str) -> None:
    """Export and compare together, as the console's Export button runs them."""
    from db.engine import open_database
    from tasks.version import app_version  # the version the export command writes into trials.columns.json
    from tasks.results.compare import export_and_compare

    export_and_compare(open_database(db, create=False), Path(out), app_version(), [], compare_dir=Path(out) / "compare")


def differing_files(a: Path, b: Path) -> list[str]:
    """Relative paths that are not byte-identical (or exist on one side only)."""
    out = []
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    out += [str(p) for p in sorted(files_a ^ files_b)]
    out += [str(p) for p in sorted(files_a & files_b) if not filecmp.cmp(a / p, b / p, shallow=False)]
    return out


def commands(db: Path, tmp: Path, baseline: Path | None) -> dict[str, tuple[list[str], Path | None, Path]]:
    """name -> (argv, working folder, output folder)."""
    py = sys.executable
    runs = {
        "export": (main_py("export", "--db", str(db), "--out", str(tmp / "export")), ROOT, tmp / "export"),
        "compare": (main_py("compare", "--db", str(db), "--out", str(tmp / "compare")), ROOT, tmp / "compare"),
        "both": ([py, "-c", f"from bench.export_scale import both; both({str(db)!r}, {str(tmp / 'both')!r})"],
                 ROOT, tmp / "both"),
        "raw peer": ([py, "-c", f"from bench.export_scale import raw_export; "
                                f"raw_export({str(db)!r}, {str(tmp / 'raw.csv')!r})"], ROOT, tmp / "raw.csv"),
        "read only": ([py, "-c", f"from bench.export_scale import read_only; read_only({str(db)!r})"], ROOT, tmp),
    }
    if baseline is not None:
        runs["export (baseline)"] = ([py, str(baseline / "main.py"), "export", "--db", str(db), "--out",
                                      str(tmp / "export-baseline")], baseline, tmp / "export-baseline")
        runs["compare (baseline)"] = ([py, str(baseline / "main.py"), "compare", "--db", str(db), "--out",
                                       str(tmp / "compare-baseline")], baseline, tmp / "compare-baseline")
    return runs


def check_outputs(tmp: Path, baseline: bool) -> None:
    """The same files whichever way they were made (and whichever tree made them)."""
    pairs = [("both (export part)", tmp / "both", tmp / "export"), ("both (compare part)", tmp / "both" / "compare",
                                                                   tmp / "compare")]
    if baseline:
        pairs += [("export vs baseline", tmp / "export", tmp / "export-baseline"),
                  ("compare vs baseline", tmp / "compare", tmp / "compare-baseline")]
    for label, a, b in pairs:
        if label.startswith("both (export"):
            diff = [p for p in differing_files(a, b) if not p.startswith("compare")]
        else:
            diff = differing_files(a, b)
        print(f"  {label}: {'byte-identical' if not diff else 'DIFFERENT: ' + ', '.join(diff[:5])}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="an existing database (else one is simulated)")
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=None, help="folder for the outputs (default: a temp folder)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (the outputs are removed after each)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another source tree of the app whose export and compare to time alongside")
    parser.add_argument("--skip", nargs="*", default=[], help="measurements to leave out, e.g. 'read only'")
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
        runs = {k: v for k, v in commands(db, tmp, args.baseline).items() if k not in args.skip}
        measured: dict[str, list[tuple[float, float, float]]] = {name: [] for name in runs}
        for rep in range(args.repeat):
            print(f"  repetition {rep + 1} (load average {load_avg()}):")
            for name, (cmd, cwd, _out) in runs.items():
                seconds, cpu_s, peak_mb, code, err = run_timed(cmd, cwd)
                if code != 0:
                    raise SystemExit(f"{name} failed: {err}")
                measured[name].append((seconds, peak_mb, cpu_s))
                print(f"  {name:>18}: {seconds:6.1f} s (CPU {cpu_s:6.1f} s), peak {peak_mb:6.0f} MB", flush=True)
            if rep == 0:
                exported = [p for p in (tmp / "export").rglob("*") if p.is_file()] if "export" in runs else []
                print(f"  export wrote {len(exported)} files ({sum(p.stat().st_size for p in exported) / 1e6:.0f} MB)")
                if {"export", "compare", "both"} <= set(runs):
                    check_outputs(tmp, args.baseline is not None and "export (baseline)" in runs)
            for _cmd, _cwd, out in runs.values():
                if out != tmp:
                    shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)
            report(measured, rep)
        if args.repeat > 1:
            print("  median of the repetitions:")
            report({k: [(statistics.median(x[0] for x in v), max(x[1] for x in v), statistics.median(x[2] for x in v))]
                    for k, v in measured.items()}, 0)


def report(measured: dict[str, list[tuple[float, float, float]]], rep: int) -> None:
    """One repetition's totals and ratios against its raw peer (wall time, then CPU time)."""
    for label, at in (("wall", 0), ("CPU", 2)):
        report_one(label, {name: v[rep][at] for name, v in measured.items() if len(v) > rep},
                   {name: v[rep][1] for name, v in measured.items() if len(v) > rep})


def report_one(label: str, s: dict[str, float], peak: dict[str, float]) -> None:
    peer = s.get("raw peer")
    parts = []
    if "export" in s and "compare" in s:
        apart = s["export"] + s["compare"]
        parts.append(f"export + compare {apart:.1f} s" + (f" ({'<' if apart < 60 else '>='} 60 s)" if label == "wall"
                                                          else "") + (f" = {apart / peer:.2f}x the peer" if peer else ""))
    if "both" in s:
        parts.append(f"together {s['both']:.1f} s" + (f" ({'<' if s['both'] < 60 else '>='} 60 s)" if label == "wall"
                                                       else "") + (f" = {s['both'] / peer:.2f}x the peer" if peer else ""))
    if "export (baseline)" in s and "compare (baseline)" in s:
        before = s["export (baseline)"] + s["compare (baseline)"]
        parts.append(f"baseline export + compare {before:.1f} s"
                     + (f" = {before / peer:.2f}x the peer" if peer else ""))
        if "both" in s:
            parts.append(f"together / baseline {s['both'] / before:.2f}")
        if "export" in s and "compare" in s:
            parts.append(f"apart / baseline {(s['export'] + s['compare']) / before:.2f}")
    if peer:
        parts += [f"{name} / peer {s[name] / peer:.2f}x" for name in ("export", "compare", "read only") if name in s]
    if peak and label == "wall":
        parts.append(f"peak {max(peak.values()):.0f} MB ({'<' if max(peak.values()) < 1536 else '>='} 1.5 GB)")
    print(f"    {label}: " + "; ".join(parts))


if __name__ == "__main__":
    main()
