"""What a measured set of impulse responses (an HRTF file, a headphone measurement) may hold,
checked from its dimensions (a WAV's frames and rate, a SOFA file's M, N and Data.SamplingRate)
before its samples are read: a rate of 1 Hz or 2,147,483,647 Hz made the resampling to the output
rate allocate gigabytes (a MemoryError outside any handler), and a compressed SOFA file of 175 KB
can declare 2 million taps. Each reader raises its own error with the problem named here."""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ResponseLimits:
    rate_rule: str  # "an HRTF must be measured at": what the rate message says of the file
    unit: str  # what a response's samples are called ("taps", "samples")
    measurements: str  # what the measurements are called ("measured directions")
    max_taps: int
    max_measurements: int
    max_resampled: int  # samples of the whole set (2 ears) once resampled to the output rate
    min_rate_hz: int = 8_000
    max_rate_hz: int = 384_000

    def problem(self, n_measurements: int, n_taps: int, rate_hz: float, out_rate_hz: float | None = None) -> str | None:
        """What is wrong with a set of n_measurements x 2 ears x n_taps at rate_hz, resampled to
        out_rate_hz (None: as it is), with the limit; None when it is within the limits."""
        if not (math.isfinite(rate_hz) and rate_hz > 0 and rate_hz == round(rate_hz)):
            return f"sampling rate {rate_hz!r} Hz is not a positive whole number"
        if not self.min_rate_hz <= rate_hz <= self.max_rate_hz:
            return (f"sampling rate {rate_hz:,.0f} Hz; {self.rate_rule} {self.min_rate_hz:,} to "
                    f"{self.max_rate_hz:,} Hz")
        if not 1 <= n_taps <= self.max_taps:
            return f"{n_taps:,} {self.unit} per impulse response; 1 to {self.max_taps:,} are accepted"
        if not 1 <= n_measurements <= self.max_measurements:
            return f"{n_measurements:,} {self.measurements}; 1 to {self.max_measurements:,} are accepted"
        out_rate_hz = out_rate_hz or rate_hz
        resampled = n_measurements * 2 * math.ceil(n_taps * out_rate_hz / rate_hz)
        if resampled > self.max_resampled:
            return (f"{n_measurements:,} {self.measurements} x 2 ears x {n_taps:,} {self.unit} make {resampled:,} "
                    f"samples at {out_rate_hz:,.0f} Hz; at most {self.max_resampled:,} are accepted")
        return None
