"""Event-loop stalls of the app during a simulated session, against the same loop idle.

A private JACK server (dummy driver) plays the sound; the real console and participant window
run offscreen; a driver answers every question as soon as the options are enabled (and clicks
through instructions, breaks and screening). A 5 ms heartbeat timer records every gap between
its ticks; a stall is the gap minus 5 ms. The peer is the same heartbeat on an idle event loop
for the same duration, in the same process. Target: no stall over 100 ms.

    python -m bench gui_stalls [--variants pc sr] [--items-per-group 1]
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

from tests.audio.jack_harness import attach_portaudio, start_jackd  # noqa: E402

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
        now = time.perf_counter()
        self.gaps_ms.append((now - self.last) * 1000.0 - HEARTBEAT_MS)
        self.last = now

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return self.gaps_ms


def summary(gaps: list[float]) -> str:
    import numpy as np

    g = np.maximum(np.asarray(gaps), 0.0)
    return (f"ticks {len(g)}, max stall {g.max():.1f} ms, p99 {np.percentile(g, 99):.1f} ms, "
            f"stalls > 100 ms: {int((g > 100).sum())}, > 50 ms: {int((g > 50).sum())}")


def run_session(args, workdir: Path) -> tuple[list[float], float, int]:
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from audio.screening import antiphase_test, huggins_test
    from gui.app import Application
    from tasks.bank import ensure_builtin_bank
    from tests.gui.harness import capture_participant_windows, lab_context, open_study_with_participant

    qapp = QApplication.instance() or QApplication([])
    ensure_builtin_bank(workdir)
    app = Application(lab_context(workdir, workdir / "bench.sqlite3", "bench"), qapp)
    audio = app.ctx.audio
    app.start()
    while app.console.state.dataset is None:
        QTest.qWait(20)
    open_study_with_participant(app, args.variants, args.items_per_group, practice=1, break_every=6)
    made = capture_participant_windows(
        app, screening=lambda seed: [antiphase_test(seed, duration_s=0.3, gap_s=0.1, n_trials=3),
                                     huggins_test(seed, duration_s=0.3, gap_s=0.1, n_trials=3)])
    beat = Heartbeat()
    beat.start()
    started = time.perf_counter()
    app.console.sessions_page.start()
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
    gaps = beat.stop()
    duration_s = time.perf_counter() - started
    window.close()
    app.console.close()
    audio.presenter.engine.close()
    return gaps, duration_s, answered[0]


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
    args = parser.parse_args(argv)
    server = start_jackd("starlab-bench", channels=2)
    sd = attach_portaudio(server.name)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            gaps, duration_s, answered = run_session(args, Path(tmp))
            peer = idle_peer(duration_s)
    finally:
        sd._terminate()
        server.stop()
    import numpy as np

    print(f"session: {answered} answers in {duration_s:.1f} s")
    print(f"  app during the session: {summary(gaps)}")
    print(f"  idle event loop (peer): {summary(peer)}")
    ratio = max(max(gaps), 0.1) / max(max(peer), 0.1)
    print(f"  ratio max stall session / idle: {ratio:.1f}x; p99 ratio "
          f"{max(np.percentile(gaps, 99), 0.1) / max(np.percentile(peer, 99), 0.1):.1f}x")
    print("  target (no stall over 100 ms): " + ("met" if max(gaps) <= 100 else "NOT met"))


if __name__ == "__main__":
    main(sys.argv[1:])
