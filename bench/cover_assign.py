"""Assigning a cover share at enrolment: the time of each of 200 enrolments into one full-size
cover study (951 pc, 900 tr, 502 sr items, full-robust: 8,580 units; K=5 so that 200 shares of
60 minutes leave it uncovered), p50 and p99, on a SQLite file and on a private PostgreSQL
server, against a peer in the same run: 200 enrolments into a shared-design study whose session
is as long (single-pass, 10 items per sub-category: 180 test trials, about a 60-minute session).

Run: ``python -m bench cover_assign [--participants 200] [--backends sqlite postgresql]``

Each enrolment is start_or_resume for a new code, with one CoverContexts kept across them as a
station keeps it (the first enrolment, which builds the study's context, is reported apart).
After each enrolment (not timed) the session is answered and completed in one SQL statement, as
the participant would before the next one comes (``--unanswered``: the sessions stay live, the
worst case, where every share's trials are claims the next share must count). Target: p99 under
200 ms. The last column is the part of a cover enrolment spent in assign_share (the claims read,
the share chosen and planned), the rest is what every enrolment does (participant, session and
plan stored and committed).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench._common import cores, load_avg, percentile


def _complete(engine, session_id: int) -> None:
    """Every planned trial answered (right), the session completed."""
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO response (planned_trial_id, session_id, chosen_letter, is_correct, n_replays, answered_at, "
            "uncalibrated, attenuation_db, paused_ms, rt_interrupted) SELECT id, session_id, answer_letter, TRUE, 0, "
            f"CURRENT_TIMESTAMP, TRUE, 0.0, 0.0, FALSE FROM planned_trial WHERE session_id = {int(session_id)}")
        conn.exec_driver_sql(f"UPDATE session SET status = 'completed' WHERE id = {int(session_id)}")


def _enrol_times(engine, dataset, protocol, name: str, n: int, answer: bool) -> tuple[float, list[float], int, list]:
    """(first enrolment s, the others' seconds, mean test trials a session, the others' seconds in
    assign_share: reading the claims, choosing and planning the share)."""
    import tasks.cover.assign as assign
    from tasks.cover.context import CoverContexts
    from tasks.study.enrolment import start_or_resume
    from tasks.study.studies import open_study

    study = open_study(engine, dataset, name, protocol)
    shares = CoverContexts()
    times, share_times = [], []
    real_assign = assign.assign_share

    def timed_assign(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return real_assign(*args, **kwargs)
        finally:
            share_times.append(time.perf_counter() - t0)

    assign.assign_share = timed_assign  # enrolment imports it at each call
    try:
        for k in range(n):
            t0 = time.perf_counter()
            session = start_or_resume(engine, dataset, study, f"B{k + 1:04d}", "bench", shares=shares)
            times.append(time.perf_counter() - t0)
            if answer:
                _complete(engine, session.id)
    finally:
        assign.assign_share = real_assign
    with engine.connect() as conn:
        tests = conn.exec_driver_sql(
            "SELECT COUNT(*) FROM planned_trial t JOIN session s ON s.id = t.session_id JOIN study st "
            f"ON st.id = s.study_id WHERE st.name = '{name}' AND t.kind = 'test'").scalar_one()
    return times[0], times[1:], tests // n, share_times[1:]


def run(db: str, dataset, n: int, answer: bool) -> dict:
    from db.engine import open_database
    from tasks.study.plan import Protocol

    engine = open_database(db)
    cover = Protocol(mode="full-robust", design="cover", responses_per_run=5, session_minutes=60,
                     practice_per_block=2, catch_every=20)
    shared = Protocol(mode="single-pass", items_per_group=10, practice_per_block=2, catch_every=20)
    out = {}
    for label, protocol in (("cover", cover), ("shared", shared)):
        first, rest, per_session, share = _enrol_times(engine, dataset, protocol, label, n, answer)
        out[label] = {"first_ms": first * 1000, "p50_ms": percentile(rest, 50) * 1000,
                      "p99_ms": percentile(rest, 99) * 1000, "tests": per_session,
                      "share_p50_ms": percentile(share, 50) * 1000 if share else None,
                      "share_p99_ms": percentile(share, 99) * 1000 if share else None}
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> None:
    from tasks.dataset.loader import load_dataset
    from tests.support.cover_shape import write_cover_shape

    parser = argparse.ArgumentParser(prog="python -m bench cover_assign")
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--unanswered", action="store_true", help="leave every session live (the worst case)")
    args = parser.parse_args(argv)
    print(f"cores: {cores()}, load average before: {load_avg()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dataset = load_dataset(write_cover_shape(folder / "ds"))
        print(f"{'backend':>10} {'design':>7} {'tests/session':>13} {'first ms':>9} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'p99 ratio':>9} {'share p50/p99 ms':>16}")
        for backend in args.backends:
            server = None
            if backend == "postgresql":
                from tests.support.pg_harness import start_postgres

                server = start_postgres()
                db = server.create_database("bench_cover")
            else:
                db = str(folder / "bench.sqlite3")
            try:
                r = run(db, dataset, args.participants, not args.unanswered)
            finally:
                if server is not None:
                    server.stop()
            for label in ("cover", "shared"):
                x = r[label]
                print(f"{backend:>10} {label:>7} {x['tests']:>13} {x['first_ms']:>9.0f} {x['p50_ms']:>7.1f} "
                      f"{x['p99_ms']:>7.1f} {x['p99_ms'] / r['shared']['p99_ms']:>9.2f} "
                      + (f"{x['share_p50_ms']:>7.1f} / {x['share_p99_ms']:<6.1f}" if x["share_p50_ms"] else f"{'-':>9}"))
    print(f"load average after: {load_avg()}")


if __name__ == "__main__":
    main()
