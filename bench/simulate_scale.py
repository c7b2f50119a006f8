"""``simulate`` at paper scale: simulated participants, full-robust, on a STAR-Bench-sized
dataset (8,580 runs each), stored durably; time against participants; resume after SIGKILL.

Run: ``python -m bench simulate_scale [--participants 10 50 200] [--batch 500] [--dir DIR]
[--keep DB] [--extra 5]`` (``--keep`` keeps the largest database for ``bench export_scale
--db``; ``--extra`` times a few more participants on an empty and on the largest database).

Each simulate runs as its own process (``main.py simulate``), timed from start to exit. Peer,
in the same run: raw ``sqlite3`` storing the same rows (each participant's plan as one
executemany, then the answers in transactions of the same batch size, WAL, synchronous=FULL)
without planning or choosing answers: the floor of the storage work. A run with 0 participants
measures the fixed cost (start, imports, dataset), so that the net seconds per participant show
whether the time grows linearly. Target: 200 participants in < 5 minutes on 2 cores.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from bench._common import (RAW_INSERT, cores, load_avg, raw_connect, raw_values, response_content, run_child,
                           shaped_dataset, simulate_argv)


def raw_peer(template: Path, target: Path, participants: int, plan_rows: list[tuple], batch: int) -> float:
    """Seconds for raw sqlite3 to store ``participants`` plans and all their answers."""
    shutil.copy(template, target)
    con = raw_connect(target)
    columns = "session_id, position, block, kind, catch_of, break_before, variant, item_id, rotate_id, unique_id, " \
              "task, category, sub_category, options_json, answer, answer_letter, shuffled_seg_order"
    t0 = time.perf_counter()
    for k in range(participants):
        con.execute("BEGIN")
        cur = con.execute("INSERT INTO session (study_id, participant_id, cohort_index, plan_seed, calibration_ids, "
                          "uncalibrated, take_home, level_procedure, app_version, status, created_at, next_position) "
                          "VALUES (1, 1, ?, 0, '[]', 1, 0, 'x', 'x', 'running', '2026-01-01 00:00:00', 0)", (k,))
        session_id = cur.lastrowid
        con.executemany(f"INSERT INTO planned_trial ({columns}) VALUES ({', '.join('?' * 17)})",
                        [(session_id, *r[2:]) for r in plan_rows])
        con.execute("COMMIT")
        trials = con.execute("SELECT * FROM planned_trial WHERE session_id = ? ORDER BY position",
                             (session_id,)).fetchall()
        for i in range(0, len(trials), batch):
            con.execute("BEGIN")
            con.executemany(RAW_INSERT, [raw_values(t, session_id) for t in trials[i:i + batch]])
            con.execute("UPDATE session SET next_position = ? WHERE id = ?", (trials[i:i + batch][-1][2] + 1,
                                                                            session_id))
            con.execute("COMMIT")
    seconds = time.perf_counter() - t0
    con.close()
    return seconds


def killed_and_resumed(dataset: Path, db: Path, participants: int, batch: int, kill_after_s: list[float]) -> int:
    """Kill a simulate child at the given moments (each a new run), then run it to the end;
    returns how many kills landed."""
    kills = 0
    for delay in kill_after_s:
        proc = subprocess.Popen(simulate_argv(dataset, db, participants, batch), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
    done = subprocess.run(simulate_argv(dataset, db, participants, batch), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"resumed simulate failed: {done.stderr[-2000:]}")
    return kills


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--dir", type=Path, default=None, help="folder for the databases (default: a temp folder)")
    parser.add_argument("--keep", type=Path, default=None, help="copy the largest database here")
    parser.add_argument("--no-resume", action="store_true", help="skip the kill-and-resume check")
    parser.add_argument("--extra", type=int, default=5,
                        help="participants added to an empty and to the largest database (0: skip)")
    args = parser.parse_args(argv)

    from db.engine import open_database
    from tasks.study.plan import make_plan
    from tasks.study.studies import trial_values
    from bench._common import full_robust

    print(f"simulate scale: {cores()} cores, load average {load_avg()}; batch {args.batch} answers per transaction")
    with tempfile.TemporaryDirectory(prefix="simulate-bench-", dir=args.dir) as tmp:
        tmp = Path(tmp)
        ds = shaped_dataset(tmp / "shape")
        plan = [trial_values(t) for t in make_plan(ds, full_robust(), "SIM001", 0)]
        plan_rows = [(None, None, *[row[c] for c in ("position", "block", "kind", "catch_of", "break_before",
                                                      "variant", "item_id", "rotate_id", "unique_id", "task",
                                                      "category", "sub_category", "options_json", "answer",
                                                      "answer_letter", "shuffled_seg_order")]) for row in plan]
        template = tmp / "template.sqlite3"
        open_database(template).dispose()
        con = raw_connect(template)
        con.execute("INSERT INTO study (id, name, dataset_root, dataset_fingerprint, protocol_json, created_at) "
                    "VALUES (1, 's', '/', 'f', '{}', '2026-01-01 00:00:00')")
        con.execute("INSERT INTO participant (id, code, created_at) VALUES (1, 'P', '2026-01-01 00:00:00')")
        con.close()
        print(f"  {len(plan)} runs per participant")
        fixed_s, _mb, code, err = run_child(simulate_argv(ds.root, tmp / "zero.sqlite3", 0, args.batch))
        if code != 0:
            raise SystemExit(f"simulate 0 failed: {err}")
        print(f"  fixed cost of a run (process start, imports, dataset, study; 0 participants): {fixed_s:.1f} s")
        print(f"  {'participants':>12} | {'answers':>9} | {'ours s':>8} {'answers/s':>9} {'peak MB':>7} | "
              f"{'raw s':>7} {'answers/s':>9} | {'ratio':>6} | {'s/participant':>13} {'net':>6}")
        results = []
        largest = None
        for n in args.participants:
            db = tmp / f"sim{n}.sqlite3"
            seconds, peak_mb, code, err = run_child(simulate_argv(ds.root, db, n, args.batch))
            if code != 0:
                raise SystemExit(f"simulate {n} failed: {err}")
            answers = len(plan) * n
            peer_s = raw_peer(template, tmp / f"raw{n}.sqlite3", n, plan_rows, args.batch)
            (tmp / f"raw{n}.sqlite3").unlink()
            results.append((n, seconds))
            print(f"  {n:>12} | {answers:>9} | {seconds:8.1f} {answers / seconds:9.0f} {peak_mb:7.0f} | "
                  f"{peer_s:7.1f} {answers / peer_s:9.0f} | {seconds / peer_s:5.1f}x | {seconds / n:13.2f} "
                  f"{(seconds - fixed_s) / n:6.2f}", flush=True)
            if n == max(args.participants):
                largest = db
            elif n != min(args.participants):
                db.unlink()  # the smallest stays as the reference of the resume check
        if len(results) > 1:
            (n0, s0), (n1, s1) = results[0], results[-1]
            print(f"  growth: {n1 / n0:.0f}x the participants took {s1 / s0:.1f}x the time, "
                  f"{(s1 - fixed_s) / (s0 - fixed_s):.1f}x without the fixed cost (linear: {n1 / n0:.0f}x)")
        if largest is not None and args.extra:
            # the same few participants on an empty database and on the largest one, back to back:
            # a per-participant cost that grew with the database would show here
            fresh = tmp / "fresh.sqlite3"
            empty_s, _mb, code1, err1 = run_child(simulate_argv(ds.root, fresh, args.extra, args.batch))
            full_s, _mb, code2, err2 = run_child(simulate_argv(ds.root, largest, args.extra, args.batch)
                                                 + ["--study", "extra"])
            if code1 or code2:
                raise SystemExit(f"marginal run failed: {err1 or err2}")
            print(f"  marginal: {args.extra} participants take {empty_s:.1f} s on an empty database and "
                  f"{full_s:.1f} s on the {max(args.participants)}-participant one (ratio {full_s / empty_s:.2f})")
        if not args.no_resume:
            n = min(args.participants)
            reference = tmp / f"sim{n}.sqlite3"
            killed = tmp / f"killed{n}.sqlite3"
            kills = killed_and_resumed(ds.root, killed, n, args.batch, [2.0, 3.5, 5.0])
            same = response_content(killed) == response_content(reference)
            print(f"  resume: {n} participants, {kills} SIGKILLs then a rerun: responses "
                  f"{'identical to' if same else 'DIFFERENT from'} the uninterrupted run (timestamps aside)")
        if args.keep and largest is not None:
            shutil.copy(largest, args.keep)
            print(f"  kept {largest.name} as {args.keep}")


if __name__ == "__main__":
    main()
