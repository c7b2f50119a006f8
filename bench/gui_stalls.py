"""Event-loop stalls of the app during a simulated session, against the same loop idle.

A private JACK server (dummy driver) plays the sound; the real console and participant window
run offscreen; a driver answers every question as soon as the options are enabled (and clicks
through instructions, breaks and screening). A 5 ms heartbeat timer records every gap between
its ticks; a stall is the gap minus 5 ms. The peer is the same heartbeat on an idle event loop
for the same duration, in the same process. Target: no stall over 100 ms.

With ``--participants N`` (N > 0) the database is a paper-scale one first: a study on a
STAR-Bench-v1.0-shaped dataset (951 pc, 900 tr, 502 sr items, the real category and
sub-category names), N participants with a complete full-robust session each (~8,000 answered
runs per participant), written with bulk SQL into the real schema (bench/_paper_db.py). The console
opens on it with the Sessions and then the Results page computing for that study while the
session runs; the heartbeat covers both, until the Results page shows the N participants.

    python -m bench gui_stalls [--variants pc sr] [--items-per-group 1] [--participants 200]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.jack_harness import attach_portaudio, start_jackd  # noqa: E402

HEARTBEAT_MS = 5


class Heartbeat:
    def __init__(self):
        from PySide6.QtCore import QTimer

        self.gaps_ms: list[float] = []
        self.last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        gap_ms = (now - self.last) * 1000.0 - HEARTBEAT_MS
        self.gaps_ms.append(gap_ms)
        if gap_ms > 50:
            # the GUI thread's own CPU time in the gap: work of ours, vs. waiting for a core
            self.long.append((now - self.started, gap_ms, (cpu - self.last_cpu) * 1000.0))
        self.last, self.last_cpu = now, cpu

    def start(self) -> None:
        self.last = self.started = time.perf_counter()
        self.started_wall = time.time()
        self.last_cpu = time.thread_time()
        self.long: list[tuple[float, float, float]] = []  # (s after start, stall ms, GUI-thread CPU ms) over 50 ms
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.gaps_ms


def summary(gaps: list[float]) -> str:
    import numpy as np

    g = np.maximum(np.asarray(gaps), 0.0)
    return (f"ticks {len(g)}, max stall {g.max():.1f} ms, p99 {np.percentile(g, 99):.1f} ms, "
            f"stalls > 100 ms: {int((g > 100).sum())}, > 50 ms: {int((g > 50).sum())}")


def run_session(args, workdir: Path, db_path: Path, big_study: str | None) -> tuple[list[float], float, int, float]:
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from audio.screening import antiphase_test, huggins_test
    from gui.app import Application
    from gui.launch import freeze_startup_objects, warm_up
    from tasks.bank.build import ensure_builtin_bank
    from tests.support.gui_harness import capture_participant_windows, lab_context

    qapp = QApplication.instance() or QApplication([])
    ensure_builtin_bank(workdir)
    app = Application(lab_context(workdir, db_path, "bench"), qapp)
    audio = app.ctx.audio
    app.start()
    while app.console.state.dataset is None:
        QTest.qWait(20)
    # the console as gui/launch.py leaves it after start-up: page modules imported, start-up
    # objects frozen out of the garbage collector's view
    warm_up()
    freeze_startup_objects()
    beat = Heartbeat()
    beat.start()
    started = time.perf_counter()
    results_page = None
    computed: list[float] = []
    if big_study is not None:
        from sqlmodel import Session as DbSession

        from db import repo

        with DbSession(app.ctx.db) as s:
            app.console.state.study = repo.get_study(s, big_study)
        # each action of the experimenter is a click of its own: the event loop runs in between
        app.console.show_page("sessions")  # reads the sessions' progress on its worker
        QTest.qWait(200)
        results_page = app.console.results_page
        results_page.job.succeeded.connect(lambda _data: computed.append(time.perf_counter() - started))
        app.console.show_page("results")  # the leaderboard of the big study, computed in its process
        QTest.qWait(200)
    took_ms = {}
    actions = [("open study", lambda: open_study(app, args)),
               ("show Participants", lambda: app.console.show_page("participants")),
               ("add participant", lambda: add_participant(app)),
               ("show Sessions", lambda: app.console.show_page("sessions"))]
    for name, action in actions:
        t0, c0 = time.perf_counter(), time.thread_time()
        action()
        took_ms[name] = ((time.perf_counter() - t0) * 1000, (time.thread_time() - c0) * 1000)
        QTest.qWait(200)
    made = capture_participant_windows(
        app, screening=lambda seed: [antiphase_test(seed, duration_s=0.3, gap_s=0.1, n_trials=3),
                                     huggins_test(seed, duration_s=0.3, gap_s=0.1, n_trials=3)])
    t0, c0 = time.perf_counter(), time.thread_time()
    app.console.sessions_page.start()  # the plan is stored on a worker; the window opens after
    took_ms["start session"] = ((time.perf_counter() - t0) * 1000, (time.thread_time() - c0) * 1000)
    while not made:
        QTest.qWait(10)
    window = made[0]
    answered = [0]

    def drive() -> None:
        if window.stack.currentWidget() is window.message:
            if window.message.title.text() == "Thank you!":
                return
            window._proceed()
        elif window.trial.option_buttons and window.trial.option_buttons[0].isEnabled():
            window.trial.select(0)
            window.trial.confirm_answer()
            answered[0] += 1

    driver = QTimer()
    driver.setInterval(50)
    driver.timeout.connect(drive)
    driver.start()
    while not (window.finished and window.message.title.text() == "Thank you!"):
        QTest.qWait(50)
    driver.stop()
    session_s = time.perf_counter() - started
    if results_page is not None:
        while not computed and results_page.job.busy:
            QTest.qWait(50)
        rows = results_page.people.rowCount()
        print(f"results page: {rows} participants shown, computed {computed[0]:.1f} s after start"
              if computed else "results page: NOT computed")
    gaps = beat.stop()
    duration_s = time.perf_counter() - started
    print(f"session finished {session_s:.1f} s after start; the clicks took (ms, GUI-thread CPU ms): "
          + ", ".join(f"{name} {ms:.0f} ({cpu:.0f})" for name, (ms, cpu) in took_ms.items()))
    if beat.long:
        print("stalls over 50 ms (s after start: ms, of which GUI-thread CPU ms): "
              + ", ".join(f"{at:.1f}: {ms:.0f} ({cpu:.0f})" for at, ms, cpu in beat.long))
    window.close()
    app.console.close()
    audio.presenter.engine.close()
    return gaps, duration_s, answered[0], beat.started_wall


def open_study(app, args) -> None:
    page = app.console.study_page
    for v, box in page.variant_boxes.items():
        box.setChecked(v in args.variants)
    page.items_per_group.setValue(args.items_per_group)
    page.practice.setValue(1)
    page.break_every.setValue(6)
    page.study_name.setText("pilot")
    page.open_study()


def add_participant(app) -> None:
    app.console.participants_page.consent.setChecked(True)
    app.console.participants_page.add()


def bare_peer_child(stop_file: str) -> None:
    """A bare Qt process with the same heartbeat and nothing else, run beside the app: it sees the
    same machine (other jobs, the computing child, memory pressure) but none of the app's code.
    Prints its gaps (and when they ended, in time.time()) once stop_file exists."""
    import json

    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    beat = Heartbeat()
    stop = Path(stop_file)
    ends: list[float] = []

    def check() -> None:
        if beat.gaps_ms and beat.gaps_ms[-1] > 50:
            ends.append(time.time())
        if stop.exists():
            print(json.dumps({"gaps_ms": beat.stop(), "long_ends": ends}), flush=True)
            app.quit()

    beat.timer.timeout.connect(check)
    beat.start()
    app.exec()


def start_bare_peer(workdir: Path):
    import subprocess

    stop = workdir / "stop-peer"
    child = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--bare-peer", str(stop)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                             env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    return child, stop


def stop_bare_peer(child, stop: Path) -> tuple[list[float], list[float]]:
    import json

    stop.touch()
    out, _ = child.communicate(timeout=60)
    data = json.loads(out.strip().splitlines()[-1])
    return data["gaps_ms"], data["long_ends"]


def idle_peer(duration_s: float) -> list[float]:
    from PySide6.QtTest import QTest

    beat = Heartbeat()
    beat.start()
    end = time.perf_counter() + duration_s
    while time.perf_counter() < end:
        QTest.qWait(50)
    return beat.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=["pc", "sr"])
    parser.add_argument("--items-per-group", type=int, default=1)
    parser.add_argument("--participants", type=int, default=200,
                        help="participants in the paper-scale database the console opens on (0: an empty one)")
    parser.add_argument("--mode", choices=("full-robust", "single-pass"), default="full-robust")
    parser.add_argument("--reuse-db", type=Path, default=None, metavar="FILE",
                        help="keep the paper-scale database in FILE and start from a copy of it next time")
    parser.add_argument("--bare-peer", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_peer:
        return bare_peer_child(args.bare_peer)
    server = start_jackd("starlab-bench", channels=2)
    sd = attach_portaudio(server.name)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db_path = Path(tmp) / "bench.sqlite3"
            big_study = None
            if args.participants > 0 and args.reuse_db is not None and args.reuse_db.exists():
                import shutil

                shutil.copyfile(args.reuse_db, db_path)  # a copy: the session writes to it
                big_study = "paper-scale"
                print(f"database: a copy of {args.reuse_db}")
            elif args.participants > 0:
                from bench._paper_db import build_paper_scale_db

                t0 = time.perf_counter()
                made = build_paper_scale_db(db_path, args.participants, mode=args.mode)
                size_mb = db_path.stat().st_size / 1e6
                print(f"database: {made.participants} participants, {made.responses} responses "
                      f"({args.mode}), {size_mb:.0f} MB, built in {time.perf_counter() - t0:.1f} s")
                big_study = made.study
                if args.reuse_db is not None:
                    import shutil

                    shutil.copyfile(db_path, args.reuse_db)
            peer_child, stop = start_bare_peer(Path(tmp))
            gaps, duration_s, answered, started_wall = run_session(args, Path(tmp), db_path, big_study)
            beside, beside_long_ends = stop_bare_peer(peer_child, stop)
            peer = idle_peer(duration_s)
    finally:
        sd._terminate()
        server.stop()
    import numpy as np

    import resource

    print(f"session: {answered} answers; heartbeat over {duration_s:.1f} s; "
          f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"  app during the session: {summary(gaps)}")
    print(f"  bare Qt process beside it (peer, same machine load): {summary(beside)}")
    if beside_long_ends:
        print("    its stalls over 50 ms ended at (s after the app's heartbeat started): "
              + ", ".join(f"{t - started_wall:.1f}" for t in beside_long_ends))
    print(f"  idle event loop afterwards (peer): {summary(peer)}")
    ratio = max(max(gaps), 0.1) / max(max(peer), 0.1)
    print(f"  ratio max stall session / idle: {ratio:.1f}x; p99 ratio "
          f"{max(np.percentile(gaps, 99), 0.1) / max(np.percentile(peer, 99), 0.1):.1f}x")
    print("  target (no stall over 100 ms): " + ("met" if max(gaps) <= 100 else "NOT met"))


if __name__ == "__main__":
    main(sys.argv[1:])
