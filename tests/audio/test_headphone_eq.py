"""Headphone equalization: the inverse filter flattens the measured transfer function it was
designed from, it is applied before the calibration gain and the safety check, and the filter
is named in the calibration record, the session's level procedure and trials.csv."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import soundfile
from scipy.signal import butter, lfilter, sosfilt

from audio.calibration import Calibration
from audio.devices import DeviceChoice
from audio.headphone_eq import (
    DEFAULT_BAND_HZ,
    HeadphoneEqError,
    apply_output_filters,
    filter_of_procedure,
    load_headphone_filter,
    procedure_with_filter,
)
from audio.render import Clip, render_trial
from audio.safety import SafetyGuard

RATE_HZ = 48_000


def peaking(x: np.ndarray, f0_hz: float, gain_db: float, q: float) -> np.ndarray:
    """RBJ peaking equalizer: the resonances and dips a real headphone has."""
    a_lin = 10 ** (gain_db / 40)
    w = 2 * np.pi * f0_hz / RATE_HZ
    alpha = np.sin(w) / (2 * q)
    b = [1 + alpha * a_lin, -2 * np.cos(w), 1 - alpha * a_lin]
    a = [1 + alpha / a_lin, -2 * np.cos(w), 1 - alpha / a_lin]
    return lfilter(b, a, x)


def headphone_ir(dip_hz: float) -> np.ndarray:
    """A plausible circumaural HpTF: bass roll-off below 60 Hz, a +8 dB ear-canal resonance at
    3 kHz, a -10 dB dip at 8 kHz, a -6 dB dip at ``dip_hz``, a 4 dB bass bump."""
    x = np.zeros(4096)
    x[0] = 1.0
    x = peaking(peaking(peaking(x, 3000, 8, 2), 8000, -10, 4), 150, 4, 1)
    x = peaking(x, dip_hz, -6, 3)
    return sosfilt(butter(2, 60, "hp", fs=RATE_HZ, output="sos"), x)


def equalized_deviation_db(taps: np.ndarray, ir: np.ndarray, band_hz=DEFAULT_BAND_HZ) -> tuple[float, float]:
    """Lowest and highest level of filter * HpTF over the band, relative to its mean (dB)."""
    n = 1 << 16
    f = np.fft.rfftfreq(n, 1 / RATE_HZ)
    level = 20 * np.log10(np.abs(np.fft.rfft(taps, n) * np.fft.rfft(ir, n)))
    band = (f >= band_hz[0]) & (f <= band_hz[1])
    return float(level[band].min() - level[band].mean()), float(level[band].max() - level[band].mean())


def test_filter_times_its_wav_measurement_is_flat_within_1_db(tmp_path):
    left, right = headphone_ir(5000.0), headphone_ir(11000.0)
    raw = equalized_deviation_db(np.array([1.0]), left)
    assert raw[1] - raw[0] > 15  # the measurement itself is far from flat
    path = tmp_path / "hd-measured.wav"
    soundfile.write(str(path), np.stack([left, right], axis=1), RATE_HZ, subtype="FLOAT")
    flt = load_headphone_filter(path, RATE_HZ)
    for ear, ir in ((0, left), (1, right)):
        low, high = equalized_deviation_db(flt.taps[:, ear], ir)
        assert -1.0 <= low and high <= 1.0, (ear, low, high)
    one_khz = np.abs(np.fft.rfft(flt.taps[:, 0], RATE_HZ)[1000])
    assert 20 * np.log10(one_khz) == pytest.approx(0.0, abs=0.05)  # the 1 kHz calibration stays valid
    at_20_hz = np.abs(np.fft.rfft(flt.taps[:, 0], RATE_HZ)[20])
    assert 20 * np.log10(at_20_hz) < 0.0  # no boost where the headphone cannot play (regularized)
    assert flt.label().startswith("hd-measured.wav (sha256 ") and flt.label().endswith("100-16000 Hz)")


def test_filter_from_a_sofa_file_with_repositionings_is_flat_within_1_db(tmp_path):
    import sofar

    irs = np.stack([headphone_ir(5000.0 + 200 * k) for k in range(3)])
    sofa = sofar.Sofa("GeneralFIR")
    sofa.Data_IR = np.repeat(irs[:, None, :], 2, axis=1)  # (measurements, ears, samples)
    sofa.Data_Delay = np.zeros((1, 2))
    sofa.Data_SamplingRate = RATE_HZ
    path = tmp_path / "hptf.sofa"
    sofar.write_sofa(str(path), sofa)
    flt = load_headphone_filter(path, RATE_HZ)
    average_power = np.mean(np.abs(np.fft.rfft(irs, 1 << 16, axis=1)) ** 2, axis=0)
    n = 1 << 16
    f = np.fft.rfftfreq(n, 1 / RATE_HZ)
    level = 10 * np.log10(np.abs(np.fft.rfft(flt.taps[:, 0], n)) ** 2 * average_power)
    band = (f >= 100) & (f <= 16000)
    assert np.ptp(level[band]) <= 2.0  # within +/-1 dB of the power average it was designed for


def test_filter_applies_before_the_calibration_gain_and_the_safety_check(tmp_path):
    path = tmp_path / "hp.wav"
    soundfile.write(str(path), headphone_ir(5000.0), RATE_HZ, subtype="FLOAT")
    flt = load_headphone_filter(path, RATE_HZ)
    device = DeviceChoice("JACK Audio Connection Kit", "system", RATE_HZ, (0, 1))
    noise = (0.01 * np.random.default_rng(1).standard_normal((RATE_HZ, 2))).astype(np.float32)
    filters = flt.output_filters(device.left_output, device.right_output)
    plain = render_trial([Clip(noise, RATE_HZ, "noise")], 0.0, device, SafetyGuard(), output_gains_db={0: -6.0, 1: 0.0})
    eq = render_trial([Clip(noise, RATE_HZ, "noise")], 0.0, device, SafetyGuard(), output_gains_db={0: -6.0, 1: 0.0},
                      output_filters=filters)
    expected = apply_output_filters(noise.astype(np.float64), filters) * np.array([10 ** (-6 / 20), 1.0])
    assert eq.buffer.shape == plain.buffer.shape  # onsets and length unchanged (minimum phase)
    assert np.allclose(eq.buffer, expected, atol=1e-6)
    measured = {c.output_channel: c.max_rms_dbfs for c in eq.safety.channels}
    assert measured != {c.output_channel: c.max_rms_dbfs for c in plain.safety.channels}  # it saw the filtered buffer


def test_the_filter_is_named_in_calibration_procedure_and_trials_csv(tmp_path):
    from db.models import Participant, Session, Study
    from tasks.results.trials_csv import session_cells

    path = tmp_path / "hp.wav"
    soundfile.write(str(path), headphone_ir(5000.0), RATE_HZ, subtype="FLOAT")
    flt = load_headphone_filter(path, RATE_HZ)
    cal = Calibration("system", "JACK", "HD 650", 0, -30.0, 80.0, dt.date(2026, 1, 5), equipment="B&K 2250",
                      headphone_filter=flt.label())
    assert Calibration.from_dict(cal.to_dict()) == cal
    procedure = procedure_with_filter("calibrated", flt)
    assert procedure.startswith("calibrated") and filter_of_procedure(procedure) == flt.label()
    assert procedure_with_filter("calibrated", None) == "calibrated" and filter_of_procedure("calibrated") == ""

    class Rec:  # what session_cells reads: a study, a session and a participant
        study, participant = Study(name="s", dataset_root="", dataset_fingerprint="", protocol_json="{}"), Participant(code="P01")
        session = Session(id=3, study_id=1, participant_id=1, cohort_index=0, plan_seed=0, app_version="x",
                          level_procedure=procedure)

    from tasks.results.export import TRIAL_COLUMNS

    cells = dict(zip(TRIAL_COLUMNS, session_cells(Rec)))
    assert cells["headphone_filter"] == flt.label()


def test_bad_measurements_are_named(tmp_path):
    with pytest.raises(HeadphoneEqError, match="nothere.wav: headphone measurement not found"):
        load_headphone_filter(tmp_path / "nothere.wav")
    text = tmp_path / "notes.wav"
    text.write_text("not audio")
    with pytest.raises(HeadphoneEqError, match="notes.wav: not a readable audio file"):
        load_headphone_filter(text)
    three = tmp_path / "three.wav"
    soundfile.write(str(three), np.zeros((100, 3)), RATE_HZ)
    with pytest.raises(HeadphoneEqError, match="three.wav: 3 channels"):
        load_headphone_filter(three)
    good = tmp_path / "good.wav"
    soundfile.write(str(good), headphone_ir(5000.0), RATE_HZ, subtype="FLOAT")
    with pytest.raises(HeadphoneEqError, match="design band 2000-16000 Hz must contain 1000 Hz"):
        load_headphone_filter(good, band_hz=(2000.0, 16000.0))
