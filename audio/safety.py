"""Safety: nothing louder than the ceiling reaches the ear, and exposure is accounted for.

Every rendered trial buffer is measured per output channel before it can be played:

- ``max_rms``: the highest RMS over a sliding 125 ms window (a sound level meter's "fast"
  integration time), unweighted;
- ``max_a_rms``: the same after IEC 61672 A-weighting (dB(A));
- ``true_peak``: the highest absolute value of the 4x oversampled signal (catches inter-sample
  peaks that a sample peak misses).

Levels become dB SPL through the channel's calibration (levels are stated as the SPL of a sine
of equal RMS; peaks as the SPL of a sine of equal peak). The two RMS levels must not exceed
the ceiling (default 85 dB SPL, never above 100); the true peak may exceed it by
``peak_allowance_db`` (default 20 dB, at most 20), because real stimuli have crest factors of
10-20 dB and a peak limit at the RMS ceiling would refuse ordinary speech at 70 dB. No sample
may exceed digital full scale. A buffer over any limit is refused (``OverCeilingError``) or,
when the study allows it, attenuated by exactly the excess; the report says which and by how
many dB.

A buffer with any NaN or infinite sample is refused under either policy (``NonFiniteError``):
its levels would be NaN, every comparison with the ceiling False, and nothing could be
attenuated by an infinite excess. The renderer and the file reader refuse such samples
before; the guard checks again because it is the last step before a device.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import signal

from audio.calibration import CalibrationSet
from audio.levels import amplitude_to_db, db_to_amplitude

HARD_MAXIMUM_DB_SPL = 100.0
DEFAULT_CEILING_DB_SPL = 85.0
DEFAULT_PEAK_ALLOWANCE_DB = 20.0
MAX_PEAK_ALLOWANCE_DB = 20.0
RMS_WINDOW_S = 0.125
TRUE_PEAK_OVERSAMPLING = 4
REFUSE = "refuse"
ATTENUATE = "attenuate"
REFERENCE_PRESSURE_PA = 20e-6


class SafetyError(Exception):
    """Base class of the safety layer's errors."""


class CeilingAboveHardMaximumError(SafetyError, ValueError):
    """A ceiling above 100 dB SPL (or a peak allowance above 20 dB) was asked for."""


class NonFiniteError(SafetyError):
    """A buffer with NaN or infinite samples: never played, whatever the policy."""

    def __init__(self, message: str, count: int):
        super().__init__(message)
        self.count = count


class OverCeilingError(SafetyError):
    """A trial buffer is louder than the ceiling and the study does not allow attenuation."""

    def __init__(self, message: str, over_by_db: float, report: "SafetyReport"):
        super().__init__(message)
        self.over_by_db = over_by_db
        self.report = report


@dataclass(frozen=True)
class SafetyCeiling:
    level_db_spl: float = DEFAULT_CEILING_DB_SPL
    peak_allowance_db: float = DEFAULT_PEAK_ALLOWANCE_DB

    def __post_init__(self) -> None:
        if not self.level_db_spl <= HARD_MAXIMUM_DB_SPL:  # also refuses NaN
            raise CeilingAboveHardMaximumError(
                f"a ceiling of {self.level_db_spl} dB SPL is above the hard maximum of {HARD_MAXIMUM_DB_SPL:g} dB SPL"
            )
        if not 0.0 <= self.peak_allowance_db <= MAX_PEAK_ALLOWANCE_DB:
            raise CeilingAboveHardMaximumError(
                f"a peak allowance of {self.peak_allowance_db} dB is outside 0-{MAX_PEAK_ALLOWANCE_DB:g} dB"
            )

    @property
    def peak_limit_db_spl(self) -> float:
        return self.level_db_spl + self.peak_allowance_db


# The measurement chain's own error: the oversampling filter is flat within 0.001 dB and the
# A-weighting is normalised at 1 kHz, yet a 1 kHz tone sitting exactly on the ceiling (the
# calibration tone of an uncalibrated station: -30 dBFS = 85 dB SPL) reads 0.00003 dB over it.
# Excesses up to this tolerance are rounding, not sound: far below what any meter resolves.
MEASUREMENT_TOLERANCE_DB = 0.001


def a_weighting_sos(sample_rate_hz: float) -> np.ndarray:
    """IEC 61672-1 A-weighting as second-order sections for ``sample_rate_hz``.

    The analogue prototype (poles at 20.6, 107.7, 737.9 and 12194 Hz, four zeros at 0 Hz)
    goes through the bilinear transform and is normalised to exactly 0 dB at 1 kHz. The
    bilinear transform compresses frequencies near Nyquist: at 48 kHz it reads -3.7 dB at
    10 kHz instead of -2.5 dB, at 192 kHz -2.55 dB, so the safety check applies it to the 4x
    oversampled signal that the true-peak measurement makes anyway."""
    f1, f2, f3, f4 = 20.598997, 107.65265, 737.86223, 12194.217
    w = [2 * math.pi * f for f in (f1, f2, f3, f4)]
    zeros = [0.0, 0.0, 0.0, 0.0]
    poles = [-w[0], -w[0], -w[1], -w[2], -w[3], -w[3]]
    z, p, k = signal.bilinear_zpk(zeros, poles, w[3] ** 2, sample_rate_hz)
    sos = signal.zpk2sos(z, p, k)
    _, h = signal.sosfreqz(sos, worN=[1000.0], fs=sample_rate_hz)
    sos[0, :3] /= abs(h[0])
    return sos


def oversampling_fir(sample_rate_hz: float) -> np.ndarray:
    """The 4x interpolation filter: 257 taps, Kaiser beta 10, cut-off at 0.46875 x the input
    rate (22.5 kHz at 48 kHz). Flat within 0.001 dB to 20 kHz and > 100 dB down at the first
    image; scipy's default design ripples by ~0.015 dB, enough to push a tone sitting exactly
    on the ceiling over it."""
    return signal.firwin(257, 0.46875 * sample_rate_hz, window=("kaiser", 10.0),
                         fs=TRUE_PEAK_OVERSAMPLING * sample_rate_hz)  # resample_poly applies the gain of 4


def oversample(x: np.ndarray, sample_rate_hz: float) -> np.ndarray:
    """``x`` (1-D) at 4x its rate, for true peak and A-weighting."""
    return signal.resample_poly(x, TRUE_PEAK_OVERSAMPLING, 1, window=oversampling_fir(sample_rate_hz))


def _max_window_rms(x: np.ndarray, window_frames: int) -> tuple[float, float]:
    """(highest RMS over any window, sum of squares of the whole signal). Windows shorter
    than the signal are not used: a shorter signal counts as if padded with silence, as a
    meter would read it."""
    sq = np.square(x, dtype=np.float64)
    total = float(sq.sum())
    if x.size <= window_frames:
        return math.sqrt(total / window_frames), total
    cs = np.concatenate(([0.0], np.cumsum(sq)))
    best = float(np.max(cs[window_frames:] - cs[:-window_frames]))
    return math.sqrt(max(best, 0.0) / window_frames), total


@dataclass(frozen=True)
class ChannelSafety:
    """Measured levels of one output channel of a buffer (after any attenuation)."""

    output_channel: int
    calibrated: bool
    full_scale_db_spl: float
    sample_peak_dbfs: float
    true_peak_dbfs: float
    max_rms_dbfs: float          # re a full-scale sine's peak: a full-scale sine is -3.01
    max_a_rms_dbfs: float
    a_weighted_energy_pa2s: float  # integral of the A-weighted pressure squared

    @property
    def level_db_spl(self) -> float:
        """Highest 125 ms level, stated as the SPL of a sine of equal RMS."""
        return self.full_scale_db_spl + self.max_rms_dbfs + 20 * math.log10(math.sqrt(2))

    @property
    def a_level_db_spl(self) -> float:
        """Highest 125 ms A-weighted level, dB(A)."""
        return self.full_scale_db_spl + self.max_a_rms_dbfs + 20 * math.log10(math.sqrt(2))

    @property
    def peak_level_db_spl(self) -> float:
        """True peak stated as the SPL of a sine with the same peak."""
        return self.full_scale_db_spl + self.true_peak_dbfs


@dataclass(frozen=True)
class SafetyReport:
    """What the check found and did; stored with the trial."""

    label: str
    ceiling: SafetyCeiling
    policy: str
    channels: tuple[ChannelSafety, ...]
    duration_s: float
    over_by_db: float       # excess before attenuation (0 if within limits)
    attenuation_db: float   # applied to the whole buffer (0 if none)
    limiting_measure: str = ""

    @property
    def calibrated(self) -> bool:
        """False if any sounding channel used the uncalibrated default: flag the responses."""
        return all(c.calibrated for c in self.channels)

    @property
    def level_db_spl(self) -> float:
        return max((c.level_db_spl for c in self.channels), default=-math.inf)

    @property
    def a_level_db_spl(self) -> float:
        return max((c.a_level_db_spl for c in self.channels), default=-math.inf)

    @property
    def peak_level_db_spl(self) -> float:
        return max((c.peak_level_db_spl for c in self.channels), default=-math.inf)

    @property
    def a_weighted_energy_pa2s(self) -> float:
        """Energy at the louder ear (the one that counts for exposure)."""
        return max((c.a_weighted_energy_pa2s for c in self.channels), default=0.0)


@dataclass(frozen=True)
class SafetyGuard:
    """The session's safety settings: calibrations, ceiling and what to do when over it."""

    calibrations: CalibrationSet = field(default_factory=CalibrationSet.uncalibrated)
    ceiling: SafetyCeiling = field(default_factory=SafetyCeiling)
    policy: str = REFUSE

    def __post_init__(self) -> None:
        if self.policy not in (REFUSE, ATTENUATE):
            raise ValueError(f"safety policy must be {REFUSE!r} or {ATTENUATE!r}, not {self.policy!r}")

    def measure(self, buffer: np.ndarray, sample_rate_hz: int, output_channels: tuple[int, ...] | None = None,
                label: str = "") -> SafetyReport:
        """Levels of the channels that carry sound; no decision, no change to the buffer.
        Raises NonFiniteError for a buffer with NaN/inf samples (it has no meaningful level)."""
        buffer = np.asarray(buffer)
        if buffer.ndim != 2:
            raise ValueError(f"a buffer to check must be (frames x channels), not of shape {buffer.shape}")
        n_finite = int(np.count_nonzero(np.isfinite(buffer)))
        if n_finite != buffer.size:
            where = f"trial {label!r}" if label else "the trial"
            raise NonFiniteError(f"{where} has {buffer.size - n_finite} non-finite samples (NaN/inf); "
                                 "it is never played", buffer.size - n_finite)
        if output_channels is None:
            output_channels = tuple(range(buffer.shape[1]))
        channels = tuple(self._measure_channel(buffer[:, ch], sample_rate_hz, ch) for ch in output_channels
                         if np.any(buffer[:, ch]))
        over, measure = self._excess(channels)
        # NB: a level within MEASUREMENT_TOLERANCE_DB of its limit counts as at the limit, not over it.
        return SafetyReport(label, self.ceiling, self.policy, channels, buffer.shape[0] / sample_rate_hz,
                            over_by_db=over if over > MEASUREMENT_TOLERANCE_DB else 0.0, attenuation_db=0.0,
                            limiting_measure=measure)

    def check(self, buffer: np.ndarray, sample_rate_hz: int, label: str = "") -> tuple[np.ndarray, SafetyReport]:
        """The buffer that may be played and its report; OverCeilingError under "refuse"."""
        report = self.measure(buffer, sample_rate_hz, label=label)
        if report.over_by_db <= 0.0:
            return buffer, report
        where = f"trial {label!r}" if label else "the trial"
        if self.policy == REFUSE:
            raise OverCeilingError(
                f"{where} is {report.over_by_db:.2f} dB over the limit ({report.limiting_measure}); "
                f"ceiling {self.ceiling.level_db_spl:g} dB SPL, peak limit {self.ceiling.peak_limit_db_spl:g} dB SPL"
                + ("" if report.calibrated else " under the UNCALIBRATED default"),
                report.over_by_db, report,
            )
        # Round the attenuation up to 0.01 dB so that float rounding cannot leave it a hair over;
        # if float32 rounding of the quieter buffer still does, take 0.01 dB more (at most twice).
        attenuation_db = math.ceil(report.over_by_db * 100.0 + 1e-9) / 100.0
        for _attempt in range(3):
            quieter = (buffer.astype(np.float64) * db_to_amplitude(-attenuation_db)).astype(np.float32)
            after = self.measure(quieter, sample_rate_hz, label=label)
            if after.over_by_db <= 0.0:
                break
            attenuation_db = round(attenuation_db + 0.01, 2)
        else:
            raise OverCeilingError(f"trial {label!r} could not be attenuated under the limit "
                                   f"({after.limiting_measure})", after.over_by_db, after)
        return quieter, SafetyReport(label, self.ceiling, self.policy, after.channels, after.duration_s,
                                     over_by_db=report.over_by_db, attenuation_db=attenuation_db,
                                     limiting_measure=report.limiting_measure)

    def _measure_channel(self, x: np.ndarray, sample_rate_hz: int, output_channel: int) -> ChannelSafety:
        level_map = self.calibrations.for_channel(output_channel)
        x64 = x.astype(np.float64)
        oversampled = oversample(x64, sample_rate_hz)
        fs_over = sample_rate_hz * TRUE_PEAK_OVERSAMPLING
        a_weighted = signal.sosfilt(a_weighting_sos(fs_over), oversampled)
        window = int(round(RMS_WINDOW_S * sample_rate_hz))
        rms, _ = _max_window_rms(x64, window)
        a_rms, a_sum_sq = _max_window_rms(a_weighted, window * TRUE_PEAK_OVERSAMPLING)
        # Pressure of a full-scale sample value, from the sine whose peak is full scale.
        full_scale_pa = REFERENCE_PRESSURE_PA * db_to_amplitude(level_map.full_scale_db_spl) * math.sqrt(2)
        return ChannelSafety(
            output_channel=output_channel,
            calibrated=level_map.calibrated,
            full_scale_db_spl=level_map.full_scale_db_spl,
            sample_peak_dbfs=amplitude_to_db(float(np.max(np.abs(x64)))),
            true_peak_dbfs=amplitude_to_db(float(np.max(np.abs(oversampled)))),
            max_rms_dbfs=amplitude_to_db(rms),
            max_a_rms_dbfs=amplitude_to_db(a_rms),
            a_weighted_energy_pa2s=a_sum_sq / fs_over * full_scale_pa ** 2,
        )

    def _excess(self, channels: tuple[ChannelSafety, ...]) -> tuple[float, str]:
        worst, measure = -math.inf, ""
        for c in channels:
            for value, limit, name in (
                (c.level_db_spl, self.ceiling.level_db_spl, "RMS level"),
                (c.a_level_db_spl, self.ceiling.level_db_spl, "A-weighted level"),
                (c.peak_level_db_spl, self.ceiling.peak_limit_db_spl, "true peak"),
                (c.sample_peak_dbfs, 0.0, "digital full scale"),
            ):
                if value - limit > worst:
                    worst = value - limit
                    unit = "dBFS" if name == "digital full scale" else "dB SPL"
                    measure = f"{name} {value:.2f} {unit} on output {c.output_channel}, limit {limit:g} {unit}"
        return worst, measure


class ExposureLog:
    """A-weighted sound exposure of one session, from what was actually played.

    ``add`` takes a trial's safety report and the fraction of it that was played (a stopped
    trial counts in proportion). The dose is in Pa^2 h (ISO 1999 / IEC 61252 sound exposure),
    at the louder ear; 100 % of the daily dose is 85 dB(A) for 8 h = 1.01 Pa^2 h."""

    DAILY_DOSE_PA2H = (REFERENCE_PRESSURE_PA * 10 ** (85.0 / 20.0)) ** 2 * 8.0

    def __init__(self) -> None:
        self._energy_pa2s = 0.0
        self._played_s = 0.0
        self._uncalibrated_trials = 0
        self._trials = 0

    def add(self, report: SafetyReport, played_fraction: float = 1.0) -> None:
        played_fraction = min(max(played_fraction, 0.0), 1.0)
        self._energy_pa2s += report.a_weighted_energy_pa2s * played_fraction
        self._played_s += report.duration_s * played_fraction
        self._trials += 1
        self._uncalibrated_trials += 0 if report.calibrated else 1

    @property
    def dose_pa2h(self) -> float:
        return self._energy_pa2s / 3600.0

    @property
    def played_s(self) -> float:
        return self._played_s

    @property
    def leq_db_a(self) -> float:
        """Equivalent continuous A-weighted level over the played time."""
        if self._played_s <= 0 or self._energy_pa2s <= 0:
            return -math.inf
        return 10 * math.log10(self._energy_pa2s / self._played_s / REFERENCE_PRESSURE_PA ** 2)

    @property
    def daily_dose_percent(self) -> float:
        return 100.0 * self.dose_pa2h / self.DAILY_DOSE_PA2H

    def to_dict(self) -> dict[str, float | int | bool]:
        """A row for the session log."""
        return {
            "dose_pa2h": self.dose_pa2h, "leq_db_a": self.leq_db_a, "played_s": self._played_s,
            "daily_dose_percent": self.daily_dose_percent, "trials": self._trials,
            "uncalibrated_trials": self._uncalibrated_trials,
        }
