"""Nothing non-finite reaches a device: files, the renderer and the guard each refuse NaN/inf."""
from __future__ import annotations

import datetime as dt
import tracemalloc

import numpy as np
import pytest
import soundfile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audio.calibration import Calibration, CalibrationSet
from audio.devices import DeviceChoice
from audio.files import AudioFileError, VERIFY_BLOCK_FRAMES, probe, read, verify
from audio.render import Clip, RenderError, render_files, render_trial
from audio.safety import ATTENUATE, REFUSE, NonFiniteError, OverCeilingError, SafetyError, SafetyGuard

RATE = 48000
STEREO = DeviceChoice("JACK Audio Connection Kit", "system", RATE, (0, 1))


def write_float_wav(path, samples, rate=RATE):
    soundfile.write(str(path), samples, rate, subtype="FLOAT")
    return path


def quiet(frames=4800, channels=1):
    return (0.01 * np.sin(np.arange(frames) * 0.05))[:, None].repeat(channels, axis=1).astype(np.float32)


@pytest.mark.parametrize("bad, count", [([7], 1), (list(range(4800)), 4800)])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_read_and_verify_refuse_a_clip_with_non_finite_samples(tmp_path, bad, count, value):
    x = quiet()
    x[bad, 0] = value
    path = write_float_wav(tmp_path / "clip.wav", x)
    for check in (read, verify):
        with pytest.raises(AudioFileError) as err:
            check(path)
        assert str(err.value) == f"{path}: {count} non-finite samples (NaN/inf)"


def test_verify_accepts_a_sound_file_and_reports_its_format(tmp_path):
    path = write_float_wav(tmp_path / "ok.wav", quiet(9000, 2))
    info = verify(path, max_duration_s=1.0)
    assert (info.sample_rate_hz, info.channels, info.frames, info.header_frames) == (RATE, 2, 9000, 9000)


def test_verify_counts_non_finite_samples_in_every_block(tmp_path):
    x = quiet(3 * VERIFY_BLOCK_FRAMES + 5)
    x[[0, VERIFY_BLOCK_FRAMES + 1, 3 * VERIFY_BLOCK_FRAMES + 4], 0] = np.nan
    path = write_float_wav(tmp_path / "late.wav", x)
    with pytest.raises(AudioFileError, match="3 non-finite samples"):
        verify(path)


def test_verify_reads_in_blocks_with_bounded_memory(tmp_path):
    x = quiet(20 * RATE, 2)  # 20 s of stereo float: 7.7 MB of samples
    path = write_float_wav(tmp_path / "long.wav", x)
    tracemalloc.start()
    try:
        verify(path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < x.nbytes / 4


def truncate(path, n_bytes):
    data = path.read_bytes()
    path.write_bytes(data[:-n_bytes])
    return path


def test_a_truncated_wav_is_refused_by_verify_and_read(tmp_path):
    path = truncate(write_float_wav(tmp_path / "cut.wav", quiet(4800, 2)), 8 * 1000)
    assert probe(path).frames == 3800 and probe(path).header_frames == 4800  # libsndfile alone would accept it
    for check in (read, verify):
        with pytest.raises(AudioFileError) as err:
            check(path)
        assert str(err.value) == f"{path}: truncated: the header promises 4800 frames, the file holds 3800"


def test_a_truncated_wavex_and_rf64_file_are_refused(tmp_path):
    for fmt in ("WAVEX", "RF64"):
        path = tmp_path / f"cut-{fmt}.wav"
        soundfile.write(str(path), quiet(4800, 4), RATE, format=fmt, subtype="FLOAT")
        verify(path)
        truncate(path, 16 * 10)
        with pytest.raises(AudioFileError, match="truncated: the header promises 4800 frames, the file holds 4790"):
            verify(path)


def test_the_renderer_refuses_non_finite_samples_naming_the_clip():
    x = quiet()
    x[100] = np.nan
    with pytest.raises(RenderError, match=r"clip 'stim.wav' has 1 non-finite samples"):
        render_trial([Clip(quiet(), RATE, "ok.wav"), Clip(x, RATE, "stim.wav")], 0.1, STEREO, SafetyGuard())
    with pytest.raises(RenderError, match="not a finite number"):
        render_trial([Clip(quiet(), RATE, "ok.wav", gain_db=np.inf)], 0.1, STEREO, SafetyGuard())


def test_render_files_refuses_a_nan_file_by_name(tmp_path):
    x = quiet()
    x[5] = np.nan
    path = write_float_wav(tmp_path / "nan.wav", x)
    with pytest.raises(AudioFileError, match=f"{path}: 1 non-finite samples"):
        render_files([path], 0.0, STEREO, SafetyGuard(policy=ATTENUATE))


@pytest.mark.parametrize("policy", [REFUSE, ATTENUATE])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_the_guard_refuses_non_finite_buffers_under_both_policies(policy, value):
    buffer = quiet(4800, 2)
    buffer[10, 1] = value
    with pytest.raises(NonFiniteError, match="trial 'x' has 1 non-finite samples") as err:
        SafetyGuard(policy=policy).check(buffer, RATE, label="x")
    assert err.value.count == 1


def test_all_nan_under_attenuate_is_refused_not_an_overflow():
    buffer = np.full((4800, 2), np.inf, dtype=np.float32)
    with pytest.raises(NonFiniteError):
        SafetyGuard(policy=ATTENUATE).check(buffer, RATE)


CALIBRATED = CalibrationSet({ch: Calibration("system", "JACK Audio Connection Kit", "HD 650", ch, -30.0, 70.0,
                                             dt.date.today()) for ch in (0, 1)})
SPECIALS = st.sampled_from([np.nan, np.inf, -np.inf, 1e-45, -1e-40, 1e-310, 3.0e38, -3.4e38, 1e300, 1.0, 0.0])


@st.composite
def buffers(draw):
    frames = draw(st.integers(1, 1500))
    channels = draw(st.integers(1, 2))
    scale = draw(st.sampled_from([0.0, 1e-40, 1e-3, 0.3, 1.0, 50.0, 1e30]))
    x = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1))).standard_normal((frames, channels)) * scale
    for _ in range(draw(st.integers(0, 5))):
        x[draw(st.integers(0, frames - 1)), draw(st.integers(0, channels - 1))] = draw(SPECIALS)
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    with np.errstate(over="ignore"):
        return x.astype(dtype)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(samples=buffers(), rate=st.sampled_from([44100, 48000]), gain_db=st.floats(-60, 60),
       policy=st.sampled_from([REFUSE, ATTENUATE]), calibrated=st.booleans())
def test_property_output_is_finite_and_under_the_ceiling_or_refused(samples, rate, gain_db, policy, calibrated):
    guard = SafetyGuard(CALIBRATED if calibrated else CalibrationSet.uncalibrated(), policy=policy)
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            trial = render_trial([Clip(samples, rate, "random", gain_db=gain_db)], 0.0, STEREO, guard, label="p")
    except (SafetyError, RenderError) as exc:
        if np.isfinite(samples).all():
            assert isinstance(exc, (OverCeilingError, NonFiniteError))  # finite input: refused for its level
        return
    assert np.isfinite(samples).all()
    assert np.isfinite(trial.buffer).all()
    assert np.max(np.abs(trial.buffer)) <= 1.0
    remeasured = SafetyGuard(guard.calibrations, guard.ceiling, REFUSE).measure(trial.buffer, RATE)
    assert remeasured.over_by_db == 0.0
    assert trial.safety.attenuation_db == 0.0 or policy == ATTENUATE
