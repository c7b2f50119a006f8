"""Test signals as pure functions: tones, noise, silence, ramps and two-sound comparisons.

Everything returns float64 numpy arrays of shape (frames,) at ``sample_rate_hz``; nothing
writes files or keeps state, so a stimulus is fully described by its arguments (and, for
noise, by the ``numpy.random.Generator`` the caller passes in).

Level convention (as in :mod:`audio.levels`): ``level_dbfs`` of a sine is its peak-equivalent
level, amplitude ``10 ** (level_dbfs / 20)``. A noise at ``level_dbfs`` has the same RMS as a
sine at that level, so one :class:`audio.levels.DigitalReference` maps both to dB SPL.

Durations include the ramps and are rounded to whole samples. Ramps are raised-cosine
(Hann halves) so that onsets and offsets do not click: the first sample of a ramp is exactly 0.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.signal import lfilter

from audio.levels import db_to_amplitude

DEFAULT_SAMPLE_RATE_HZ = 48_000
DEFAULT_RAMP_S = 0.010


def seconds_to_samples(duration_s: float, sample_rate_hz: int) -> int:
    """Whole samples nearest to a duration; negative durations are an error."""
    if duration_s < 0:
        raise ValueError(f"duration must be >= 0 s, got {duration_s}")
    return int(round(duration_s * sample_rate_hz))


def cents_to_ratio(cents: float) -> float:
    return float(2.0 ** (cents / 1200.0))


def raised_cosine_ramp(n_samples: int) -> np.ndarray:
    """Rising half of a Hann window, 0 at index 0 and approaching 1 at the end."""
    k = np.arange(n_samples, dtype=np.float64)
    return 0.5 * (1.0 - np.cos(np.pi * k / max(n_samples, 1)))


def apply_ramps(signal: np.ndarray, ramp_s: float, sample_rate_hz: int) -> np.ndarray:
    """A copy with a raised-cosine onset and offset of ``ramp_s`` each (along axis 0)."""
    out = np.array(signal, dtype=np.float64, copy=True)
    n = min(seconds_to_samples(ramp_s, sample_rate_hz), out.shape[0] // 2)
    if n == 0:
        return out
    ramp = raised_cosine_ramp(n)
    if out.ndim == 2:
        ramp = ramp[:, None]
    out[:n] *= ramp
    out[out.shape[0] - n:] *= ramp[::-1]
    return out


def silence(duration_s: float, sample_rate_hz: int = DEFAULT_SAMPLE_RATE_HZ, channels: int | None = None) -> np.ndarray:
    n = seconds_to_samples(duration_s, sample_rate_hz)
    return np.zeros(n if channels is None else (n, channels), dtype=np.float64)


def sine_tone(
    frequency_hz: float,
    level_dbfs: float,
    duration_s: float,
    ramp_s: float = DEFAULT_RAMP_S,
    sample_rate_hz: int = DEFAULT_SAMPLE_RATE_HZ,
    phase_rad: float = 0.0,
) -> np.ndarray:
    """A ramped sine. The phase is computed from the sample index (not accumulated), so the
    frequency is exact to floating-point precision however long the tone."""
    if not 0 < frequency_hz < sample_rate_hz / 2:
        raise ValueError(f"{frequency_hz} Hz is not between 0 and Nyquist ({sample_rate_hz / 2} Hz)")
    n = seconds_to_samples(duration_s, sample_rate_hz)
    t_s = np.arange(n, dtype=np.float64) / sample_rate_hz
    tone = db_to_amplitude(level_dbfs) * np.sin(2.0 * np.pi * frequency_hz * t_s + phase_rad)
    return apply_ramps(tone, ramp_s, sample_rate_hz)


def noise(
    duration_s: float,
    level_dbfs: float,
    rng: np.random.Generator,
    sample_rate_hz: int = DEFAULT_SAMPLE_RATE_HZ,
    band_hz: tuple[float, float] | None = None,
    ramp_s: float = DEFAULT_RAMP_S,
) -> np.ndarray:
    """Gaussian noise, optionally band-limited by a brick-wall in the frequency domain, scaled
    (before ramping) to the RMS of a sine at ``level_dbfs``."""
    n = seconds_to_samples(duration_s, sample_rate_hz)
    x = rng.standard_normal(n)
    if band_hz is not None:
        low_hz, high_hz = band_hz
        spectrum = np.fft.rfft(x)
        f_hz = np.fft.rfftfreq(n, 1.0 / sample_rate_hz)
        spectrum[(f_hz < low_hz) | (f_hz > high_hz)] = 0.0
        x = np.fft.irfft(spectrum, n)
    rms = float(np.sqrt(np.mean(x * x))) if n else 1.0
    x *= db_to_amplitude(level_dbfs) / np.sqrt(2.0) / (rms or 1.0)
    return apply_ramps(x, ramp_s, sample_rate_hz)


def place(signal: np.ndarray, total_duration_s: float, onset_s: float, sample_rate_hz: int) -> np.ndarray:
    """Embed a signal in silence of ``total_duration_s`` starting at ``onset_s``."""
    out = np.zeros((seconds_to_samples(total_duration_s, sample_rate_hz),) + signal.shape[1:])
    start = seconds_to_samples(onset_s, sample_rate_hz)
    if start + signal.shape[0] > out.shape[0]:
        raise ValueError("the signal does not fit in the given total duration")
    out[start:start + signal.shape[0]] = signal
    return out


def concatenate_with_gaps(signals: list[np.ndarray], gap_s: float, sample_rate_hz: int) -> np.ndarray:
    """Signals one after the other, separated by ``gap_s`` of digital silence."""
    gap = np.zeros((seconds_to_samples(gap_s, sample_rate_hz),) + signals[0].shape[1:])
    parts: list[np.ndarray] = []
    for i, s in enumerate(signals):
        if i:
            parts.append(gap)
        parts.append(np.asarray(s, dtype=np.float64))
    return np.concatenate(parts, axis=0)


# --- two-sound comparisons -------------------------------------------------------------


@dataclass(frozen=True)
class ToneSpec:
    """A ramped sine, described completely (what a bank item records as its parameters)."""

    frequency_hz: float
    level_dbfs: float
    duration_s: float
    ramp_s: float = DEFAULT_RAMP_S

    def render(self, sample_rate_hz: int = DEFAULT_SAMPLE_RATE_HZ) -> np.ndarray:
        return sine_tone(self.frequency_hz, self.level_dbfs, self.duration_s, self.ramp_s, sample_rate_hz)


def pitch_pair(reference: ToneSpec, difference_cents: float, second_higher: bool) -> tuple[ToneSpec, ToneSpec]:
    """The reference and a tone ``difference_cents`` above it, in the order asked for."""
    higher = replace(reference, frequency_hz=reference.frequency_hz * cents_to_ratio(difference_cents))
    return (reference, higher) if second_higher else (higher, reference)


def level_pair(reference: ToneSpec, difference_db: float, second_louder: bool) -> tuple[ToneSpec, ToneSpec]:
    """The reference and a tone ``difference_db`` louder, in the order asked for."""
    louder = replace(reference, level_dbfs=reference.level_dbfs + difference_db)
    return (reference, louder) if second_louder else (louder, reference)


def duration_pair(reference: ToneSpec, difference_percent: float, second_longer: bool) -> tuple[ToneSpec, ToneSpec]:
    """The reference and a tone ``difference_percent`` longer, in the order asked for."""
    longer = replace(reference, duration_s=reference.duration_s * (1.0 + difference_percent / 100.0))
    return (reference, longer) if second_longer else (longer, reference)


def two_sound_comparison(
    first: ToneSpec,
    second: ToneSpec,
    gap_s: float,
    sample_rate_hz: int = DEFAULT_SAMPLE_RATE_HZ,
) -> np.ndarray:
    """First tone, ``gap_s`` of silence, second tone: one file for a 2-interval comparison."""
    return concatenate_with_gaps([first.render(sample_rate_hz), second.render(sample_rate_hz)], gap_s, sample_rate_hz)


# --- sound events for the temporal demo items --------------------------------------------


def harmonic_tone(
    fundamental_hz: np.ndarray | float,
    level_dbfs: float,
    duration_s: float,
    n_harmonics: int = 6,
    rolloff_db_per_harmonic: float = 6.0,
    ramp_s: float = DEFAULT_RAMP_S,
    sample_rate_hz: int = DEFAULT_SAMPLE_RATE_HZ,
) -> np.ndarray:
    """A harmonic complex whose fundamental may glide (an array of per-sample Hz); the phase
    is the running integral of the frequency. Harmonics above Nyquist are dropped. Peak is
    normalised to ``level_dbfs``."""
    n = seconds_to_samples(duration_s, sample_rate_hz)
    f0 = np.broadcast_to(np.asarray(fundamental_hz, dtype=np.float64), (n,))
    phase = 2.0 * np.pi * np.cumsum(f0) / sample_rate_hz
    x = np.zeros(n)
    for h in range(1, n_harmonics + 1):
        alive = (h * f0) < 0.45 * sample_rate_hz
        x += np.where(alive, db_to_amplitude(-rolloff_db_per_harmonic * (h - 1)) * np.sin(h * phase), 0.0)
    peak = float(np.max(np.abs(x))) or 1.0
    return apply_ramps(x * db_to_amplitude(level_dbfs) / peak, ramp_s, sample_rate_hz)


def decaying_impact(
    resonance_hz: float,
    level_dbfs: float,
    decay_s: float,
    rng: np.random.Generator,
    sample_rate_hz: int = DEFAULT_SAMPLE_RATE_HZ,
) -> np.ndarray:
    """A knock: a short noise click plus a damped resonance, lasting about 5 decay constants.
    Peak normalised to ``level_dbfs``; a 1 ms onset ramp avoids a click."""
    n = seconds_to_samples(5.0 * decay_s, sample_rate_hz)
    t_s = np.arange(n) / sample_rate_hz
    envelope = np.exp(-t_s / decay_s)
    x = envelope * (np.sin(2 * np.pi * resonance_hz * t_s) + 0.3 * rng.standard_normal(n) * np.exp(-t_s / (decay_s / 4)))
    x = apply_ramps(x, 0.001, sample_rate_hz)
    x[-seconds_to_samples(0.002, sample_rate_hz):] *= raised_cosine_ramp(seconds_to_samples(0.002, sample_rate_hz))[::-1]
    return x * db_to_amplitude(level_dbfs) / (float(np.max(np.abs(x))) or 1.0)


def bouncing_object(
    first_interval_s: float,
    restitution: float,
    n_bounces: int,
    level_dbfs: float,
    rng: np.random.Generator,
    resonance_hz: float = 900.0,
    sample_rate_hz: int = DEFAULT_SAMPLE_RATE_HZ,
) -> np.ndarray:
    """A dropped object: intervals shrink and impacts fade by the coefficient of restitution
    (interval_k = interval_0 * e**k, amplitude_k = e**k) - the physics of a bouncing ball."""
    onsets_s = np.concatenate([[0.0], np.cumsum(first_interval_s * restitution ** np.arange(n_bounces - 1))])
    knock = decaying_impact(resonance_hz, 0.0, 0.012, rng, sample_rate_hz)
    out = np.zeros(seconds_to_samples(onsets_s[-1], sample_rate_hz) + knock.size + 1)
    for k, onset_s in enumerate(onsets_s):
        start = seconds_to_samples(onset_s, sample_rate_hz)
        out[start:start + knock.size] += knock * restitution ** k
    return out * db_to_amplitude(level_dbfs) / float(np.max(np.abs(out)))


def filling_vessel(
    duration_s: float,
    start_resonance_hz: float,
    end_resonance_hz: float,
    level_dbfs: float,
    rng: np.random.Generator,
    sample_rate_hz: int = DEFAULT_SAMPLE_RATE_HZ,
) -> np.ndarray:
    """Water poured into a bottle: splashing noise through a resonance that rises as the air
    column shortens (quarter-wave tube: f = c / 4L, so f grows as L shrinks). Implemented as
    a two-pole resonator run over noise, its frequency updated every 256 samples with the
    filter state carried over (no discontinuity at the updates)."""
    n = seconds_to_samples(duration_s, sample_rate_hz)
    progress = np.linspace(0.0, 1.0, n)
    # air column length falls linearly -> resonance ~ 1 / length
    length = 1.0 / start_resonance_hz + progress * (1.0 / end_resonance_hz - 1.0 / start_resonance_hz)
    f_hz = 1.0 / length
    excitation = rng.standard_normal(n) * (0.6 + 0.4 * np.abs(np.sin(2 * np.pi * 7.0 * progress * duration_s)))
    y = np.zeros(n)
    r = 0.995
    block = 256
    y1 = y2 = 0.0
    for start in range(0, n, block):
        stop = min(n, start + block)
        w = 2 * np.pi * f_hz[start] / sample_rate_hz
        a1, a2 = -2 * r * np.cos(w), r * r
        seg, zf = lfilter([1.0 - r], [1.0, a1, a2], excitation[start:stop], zi=_resonator_state(y1, y2, a1, a2))
        y[start:stop] = seg
        y1 = seg[-1]
        y2 = seg[-2] if seg.size > 1 else y1
    y = apply_ramps(y, 0.05, sample_rate_hz)
    return y * db_to_amplitude(level_dbfs) / (float(np.max(np.abs(y))) or 1.0)


def _resonator_state(y1: float, y2: float, a1: float, a2: float) -> np.ndarray:
    """lfilter's transposed direct-form state that continues an all-pole filter whose last
    outputs were y1 (newest) and y2 - so the resonance glides without discontinuities."""
    return np.array([-a1 * y1 - a2 * y2, -a2 * y1])


LEVEL_CHECK_SEED = 7  # the level check's noise is the same sound every time


def level_check_noise(reference_dbfs: float, sample_rate_hz: int = DEFAULT_SAMPLE_RATE_HZ,
                      duration_s: float = 2.0) -> np.ndarray:
    """The level check's sound: broadband noise whose RMS equals a sine at ``reference_dbfs``
    (the study's digital reference), diotic (frames, 2) float32 with 50 ms ramps. Played with
    the study's calibrated gain it sounds at the study's reference dB SPL."""
    mono = noise(duration_s, reference_dbfs, np.random.default_rng(LEVEL_CHECK_SEED), sample_rate_hz, ramp_s=0.05)
    mono = np.asarray(mono, dtype=np.float32).reshape(-1, 1)
    return np.repeat(mono, 2, axis=1)
