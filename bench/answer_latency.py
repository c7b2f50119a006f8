"""Per-answer latency of a full-robust session on a STAR-Bench-sized dataset (8,580 runs):
commit the answer and fetch the next trial, at positions 1, 4,000 and 8,000.

Run: ``python -m bench answer_latency [--positions 1 4000 8000] [--answers 300] [--dir DIR]``.

Peer, measured in the same run on a copy of the same database file: raw ``sqlite3`` doing the
same storage work: INSERT the response, COMMIT (WAL, synchronous=FULL), and SELECT the next
planned trial by its (session_id, position) index with LIMIT 1. Ours goes through
SessionRunner.answer + next_trial (SQLAlchemy, the session cursor, the completion check), with
a window's lease on the session as the participant window holds it (each answer renews it in
its own transaction: tasks.study.ownership).
Targets: p99 <= 5 ms, and within 3x of the peer at every position.
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench._common import (RAW_INSERT, RAW_NEXT, cores, full_robust, load_avg, percentile, raw_connect,
                           raw_values, shaped_dataset)


def fill_ours(engine, session_id: int, answered: int) -> None:
    """Answer (in bulk, one transaction) until ``answered`` trials are answered."""
    from sqlalchemy import func, select

    from db import repo
    from tasks.study.runner import answer_values

    with engine.begin() as conn:
        have = conn.execute(select(func.count()).select_from(repo.RESPONSE_TABLE)
                            .where(repo.RESPONSE_TABLE.c.session_id == session_id)).scalar_one()
        if answered > have:
            trials = conn.execute(repo.unanswered_query(session_id, answered - have)).all()
            repo.store_answers(conn, session_id, [answer_values(t, t.answer_letter) for t in trials])


def fill_raw(con: sqlite3.Connection, session_id: int, answered: int) -> int:
    """The same on the raw copy; returns the position of the last answered trial."""
    have = con.execute("SELECT COUNT(*) FROM response WHERE session_id = ?", (session_id,)).fetchone()[0]
    rows = con.execute("SELECT * FROM planned_trial WHERE session_id = ? AND position >= ? ORDER BY position "
                       "LIMIT ?", (session_id, have, max(0, answered - have))).fetchall()
    con.execute("BEGIN")
    con.executemany(RAW_INSERT, [raw_values(r, session_id) for r in rows])
    con.execute("COMMIT")
    return answered - 1


def time_both(runner, con: sqlite3.Connection, session_id: int, last_position: int,
              n: int) -> tuple[list[float], list[float]]:
    """Alternate one answer of ours and one of the peer, so that both see the same disk and
    the same load from other processes; milliseconds per answer (commit + next trial)."""
    ours, peer = [], []
    trial = runner.next_trial()
    raw_trial = con.execute(RAW_NEXT, (session_id, last_position)).fetchone()
    for _ in range(n):
        t0 = time.perf_counter()
        runner.answer(trial, trial.answer_letter, rt_ms=800.0)
        trial = runner.next_trial()
        t1 = time.perf_counter()
        con.execute("BEGIN")
        con.execute(RAW_INSERT, raw_values(raw_trial, session_id))
        con.execute("COMMIT")
        raw_trial = con.execute(RAW_NEXT, (session_id, raw_trial[2])).fetchone()
        t2 = time.perf_counter()
        ours.append((t1 - t0) * 1000)
        peer.append((t2 - t1) * 1000)
    return ours, peer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, nargs="+", default=[1, 4000, 8000])
    parser.add_argument("--answers", type=int, default=300, help="answers timed at each position")
    parser.add_argument("--dir", type=Path, default=None, help="folder for the database (default: a temp folder)")
    args = parser.parse_args(argv)

    from db.engine import open_database
    from tasks.study import ownership
    from tasks.study.runner import SessionRunner
    from tasks.study.studies import open_study
    from tasks.study.enrolment import start_or_resume

    print(f"answer latency: {cores()} cores, load average {load_avg()}")
    with tempfile.TemporaryDirectory(prefix="answer-bench-", dir=args.dir) as tmp:
        tmp = Path(tmp)
        ds = shaped_dataset(tmp / "shape")
        engine = open_database(tmp / "lab.sqlite3")
        study = open_study(engine, ds, "latency", full_robust())
        t0 = time.perf_counter()
        session = start_or_resume(engine, ds, study, "P001", "bench", cohort_index=0)
        plan_s = time.perf_counter() - t0
        runner = SessionRunner(engine, session.id)
        total = runner.progress().total
        print(f"  plan of {total} runs planned and stored (one bulk insert) in {plan_s:.2f} s")
        engine.dispose()
        shutil.copy(tmp / "lab.sqlite3", tmp / "raw.sqlite3")  # WAL checkpointed by dispose
        raw = raw_connect(tmp / "raw.sqlite3")
        rows = []
        holder = ownership.new_holder("bench")  # one window's lease, renewed by every answer
        ownership.claim(engine, session.id, holder)
        for position in args.positions:
            if position - 1 + args.answers > total:
                print(f"  position {position}: skipped, the plan has {total} runs")
                continue
            fill_ours(engine, session.id, position - 1)
            last = fill_raw(raw, session.id, position - 1)
            # a new runner, as after a resume: the bulk fill went around the previous one
            ours, peer = time_both(SessionRunner(engine, session.id, holder=holder), raw, session.id, last,
                                   args.answers)
            rows.append((position, ours, peer))
        print(f"  {'position':>8} | {'ours p50':>8} {'ours p99':>8} | {'raw p50':>8} {'raw p99':>8} | "
              f"{'ratio p50':>9} {'ratio p99':>9}   (ms, {args.answers} answers each)")
        for position, ours, peer in rows:
            o50, o99, r50, r99 = (percentile(ours, 50), percentile(ours, 99), percentile(peer, 50),
                                  percentile(peer, 99))
            print(f"  {position:>8} | {o50:8.2f} {o99:8.2f} | {r50:8.2f} {r99:8.2f} | {o50 / r50:8.2f}x "
                  f"{o99 / r99:8.2f}x   p99 {'<=' if o99 <= 5 else '>'} 5 ms")
        raw.close()
        engine.dispose()


if __name__ == "__main__":
    main()
