"""Start-up of participant mode: from `python main.py --package FILE` to its first screen on
screen, against the console's first paint (`python main.py --db FILE`) and a bare PySide6 window measured in the
same run.

Each sample is a fresh child process running main.main() as the command line does; a watcher
the app does not know about stamps the first paint of the take-home window's first screen
("Getting your study ready") and when the flow's welcome is shown (database, output, package
unpacked and read). The console child is bench/gui_startup.py's. Times are from just before the
child was spawned (interpreter start-up included). Children alternate; medians are compared.
``--load N`` runs N busy processes meanwhile (a loaded machine). A private JACK server (dummy
driver) gives both a real output when jackd is installed.
Target: the take-home first screen <= 2.0 s, and about the console's first paint.

    python -m bench takehome_startup [--runs 5] [--load 0] [--no-jack]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKS = ("painted", "welcome")


def _stamp(mark: str) -> None:
    print(f"{mark} {time.time():.6f}", flush=True)


def child_takehome(package: str, db_path: str) -> None:
    """`python main.py --package FILE --db FILE`, watched from a timer the app does not know about."""
    sys.path.insert(0, str(ROOT))
    import main
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    seen: set[str] = set()

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and "painted" not in seen and type(watched).__name__ == "StartWindow":
                seen.add("painted")
                QTimer.singleShot(0, lambda: _stamp("painted"))
            return False

    watcher = FirstPaint()
    app.installEventFilter(watcher)

    def poll() -> None:
        flows = [w for w in app.topLevelWidgets() if type(w).__name__ == "TakeHomeFlow" and w.isVisible()]
        if flows and "welcome" not in seen:
            seen.add("welcome")
            _stamp("welcome")
            timer.stop()
            flows[0].may_close = True
            app.exit(0)
        stuck = [w for w in app.topLevelWidgets() if type(w).__name__ == "StartWindow" and w.isVisible()
                 and getattr(w, "current", "") == "no output"]
        if stuck:
            print("said no output", flush=True)
            app.exit(0)

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(poll)
    timer.start()
    sys.exit(main.main(["--package", package, "--db", db_path]))


def _burn(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def make_package(folder: Path, env: dict) -> Path:
    from tasks.dataset.loader import load_dataset
    from tasks.study.plan import Protocol
    from tasks.study.studies import open_study
    from db.engine import open_database
    from tests.support.factories import pc_items, sr_items, tr_items, write_dataset

    dataset = write_dataset(folder / "dataset", pc=pc_items(per_sub=2), tr=tr_items(per_sub=2), sr=sr_items(per_cat=2))
    lab = folder / "lab.sqlite3"
    open_study(open_database(lab), load_dataset(dataset), "home",
               Protocol(variants=["pc", "tr", "sr"], items_per_group=2, practice_per_block=0, seed=3))
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "make-package", "--db", str(lab), "--study",
                           "home", "--participant", "B001", "--out", str(folder / "packages")],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"make-package failed: {done.stderr}")
    return folder / "packages" / "star-lab-package-home-B001.zip"


def sample_takehome(env: dict, package: Path, db_path: Path, timeout_s: float = 180.0) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "takehome", "--package", str(package),
           "--db", str(db_path)]
    from bench.gui_startup import run_marked

    marks = run_marked(cmd, env, MARKS, "take-home", timeout_s)
    if marks.pop("said", None) == "no output":
        marks["no_output"] = True
    return marks


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--load", type=int, default=0, help="busy processes running meanwhile")
    parser.add_argument("--no-jack", action="store_true", help="no private JACK server: no output is found")
    parser.add_argument("--child", choices=("takehome",), help=argparse.SUPPRESS)
    parser.add_argument("--package", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--db", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "takehome":
        return child_takehome(args.package, args.db)

    sys.path.insert(0, str(ROOT))
    from bench._common import cores, load_avg
    from bench.gui_startup import sample as sample_console

    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    server = None
    if not args.no_jack:
        from tests.support.jack_harness import JackUnavailable, start_jackd

        try:
            server = start_jackd("starlab-takehome", channels=2)
            env["JACK_DEFAULT_SERVER"] = server.name
        except JackUnavailable as exc:
            print(f"(no JACK server: {exc}; no output will be found)")
    stop = multiprocessing.Event()
    burners = [multiprocessing.Process(target=_burn, args=(stop,), daemon=True) for _ in range(args.load)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            env["XDG_DATA_HOME"] = str(tmp / "data")  # the app's data folder: not the user's
            package = make_package(tmp, env)
            print("warming up (the console's first run generates the built-in bank)...", flush=True)
            sample_console("app", env, tmp / "console.sqlite3", timeout_s=600)
            sample_takehome(env, package, tmp / "home-warm.sqlite3")
            for p in burners:
                p.start()
            home, console, bare = [], [], []
            for i in range(args.runs):
                home.append(sample_takehome(env, package, tmp / f"home-{i}.sqlite3"))
                console.append(sample_console("app", env, tmp / "console.sqlite3"))
                bare.append(sample_console("bare", env, tmp / "console.sqlite3"))
    finally:
        stop.set()
        for p in burners:
            p.join(5)
        if server is not None:
            server.stop()

    def med(samples, mark):
        values = [s[mark] for s in samples if mark in s]
        return statistics.median(values) if values else float("nan")

    first, welcome, peer = med(home, "painted"), med(home, "welcome"), med(console, "painted")
    print(f"participant-mode start-up, median of {args.runs} runs each ({cores()} cores, {args.load} busy "
          f"processes, load average {load_avg()}; spawn to first paint, interpreter included):")
    print(f"  bare PySide6 window (the floor):     {med(bare, 'painted'):.3f} s")
    print(f"  console first paint (peer):          {peer:.3f} s")
    print(f"  --package first screen:              {first:.3f} s   ratio {first / peer:.2f}x")
    print(f"  --package welcome (all work done):   {welcome:.3f} s   ratio {welcome / peer:.2f}x"
          + ("   (no output: the first screen says so)" if any(s.get("no_output") for s in home) else ""))
    print("  first screen, all runs: " + ", ".join(f"{s['painted']:.3f}" for s in home))
    print("  target (first screen <= 2.0 s): " + ("met" if first <= 2.0 else "NOT met"))


if __name__ == "__main__":
    main(sys.argv[1:])
