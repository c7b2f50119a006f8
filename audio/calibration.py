"""Calibration: which digital level becomes which sound pressure level at the ear.

A ``Calibration`` is one measurement: on one device + transducer + output channel, a 1 kHz
sine whose peak is ``reference_dbfs`` measured ``measured_db_spl`` on a sound level meter
with a coupler or artificial ear. Everything else is arithmetic on that one number, because a
playback chain with fixed volume is linear: ``level_db_spl = measured_db_spl + (level_dbfs -
reference_dbfs)`` for a sine described by its peak (levels.py's convention), i.e. every dB
of digital gain is a dB at the ear.

Channels without a calibration get ``UNCALIBRATED_FULL_SCALE_DB_SPL``, a deliberately
pessimistic guess, and every result under it is flagged as uncalibrated.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np

from audio.levels import DEFAULT_RETSPL_TABLE, RetsplTable, db_to_amplitude, load_retspl_tables

# A full-scale sine is assumed to give 115 dB SPL when nothing has been measured. Why 115:
# common studio/lab headphones on a headphone amp at full volume reach 105-120 dB SPL at
# 0 dBFS, and EN 50332 caps portable players at 100 dB(A), so 115 dB is on the loud side of
# real set-ups. With the default 85 dB SPL ceiling this limits an uncalibrated buffer to an
# RMS of a -30 dBFS sine (and a true peak of -10 dBFS, see safety.py): audible on any
# headphone, and unlikely to be loud on even a hot set-up.
UNCALIBRATED_FULL_SCALE_DB_SPL = 115.0

# Re-measure after 30 days: ISO 8253-1 asks for a yearly objective calibration plus frequent
# checks; a listening lab whose headphones are moved between booths should check monthly.
DEFAULT_MAX_CALIBRATION_AGE_DAYS = 30

# The reference tone's default level: -30 dBFS is at the uncalibrated ceiling (85 dB SPL
# under the pessimistic 115 dB assumption), so the calibration tone itself passes the
# safety check before anything is known, and it reads 60-90 dB SPL on real headphones,
# well inside a sound level meter's range.
DEFAULT_REFERENCE_DBFS = -30.0
REFERENCE_FREQUENCY_HZ = 1000.0


# A full-scale sine outside this range means a misread meter or a wrong reference level.
PLAUSIBLE_FULL_SCALE_DB_SPL = (60.0, 140.0)


class CalibrationError(ValueError):
    """A calibration record that is inconsistent or does not fit the output it is used for."""


@dataclass(frozen=True)
class Calibration:
    """One measured reference level on one output channel (0-based, as in DeviceChoice)."""

    device_name: str
    host_api: str
    transducer: str
    output_channel: int
    reference_dbfs: float
    measured_db_spl: float
    measured_on: dt.date
    equipment: str = ""
    measured_by: str = ""
    retspl_table: str = DEFAULT_RETSPL_TABLE
    reference_frequency_hz: float = REFERENCE_FREQUENCY_HZ
    # the headphone equalization filter in force when this was measured (HeadphoneFilter.label(),
    # "" for none); the filter is 0 dB at 1 kHz, so the reading holds with or without it
    headphone_filter: str = ""

    def __post_init__(self) -> None:
        if self.reference_dbfs > 0:
            raise CalibrationError(f"reference level {self.reference_dbfs} dBFS is above full scale")
        if not 0 < self.measured_db_spl < 160:
            raise CalibrationError(f"measured level {self.measured_db_spl} dB SPL is not plausible: a reading must "
                                   "be above 0 and below 160 dB SPL")
        if self.output_channel < 0:
            raise CalibrationError(f"output channel {self.output_channel} is negative")
        if not PLAUSIBLE_FULL_SCALE_DB_SPL[0] <= self.full_scale_db_spl <= PLAUSIBLE_FULL_SCALE_DB_SPL[1]:
            lo, hi = PLAUSIBLE_FULL_SCALE_DB_SPL
            raise CalibrationError(
                f"{self.measured_db_spl:g} dB SPL measured for a {self.reference_dbfs:g} dBFS tone on output "
                f"{self.output_channel} means a full-scale sine would give {self.full_scale_db_spl:.1f} dB SPL; "
                f"headphones and loudspeakers give {lo:g}-{hi:g}. Check the meter reading, its weighting and "
                "the amplifier volume")
        if isinstance(self.measured_on, str):
            object.__setattr__(self, "measured_on", dt.date.fromisoformat(self.measured_on))

    @property
    def full_scale_db_spl(self) -> float:
        """SPL of a sine with a 0 dBFS peak on this channel."""
        return self.measured_db_spl - self.reference_dbfs

    def spl_of_dbfs(self, level_dbfs: float) -> float:
        """dB SPL of a sine whose peak is ``level_dbfs`` (or of any signal whose RMS equals
        that sine's RMS)."""
        return self.full_scale_db_spl + level_dbfs

    def dbfs_for_spl(self, level_db_spl: float) -> float:
        """Peak level of the sine that sounds at ``level_db_spl`` on this channel."""
        return level_db_spl - self.full_scale_db_spl

    def dbfs_for_hl(self, level_db_hl: float, frequency_hz: float,
                    tables: Mapping[str, RetsplTable] | None = None) -> float:
        """Peak level of a pure tone at ``level_db_hl`` through this record's RETSPL table."""
        tables = load_retspl_tables() if tables is None else tables
        if self.retspl_table not in tables:
            raise CalibrationError(f"RETSPL table {self.retspl_table!r} is not in {sorted(tables)}")
        return self.dbfs_for_spl(level_db_hl + tables[self.retspl_table].at(frequency_hz))

    def age_days(self, today: dt.date | None = None) -> int:
        return ((today or dt.date.today()) - self.measured_on).days

    def age_warning(self, max_age_days: int = DEFAULT_MAX_CALIBRATION_AGE_DAYS,
                    today: dt.date | None = None) -> str | None:
        """A sentence for the experimenter if the calibration is older than ``max_age_days``."""
        age = self.age_days(today)
        if age > max_age_days:
            return (f"calibration of output {self.output_channel} ({self.transducer} on {self.device_name!r}) "
                    f"is {age} days old (limit {max_age_days}); measure it again")
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "device_name": self.device_name, "host_api": self.host_api, "transducer": self.transducer,
            "output_channel": self.output_channel, "reference_dbfs": self.reference_dbfs,
            "measured_db_spl": self.measured_db_spl, "measured_on": self.measured_on.isoformat(),
            "equipment": self.equipment, "measured_by": self.measured_by,
            "retspl_table": self.retspl_table, "reference_frequency_hz": self.reference_frequency_hz,
            "headphone_filter": self.headphone_filter,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Calibration":
        return cls(**{**data, "measured_on": dt.date.fromisoformat(str(data["measured_on"]))})


@dataclass(frozen=True)
class ChannelLevelMap:
    """dBFS <-> dB SPL for one output channel, measured or assumed."""

    output_channel: int
    full_scale_db_spl: float
    calibration: Calibration | None = None

    @property
    def calibrated(self) -> bool:
        return self.calibration is not None

    def spl_of_dbfs(self, level_dbfs: float) -> float:
        return self.full_scale_db_spl + level_dbfs

    def dbfs_for_spl(self, level_db_spl: float) -> float:
        return level_db_spl - self.full_scale_db_spl


@dataclass(frozen=True)
class CalibrationSet:
    """The calibrations in force for one session's output, by output channel.

    Build it with ``for_output`` so that records of another device, host API or transducer
    never apply by accident."""

    calibrations: Mapping[int, Calibration] = field(default_factory=dict)
    uncalibrated_full_scale_db_spl: float = UNCALIBRATED_FULL_SCALE_DB_SPL

    @classmethod
    def for_output(cls, records: Iterable[Calibration], device_name: str, host_api: str,
                   transducer: str) -> "CalibrationSet":
        """The newest matching record per channel; the others are ignored."""
        chosen: dict[int, Calibration] = {}
        for rec in records:
            if (rec.device_name, rec.host_api, rec.transducer) != (device_name, host_api, transducer):
                continue
            old = chosen.get(rec.output_channel)
            if old is None or rec.measured_on >= old.measured_on:
                chosen[rec.output_channel] = rec
        return cls(calibrations=chosen)

    @classmethod
    def uncalibrated(cls) -> "CalibrationSet":
        return cls()

    def for_channel(self, output_channel: int) -> ChannelLevelMap:
        rec = self.calibrations.get(output_channel)
        if rec is None:
            return ChannelLevelMap(output_channel, self.uncalibrated_full_scale_db_spl, None)
        return ChannelLevelMap(output_channel, rec.full_scale_db_spl, rec)

    def is_calibrated(self, output_channels: Iterable[int]) -> bool:
        """True only if every one of these outputs has a measured calibration."""
        return all(ch in self.calibrations for ch in output_channels)

    def age_warnings(self, max_age_days: int = DEFAULT_MAX_CALIBRATION_AGE_DAYS,
                     today: dt.date | None = None) -> list[str]:
        return [w for rec in self.calibrations.values() if (w := rec.age_warning(max_age_days, today))]


def reference_tone(sample_rate_hz: int, level_dbfs: float = DEFAULT_REFERENCE_DBFS,
                   duration_s: float = 10.0, frequency_hz: float = REFERENCE_FREQUENCY_HZ,
                   ramp_s: float = 0.02) -> np.ndarray:
    """Mono sine (frames x 1, float32) with peak ``level_dbfs``, for the calibration step and
    for level checks. Raised-cosine on/off ramps so that switching it does not click on the
    sound level meter (a synthesised tone, not a stimulus clip)."""
    n_frames = int(round(duration_s * sample_rate_hz))
    t = np.arange(n_frames, dtype=np.float64) / sample_rate_hz
    x = db_to_amplitude(level_dbfs) * np.sin(2 * np.pi * frequency_hz * t)
    n_ramp = min(int(round(ramp_s * sample_rate_hz)), n_frames // 2)
    if n_ramp > 0:
        ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(n_ramp) / n_ramp)
        x[:n_ramp] *= ramp
        x[n_frames - n_ramp:] *= ramp[::-1]
    return x.astype(np.float32)[:, None]
