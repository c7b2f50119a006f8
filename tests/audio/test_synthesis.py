"""Synthesis checked by measurement, not by re-running the formula.

The estimators here (phase regression, least-squares amplitude, non-zero extent) are also
used by tests/tasks/bank/test_bank.py on the WAV files the bank writes.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.signal import hilbert

from audio import synthesis as syn

SR = 48_000


def estimate_sine(segment: np.ndarray, sample_rate_hz: int, trim_fraction: float = 0.1) -> tuple[float, float]:
    """(frequency_hz, peak amplitude) of a steady sine: linear regression of the unwrapped
    phase of the analytic signal (edges trimmed: Hilbert edge effects and ramps), then a
    least-squares fit of sin/cos at that frequency for the amplitude."""
    x = np.asarray(segment, dtype=np.float64)
    analytic = hilbert(x)
    n = x.size
    lo, hi = int(n * trim_fraction), int(n * (1 - trim_fraction))
    t = np.arange(lo, hi) / sample_rate_hz
    phase = np.unwrap(np.angle(analytic[lo:hi]))
    slope = np.polyfit(t, phase, 1)[0]
    f_hz = slope / (2 * np.pi)
    basis = np.column_stack([np.sin(2 * np.pi * f_hz * t), np.cos(2 * np.pi * f_hz * t)])
    coef, *_ = np.linalg.lstsq(basis, x[lo:hi], rcond=None)
    return float(f_hz), float(np.hypot(*coef))


def cents_between(f_hz: float, g_hz: float) -> float:
    return float(1200 * np.log2(f_hz / g_hz))


def nonzero_runs(x: np.ndarray, min_gap_samples: int) -> list[tuple[int, int]]:
    """[start, stop) of the stretches of non-zero samples separated by >= min_gap zeros."""
    nz = np.flatnonzero(np.abs(x) > 0)
    if nz.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(nz) > min_gap_samples)
    starts = np.concatenate([[nz[0]], nz[breaks + 1]])
    stops = np.concatenate([nz[breaks] + 1, [nz[-1] + 1]])
    return list(zip(starts.tolist(), stops.tolist()))


@pytest.mark.parametrize("f_hz", [125.0, 440.0, 1000.0, 3333.3, 8000.0])
def test_sine_frequency_and_level_are_exact(f_hz):
    x = syn.sine_tone(f_hz, -12.0, 0.5, 0.02, SR)
    est_hz, amp = estimate_sine(x, SR)
    assert abs(cents_between(est_hz, f_hz)) < 0.01
    assert abs(20 * np.log10(amp) - (-12.0)) < 0.01


def test_duration_rounds_to_samples_and_includes_ramps():
    x = syn.sine_tone(1000.0, -20.0, 0.3337, 0.01, SR)
    assert x.size == round(0.3337 * SR)


def test_ramps_start_at_zero_and_are_smooth():
    x = syn.sine_tone(1000.0, 0.0, 0.2, 0.01, SR)
    assert x[0] == 0.0 and abs(x[-1]) < 1e-3
    ramp = syn.raised_cosine_ramp(480)
    assert ramp[0] == 0.0 and np.all(np.diff(ramp) > 0) and ramp[-1] > 0.9999


def test_noise_level_matches_sine_rms_convention():
    rng = np.random.default_rng(1)
    x = syn.noise(1.0, -20.0, rng, SR, band_hz=(100, 8000), ramp_s=0.0)
    sine = syn.sine_tone(1000.0, -20.0, 1.0, 0.0, SR)
    rms = lambda v: np.sqrt(np.mean(v ** 2))  # noqa: E731
    assert abs(20 * np.log10(rms(x) / rms(sine))) < 0.01
    spectrum = np.abs(np.fft.rfft(x))
    f = np.fft.rfftfreq(x.size, 1 / SR)
    assert spectrum[(f < 90) | (f > 8100)].max() < 1e-9 * spectrum.max()


def test_noise_is_reproducible_from_the_generator():
    a = syn.noise(0.1, -20.0, np.random.default_rng(7), SR)
    b = syn.noise(0.1, -20.0, np.random.default_rng(7), SR)
    assert np.array_equal(a, b)


def test_two_sound_comparison_layout():
    ref = syn.ToneSpec(500.0, -30.0, 0.25, 0.01)
    first, second = syn.duration_pair(ref, 100, second_longer=True)
    x = syn.two_sound_comparison(first, second, 0.4, SR)
    runs = nonzero_runs(x, 100)
    assert len(runs) == 2
    (a0, a1), (b0, b1) = runs
    assert abs((a1 - a0) / SR - 0.25) < 0.001
    assert abs((b1 - b0) / SR - 0.5) < 0.001
    assert abs((b0 - a1) / SR - 0.4) < 0.001


@settings(max_examples=25, deadline=None)
@given(cents=st.floats(0, 1200), f_hz=st.floats(150, 4000), second_higher=st.booleans())
def test_pitch_pair_difference_in_cents(cents, f_hz, second_higher):
    first, second = syn.pitch_pair(syn.ToneSpec(f_hz, -20.0, 0.3), cents, second_higher)
    signed = cents if second_higher else -cents
    assert abs(cents_between(second.frequency_hz, first.frequency_hz) - signed) < 1e-9


@settings(max_examples=25, deadline=None)
@given(db=st.floats(0, 48), second_louder=st.booleans())
def test_level_pair_difference_in_db(db, second_louder):
    first, second = syn.level_pair(syn.ToneSpec(1000.0, -60.0, 0.3), db, second_louder)
    a, b = first.render(SR), second.render(SR)
    measured = 20 * np.log10(np.max(np.abs(b)) / np.max(np.abs(a)))
    assert abs(measured - (db if second_louder else -db)) < 0.01


def test_zero_difference_pairs_are_identical():
    ref = syn.ToneSpec(750.0, -40.0, 0.3)
    for first, second in (syn.pitch_pair(ref, 0, True), syn.level_pair(ref, 0, False), syn.duration_pair(ref, 0, True)):
        assert np.array_equal(first.render(SR), second.render(SR))


def test_bouncing_object_intervals_shrink_and_fade():
    x = syn.bouncing_object(0.4, 0.7, 6, -10.0, np.random.default_rng(0), sample_rate_hz=SR)
    runs = nonzero_runs(np.where(np.abs(x) > 1e-3 * np.abs(x).max(), x, 0.0), 500)
    onsets = np.array([r[0] for r in runs]) / SR
    assert len(onsets) == 6
    intervals = np.diff(onsets)
    assert np.allclose(intervals[1:] / intervals[:-1], 0.7, atol=0.02)
    peaks = [np.abs(x[a:b]).max() for a, b in runs]
    assert all(p2 < p1 for p1, p2 in zip(peaks, peaks[1:]))


def test_filling_vessel_resonance_rises():
    x = syn.filling_vessel(3.0, 300.0, 1000.0, -10.0, np.random.default_rng(0), SR)

    def centroid(seg):
        s = np.abs(np.fft.rfft(seg)) ** 2
        f = np.fft.rfftfreq(seg.size, 1 / SR)
        return (s * f).sum() / s.sum()

    thirds = np.array_split(x, 3)
    c = [centroid(t) for t in thirds]
    assert c[0] < c[1] < c[2]


def test_silence_and_place():
    assert not syn.silence(0.1, SR).any()
    y = syn.place(np.ones(10), 0.01, 0.001, SR)
    assert y.size == 480 and y[48:58].sum() == 10 and y.sum() == 10
    with pytest.raises(ValueError):
        syn.place(np.ones(1000), 0.01, 0.0, SR)
