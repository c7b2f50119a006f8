"""The ceiling, the A-weighting filter, attenuation/refusal, and exposure accounting."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import signal

from audio.calibration import Calibration, CalibrationSet, reference_tone
from audio.devices import DeviceChoice
from audio.render import Clip, render_trial
from audio.safety import (
    ATTENUATE, HARD_MAXIMUM_DB_SPL, REFUSE, CeilingAboveHardMaximumError, ExposureLog, OverCeilingError,
    SafetyCeiling, SafetyGuard, a_weighting_sos,
)

RATE = 48000
STEREO = DeviceChoice("JACK Audio Connection Kit", "system", RATE, (0, 1))


def calibrations(full_scale_db_spl: float) -> CalibrationSet:
    return CalibrationSet({ch: Calibration("system", "JACK Audio Connection Kit", "HD 650", ch, -30.0,
                                           full_scale_db_spl - 30.0, dt.date.today()) for ch in (0, 1)})


def response_db(sos, frequency_hz, fs):
    _, h = signal.sosfreqz(sos, worN=[frequency_hz], fs=fs)
    return 20 * math.log10(abs(h[0]))


@pytest.mark.parametrize("fs", [48000, 44100])
def test_a_weighting_low_and_mid_frequencies(fs):
    sos = a_weighting_sos(fs)
    assert response_db(sos, 1000.0, fs) == pytest.approx(0.0, abs=1e-9)
    assert response_db(sos, 100.0, fs) == pytest.approx(-19.1, abs=0.1)


def test_a_weighting_at_the_oversampled_rate_the_check_uses():
    fs = 4 * 48000
    sos = a_weighting_sos(fs)
    assert response_db(sos, 10000.0, fs) == pytest.approx(-2.5, abs=0.1)
    assert response_db(sos, 1000.0, fs) == pytest.approx(0.0, abs=1e-9)
    assert response_db(sos, 100.0, fs) == pytest.approx(-19.1, abs=0.1)


def test_ceiling_cannot_exceed_the_hard_maximum():
    assert SafetyCeiling().level_db_spl == 85.0
    SafetyCeiling(HARD_MAXIMUM_DB_SPL)
    with pytest.raises(CeilingAboveHardMaximumError, match="hard maximum of 100"):
        SafetyCeiling(100.5)
    with pytest.raises(CeilingAboveHardMaximumError):
        SafetyCeiling(float("nan"))
    with pytest.raises(CeilingAboveHardMaximumError):
        SafetyCeiling(85.0, peak_allowance_db=25.0)


def test_calibrated_tone_levels_in_the_report():
    guard = SafetyGuard(calibrations(100.0))
    tone = reference_tone(RATE, level_dbfs=-30.0, duration_s=1.0)
    trial = render_trial([Clip(tone, RATE, "1 kHz")], 0.0, STEREO, guard)
    report = trial.safety
    assert report.calibrated
    assert report.level_db_spl == pytest.approx(70.0, abs=0.01)
    assert report.a_level_db_spl == pytest.approx(70.0, abs=0.02)
    assert report.peak_level_db_spl == pytest.approx(70.0, abs=0.01)


def test_over_ceiling_is_refused_with_the_excess():
    guard = SafetyGuard(calibrations(100.0), SafetyCeiling(85.0), REFUSE)
    tone = reference_tone(RATE, level_dbfs=-10.0, duration_s=0.5)  # 90 dB SPL
    with pytest.raises(OverCeilingError, match=r"trial 'loud' is 5\.00 dB over the limit \((RMS|A-weighted) level 90\.00 dB SPL") as info:
        render_trial([Clip(tone, RATE, "tone")], 0.0, STEREO, guard, label="loud")
    assert info.value.over_by_db == pytest.approx(5.0, abs=0.01)


def test_over_ceiling_is_attenuated_when_allowed():
    guard = SafetyGuard(calibrations(100.0), SafetyCeiling(85.0), ATTENUATE)
    tone = reference_tone(RATE, level_dbfs=-10.0, duration_s=0.5)
    trial = render_trial([Clip(tone, RATE, "tone")], 0.0, STEREO, guard)
    assert trial.safety.attenuation_db == pytest.approx(5.0, abs=0.011)
    assert trial.safety.level_db_spl <= 85.0


def test_uncalibrated_default_limits_a_sine_to_minus_30_dbfs():
    guard = SafetyGuard()
    ok = render_trial([Clip(reference_tone(RATE, -30.01, 0.5), RATE, "t")], 0.0, STEREO, guard)
    assert not ok.safety.calibrated
    with pytest.raises(OverCeilingError, match="UNCALIBRATED"):
        render_trial([Clip(reference_tone(RATE, -29.0, 0.5), RATE, "t")], 0.0, STEREO, guard)


def test_the_calibration_tone_exactly_on_the_ceiling_plays_and_a_hundredth_more_does_not():
    """An uncalibrated station must be able to play its calibration tone (-30 dBFS = 85 dB SPL
    under the default), which sits exactly on the default ceiling; 0.01 dB more is refused."""
    guard = SafetyGuard()
    at_ceiling = render_trial([Clip(reference_tone(RATE, duration_s=2.0), RATE, "t")], 0.0, STEREO, guard)
    assert at_ceiling.safety.over_by_db == 0.0 and at_ceiling.safety.attenuation_db == 0.0
    assert at_ceiling.safety.a_level_db_spl == pytest.approx(85.0, abs=0.001)
    with pytest.raises(OverCeilingError, match="0.01 dB over"):
        render_trial([Clip(reference_tone(RATE, -29.99, 2.0), RATE, "t")], 0.0, STEREO, guard)


def test_true_peak_catches_inter_sample_peaks():
    # A sine at fs/4 sampled 45 degrees off its peaks: samples at 0.707, true peak 1.0.
    n = np.arange(4800)
    x = (0.9 * signal.windows.tukey(n.size, 0.2) * np.sin(2 * np.pi * n / 4 + np.pi / 4)).astype(np.float32)[:, None]
    report = SafetyGuard().measure(np.repeat(x, 2, axis=1), RATE)
    channel = report.channels[0]
    assert channel.sample_peak_dbfs == pytest.approx(20 * math.log10(0.9 * math.sqrt(0.5)), abs=0.01)
    assert channel.true_peak_dbfs == pytest.approx(20 * math.log10(0.9), abs=0.1)


def test_exposure_log_of_a_tone_at_85_db_a():
    guard = SafetyGuard(calibrations(114.0))
    tone = reference_tone(RATE, level_dbfs=-30.0, duration_s=2.0, ramp_s=0.0)  # 1 kHz at 84 dB SPL
    trial = render_trial([Clip(tone, RATE, "t")], 0.0, STEREO, guard)
    log = ExposureLog()
    log.add(trial.safety)
    log.add(trial.safety, played_fraction=0.5)
    assert log.leq_db_a == pytest.approx(84.0, abs=0.02)
    assert log.played_s == pytest.approx(3.0)
    assert log.dose_pa2h == pytest.approx(ExposureLog.DAILY_DOSE_PA2H * 10 ** -0.1 * 3.0 / (8 * 3600), rel=0.01)
    assert log.to_dict()["uncalibrated_trials"] == 0


stimulus = st.sampled_from(["sine", "noise", "click", "square"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=stimulus, frequency_hz=st.floats(50.0, 15000.0), gain_db=st.floats(-60.0, 40.0),
       ceiling_db_spl=st.floats(40.0, 100.0), full_scale_db_spl=st.floats(80.0, 130.0),
       policy=st.sampled_from([REFUSE, ATTENUATE]), seed=st.integers(0, 2**31 - 1))
def test_nothing_above_the_ceiling_is_ever_delivered(kind, frequency_hz, gain_db, ceiling_db_spl,
                                                     full_scale_db_spl, policy, seed):
    rng = np.random.default_rng(seed)
    n = int(0.2 * RATE)
    t = np.arange(n) / RATE
    if kind == "sine":
        x = np.sin(2 * np.pi * frequency_hz * t)
    elif kind == "noise":
        x = rng.standard_normal(n) * 0.3
    elif kind == "click":
        x = np.zeros(n)
        x[rng.integers(0, n)] = 1.0
    else:
        x = np.sign(np.sin(2 * np.pi * frequency_hz * t))
    clip = Clip(x.astype(np.float32)[:, None], RATE, kind, gain_db=gain_db)
    ceiling = SafetyCeiling(ceiling_db_spl)
    guard = SafetyGuard(calibrations(full_scale_db_spl), ceiling, policy)
    try:
        trial = render_trial([clip], 0.0, STEREO, guard)
    except OverCeilingError:
        assert policy == REFUSE
        return
    delivered = trial.buffer
    assert np.max(np.abs(delivered)) <= 1.0
    # Measure the delivered buffer afresh, independently of the report that came with it.
    for channel in SafetyGuard(calibrations(full_scale_db_spl), ceiling).measure(delivered, RATE).channels:
        assert channel.level_db_spl <= ceiling_db_spl + 1e-6
        assert channel.a_level_db_spl <= ceiling_db_spl + 1e-6
        assert channel.peak_level_db_spl <= ceiling.peak_limit_db_spl + 1e-6
    # and an independent plain-numpy RMS over every 125 ms window (a meter's "fast" reading;
    # the whole-buffer RMS is no bound: it can exceed every window's when sound sits at both ends)
    window = int(0.125 * RATE)
    for ch in range(delivered.shape[1]):
        sq = delivered[:, ch].astype(np.float64) ** 2
        mean_sq = np.convolve(sq, np.ones(window) / window, mode="valid").max() if sq.size > window else sq.sum() / window
        if mean_sq > 0:
            assert full_scale_db_spl + 10 * np.log10(mean_sq * 2) <= ceiling_db_spl + 1e-6
