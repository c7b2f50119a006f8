"""Start-up of the app: from `python main.py` to the console's first paint, against a bare
PySide6 window measured in the same run.

Each sample is a fresh child process. The bare child imports PySide6, makes a QApplication and
shows an empty QWidget; the app child runs main.main() exactly as `python main.py --db FILE`
does. Both print a wall-clock stamp just after the first paint of their window has been handled;
the app child also stamps when the database is open and the console attached (Study page
built), when the dataset is loaded, and when the audio output is open (or known absent). Times
are from just before the child was spawned (interpreter start-up included for both). Children
alternate, the medians are compared. A private JACK server (dummy driver) gives the app a real
output when jackd is installed; the user data folder is a temporary one.
Target: app first paint <= 1.0 s and <= 2x the bare window.

With ``--pg`` a third series: a station on a private PostgreSQL lab server (``--db URL --station
booth1``), whose first paint must not wait for the connection (target: a visible window within
1.5 s, as for the SQLite file) and whose "attached" mark is the connection made and the pages
enabled. ``--pg-delay-ms N`` holds each connection to the server for N ms first (a relay in front
of its socket, tests/support/held_socket.py), a slow or distant server.

    python -m bench gui_startup [--runs 7] [--no-jack] [--pg [--pg-delay-ms 3000]]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKS = ("painted", "attached", "dataset", "audio")


def _stamp(mark: str) -> None:
    print(f"{mark} {time.time():.6f}", flush=True)


def child_bare() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv[:1])
    window = QWidget()
    window.resize(1280, 720)

    class Painted(QObject):
        def eventFilter(self, watched, event):
            if watched is window and event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)
                QTimer.singleShot(0, lambda: (_stamp("painted"), app.quit()))
            return False

    watcher = Painted()
    window.installEventFilter(watcher)
    window.show()
    app.exec()


def child_app(db_path: str, station: str | None = None) -> None:
    """`python main.py --db FILE`, watched from a timer that the app does not know about."""
    sys.path.insert(0, str(ROOT))
    import main  # what `python main.py` imports first
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])  # run_gui takes this instance; creating it is part of the time
    seen: set[str] = set()

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and "painted" not in seen and type(watched).__name__ == "QListWidget":
                seen.add("painted")  # the console's page list: the console is on screen
                QTimer.singleShot(0, lambda: _stamp("painted"))
            return False

    watcher = FirstPaint()
    app.installEventFilter(watcher)

    def poll() -> None:
        consoles = [w for w in app.topLevelWidgets() if type(w).__name__ == "ConsoleWindow"]
        if not consoles:
            return
        console = consoles[0]
        for mark, done in (("attached", console.ctx is not None), ("dataset", console.state.dataset is not None),
                           ("audio", console.ctx is not None and console.state.audio_state != "starting")):
            if done and mark not in seen:
                seen.add(mark)
                _stamp(mark)
                if mark == "audio":
                    print(f"said {console.audio_status.text()}", flush=True)
        if all(m in seen for m in MARKS):
            timer.stop()
            console.close()

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(poll)
    timer.start()
    code = main.main(["--db", db_path] + (["--station", station] if station else []))
    sys.exit(code)


def run_marked(cmd: list[str], env: dict, names: tuple[str, ...], kind: str, timeout_s: float) -> dict:
    """Run a child that prints "MARK time" lines (_stamp) and "said TEXT" lines: each mark in
    ``names`` as seconds since the child was started, and the last "said" text under "said".
    RuntimeError when it never reported its first paint."""
    t0 = time.time()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s)
    marks: dict = {}
    for line in done.stdout.splitlines():
        if line.startswith("said "):
            marks["said"] = line[len("said "):]
        parts = line.split()
        if len(parts) == 2 and parts[0] in names:
            marks[parts[0]] = float(parts[1]) - t0
    if "painted" not in marks:
        raise RuntimeError(f"{kind} child did not report its first paint (exit {done.returncode}):\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return marks


def sample(kind: str, env: dict, db_path: Path | str, timeout_s: float = 120.0,
           station: str | None = None) -> dict[str, float]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--db", str(db_path)]
    cmd += ["--station", station] if station else []
    return run_marked(cmd, env, MARKS, kind, timeout_s)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-jack", action="store_true", help="no private JACK server: the app finds no output")
    parser.add_argument("--child", choices=("bare", "app"), help=argparse.SUPPRESS)
    parser.add_argument("--db", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--station", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--pg", action="store_true", help="also a station on a private PostgreSQL lab server")
    parser.add_argument("--pg-delay-ms", type=int, default=0, help="hold each connection to the server this long")
    args = parser.parse_args(argv)
    if args.child == "bare":
        return child_bare()
    if args.child == "app":
        return child_app(args.db, args.station)

    server = None
    sys.path.insert(0, str(ROOT))
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    if not args.no_jack:
        from tests.support.jack_harness import JackUnavailable, start_jackd

        try:
            server = start_jackd("starlab-startup", channels=2)
            env["JACK_DEFAULT_SERVER"] = server.name
        except JackUnavailable as exc:
            print(f"(no JACK server: {exc}; the app will find no output)")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env["XDG_DATA_HOME"] = str(Path(tmp) / "data")  # the built-in bank goes here, not to the user's folder
            db_path = Path(tmp) / "startup.sqlite3"
            print("warming up (first run generates the built-in bank)...", flush=True)
            sample("app", env, db_path, timeout_s=600)
            bare, app, lab = [], [], []
            pg = relay = None
            if args.pg:
                from tests.support.pg_harness import start_postgres

                pg = start_postgres()
                pg_url = pg.create_database("lab")
                station_env = dict(env, XDG_DATA_HOME=str(Path(tmp) / "station-data"))
                pg_url = _relay(pg_url, Path(tmp), args.pg_delay_ms) if args.pg_delay_ms else pg_url
                sample("app", station_env, pg_url, timeout_s=600, station="booth1")  # schema, bank
            try:
                for _ in range(args.runs):
                    bare.append(sample("bare", env, db_path))
                    app.append(sample("app", env, db_path))
                    if pg is not None:
                        lab.append(sample("app", station_env, pg_url, station="booth1"))
            finally:
                if pg is not None:
                    pg.stop()
    finally:
        if server is not None:
            server.stop()

    def med(samples, mark):
        values = [s[mark] for s in samples if mark in s]
        return statistics.median(values) if values else float("nan")

    bare_s, app_s = med(bare, "painted"), med(app, "painted")
    print(f"start-up, median of {args.runs} runs each (spawn to first paint, interpreter included):")
    print(f"  bare PySide6 window (peer):       {bare_s:.3f} s")
    print(f"  app console first paint:          {app_s:.3f} s   ratio {app_s / bare_s:.2f}x")
    print(f"  database open, Study page built:  {med(app, 'attached'):.3f} s")
    print(f"  dataset loaded (built-in bank):   {med(app, 'dataset'):.3f} s")
    print(f"  audio output open (or absent):    {med(app, 'audio'):.3f} s   ({app[-1].get('said', '?')})")
    firsts = ", ".join(f"{s['painted']:.3f}" for s in app)
    print(f"  app first paint, all runs: {firsts}")
    met = app_s <= 1.0 and app_s <= 2.0 * bare_s
    print("  target (<= 1.0 s and <= 2x the bare window): " + ("met" if met else "NOT met"))
    if lab:
        lab_s = med(lab, "painted")
        held = f", each connection held {args.pg_delay_ms} ms" if args.pg_delay_ms else ""
        print(f"lab-server station (--station booth1{held}):")
        print(f"  console first paint:              {lab_s:.3f} s   ratio {lab_s / bare_s:.2f}x the bare window, "
              f"{lab_s / app_s:.2f}x the SQLite console")
        print(f"  connected, pages enabled:         {med(lab, 'attached'):.3f} s")
        print(f"  dataset loaded:                   {med(lab, 'dataset'):.3f} s")
        print("  target (window <= 1.5 s): " + ("met" if lab_s <= 1.5 else "NOT met"))


def _relay(url: str, folder: Path, delay_ms: int) -> str:
    """The URL through a relay that holds each connection ``delay_ms`` before passing it on."""
    import re
    import threading

    from tests.support.held_socket import HeldSocket

    host = re.search(r"host=([^&]+)", url).group(1)
    port = re.search(r"port=(\d+)", url).group(1)
    relay_dir = folder / "relay"
    relay_dir.mkdir()
    relay = HeldSocket(Path(host) / f".s.PGSQL.{port}", relay_dir, hold_s=delay_ms / 1000)
    threading.Thread(target=relay.release, daemon=True).start()
    return url.replace(host, str(relay_dir))


if __name__ == "__main__":
    main(sys.argv[1:])
