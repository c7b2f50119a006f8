"""``--selftest``: check an installation without a window (used on built programs in CI).

Synthesizes a stimulus and measures it, renders a two-clip trial and checks the onsets,
generates a small bank, runs a simulated participant into a temporary database, exports and
re-reads the kit files, and plays a short quiet tone on a real output device when one exists.
"""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np


def _synthesis() -> str:
    from audio.levels import rms_dbfs
    from audio.synthesis import sine_tone

    tone = sine_tone(1000.0, -20.0, 0.5, 0.0, 48000)
    level = rms_dbfs(tone) + 3.0103  # a sine's RMS is 3.01 dB below its peak
    assert abs(level + 20.0) < 0.05, f"1 kHz tone at {level:.2f} dBFS, asked for -20"
    return f"1 kHz sine at {level:.2f} dBFS"


def _render() -> str:
    from audio.devices import DeviceChoice
    from audio.render import Clip, render_trial
    from audio.safety import SafetyGuard

    device = DeviceChoice("selftest", "virtual", 48000, (0, 1))
    clip = Clip(np.full((4800, 1), 0.01, dtype=np.float32), 48000, "a")
    trial = render_trial([clip, clip], 0.25, device, SafetyGuard(), label="selftest")
    onsets = [c.onset_frame for c in trial.clips]
    assert onsets == [0, 4800 + 12000], onsets
    return f"two clips, onsets {onsets} frames"


def _pipeline(tmp: Path, app_version: str) -> str:
    from db.engine import open_database
    from tasks.bank.build import generate_bank
    from tasks.results.export import export
    from tasks.dataset.loader import load_dataset
    from tasks.simulation.observers import Observer
    from tasks.study.plan import Protocol
    from tasks.simulation.simulate import simulate

    bank = generate_bank(tmp / "bank", seed=0)
    ds = load_dataset(bank.root)
    assert not ds.problems, ds.problems[:3]
    db = open_database(tmp / "selftest.sqlite3")
    simulate(db, ds, Protocol(items_per_group=1, practice_per_block=0), 1, Observer("perfect"), app_version,
             study_name="selftest")
    export(db, tmp / "export", app_version)
    perf = json.loads((tmp / "export/selftest/human-SIM001/pc/performance.json").read_text())
    assert perf["Total"]["AA"] == "100.00%", perf["Total"]
    return f"bank of {sum(len(v) for v in ds.items.values())} items, database, export (pc AA {perf['Total']['AA']})"


def _device() -> str:
    from audio.devices import list_output_devices
    from audio.render import Clip, render_trial
    from audio.safety import SafetyGuard
    from tasks.presentation.presenter import choose_device

    choice = choose_device(None, list_output_devices())
    if choice is None:
        return "no output device: playback skipped"
    from audio.playback.engine import PlaybackEngine

    tone = (0.003 * np.sin(2 * np.pi * 1000 * np.arange(int(0.2 * choice.sample_rate_hz)) / choice.sample_rate_hz))
    trial = render_trial([Clip(tone.astype(np.float32)[:, None], choice.sample_rate_hz, "selftest tone")], 0.0,
                         choice, SafetyGuard(), label="selftest")
    with PlaybackEngine(choice) as engine:
        outcome = engine.wait(engine.play(trial), timeout_s=5.0)
    assert outcome.completed and not outcome.repeat_needed, outcome.reason
    return f"played 0.2 s on {choice.name} ({choice.host_api})"


def run_selftest(say: Callable[[str], None], app_version: str) -> bool:
    ok = True
    with tempfile.TemporaryDirectory(prefix="star-lab-selftest-") as tmp:
        checks = [("synthesis", _synthesis), ("rendering", _render),
                  ("bank, database and export", lambda: _pipeline(Path(tmp), app_version)), ("audio device", _device)]
        for name, check in checks:
            started = time.perf_counter()
            try:
                detail = check()
            except Exception as exc:  # report every failure, then fail as a whole
                ok = False
                say(f"FAIL {name}: {exc.__class__.__name__}: {exc}")
            else:
                say(f"ok   {name}: {detail} ({time.perf_counter() - started:.1f} s)")
    say("selftest passed" if ok else "selftest FAILED")
    return ok
