"""An adaptive answer on a station with and without its lab server: the time to store one adaptive
trial (the block's estimate with it) on the server, under the station's role, against the time
to journal it while the server is stopped, and the delivery's time per journalled entry after the
restart; in one run on one private PostgreSQL server (docs/lab-server.md, "When the network
fails").

Run: ``python -m bench adaptive_offline [--sessions 4]``

Each session runs two blocks (loudness, pitch; 2-down-1-up, 12 trials each): the first session
of each pair online, the second with the server stopped after its planned trials; the ratios
are journalled / online within this run. The procedure's own step (choosing the next level)
is in both.
"""
from __future__ import annotations

import argparse
import time

from bench._common import percentile, station_lab


def _blocks(adaptive, answer) -> list[float]:
    times = []
    while (runner := adaptive.next_runner()) is not None:
        plan = runner.next_trial()
        t = time.perf_counter()
        answer(runner, plan)
        times.append(time.perf_counter() - t)
    return times


def main(argv: list[str] | None = None) -> None:
    from db.outbox import Outbox
    from tasks.adaptive.blocks import LETTERS
    from tasks.labserver.adaptive_station import StationAdaptive
    from tasks.labserver.station import StationLink
    from tasks.study.enrolment import start_or_resume
    from tasks.study.plan import Protocol
    from tasks.study.runner import SessionRunner
    from tasks.study.studies import open_study
    from tests.support.factories import sr_items

    p = argparse.ArgumentParser(prog="python -m bench adaptive_offline")
    p.add_argument("--sessions", type=int, default=4, help="session pairs (online, then offline)")
    args = p.parse_args(argv)
    protocol = Protocol(variants=["sr"], items_per_group=1, practice_per_block=0, adaptive_max_trials=12,
                        adaptive_dimensions=["loudness", "pitch"], adaptive_procedure="2down1up")

    def answer(runner, plan):
        ok = plan.trial_index % 3 != 2
        letter = plan.answer_letter if ok else LETTERS[1 - LETTERS.index(plan.answer_letter)]
        runner.record(plan, plan.level_asked, letter, {"unit": plan.unit}, rt_ms=500.0)

    with station_lab(sr=sr_items(1)) as (server, folder, _lab, ds, owner, booth):
        open_study(owner, ds, "bench", protocol)
        study = open_study(booth, ds, "bench", protocol)
        online, journalled, delivery = [], [], []
        for k in range(args.sessions * 2):
            offline = k % 2 == 1
            session = start_or_resume(booth, ds, study, f"B{k:03d}", "bench", station="booth1")
            link = StationLink(booth, Outbox(folder / f"outbox-{k}.sqlite3"), "booth1")
            link.deliver_on_record = False
            runner = SessionRunner(booth, session.id, link=link)
            runner.begin()
            adaptive = StationAdaptive(link, session.id, protocol)
            adaptive.load()
            while (t := runner.next_trial()) is not None:
                runner.answer(t, t.answer_letter)
            if offline:
                server.stop(keep=True)
            (journalled if offline else online).extend(_blocks(adaptive, answer))
            if offline:
                server.start()
                booth.dispose()
                n = link.outbox.count()
                t0 = time.perf_counter()
                assert link.try_deliver() and link.outbox.count() == 0
                delivery.append((time.perf_counter() - t0) / n)
            link.outbox.close()
        on50, on99 = percentile(online, 50) * 1000, percentile(online, 99) * 1000
        off50, off99 = percentile(journalled, 50) * 1000, percentile(journalled, 99) * 1000
        per_entry = sum(delivery) / len(delivery) * 1000
        print(f"{'adaptive answer':>16} {'p50 ms':>8} {'p99 ms':>8}")
        print(f"{'on the server':>16} {on50:>8.2f} {on99:>8.2f}")
        print(f"{'journalled':>16} {off50:>8.2f} {off99:>8.2f}")
        print(f"journalled / on the server: p50 {off50 / on50:.2f}, p99 {off99 / on99:.2f}; delivery after the "
              f"restart {per_entry:.2f} ms per entry ({per_entry / on50:.2f} x an online answer's p50)")
