"""Level arithmetic: dBFS, dB SPL and dB HL, and the RETSPL tables that link the last two.

Conventions used everywhere in the project:
- ``*_dbfs``: digital level re full scale; a full-scale sine has an RMS of -3.01 dBFS and a
  peak of 0 dBFS. We state RMS levels of sines by their peak-equivalent ("dBFS of a sine whose
  peak is ..."), the usual convention of sound level calibration: ``sine_amplitude(x dBFS) =
  10 ** (x / 20)``.
- ``*_db_spl``: sound pressure level re 20 uPa.
- ``*_db_hl``: hearing level; dB SPL = dB HL + RETSPL(frequency, transducer).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_RETSPL_TABLE = "TDH-39"


def db_to_amplitude(level_db: float) -> float:
    return float(10.0 ** (level_db / 20.0))


def amplitude_to_db(amplitude: float) -> float:
    return float(20.0 * np.log10(amplitude)) if amplitude > 0 else float("-inf")


def rms_dbfs(samples: np.ndarray) -> float:
    """RMS level of a signal in dB re a full-scale sine's *peak* (so a full-scale sine is
    -3.01 dB). Multi-channel input gives the RMS over all samples."""
    x = np.asarray(samples, dtype=np.float64)
    return amplitude_to_db(float(np.sqrt(np.mean(x * x)))) if x.size else float("-inf")


def peak_dbfs(samples: np.ndarray) -> float:
    x = np.asarray(samples)
    return amplitude_to_db(float(np.max(np.abs(x)))) if x.size else float("-inf")


@dataclass(frozen=True)
class RetsplTable:
    name: str
    source: str
    frequency_hz: tuple[float, ...]
    retspl_db: tuple[float, ...]

    def at(self, frequency_hz: float) -> float:
        """RETSPL at a frequency; linear interpolation on a log-frequency axis between table
        points. Outside the table's range it raises ValueError (no extrapolation)."""
        f = np.asarray(self.frequency_hz)
        if not f[0] <= frequency_hz <= f[-1]:
            raise ValueError(
                f"{frequency_hz:g} Hz is outside the RETSPL table {self.name!r} ({f[0]:g}-{f[-1]:g} Hz)"
            )
        return float(np.interp(np.log(frequency_hz), np.log(f), np.asarray(self.retspl_db)))


def load_retspl_tables(text: str | None = None) -> dict[str, RetsplTable]:
    """The shipped tables (audio/data/retspl.json), or tables from JSON text of that shape."""
    if text is None:
        text = (Path(__file__).resolve().parent / "data" / "retspl.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    tables = {}
    for name, entry in raw.items():
        if name.startswith("_"):
            continue
        freqs, values = entry["frequency_hz"], entry["retspl_db"]
        if len(freqs) != len(values) or len(freqs) < 2 or list(freqs) != sorted(freqs):
            raise ValueError(f"RETSPL table {name!r}: frequency_hz must be ascending and match retspl_db")
        tables[name] = RetsplTable(name, entry.get("source", ""), tuple(map(float, freqs)), tuple(map(float, values)))
    return tables


@dataclass(frozen=True)
class DigitalReference:
    """Which digital level a dataset or a bank means as which sound level: a sine at
    ``reference_dbfs`` is meant to be heard at ``reference_db_spl``."""

    reference_dbfs: float = -20.0
    reference_db_spl: float = 70.0

    def spl_to_dbfs(self, level_db_spl: float) -> float:
        return level_db_spl - self.reference_db_spl + self.reference_dbfs

    def dbfs_to_spl(self, level_dbfs: float) -> float:
        return level_dbfs - self.reference_dbfs + self.reference_db_spl
