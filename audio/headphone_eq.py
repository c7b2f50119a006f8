"""Headphone equalization: a regularized FIR inverse of a measured headphone transfer function.

What reaches the eardrum is the stimulus times the headphone's transfer function (HpTF). A
lab that has measured its headphone on an artificial ear or with in-ear microphones (a WAV
impulse response, one channel per ear or one for both, or a SOFA file whose Data.IR holds
(measurements, 2 ears, samples)) can flatten it:

1. Magnitude of the measurement: |H(f)| per ear, averaged in power over the SOFA file's
   measurements (headphone re-positionings), scaled so its RMS over the design band is 1.
2. Kirkeby regularized inverse (Kirkeby et al. 1998): ``|C| = |H| / (|H|^2 + beta(f))``.
   Inside the design band (default 100 Hz - 16 kHz) ``beta`` is ``IN_BAND_BETA`` (0.0025: the
   largest boost is 1/(2*sqrt(beta)) = +20 dB, so a deep notch is not filled in blindly, and a
   dip of 15 dB is still corrected to within 0.7 dB); outside it ``beta`` rises to 1 over half
   an octave (raised cosine in log frequency), so the filter does not boost what the
   headphone cannot play (below ~50 Hz, above ~20 kHz).
3. Minimum phase (real cepstrum, folded): no pre-ringing and no added latency, so onsets stay
   where the trial renderer put them. Truncated to ``n_taps`` (default 2048 = 43 ms at
   48 kHz) with a half-Hann fade over the last eighth.
4. Gain 0 dB at 1 kHz, the calibration frequency: the level calibration (a 1 kHz sine on a
   sound level meter) stays valid with the filter on or off.

The filter is applied when a trial is rendered (audio.render.render_trial ``output_filters``),
to each ear's output before the calibration gain and before the safety check, so the check
sees exactly what plays. It is named by ``HeadphoneFilter.label()`` (measurement file name,
its SHA-256's first 12 digits, the design band), which the calibration record and the
session's level procedure carry and trials.csv reports per trial.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np

from audio.response_limits import ResponseLimits

DEFAULT_BAND_HZ = (100.0, 16_000.0)
DEFAULT_N_TAPS = 2048
IN_BAND_BETA = 0.0025
OUT_OF_BAND_BETA = 1.0
TRANSITION_OCTAVES = 0.5
CALIBRATION_FREQUENCY_HZ = 1000.0
PROCEDURE_MARKER = "; headphone EQ: "
# What a measurement may hold: an impulse response of up to 262,144 samples (5.5 s at 48 kHz), up
# to 1,000 measurements, at most 2**25 samples once resampled, and sample values within +-1e6
# (1e300 overflowed to NaN taps).
LIMITS = ResponseLimits("a headphone measurement must be made at", "samples", "measurements", max_taps=262_144,
                        max_measurements=1_000, max_resampled=1 << 25)
MAX_ABS_VALUE = 1e6


class HeadphoneEqError(ValueError):
    """A measurement that cannot be turned into a filter; the message names the file."""


@dataclass(frozen=True, eq=False)
class HeadphoneFilter:
    """FIR taps (n_taps, 2 = left, right ear) at ``sample_rate_hz`` and what made them."""

    source_file: str
    sha256: str
    sample_rate_hz: int
    band_hz: tuple[float, float]
    taps: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:  # no filter with NaN or infinite taps is ever made, so none is applied
        if not np.all(np.isfinite(self.taps)):
            raise HeadphoneEqError(f"{self.source_file}: the filter designed from it is not finite; not used")

    def label(self) -> str:
        lo, hi = self.band_hz
        return f"{Path(self.source_file).name} (sha256 {self.sha256[:12]}, {lo:g}-{hi:g} Hz)"

    def output_filters(self, left_output: int, right_output: int) -> dict[int, np.ndarray]:
        """Taps by device output, for audio.render.render_trial."""
        return {left_output: self.taps[:, 0], right_output: self.taps[:, 1]}


def read_transfer_function(path: Path | str) -> tuple[np.ndarray, int]:
    """(impulse responses (measurements, samples, 2 ears), sample rate) from a WAV or SOFA file."""
    import soundfile  # here and below: the export imports this module for filter_of_procedure only

    path = Path(path).expanduser()
    if not path.is_file():
        raise HeadphoneEqError(f"{path}: headphone measurement not found")
    if path.suffix.lower() == ".sofa":
        from audio.hrtf import sofa_dimensions

        declared = sofa_dimensions(path)
        if declared is not None:
            check_size(path, *declared)
        import sofar  # only here: it pulls netCDF4

        try:
            sofa = sofar.read_sofa(str(path), verify=False, verbose=False)
            ir = np.asarray(sofa.Data_IR, dtype=np.float64)
            rate = float(np.ravel(np.asarray(sofa.Data_SamplingRate, dtype=np.float64))[0])
        except Exception as exc:  # sofar/netCDF4 raise many kinds for a file that is not SOFA
            raise HeadphoneEqError(f"{path}: not a readable SOFA file ({type(exc).__name__}: {exc})") from None
        if ir.ndim != 3 or ir.shape[1] not in (1, 2):
            raise HeadphoneEqError(f"{path}: Data.IR has shape {ir.shape}; expected (measurements, 1 or 2 ears, samples)")
        ir = np.transpose(ir, (0, 2, 1))
    else:
        try:
            info = soundfile.info(str(path))
            check_size(path, 1, info.frames, info.samplerate)
            data, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
        except (RuntimeError, soundfile.LibsndfileError) as exc:
            raise HeadphoneEqError(f"{path}: not a readable audio file ({exc})") from None
        if data.shape[1] not in (1, 2):
            raise HeadphoneEqError(f"{path}: {data.shape[1]} channels; a headphone measurement has 1 or 2 (left, right)")
        ir = data[None, :, :]
    if ir.shape[2] == 1:
        ir = np.repeat(ir, 2, axis=2)
    if ir.shape[1] < 16 or not np.all(np.isfinite(ir)) or not np.any(ir):
        raise HeadphoneEqError(f"{path}: the impulse response is empty, silent or holds non-finite values")
    check_size(path, ir.shape[0], ir.shape[1], rate)
    peak = float(np.max(np.abs(ir)))
    if peak > MAX_ABS_VALUE:
        raise HeadphoneEqError(f"{path}: a sample of the impulse response is {peak:.3g}; values within "
                               f"+-{MAX_ABS_VALUE:g} are accepted")
    return ir / peak, int(round(rate))  # scaled to peak 1: the design normalizes the level anyway


def check_size(path: Path, n_measurements: int, n_samples: int, rate_hz: float,
               sample_rate_hz: int | None = None) -> None:
    """HeadphoneEqError, with the limit, for a measurement too long or at an impossible rate;
    its size once resampled to ``sample_rate_hz`` (None: as it is)."""
    problem = LIMITS.problem(n_measurements, n_samples, rate_hz, sample_rate_hz)
    if problem is not None:
        raise HeadphoneEqError(f"{path}: {problem}")


def regularization(freqs_hz: np.ndarray, band_hz: tuple[float, float]) -> np.ndarray:
    """beta(f): IN_BAND_BETA inside the band, rising to OUT_OF_BAND_BETA over TRANSITION_OCTAVES
    outside it (raised cosine in log frequency)."""
    lo, hi = band_hz
    f = np.maximum(freqs_hz, 1e-3)
    octaves_out = np.maximum(np.log2(lo / f), np.log2(f / hi)).clip(0.0, TRANSITION_OCTAVES) / TRANSITION_OCTAVES
    weight = 0.5 - 0.5 * np.cos(np.pi * octaves_out)
    return IN_BAND_BETA * (OUT_OF_BAND_BETA / IN_BAND_BETA) ** weight


def _minimum_phase(magnitude: np.ndarray, n_fft: int) -> np.ndarray:
    """Minimum-phase impulse response (n_fft,) with the given magnitude (n_fft // 2 + 1,)."""
    cepstrum = np.fft.irfft(np.log(np.maximum(magnitude, 1e-12)), n_fft)
    folded = np.zeros(n_fft)
    folded[0] = cepstrum[0]
    folded[1:n_fft // 2] = 2.0 * cepstrum[1:n_fft // 2]
    folded[n_fft // 2] = cepstrum[n_fft // 2]
    return np.fft.irfft(np.exp(np.fft.rfft(folded)), n_fft)


def design_inverse(ir: np.ndarray, sample_rate_hz: int, band_hz: tuple[float, float] = DEFAULT_BAND_HZ,
                   n_taps: int = DEFAULT_N_TAPS) -> np.ndarray:
    """Taps (n_taps, 2) of the regularized minimum-phase inverse of ``ir`` (measurements,
    samples, 2), at ``sample_rate_hz``, 0 dB at 1 kHz."""
    lo, hi = band_hz
    if not 0 < lo < CALIBRATION_FREQUENCY_HZ < hi <= sample_rate_hz / 2:
        raise HeadphoneEqError(f"design band {lo:g}-{hi:g} Hz must contain {CALIBRATION_FREQUENCY_HZ:g} Hz "
                               f"and lie below half the sample rate ({sample_rate_hz / 2:g} Hz)")
    n_fft = max(8 * n_taps, 1 << int(math.ceil(math.log2(ir.shape[1] * 2))))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate_hz)
    band = (freqs >= lo) & (freqs <= hi)
    beta = regularization(freqs, band_hz)
    calibration_bin = int(np.argmin(np.abs(freqs - CALIBRATION_FREQUENCY_HZ)))
    fade = np.ones(n_taps)
    tail = n_taps // 8
    fade[-tail:] = 0.5 + 0.5 * np.cos(np.pi * np.arange(1, tail + 1) / tail)
    taps = np.zeros((n_taps, 2))
    for ear in range(2):
        magnitude = np.sqrt(np.mean(np.abs(np.fft.rfft(ir[:, :, ear], n_fft, axis=1)) ** 2, axis=0))
        magnitude /= np.sqrt(np.mean(magnitude[band] ** 2))
        inverse = magnitude / (magnitude ** 2 + beta)
        h = _minimum_phase(inverse, n_fft)[:n_taps] * fade
        gain_at_calibration = np.abs(np.fft.rfft(h, n_fft)[calibration_bin])
        taps[:, ear] = h / gain_at_calibration
    return taps


def load_headphone_filter(path: Path | str, sample_rate_hz: int = 48_000,
                          band_hz: tuple[float, float] = DEFAULT_BAND_HZ, n_taps: int = DEFAULT_N_TAPS) -> HeadphoneFilter:
    """The inverse filter of a measured HpTF file, designed at ``sample_rate_hz``."""
    from scipy.signal import resample_poly

    ir, rate = read_transfer_function(path)
    check_size(Path(path), ir.shape[0], ir.shape[1], rate, sample_rate_hz)
    if rate != sample_rate_hz:
        g = math.gcd(rate, sample_rate_hz)
        ir = resample_poly(ir, sample_rate_hz // g, rate // g, axis=1)
    taps = design_inverse(ir, sample_rate_hz, band_hz, n_taps)
    taps.setflags(write=False)
    digest = hashlib.sha256(Path(path).expanduser().read_bytes()).hexdigest()
    return HeadphoneFilter(str(path), digest, sample_rate_hz, (float(band_hz[0]), float(band_hz[1])), taps)


def apply_output_filters(buffer: np.ndarray, output_filters: Mapping[int, np.ndarray]) -> np.ndarray:
    """Each listed output column of ``buffer`` (frames, channels) convolved with its taps; the
    length stays the same (a minimum-phase filter adds no delay; ringing past the end is cut)."""
    from scipy.signal import fftconvolve

    out = np.array(buffer, dtype=np.float64, copy=True)
    for output, taps in output_filters.items():
        if 0 <= output < out.shape[1]:
            out[:, output] = fftconvolve(out[:, output], np.asarray(taps, dtype=np.float64))[:out.shape[0]]
    return out


def procedure_with_filter(procedure: str, headphone_filter: HeadphoneFilter | None) -> str:
    """A session's level procedure with the filter named (unchanged without one)."""
    return procedure if headphone_filter is None else f"{procedure}{PROCEDURE_MARKER}{headphone_filter.label()}"


def filter_of_procedure(procedure: str | None) -> str:
    """The filter label a level procedure names, or "" (what trials.csv reports)."""
    text = procedure or ""
    return text.split(PROCEDURE_MARKER, 1)[1] if PROCEDURE_MARKER in text else ""
