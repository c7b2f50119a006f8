"""Onset timing of the playback engine against naive per-sound ``sounddevice.play()``.

Run: ``python -m bench audio_timing [--onsets 100] [--isi-s 0.25]`` (or
``python bench/audio_timing.py``). Needs jackd (jackd2); it starts its own private dummy
server (48 kHz, 1024-frame periods), so it runs on a machine without a sound card.

What is measured, per onset, by an independent JACK-Client recorder in a process of its own
(tests/support/jack_harness.py: RecorderProcess, so it does not compete with the players for
this process's GIL) connected to the players' output ports (so it sees what entered the JACK
graph, sample by sample):

- ISI error: observed inter-onset interval minus the intended one, in samples. Sounds are
  requested on a monotonic-clock grid every ``isi_s``;
- underflows (PortAudio's flag for the engine, recorder lost cycles / server xruns for all);
- call-to-onset latency: from the ``play`` call (time.monotonic()) to the observed onset,
  mean and SD;
- the engine's reported onset (DAC time, converted to time.monotonic()) against the
  observed onset in the graph, and PortAudio's reported output latency.

Four players in the same run: the engine playing each sound as soon as possible, the engine
scheduled at the grid time (``start_at_monotonic_s``), the engine playing all onsets as clips
of ONE rendered trial (how a trial's sequence plays; latency there is from the moment each
clip was due after the call), and ``sounddevice.play()`` per sound (a new stream each time),
the naive peer. Ratios are naive / engine.

The naive streams' buffers start with ``LEAD_FRAMES`` of silence: each new stream has new
JACK ports that the recorder must connect to after they appear, and the silence gives it
time; the onset is the first non-zero sample minus the lead (exact, since a stream plays its
buffer contiguously).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field

import numpy as np

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from audio.devices import DeviceChoice, find_output_device  # noqa: E402
from audio.playback.engine import PlaybackEngine  # noqa: E402
from audio.render import Clip, render_trial  # noqa: E402
from audio.safety import SafetyGuard  # noqa: E402
from tests.support.jack_harness import JACK_HOST_API, RecorderProcess, attach_portaudio, start_jackd  # noqa: E402

RATE = 48000
BURST_FRAMES = 480
LEAD_FRAMES = 4800


@dataclass
class Run:
    name: str
    call_s: list[float] = field(default_factory=list)
    reported_onset_s: list[float] = field(default_factory=list)
    observed_frames: list[int] = field(default_factory=list)
    underflows: int = 0
    reported_latency_s: float = float("nan")
    missed: int = 0


def burst() -> np.ndarray:
    x = (0.01 * np.random.default_rng(1).uniform(0.5, 1.0, BURST_FRAMES)).astype(np.float32)
    return x[:, None]


def find_onsets(channel: np.ndarray, min_silence: int = 2000) -> list[int]:
    nonzero = np.flatnonzero(channel != 0)
    if nonzero.size == 0:
        return []
    onsets = [int(nonzero[0])]
    for prev, cur in zip(nonzero[:-1], nonzero[1:]):
        if cur - prev > min_silence:
            onsets.append(int(cur))
    return onsets


def sleep_until(t: float) -> None:
    while True:
        left = t - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.002) if left < 0.01 else left - 0.005)


def run_engine(engine: PlaybackEngine, trial, n: int, isi_s: float, scheduled: bool, name: str) -> Run:
    run = Run(name)
    t0 = time.monotonic() + 0.3
    for k in range(n):
        target = t0 + k * isi_s
        if scheduled:
            sleep_until(target - 0.1)
            run.call_s.append(time.monotonic())
            playback = engine.play(trial, start_at_monotonic_s=target)
        else:
            sleep_until(target)
            run.call_s.append(time.monotonic())
            playback = engine.play(trial)
        outcome = engine.wait(playback, timeout_s=5.0)
        run.reported_onset_s.append(outcome.onset_monotonic_s)
        run.underflows += outcome.underflows
    run.reported_latency_s = engine.reported_output_latency_s
    time.sleep(0.3)
    return run


def run_sequence(engine: PlaybackEngine, choice: DeviceChoice, n: int, isi_s: float) -> Run:
    """All onsets in ONE rendered trial (what a trial with several clips does)."""
    run = Run("engine, one rendered trial")
    gap_s = isi_s - BURST_FRAMES / RATE
    trial = render_trial([Clip(burst(), RATE, f"burst {k}") for k in range(n)], gap_s, choice, SafetyGuard())
    time.sleep(0.3)
    call = time.monotonic()
    outcome = engine.wait(engine.play(trial), timeout_s=n * isi_s + 5.0)
    run.call_s = [call + c.onset_frame / RATE for c in trial.clips]  # when each was due, from the call
    run.reported_onset_s = list(outcome.clip_onsets_monotonic_s)
    run.underflows = outcome.underflows
    run.reported_latency_s = engine.reported_output_latency_s
    time.sleep(0.3)
    return run


def run_naive(sd, device_index: int, n: int, isi_s: float) -> Run:
    run = Run("sounddevice.play per sound")
    buffer = np.concatenate([np.zeros((LEAD_FRAMES, 1), np.float32), burst()])
    latencies = []
    t0 = time.monotonic() + 0.3
    for k in range(n):
        sleep_until(t0 + k * isi_s)
        run.call_s.append(time.monotonic())
        sd.play(buffer, RATE, device=device_index)
        latencies.append(sd.get_stream().latency)
    sd.wait()
    run.reported_latency_s = float(np.mean(latencies))
    time.sleep(0.3)
    return run


def summarise(run: Run, onsets_frames: list[int], to_monotonic, isi_s: float) -> dict:
    isi_frames = int(round(isi_s * RATE))
    isi_err = [b - a - isi_frames for a, b in zip(onsets_frames[:-1], onsets_frames[1:])]
    observed_s = [to_monotonic(f) for f in onsets_frames]
    latency = [o - c for o, c in zip(observed_s, run.call_s)]
    out = {
        "onsets": len(onsets_frames),
        "isi_err_mean_abs_samples": statistics.fmean(abs(e) for e in isi_err),
        "isi_err_max_abs_samples": max(abs(e) for e in isi_err),
        "isi_err_sd_samples": statistics.pstdev(isi_err),
        "latency_mean_ms": 1000 * statistics.fmean(latency),
        "latency_sd_ms": 1000 * statistics.pstdev(latency),
        "underflows": run.underflows,
        "reported_latency_ms": 1000 * run.reported_latency_s,
    }
    if run.reported_onset_s:
        diff = [r - o for r, o in zip(run.reported_onset_s, observed_s)]
        out["reported_minus_graph_mean_ms"] = 1000 * statistics.fmean(diff)
        out["reported_minus_graph_sd_ms"] = 1000 * statistics.pstdev(diff)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onsets", type=int, default=100)
    parser.add_argument("--isi-s", type=float, default=0.25)
    args = parser.parse_args(argv)
    n, isi_s = args.onsets, args.isi_s

    server = start_jackd("starlab-bench", channels=2)
    sd = None
    try:
        sd = attach_portaudio(server.name)
        recorder = RecorderProcess(server.name, 2, 4 * n * isi_s + 12.0, name="bench-recorder")
        choice = DeviceChoice(JACK_HOST_API, "system", RATE, (0,))
        trial = render_trial([Clip(burst(), RATE, "burst")], 0.0, choice, SafetyGuard(), label="burst")
        recorder.start()
        runs, segments = [], []
        with PlaybackEngine(choice) as engine:
            recorder.connect_playback(1)
            for scheduled, name in ((False, "engine, as soon as possible"), (True, "engine, scheduled")):
                begin = recorder.position
                runs.append(run_engine(engine, trial, n, isi_s, scheduled, name))
                segments.append((0, begin, recorder.position))
                print(f"after {name}: recorder {recorder.status()}", flush=True)
            begin = recorder.position
            runs.append(run_sequence(engine, choice, n, isi_s))
            segments.append((0, begin, recorder.position))
            recorder.follow("PortAudio:out_", 1)  # each naive stream's new port -> in_2
            begin = recorder.position
            runs.append(run_naive(sd, find_output_device("system", JACK_HOST_API).index, n, isi_s))
            segments.append((1, begin, recorder.position))
        to_monotonic = recorder.frame_to_monotonic()
        data = recorder.stop()
        lost = recorder.gaps + recorder.xruns
        results = []
        for run, (column, begin, end) in zip(runs, segments):
            onsets = [begin + i for i in find_onsets(data[begin:end, column])]
            if column == 1:
                onsets = [o - LEAD_FRAMES for o in onsets]
            if len(onsets) != n:
                print(f"warning: {run.name}: found {len(onsets)} of {n} onsets")
                onsets = onsets[:n]
                run.call_s = run.call_s[:len(onsets)]
                run.reported_onset_s = run.reported_onset_s[:len(onsets)]
            results.append((run.name, summarise(run, [recorder.first_frame + o for o in onsets], to_monotonic, isi_s)))
        recorder.close()
    finally:
        if sd is not None:
            sd._terminate()
        server.stop()

    print(f"audio_timing: {n} onsets every {isi_s * 1000:.0f} ms, JACK dummy 48 kHz / 1024-frame periods; "
          f"recorder lost cycles + xruns: {lost}")
    keys = [("onsets", "{:.0f}"), ("isi_err_mean_abs_samples", "{:.2f}"), ("isi_err_max_abs_samples", "{:.0f}"),
            ("isi_err_sd_samples", "{:.2f}"), ("underflows", "{:.0f}"), ("latency_mean_ms", "{:.2f}"),
            ("latency_sd_ms", "{:.2f}"), ("reported_latency_ms", "{:.2f}"),
            ("reported_minus_graph_mean_ms", "{:.3f}"), ("reported_minus_graph_sd_ms", "{:.3f}")]
    header = f"{'':30}" + "".join(f"{name[:27]:>28}" for name, _ in results)
    print(header)
    for key, fmt in keys:
        print(f"{key:30}" + "".join(f"{(fmt.format(r[key]) if key in r else '-'):>28}" for _, r in results))
    naive = results[-1][1]

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.1f}x" if b > 0 else "inf (engine error 0)"

    asap, scheduled, sequence = (r for _, r in results[:3])
    print(f"ratio naive / engine as soon as possible: call-to-onset latency mean "
          f"{ratio(naive['latency_mean_ms'], asap['latency_mean_ms'])}, SD {ratio(naive['latency_sd_ms'], asap['latency_sd_ms'])}")
    print(f"ratio naive / engine scheduled: ISI-error SD {ratio(naive['isi_err_sd_samples'], scheduled['isi_err_sd_samples'])}, "
          f"mean |ISI error| {ratio(naive['isi_err_mean_abs_samples'], scheduled['isi_err_mean_abs_samples'])}")
    print(f"ratio naive / engine one trial: ISI-error SD {ratio(naive['isi_err_sd_samples'], sequence['isi_err_sd_samples'])}")


if __name__ == "__main__":
    main()
