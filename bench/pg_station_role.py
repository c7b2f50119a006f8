"""What the station role's row-level security costs: enrolment (a session and its plan, each
planned trial checked by a policy), answers (one commit each, checked by a policy) and the
delivery of a journal of 200 answers (each entry checked against the server), as a station's
own login role against the same work as the owner (the experimenter, whom no policy binds),
alternated in one run on one private PostgreSQL server (docs/lab-server.md).

Run: ``python -m bench pg_station_role [--sessions 6]``
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench._common import percentile, station_lab


def _work(engine, ds, study, code: str, station: str, folder: Path) -> dict:
    from sqlmodel import Session as DbSession

    from db import repo
    from db.outbox import Outbox, deliver
    from tasks.study.enrolment import start_or_resume
    from tasks.study.runner import SessionRunner

    t0 = time.perf_counter()
    session = start_or_resume(engine, ds, study, code, "bench", station=station)
    enrol_s = time.perf_counter() - t0
    runner = SessionRunner(engine, session.id)
    runner.begin()
    gaps, half = [], runner.progress().total // 2
    for _ in range(half):
        trial = runner.next_trial()
        t = time.perf_counter()
        runner.answer(trial, trial.answer_letter, rt_ms=500.0)
        gaps.append(time.perf_counter() - t)
    box = Outbox(folder / f"outbox-{code}.sqlite3")
    nxt = runner.next_trial()
    with DbSession(engine) as s:  # the rest of the plan, answered into the journal and delivered
        left = [t for t in repo.planned_trials(s, session.id) if t.position >= nxt.position]
    box.add(session.id, [dict(planned_trial_id=t.id, chosen_letter=t.answer_letter, is_correct=True, rt_ms=500.0)
                         for t in left])
    t = time.perf_counter()
    while deliver(engine, box, station):
        pass
    deliver_s = time.perf_counter() - t
    box.close()
    return {"enrol_s": enrol_s, "answers": gaps, "delivered": len(left), "deliver_s": deliver_s}


def main(argv: list[str] | None = None) -> None:
    from tasks.study.plan import Protocol
    from tasks.study.studies import open_study

    p = argparse.ArgumentParser(prog="python -m bench pg_station_role")
    p.add_argument("--sessions", type=int, default=6, help="sessions per role (alternated)")
    args = p.parse_args(argv)
    with station_lab() as (_server, folder, _lab, ds, owner, booth):
        study = open_study(owner, ds, "bench", Protocol(practice_per_block=0))
        results = {"station role": [], "owner": []}
        for k in range(args.sessions):
            for name, engine in (("station role", booth), ("owner", owner)):
                results[name].append(_work(engine, ds, study, f"{name[0].upper()}{k:03d}", "booth1", folder))
        print(f"{'role':>13} {'enrol ms':>9} {'answer p50 ms':>14} {'answer p99 ms':>14} {'deliver ms/answer':>18}")
        for name, runs in results.items():
            gaps = [g for r in runs for g in r["answers"]]
            row = (sum(r["enrol_s"] for r in runs) / len(runs) * 1000, percentile(gaps, 50) * 1000,
                   percentile(gaps, 99) * 1000,
                   sum(r["deliver_s"] for r in runs) / sum(r["delivered"] for r in runs) * 1000)
            results[name] = row
            print(f"{name:>13} {row[0]:>9.1f} {row[1]:>14.2f} {row[2]:>14.2f} {row[3]:>18.2f}")
        ratio = [a / b for a, b in zip(results["station role"], results["owner"])]
        print("station role / owner: " + ", ".join(f"{x:.2f}" for x in ratio)
              + " (enrol, answer p50, answer p99, delivery per answer)")
