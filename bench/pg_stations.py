"""Many stations on one database: answers per second and per-answer p99 with 1, 4 and 8
stations on a private PostgreSQL server, against the same workload on one SQLite file, in
the same run.

Run: ``python -m bench pg_stations [--stations 1 4 8] [--participants 4] [--repeat 1]``

Each station is a process running the station loop of ``simulate --station`` (one commit per
answer, enrolment under the study lock) on a small bank (21 trials a participant). The
processes import and connect first, then all start together at a barrier; the wall time runs
from the barrier to the last station's end. Per answer: the time from one acknowledged
answer to the next within a session (choosing the answer + storing it); the first answer of a
session (enrolment, plan) is left out. The SQLite peer: the same stations on one SQLite file
(WAL, synchronous=FULL), the way several processes of one computer would share it.
PostgreSQL runs with fsync on, as a lab server would.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

from bench._common import cores, load_avg, percentile


def _station(db: str, dataset: str, station: str, participants: int, outbox: str, barrier, out) -> None:
    from db.engine import open_database
    from db.outbox import Outbox
    from tasks.dataset.loader import load_dataset
    from tasks.simulation.observers import Observer
    from tasks.study.plan import Protocol
    from tasks.labserver.station import simulate_station

    engine = open_database(db)
    ds = load_dataset(dataset, check_audio=False)
    box = Outbox(Path(outbox))
    gaps: list[float] = []
    last = {"code": None, "t": 0.0}

    def committed(code: str, _position: int) -> None:
        now = time.perf_counter()
        if code == last["code"]:
            gaps.append(now - last["t"])
        last["code"], last["t"] = code, now

    barrier.wait()
    simulate_station(engine, ds, Protocol(seed=7, practice_per_block=0), participants, Observer("psychometric"),
                     "bench", station, box, "bench", on_commit=committed)
    out.put((station, time.perf_counter(), gaps))
    box.close()
    engine.dispose()


def run(db: str, dataset: Path, n_stations: int, participants: int, folder: Path) -> dict:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(n_stations + 1)
    out = ctx.Queue()
    procs = [ctx.Process(target=_station, args=(db, str(dataset), f"s{i}", participants,
                                                str(folder / f"outbox-{n_stations}-{i}.sqlite3"), barrier, out))
             for i in range(n_stations)]
    for p in procs:
        p.start()
    barrier.wait()
    t0 = time.perf_counter()
    results = [out.get(timeout=900) for _ in procs]
    for p in procs:
        p.join()
    wall_s = max(r[1] for r in results) - t0
    gaps = [g for r in results for g in r[2]]
    answers = n_stations * participants * 21
    return {"answers": answers, "answers_per_s": answers / wall_s, "p50_ms": 1000 * percentile(gaps, 50),
            "p99_ms": 1000 * percentile(gaps, 99), "wall_s": wall_s}


def main(argv: list[str] | None = None) -> None:
    from tests.support.pg_harness import start_postgres
    from tests.support.factories import pc_items, sr_items, tr_items, write_dataset

    parser = argparse.ArgumentParser(prog="python -m bench pg_stations")
    parser.add_argument("--stations", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--participants", type=int, default=4, help="participants per station")
    args = parser.parse_args(argv)
    print(f"cores: {cores()}, load average before: {load_avg()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dataset = write_dataset(folder / "bank", pc=pc_items(per_sub=2), tr=tr_items(per_sub=1),
                                sr=sr_items(per_cat=2))
        server = start_postgres()
        try:
            print(f"{'stations':>8} {'backend':>10} {'answers':>8} {'answers/s':>10} {'p50 ms':>8} {'p99 ms':>8} "
                  f"{'ratio/s':>8}")
            for n in args.stations:
                from db.engine import open_database

                url = server.create_database(f"bench{n}")
                open_database(url).dispose()
                file = folder / f"bench{n}.sqlite3"
                open_database(file).dispose()
                pg = run(url, dataset, n, args.participants, folder)
                lite = run(str(file), dataset, n, args.participants, folder)
                for name, r in (("postgresql", pg), ("sqlite", lite)):
                    print(f"{n:>8} {name:>10} {r['answers']:>8} {r['answers_per_s']:>10.1f} {r['p50_ms']:>8.1f} "
                          f"{r['p99_ms']:>8.1f} {r['answers_per_s'] / lite['answers_per_s']:>8.2f}")
        finally:
            server.stop()
    print(f"load average after: {load_avg()}")
