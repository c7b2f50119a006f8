"""The two sounds of an adaptive trial, synthesized on the fly with the bank's synthesis code
(audio.synthesis tone pairs and noise bursts; audio.spatial's binaural renderer in the bank's
room and head, tasks.bank.BankConfig), at the bank's digital reference so that the presenter
maps them to calibrated levels and checks them against the safety ceiling like any trial.

``synthesize`` returns the two sounds as separate intervals ("Sound 1", "Sound 2") and the
level actually carried by them, computed from what was rendered (sample counts, frequencies,
positions), in the dimension's unit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from audio import synthesis as syn
from audio.spatial import ResponseCache, SourcePosition, render_binaural
from tasks.bank import BankConfig
from tasks.psychometrics.dimensions import DURATION_REFERENCE_MS, adaptive_scale

GAP_S = 0.5
PITCH_REFERENCE_HZ = 1000.0
DURATION_REFERENCE_S = DURATION_REFERENCE_MS / 1000
TONE_S = 0.4
SPATIAL_REFERENCE_DISTANCE_M = 1.0
SPATIAL_DISTANCE_M = 1.5  # azimuth and elevation pairs
BURST_S = 0.4
NOISE_BAND_HZ = (100.0, 16000.0)


@dataclass(frozen=True)
class Stimulus:
    dimension: str
    intervals: tuple[np.ndarray, np.ndarray]  # Sound 1, Sound 2 (mono tones, binaural noise)
    sample_rate_hz: int
    level_asked: float
    level_played: float  # in the dimension's unit, from what was rendered
    first_option_correct: bool
    params: dict  # what was rendered: frequencies, levels, durations, positions

    @property
    def peak_dbfs(self) -> float:
        peak = max(float(np.max(np.abs(x))) for x in self.intervals)
        return 20 * math.log10(peak) if peak > 0 else -math.inf


def _tone(frequency_hz: float, level_db_spl: float, duration_s: float, config: BankConfig) -> syn.ToneSpec:
    return syn.ToneSpec(frequency_hz, config.reference.spl_to_dbfs(level_db_spl), duration_s, 0.01)


def _tone_stimulus(name: str, level: float, first: bool, config: BankConfig) -> tuple[list[syn.ToneSpec], float, dict]:
    """first: the first sound carries the attribute (higher / louder / longer)."""
    sr, base_db_spl = config.sample_rate_hz, config.tone_level_db_spl
    if name == "pitch":
        ratio = 2 ** (level / 2400)  # centred on the reference in log frequency
        plain, marked = _tone(PITCH_REFERENCE_HZ / ratio, base_db_spl, TONE_S, config), \
            _tone(PITCH_REFERENCE_HZ * ratio, base_db_spl, TONE_S, config)
        played = 1200 * math.log2(marked.frequency_hz / plain.frequency_hz)
    elif name == "loudness":
        plain, marked = _tone(PITCH_REFERENCE_HZ, base_db_spl - level / 2, TONE_S, config), \
            _tone(PITCH_REFERENCE_HZ, base_db_spl + level / 2, TONE_S, config)
        played = marked.level_dbfs - plain.level_dbfs
    else:  # duration: the reference and a longer tone, whole samples
        plain = _tone(PITCH_REFERENCE_HZ, base_db_spl, DURATION_REFERENCE_S, config)
        marked = _tone(PITCH_REFERENCE_HZ, base_db_spl, DURATION_REFERENCE_S + level / 1000, config)
        n_plain, n_marked = (syn.seconds_to_samples(t.duration_s, sr) for t in (plain, marked))
        played = (n_marked - n_plain) / sr * 1000
    tones = [marked, plain] if first else [plain, marked]
    record = [{"frequency_hz": t.frequency_hz, "level_db_spl": config.reference.dbfs_to_spl(t.level_dbfs),
               "level_dbfs": t.level_dbfs, "duration_s": t.duration_s} for t in tones]
    return tones, played, {"sounds": record}


def _positions(name: str, level: float, first: bool) -> tuple[SourcePosition, SourcePosition]:
    """first: the first option is right (second to the left / first higher / first closer)."""
    if name == "azimuth":  # either side of straight ahead; clockwise = right
        left, right = SourcePosition((-level / 2) % 360.0, 0.0, SPATIAL_DISTANCE_M), \
            SourcePosition(level / 2, 0.0, SPATIAL_DISTANCE_M)
        return (right, left) if first else (left, right)
    if name == "elevation":
        low, high = SourcePosition(0.0, -level / 2, SPATIAL_DISTANCE_M), SourcePosition(0.0, level / 2, SPATIAL_DISTANCE_M)
        return (high, low) if first else (low, high)
    near = SourcePosition(0.0, 0.0, SPATIAL_REFERENCE_DISTANCE_M)
    far = SourcePosition(0.0, 0.0, SPATIAL_REFERENCE_DISTANCE_M + level)
    return (near, far) if first else (far, near)


def _spatial_level(name: str, a: SourcePosition, b: SourcePosition) -> float:
    if name == "azimuth":
        d = abs(a.azimuth_deg - b.azimuth_deg) % 360.0
        return min(d, 360.0 - d)
    if name == "elevation":
        return abs(a.elevation_deg - b.elevation_deg)
    return abs(a.distance_m - b.distance_m)


def synthesize(name: str, level: float, first_option_correct: bool, rng: np.random.Generator,
               config: BankConfig = BankConfig(), cache: ResponseCache | None = None) -> Stimulus:
    """The two sounds of one trial of dimension ``name`` at difference ``level`` (clipped to the
    dimension's range). Both sounds are attenuated together if either would peak above the
    bank's ``max_peak_dbfs`` (the difference is kept; ``params.peak_cap_gain_db`` says so)."""
    dim = adaptive_scale(name)
    asked = float(level)
    level = min(dim.max_level, max(dim.min_level, asked))
    sr = config.sample_rate_hz
    if name in ("pitch", "loudness", "duration"):
        tones, played, params = _tone_stimulus(name, level, first_option_correct, config)
        intervals = [t.render(sr) for t in tones]
    else:
        a, b = _positions(name, level, first_option_correct)
        dry = syn.noise(BURST_S, config.reference.spl_to_dbfs(config.source_level_db_spl_at_1m), rng, sr,
                        band_hz=NOISE_BAND_HZ, ramp_s=0.02)  # one token for both: only the position differs
        intervals = [render_binaural(dry, pos, config.room, config.head, sr, cache) for pos in (a, b)]
        played = _spatial_level(name, a, b)
        params = {"positions": [{"azimuth_deg": p.azimuth_deg, "elevation_deg": p.elevation_deg,
                                 "distance_m": p.distance_m} for p in (a, b)],
                  "source": "band-limited noise 100-16000 Hz, 0.4 s, 20 ms ramps",
                  "source_level_db_spl_at_1m": config.source_level_db_spl_at_1m}
    peak = max(float(np.max(np.abs(x))) for x in intervals)
    ceiling = 10 ** (config.max_peak_dbfs / 20)
    gain_db = 0.0
    if peak > ceiling:
        gain_db = 20 * math.log10(ceiling / peak)
        intervals = [x * (ceiling / peak) for x in intervals]
    params.update(unit=dim.unit, gap_s=GAP_S, peak_cap_gain_db=round(gain_db, 4),
                  digital_reference={"reference_dbfs": config.reference.reference_dbfs,
                                     "reference_db_spl": config.reference.reference_db_spl})
    return Stimulus(name, (intervals[0], intervals[1]), sr, asked, float(played), first_option_correct, params)
