"""Rendering: exact frame arithmetic, resampling, channel maps, gain, ramps only on cuts."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile

from audio.devices import DeviceChoice
from audio.render import (
    Clip, RenderError, TooManyChannelsError, prepare_clip, render_files, render_trial,
)
from audio.safety import SafetyGuard

RATE = 48000
JACK = "JACK Audio Connection Kit"
STEREO = DeviceChoice(JACK, "system", RATE, (0, 1))
QUAD = DeviceChoice(JACK, "system", RATE, (0, 1, 2, 3))
GUARD = SafetyGuard()  # uncalibrated: keep test signals at or under -30 dBFS


def noise(frames, channels=1, seed=0, level=0.01):
    x = (level * np.random.default_rng(seed).standard_normal((frames, channels))).astype(np.float32)
    x[0] = level  # a non-zero first sample marks the onset
    return x


def test_gaps_and_onsets_are_exact_frame_counts():
    clips = [Clip(noise(1000 + i, seed=i), RATE, f"c{i}") for i in range(4)]
    trial = render_trial(clips, [0.1, 0.0123, 0.25], STEREO, GUARD, lead_in_s=0.01, tail_s=0.02)
    onsets = [c.onset_frame for c in trial.clips]
    assert onsets[0] == 480
    assert onsets[1] == 480 + 1000 + 4800
    assert onsets[2] == onsets[1] + 1001 + 590  # 0.0123 s = 590.4 frames -> 590
    assert onsets[3] == onsets[2] + 1002 + 12000
    assert trial.n_frames == onsets[3] + 1003 + 960
    for clip, placement in zip(clips, trial.clips):  # played whole: exactly the file's samples
        got = trial.buffer[placement.onset_frame:placement.end_frame, 0]
        assert np.array_equal(got, clip.samples[:, 0])
    assert not trial.buffer.flags.writeable


def test_resampling_when_rates_differ():
    x = noise(44100)
    block, placement = prepare_clip(Clip(x, 44100, "cd.wav"), STEREO)
    assert block.shape == (48000, 2) and placement.resampled_from_hz == 44100
    tone_44k = (0.01 * np.sin(2 * np.pi * 1000 * np.arange(44100) / 44100)).astype(np.float32)[:, None]
    block, _ = prepare_clip(Clip(tone_44k, 44100, "tone"), STEREO)
    expected = 0.01 * np.sin(2 * np.pi * 1000 * np.arange(48000) / 48000)
    assert np.max(np.abs(block[2000:-2000, 0] - expected[2000:-2000])) < 1e-4


def test_channel_maps():
    mono, stereo, quad = noise(100, 1), noise(100, 2, seed=1), noise(100, 4, seed=2)
    b, _ = prepare_clip(Clip(mono, RATE, "m"), QUAD)  # diotic
    assert np.array_equal(b[:, 0], mono[:, 0]) and np.array_equal(b[:, 1], mono[:, 0]) and not b[:, 2:].any()
    b, _ = prepare_clip(Clip(mono, RATE, "m", routing="right"), QUAD)
    assert not b[:, 0].any() and np.array_equal(b[:, 1], mono[:, 0])
    pair = DeviceChoice(JACK, "system", RATE, (2, 3))
    b, _ = prepare_clip(Clip(stereo, RATE, "s"), pair)
    assert b.shape[1] == 4 and not b[:, :2].any() and np.array_equal(b[:, 2:], stereo)
    b, _ = prepare_clip(Clip(quad, RATE, "q"), QUAD)
    assert np.array_equal(b, quad)
    b, _ = prepare_clip(Clip(stereo, RATE, "s", source_channel=0), STEREO)  # left channel as Audio 1
    assert np.array_equal(b[:, 0], stereo[:, 0]) and np.array_equal(b[:, 1], stereo[:, 0])


def test_too_many_channels_names_the_file():
    with pytest.raises(TooManyChannelsError, match=r"'scene_07.wav' has 4 channels but the channel map \(0, 1\)"):
        render_trial([Clip(noise(100, 4), RATE, "scene_07.wav")], 0.0, STEREO, GUARD)
    with pytest.raises(RenderError, match="'x.wav': source_channel 2 does not exist"):
        prepare_clip(Clip(noise(100, 2), RATE, "x.wav", source_channel=2), STEREO)
    with pytest.raises(RenderError, match="'x.wav': routing 'left' needs 1 channel"):
        prepare_clip(Clip(noise(100, 2), RATE, "x.wav", routing="left"), STEREO)


def test_gain_in_db():
    x = noise(1000)
    b, _ = prepare_clip(Clip(x, RATE, "g", gain_db=-20.0), STEREO)
    assert np.allclose(b[:, 0], x[:, 0] * 0.1, rtol=1e-6)


def test_ramp_only_where_the_engine_cuts():
    x = np.full((RATE, 1), 0.01, dtype=np.float32)
    whole, p = prepare_clip(Clip(x, RATE, "whole"), STEREO)
    assert not p.truncated and np.all(whole[:, 0] == np.float32(0.01))  # no fade in, no fade out
    cut, p = prepare_clip(Clip(x, RATE, "cut", max_duration_s=0.5, ramp_s=0.01), STEREO)
    assert p.truncated and cut.shape[0] == 24000
    assert cut[0, 0] == np.float32(0.01)                # onset untouched
    assert cut[-1, 0] == 0.0                            # the cut ends at zero
    assert np.all(np.diff(cut[-480:, 0]) <= 0)          # a monotonic fade over the last 10 ms
    assert np.all(cut[:-480, 0] == np.float32(0.01))
    longer, p = prepare_clip(Clip(x, RATE, "short enough", max_duration_s=2.0), STEREO)
    assert not p.truncated and longer.shape[0] == RATE


def test_render_files(tmp_path):
    path = tmp_path / "quad.wav"
    soundfile.write(str(path), noise(480, 4), RATE, format="WAVEX", subtype="FLOAT")
    trial = render_files([path, path], 0.01, QUAD, GUARD, label="files")
    assert [c.onset_frame for c in trial.clips] == [0, 960]
    with pytest.raises(TooManyChannelsError, match="quad.wav"):
        render_files([path], 0.0, STEREO, GUARD)


def test_gap_count_must_match():
    with pytest.raises(RenderError, match="3 clips need 2 gaps"):
        render_trial([Clip(noise(10), RATE, "a")] * 3, [0.1], STEREO, GUARD)


def test_output_gains_apply_per_output_before_the_safety_check():
    import numpy as np

    from audio.devices import DeviceChoice
    from audio.render import Clip, render_trial
    from audio.safety import SafetyGuard

    device = DeviceChoice("JACK Audio Connection Kit", "system", 48000, (0, 1))
    tone = (0.01 * np.sin(2 * np.pi * 1000 * np.arange(4800) / 48000)).astype(np.float32)[:, None]
    trial = render_trial([Clip(tone, 48000, "tone")], 0.0, device, SafetyGuard(), output_gains_db={0: -6.0, 1: 0.0})
    ratio_db = 20 * np.log10(np.max(np.abs(trial.buffer[:, 0])) / np.max(np.abs(trial.buffer[:, 1])))
    assert abs(ratio_db + 6.0) < 0.001
