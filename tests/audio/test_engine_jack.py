"""The engine against a real JACK server (dummy driver), recorded by an independent client in a
process of its own.

Only what is deterministic is asserted: samples bit-exact, gaps and onsets exact to the
sample, the ramp of a stop. Whether a loaded machine delivers every period in time is not a
property of the engine: a take whose checks fail while the server reported an xrun, the
recorder lost a cycle or PortAudio flagged an underflow says nothing about the engine and is
played again (at most ``TAKES`` times); a take that fails with no such report fails the test
at once. How often playback is disturbed under load is measured by
``python -m bench audio_load``, against a naive player."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest

from audio.calibration import Calibration, CalibrationSet, reference_tone
from audio.devices import DeviceChoice
from audio.playback.engine import PlaybackEngine
from audio.playback.events import PlaybackFinished, PlaybackStarted
from audio.levels import rms_dbfs
from audio.render import Clip, render_trial
from audio.safety import SafetyGuard
from tests.support.jack_harness import JACK_HOST_API, RecorderProcess, first_nonzero_frame
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.jack, pytest.mark.subprocess]  # the recorder runs in a process of its own
RATE = 48000
TAKES = 5


def noise(frames, channels, seed, level=0.005):
    x = (level * np.random.default_rng(seed).standard_normal((frames, channels))).astype(np.float32)
    x[0] = level  # non-zero first sample: the onset is visible in the recording
    return x


@dataclass
class Take:
    data: np.ndarray
    outcomes: list
    events: list
    underflows: int
    xruns: int
    lost_cycles: int

    @property
    def disturbance(self) -> str:
        """What the machine reported during the take ("" for nothing)."""
        if self.underflows == self.xruns == self.lost_cycles == 0:
            return ""
        return f"{self.underflows} underflows, {self.xruns} xruns, {self.lost_cycles} lost cycles"


def wait_started(engine, playback, timeout_s: float = 5.0) -> PlaybackStarted:
    """Take the engine's events up to ``playback``'s PlaybackStarted: its first block has gone
    out and it is playing. (The events taken are not in the take's ``events``.)"""
    def started():
        while not engine.events.empty():
            event = engine.events.get_nowait()
            if isinstance(event, PlaybackStarted) and event.playback_id == playback.playback_id:
                return event
        return None
    return wait_until(started, timeout_s, interval_s=0.005, what=f"the start of {playback.label!r}")


def record(jack_server, choice, duration_s: float, act: Callable) -> Take:
    """Open a fresh engine, record its ports from another process while ``act(engine)`` plays
    (it returns the outcomes), then stop the recorder."""
    n = choice.stream_channels
    recorder = RecorderProcess(jack_server.name, n, duration_s + 2.0)
    try:
        with PlaybackEngine(choice) as engine:
            recorder.connect_playback(n)
            recorder.start()
            # silence recorded before the first sound: the recording has begun
            wait_until(lambda: recorder.position > 0, 10.0, what="the recorder's first cycle")
            outcomes = act(engine)
            data = recorder.stop()
            events = []
            while not engine.events.empty():
                events.append(engine.events.get_nowait())
            underflows = engine.underflow_count
    finally:
        recorder.close()
    return Take(data, outcomes, events, underflows, recorder.xruns, recorder.gaps)


def checked_take(play: Callable[[], Take], check: Callable[[Take], None]) -> Take:
    """The first take that passes ``check``. A failing take is played again only if the
    machine disturbed it; a failure without a disturbance is the engine's and raises."""
    failures = []
    for _ in range(TAKES):
        take = play()
        try:
            check(take)
            return take
        except AssertionError as exc:
            if not take.disturbance:
                raise
            failures.append(f"{take.disturbance}: {str(exc).splitlines()[0]}")
    raise AssertionError(f"all {TAKES} takes were disturbed by the machine and failed: {failures}")


def play_whole(jack_server, choice, trial) -> Take:
    return record(jack_server, choice, trial.duration_s,
                  lambda engine: [engine.wait(engine.play(trial), timeout_s=trial.duration_s + 5.0)])


@pytest.mark.parametrize("channel_map, file_channels", [((0,), 1), ((0, 1), 2), ((0, 1, 2, 3), 4)])
def test_bit_exact_with_sample_exact_gaps(jack_server, channel_map, file_channels):
    choice = DeviceChoice(JACK_HOST_API, "system", RATE, channel_map)
    clips = [Clip(noise(3001 + 17 * i, file_channels, seed=i), RATE, f"clip{i}") for i in range(3)]
    trial = render_trial(clips, [0.25, 0.0417], choice, SafetyGuard(), label="exact")

    def check(take):
        (outcome,), data, events = take.outcomes, take.data, take.events
        assert outcome.completed and not outcome.repeat_needed and outcome.frames_played == trial.n_frames
        start = first_nonzero_frame(data)
        assert start >= 0
        assert np.array_equal(data[start:start + trial.n_frames], trial.buffer)  # bit-exact, every channel
        assert not data[start + trial.n_frames:].any()
        onsets = [first_nonzero_frame(data, start + c.onset_frame) - start for c in trial.clips]
        assert onsets == [c.onset_frame for c in trial.clips]
        assert onsets[1] - onsets[0] == 3001 + 12000 and onsets[2] - onsets[1] == 3018 + 2002
        assert [type(e) for e in events] == [PlaybackStarted, PlaybackFinished]
        assert events[0].clip_onsets_monotonic_s[1] - events[0].clip_onsets_monotonic_s[0] == pytest.approx(
            (3001 + 12000) / RATE)

    checked_take(lambda: play_whole(jack_server, choice, trial), check)


def test_calibrated_tone_has_the_expected_digital_level(jack_server):
    choice = DeviceChoice(JACK_HOST_API, "system", RATE, (0, 1))
    cal = {ch: Calibration("system", JACK_HOST_API, "HD 650", ch, -30.0, 71.3 + ch, dt.date.today())
           for ch in (0, 1)}
    guard = SafetyGuard(CalibrationSet(cal))
    target_db_spl = 65.0
    tone = reference_tone(RATE, level_dbfs=cal[0].dbfs_for_spl(target_db_spl), duration_s=1.0)
    clip = Clip(tone, RATE, "1 kHz", routing="left")
    trial = render_trial([clip], 0.0, choice, guard)
    expected_dbfs = cal[0].dbfs_for_spl(target_db_spl)  # the sine's peak level: -36.3 dBFS
    assert expected_dbfs == pytest.approx(-36.3)
    assert trial.safety.level_db_spl == pytest.approx(target_db_spl, abs=0.01)

    def check(take):
        data = take.data
        start = first_nonzero_frame(data) - first_nonzero_frame(trial.buffer)  # the ramp may start at 0
        assert np.array_equal(data[start:start + trial.n_frames], trial.buffer)
        steady = data[start + 4800:start + trial.n_frames - 4800, 0]  # skip the tone's 20 ms ramps
        peak_dbfs = rms_dbfs(steady) + 20 * np.log10(np.sqrt(2))
        assert peak_dbfs == pytest.approx(expected_dbfs, abs=0.01)
        assert cal[0].spl_of_dbfs(peak_dbfs) == pytest.approx(target_db_spl, abs=0.01)
        assert not data[:, 1].any()  # routed to the left ear only

    checked_take(lambda: play_whole(jack_server, choice, trial), check)


def test_stop_ramps_out_and_replay_of_one_clip(jack_server):
    choice = DeviceChoice(JACK_HOST_API, "system", RATE, (0, 1))
    level = np.float32(0.01)
    clips = [Clip(np.full((RATE, 1), level, np.float32), RATE, "long"), Clip(noise(2000, 1, 3), RATE, "short")]
    trial = render_trial(clips, 0.1, choice, SafetyGuard(), label="stoppable")

    def stop_and_replay(engine):
        playback = engine.play(trial)
        wait_started(engine, playback)  # mid-way through the 1 s clip: the stop cuts it
        engine.stop()
        stopped = engine.wait(playback, 2.0)
        return [stopped, engine.wait(engine.replay_clip(trial, 1), 2.0)]

    def check(take):
        (stopped, again), data = take.outcomes, take.data
        assert stopped.stopped and not stopped.completed and 0 < stopped.frames_played < trial.n_frames
        assert again.completed and again.frames_played == 2000
        left = data[:, 0]
        start = first_nonzero_frame(data)
        end = start + stopped.frames_played
        assert np.all(left[start:end - 240] == level)                 # untouched until the stop
        assert np.all(np.diff(left[end - 240:end]) <= 0) and left[end - 1] == 0.0  # 5 ms ramp to zero
        replay_start = first_nonzero_frame(data, end)
        assert np.array_equal(data[replay_start:replay_start + 2000, 0],
                              trial.buffer[trial.clips[1].onset_frame:trial.clips[1].end_frame, 0])

    checked_take(lambda: record(jack_server, choice, 3.0, stop_and_replay), check)


def test_a_stop_before_the_first_block_ends_the_playback_and_the_next_one_plays(jack_server):
    """Stop right after play, before the audio thread has taken the play request: the playback
    ends as stopped with nothing played (it used to stay pending for ever), and the next one
    plays in full. Repeated, since the audio thread may take the request in between."""
    choice = DeviceChoice(JACK_HOST_API, "system", RATE, (0, 1))
    trial = render_trial([Clip(noise(4800, 1, 5), RATE, "tone")], 0.0, choice, SafetyGuard(), label="early stop")

    def stop_at_once(engine):
        outcomes = []
        for _ in range(5):
            playback = engine.play(trial)
            engine.stop()
            outcomes.append(engine.wait(playback, 2.0))
        outcomes.append(engine.wait(engine.play(trial), 2.0))
        return outcomes

    def check(take):
        *cut, last = take.outcomes
        assert all(o.stopped and not o.completed for o in cut)
        assert last.completed and last.frames_played == trial.n_frames

    checked_take(lambda: record(jack_server, choice, 3.0, stop_at_once), check)
