"""Run by test_device_loss.py in its own process: play on a private JACK server, kill that
server mid-trial, print what the engine reported as JSON, and leave with os._exit.

Own process because PortAudio 19.6 cannot close a stream whose JACK server died (it blocks in
Pa_CloseStream, also from its exit handler); os._exit skips that handler."""
from __future__ import annotations

import json
import os
import queue
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import numpy as np  # noqa: E402

from tests.support.jack_harness import JACK_HOST_API, attach_portaudio, start_jackd  # noqa: E402


def main() -> None:
    server = start_jackd("starlab-kill", channels=2)
    result: dict = {}
    try:
        attach_portaudio(server.name)
        from audio.devices import DeviceChoice
        from audio.playback.events import DeviceError, DeviceLostError, PlaybackStarted
        from audio.playback.engine import PlaybackEngine
        from audio.render import Clip, render_trial
        from audio.safety import SafetyGuard

        choice = DeviceChoice(JACK_HOST_API, "system", server.sample_rate_hz, (0, 1))
        x = (0.003 * np.random.default_rng(0).standard_normal((5 * server.sample_rate_hz, 2))).astype(np.float32)
        trial = render_trial([Clip(x, server.sample_rate_hz, "5 s noise")], 0.0, choice, SafetyGuard(), label="k")
        engine = PlaybackEngine(choice, watchdog_s=0.5)
        engine.open()
        playback = engine.play(trial)
        events = []
        started = engine.events.get(timeout=5.0)
        events.append(type(started).__name__)
        assert isinstance(started, PlaybackStarted)  # the 5 s trial is playing
        server.process.kill()  # the server disappears mid-trial
        server.process.wait()
        error = None
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline and error is None:
            try:
                event = engine.events.get(timeout=0.5)
            except queue.Empty:
                continue
            events.append(type(event).__name__)
            if isinstance(event, DeviceError):
                error = event
        outcome = engine.wait(playback, timeout_s=5.0)
        try:
            engine.play(trial)
            play_after = "no error"
        except DeviceLostError as exc:
            play_after = f"DeviceLostError: {exc}"
        engine.close()  # must not hang: the abandoned stream is left alone
        result = {
            "events": events, "error_message": error.message if error else None,
            "error_playback_id": error.playback_id if error else None, "playback_id": playback.playback_id,
            "repeat_needed": outcome.repeat_needed, "completed": outcome.completed, "reason": outcome.reason,
            "frames_played": outcome.frames_played, "total_frames": trial.n_frames,
            "stream_abandoned": engine.stream_abandoned, "play_after": play_after,
        }
    except Exception as exc:  # report, do not hang
        result = {"exception": f"{type(exc).__name__}: {exc}"}
    finally:
        server.stop()
    print(json.dumps(result), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
