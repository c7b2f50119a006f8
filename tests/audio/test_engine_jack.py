"""The engine against a real JACK server (dummy driver), recorded by an independent client in a
process of its own.

Only what is deterministic is asserted: samples bit-exact, gaps and onsets exact to the
sample, the ramp of a stop. Whether a loaded machine delivers every period in time is not a
property of the engine; a take in which the server reported an xrun, the recorder lost a
cycle or PortAudio flagged an underflow says nothing about the samples and is played again
(at most ``TAKES`` times). How often that happens under load is measured by
``python -m bench audio_load``, against a naive player."""
from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest

from audio.calibration import Calibration, CalibrationSet, reference_tone
from audio.devices import DeviceChoice
from audio.engine import PlaybackEngine, PlaybackFinished, PlaybackStarted
from audio.levels import rms_dbfs
from audio.render import Clip, render_trial
from audio.safety import SafetyGuard
from tests.audio.jack_harness import JACK_HOST_API, RecorderProcess, first_nonzero_frame

pytestmark = pytest.mark.jack
RATE = 48000
TAKES = 5


def noise(frames, channels, seed, level=0.005):
    x = (level * np.random.default_rng(seed).standard_normal((frames, channels))).astype(np.float32)
    x[0] = level  # non-zero first sample: the onset is visible in the recording
    return x


def play_and_record(jack_server, choice, trial, *, max_duration_s=None):
    """Play ``trial`` on a fresh engine and record the engine's ports; the first undisturbed
    take of at most TAKES: (recording, outcome, events, recorder)."""
    disturbed = []
    for _take in range(TAKES):
        n = choice.stream_channels
        recorder = RecorderProcess(jack_server.name, n, max_duration_s or trial.duration_s + 2.0)
        try:
            with PlaybackEngine(choice) as engine:
                recorder.connect_playback(n)
                recorder.start()
                time.sleep(0.05)
                playback = engine.play(trial)
                outcome = engine.wait(playback, timeout_s=trial.duration_s + 5.0)
                data = recorder.stop()
                events = []
                while not engine.events.empty():
                    events.append(engine.events.get_nowait())
                underflows = engine.underflow_count
        finally:
            recorder.close()
        if underflows == 0 and recorder.xruns == 0 and recorder.gaps == 0:
            return data, outcome, events, recorder
        disturbed.append(f"{underflows} underflows, {recorder.xruns} xruns, {recorder.gaps} lost cycles")
    raise AssertionError(f"every take was disturbed by the machine: {disturbed}")


@pytest.mark.parametrize("channel_map, file_channels", [((0,), 1), ((0, 1), 2), ((0, 1, 2, 3), 4)])
def test_bit_exact_with_sample_exact_gaps(jack_server, channel_map, file_channels):
    choice = DeviceChoice(JACK_HOST_API, "system", RATE, channel_map)
    clips = [Clip(noise(3001 + 17 * i, file_channels, seed=i), RATE, f"clip{i}") for i in range(3)]
    trial = render_trial(clips, [0.25, 0.0417], choice, SafetyGuard(), label="exact")
    data, outcome, events, recorder = play_and_record(jack_server, choice, trial)
    assert outcome.completed and not outcome.repeat_needed and outcome.frames_played == trial.n_frames
    start = first_nonzero_frame(data)
    assert start >= 0
    assert np.array_equal(data[start:start + trial.n_frames], trial.buffer)  # bit-exact, every channel
    assert not data[start + trial.n_frames:].any()
    onsets = [first_nonzero_frame(data, start + c.onset_frame) - start for c in trial.clips]
    assert onsets == [c.onset_frame for c in trial.clips]
    assert onsets[1] - onsets[0] == 3001 + 12000 and onsets[2] - onsets[1] == 3018 + 2002
    kinds = [type(e) for e in events]
    assert kinds == [PlaybackStarted, PlaybackFinished]
    assert events[0].clip_onsets_monotonic_s[1] - events[0].clip_onsets_monotonic_s[0] == pytest.approx(
        (3001 + 12000) / RATE)


def test_calibrated_tone_has_the_expected_digital_level(jack_server):
    choice = DeviceChoice(JACK_HOST_API, "system", RATE, (0, 1))
    cal = {ch: Calibration("system", JACK_HOST_API, "HD 650", ch, -30.0, 71.3 + ch, dt.date.today())
           for ch in (0, 1)}
    guard = SafetyGuard(CalibrationSet(cal))
    target_db_spl = 65.0
    tone = reference_tone(RATE, level_dbfs=cal[0].dbfs_for_spl(target_db_spl), duration_s=1.0)
    clip = Clip(tone, RATE, "1 kHz", routing="left")
    trial = render_trial([clip], 0.0, choice, guard)
    data, outcome, _, _ = play_and_record(jack_server, choice, trial)
    start = first_nonzero_frame(data)
    steady = data[start + 4800:start + trial.n_frames - 4800, 0]  # skip the tone's 20 ms ramps
    expected_dbfs = cal[0].dbfs_for_spl(target_db_spl)  # the sine's peak level: -36.3 dBFS
    assert expected_dbfs == pytest.approx(-36.3)
    assert rms_dbfs(steady) + 20 * np.log10(np.sqrt(2)) == pytest.approx(expected_dbfs, abs=0.01)
    assert cal[0].spl_of_dbfs(rms_dbfs(steady) + 20 * np.log10(np.sqrt(2))) == pytest.approx(target_db_spl, abs=0.01)
    assert trial.safety.level_db_spl == pytest.approx(target_db_spl, abs=0.01)
    assert not data[:, 1].any()  # routed to the left ear only


def record_stop_and_replay(jack_server, choice, trial):
    recorder = RecorderProcess(jack_server.name, 2, 5.0)
    try:
        with PlaybackEngine(choice) as engine:
            recorder.connect_playback(2)
            recorder.start()
            playback = engine.play(trial)
            time.sleep(0.3)
            engine.stop()
            stopped = engine.wait(playback, 2.0)
            again = engine.wait(engine.replay_clip(trial, 1), 2.0)
            data = recorder.stop()
            underflows = engine.underflow_count
    finally:
        recorder.close()
    return stopped, again, data, recorder.xruns + recorder.gaps + underflows


def test_stop_ramps_out_and_replay_of_one_clip(jack_server):
    choice = DeviceChoice(JACK_HOST_API, "system", RATE, (0, 1))
    level = np.float32(0.01)
    clips = [Clip(np.full((RATE, 1), level, np.float32), RATE, "long"), Clip(noise(2000, 1, 3), RATE, "short")]
    trial = render_trial(clips, 0.1, choice, SafetyGuard(), label="stoppable")
    # An xrun of the dummy server (a busy 2-core machine) drops a period from the recording;
    # such a take says nothing about the engine, so it is measured again.
    for _take in range(TAKES):
        stopped, again, data, server_faults = record_stop_and_replay(jack_server, choice, trial)
        if server_faults == 0:
            break
    assert server_faults == 0, "the JACK server reported xruns, lost cycles or underflows in every take"
    assert stopped.stopped and not stopped.completed and 0 < stopped.frames_played < trial.n_frames
    assert again.completed and again.frames_played == 2000
    left = data[:, 0]
    start = first_nonzero_frame(data)
    end = start + stopped.frames_played
    assert np.all(left[start:end - 240] == level)                 # untouched until the stop
    assert np.all(np.diff(left[end - 240:end]) <= 0) and left[end - 1] == 0.0  # 5 ms ramp to zero
    replay_start = first_nonzero_frame(data, end)
    assert np.array_equal(data[replay_start:replay_start + 2000, 0], trial.buffer[trial.clips[1].onset_frame:
                                                                                  trial.clips[1].end_frame, 0])
