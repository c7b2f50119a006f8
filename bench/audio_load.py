"""Playback under a busy main thread: the engine against naive ``sounddevice.play()``.

Run: ``python -X faulthandler -m bench audio_load [--duration-s 20] [--repeats 1]``. Needs
jackd (jackd2); it starts its own private dummy server (48 kHz, 1024-frame periods).

Every player plays the same stereo noise while the main thread of this process is kept busy
(pure-Python arithmetic that holds the GIL, plus numpy FFTs), as a GUI thread that renders or
scores would be. An independent JACK recorder in a process of its own (so it does not compete
for this process's GIL) records what entered the graph. Per player:

- ``underflows``: PortAudio's output-underflow flags (engine only: sounddevice.play does
  not count them);
- ``xruns``: the server's xrun reports while recording; ``lost cycles``: periods the recorder
  itself missed;
- ``frames missing``: frames of the buffer that never arrived (silence or stale samples
  took their place, or they were skipped);
- ``discontinuities``: runs of wrong frames plus jumps (frames lost or repeated): each is a
  click or a gap a listener could hear. Every frame of noise is unique, so each recorded frame
  is found in the buffer and its offset tells where the sound slipped.

Players: the engine with three settings of (GIL switch interval, monitor polling interval):
(5 ms, 5 ms), its defaults (marked), (5 ms, 20 ms) and (1 ms, 20 ms); and ``sounddevice.play``
(a new stream, its own Python callback, no other thread). The ratio is naive / engine of
discontinuities. (More buffering is not on offer: PortAudio's JACK back end plays callback
streams in JACK's own period, and asking for "high" latency reports the same 21.3 ms.)
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time

import numpy as np

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from audio.devices import DeviceChoice, find_output_device  # noqa: E402
from audio.playback.engine import DEFAULT_MONITOR_INTERVAL_S, DEFAULT_SWITCH_INTERVAL_S, PlaybackEngine  # noqa: E402
from audio.render import Clip, render_trial  # noqa: E402
from audio.safety import SafetyGuard  # noqa: E402
from tests.support.jack_harness import (  # noqa: E402
    JACK_HOST_API, PERIOD_FRAMES, RecorderProcess, attach_portaudio, first_nonzero_frame, start_jackd,
)

RATE = 48000
LEAD_S = 1.0  # silence before the naive player's sound: time to connect the recorder to its new ports


def noise(duration_s: float) -> np.ndarray:
    x = (0.003 * np.random.default_rng(7).standard_normal((int(duration_s * RATE), 2))).astype(np.float32)
    x[0] = 0.003  # a non-zero first sample marks the onset
    return x


def keep_busy(done: threading.Event) -> int:
    """The main thread's load until ``done``; returns how many rounds it made."""
    rng = np.random.default_rng(0)
    rounds = 0
    while not done.is_set():
        sum(i * i for i in range(20000))            # pure Python: holds the GIL
        np.fft.rfft(rng.standard_normal(1 << 16))  # numpy work
        rounds += 1
    return rounds


def frame_keys(x: np.ndarray) -> np.ndarray:
    """One int64 per stereo float32 frame (the two samples' bits side by side)."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.int64)
    return (bits[:, 0] << 32) | bits[:, 1]


def compare(data: np.ndarray, buffer: np.ndarray) -> tuple[int, int]:
    """(frames missing, discontinuities) of a recording against the buffer it should hold.

    Each recorded frame is looked up in the buffer (noise frames are unique), which gives its
    offset from where it should be. A frame not in the buffer is wrong (silence or stale
    samples where sound should be); a discontinuity is a run of wrong frames or a jump of the
    offset (frames lost or repeated): each is a click or a gap a listener could hear. Frames
    missing: frames of the buffer that never arrived."""
    start = first_nonzero_frame(data)
    if start < 0:
        return buffer.shape[0], 1
    keys = frame_keys(buffer)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    got = frame_keys(data[start:])
    where = np.searchsorted(sorted_keys, got).clip(0, sorted_keys.size - 1)
    found = sorted_keys[where] == got
    index = order[where]
    last = np.flatnonzero(found & (index == buffer.shape[0] - 1))
    end = int(last[-1]) + 1 if last.size else got.size  # up to the buffer's last frame
    found, index = found[:end], index[:end]
    # frames of the buffer that never arrived (replaced by silence or stale samples, or skipped)
    wrong = buffer.shape[0] - int(np.unique(index[found]).size)
    positions = np.flatnonzero(found)
    if positions.size == 0:
        return wrong, 1
    offsets = index[positions] - positions
    # one event per break between two consecutive good frames: wrong frames between them, or a jump
    breaks = (np.diff(positions) > 1) | (np.diff(offsets) != 0)
    events = int(np.count_nonzero(breaks)) + int(positions[0] > 0) + int(positions[-1] < end - 1)
    return wrong, events + int(last.size == 0)  # the sound's end never arrived


def run_engine(server, choice, trial, switch_interval_s: float, monitor_interval_s: float) -> dict:
    recorder = RecorderProcess(server.name, 2, trial.duration_s + 5.0, name="load-recorder")
    done = threading.Event()
    try:
        with PlaybackEngine(choice, switch_interval_s=switch_interval_s, monitor_interval_s=monitor_interval_s) as engine:
            recorder.connect_playback(2)
            recorder.start()
            time.sleep(0.05)
            playback = engine.play(trial)
            threading.Thread(target=lambda: (playback.done.wait(), done.set()), daemon=True).start()
            rounds = keep_busy(done)
            outcome = engine.wait(playback, timeout_s=trial.duration_s + 10.0)
            data = recorder.stop()
            underflows = engine.underflow_count
            latency_s = engine.reported_output_latency_s
    finally:
        recorder.close()
    wrong, periods = compare(data, trial.buffer)
    return {"underflows": underflows, "xruns": recorder.xruns, "lost cycles": recorder.gaps,
            "frames missing": wrong, "discontinuities": periods, "busy rounds": rounds,
            "completed": outcome.completed, "latency ms": 1000 * latency_s}


def run_naive(server, sd, buffer: np.ndarray) -> dict:
    lead = np.zeros((int(LEAD_S * RATE), 2), np.float32)
    recorder = RecorderProcess(server.name, 2, buffer.shape[0] / RATE + LEAD_S + 5.0, name="load-recorder")
    done = threading.Event()
    try:
        sd.play(np.concatenate([lead, buffer]), RATE, device=find_output_device("system", JACK_HOST_API).index)
        time.sleep(0.2)
        recorder.connect_playback(2)
        recorder.start()
        latency_s = sd.get_stream().latency
        threading.Thread(target=lambda: (sd.wait(), done.set()), daemon=True).start()
        rounds = keep_busy(done)
        data = recorder.stop()
    finally:
        recorder.close()
    wrong, periods = compare(data, buffer)
    return {"underflows": float("nan"), "xruns": recorder.xruns, "lost cycles": recorder.gaps,
            "frames missing": wrong, "discontinuities": periods, "busy rounds": rounds,
            "completed": True, "latency ms": 1000 * latency_s}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration-s", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)

    server = start_jackd("starlab-bench", channels=2)
    sd = None
    totals: dict[str, dict[str, float]] = {}
    try:
        sd = attach_portaudio(server.name)
        choice = DeviceChoice(JACK_HOST_API, "system", RATE, (0, 1))
        trial = render_trial([Clip(noise(args.duration_s), RATE, "noise")], 0.0, choice, SafetyGuard(), label="load")
        configs = [(0.005, 0.005), (0.005, 0.02), (0.001, 0.02)]  # (GIL switch interval, monitor interval)
        players = []
        for switch_s, monitor_s in configs:
            default = " (default)" if (switch_s or 0.005, monitor_s) == (DEFAULT_SWITCH_INTERVAL_S or 0.005,
                                                                        DEFAULT_MONITOR_INTERVAL_S) else ""
            players.append((f"engine, switch {switch_s * 1000:g} ms, monitor {monitor_s * 1000:g} ms{default}",
                            lambda a=switch_s, b=monitor_s: run_engine(server, choice, trial, a, b)))
        players += [
            ("sounddevice.play (naive)", lambda: run_naive(server, sd, trial.buffer)),
        ]
        for _ in range(args.repeats):
            for name, run in players:  # interleaved, so a change in the machine's load hits all alike
                result = run()
                total = totals.setdefault(name, {})
                for key, value in result.items():
                    total[key] = total.get(key, 0.0) + float(value)
    finally:
        if sd is not None:
            sd._terminate()
        server.stop()

    seconds = args.duration_s * args.repeats
    print(f"audio_load: {seconds:g} s of stereo noise per player ({args.repeats} x {args.duration_s:g} s), busy "
          f"main thread, JACK dummy 48 kHz / {PERIOD_FRAMES}-frame periods, recorder in its own process")
    keys = ["underflows", "xruns", "lost cycles", "frames missing", "discontinuities", "busy rounds", "latency ms"]
    print(f"{'':20}" + "".join(f"{name[:44]:>46}" for name in totals))
    for key in keys:
        cells = []
        for total in totals.values():
            value = total[key] / (args.repeats if key == "latency ms" else 1)
            cells.append(f"{value:>46.{1 if key == 'latency ms' else 0}f}")
        print(f"{key:20}" + "".join(cells))
    naive = totals["sounddevice.play (naive)"]["discontinuities"]
    for name, total in totals.items():
        if name.startswith("engine"):
            engine_count = total["discontinuities"]
            ratio = (f"{naive / engine_count:.2f}x" if engine_count else
                     "n/a (both 0)" if not naive else f"inf (engine 0, naive {naive:.0f})")
            print(f"ratio naive / {name}: discontinuities {ratio}")


if __name__ == "__main__":
    main()
