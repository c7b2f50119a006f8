"""A synthetic STAR-Bench-shaped item bank: the perception grid, plus temporal and spatial demos.

Why: the real dataset is a large download; people running a pilot, a screening block or the
test suite need items *now*, with known physical parameters. ``generate_bank`` writes a folder
in the v1.0 layout (STARBENCH.md section 1) that :func:`tasks.loader.load_dataset` accepts with
no problems:

- ``meta_info/foundation_perception.json``: the section-7 grid (small: 6 items per
  sub-category; full: ~96 per sub-category, 964 items - the paper's size).
- ``meta_info/holistic_reasoning_temporal.json``: 12 demo items (synthetic processes and event
  sequences), 3 clips in true chronological order + the uncut file, no ``answer`` (derived
  per run, as in v1.0).
- ``meta_info/holistic_reasoning_spatial.json``: 12 binaural demo items.

Every item carries ``params`` with what generated it (levels in dBFS and dB SPL, the digital
reference, the RETSPL table for dB HL items, geometry). Answers are option text.

Determinism: each item draws its randomness from ``default_rng([seed, crc32(item id)])``, so
the same seed gives byte-identical files, and a small bank's perception items are identical to
the same-id items of the full bank (the small grid is a subset of the full one). WAVs are
PCM_24 (mono: WAV, multichannel: WAVEX); nothing time-dependent is written.

Levels: a tone at ``L`` dB HL is ``L + RETSPL(f)`` dB SPL (audio.levels, TDH-39 by default),
then dBFS through the bank's DigitalReference (-30 dBFS = 70 dB SPL: full scale is 100 dB SPL,
the project's hard maximum). No file may peak above ``max_peak_dbfs`` (-1 dBFS): a grid point
that would is attenuated to fit, ``params.capped`` is true and the params give the level
actually written (``level_db_hl`` vs ``requested_level_db_hl``).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np
import soundfile

from audio import synthesis as syn
from audio.levels import DEFAULT_RETSPL_TABLE, DigitalReference, load_retspl_tables
from audio.spatial import (
    ResponseCache,
    ShoeboxRoom,
    SourcePosition,
    SphericalHead,
    render_binaural,
    render_binaural_moving,
    render_free_field_moving,
)
from tasks.items import ALIAS_FILES
from tasks.loader import Cancelled
from tasks.runs import PERMS, temporal_answer

BANK_VERSION = 1
AUDIO_DIR = "starbench_audios"
SOURCE = f"star-listening-lab synthetic bank v{BANK_VERSION}"
SCALES = ("small", "full")
SMALL_PER_SUBCATEGORY = 6

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class BankConfig:
    sample_rate_hz: int = 48_000
    reference: DigitalReference = DigitalReference(reference_dbfs=-30.0, reference_db_spl=70.0)
    retspl_table: str = DEFAULT_RETSPL_TABLE
    max_peak_dbfs: float = -1.0
    room: ShoeboxRoom = ShoeboxRoom()
    head: SphericalHead = SphericalHead()
    tone_level_db_spl: float = 60.0  # sensitivity tones (the quieter/reference tone sits near it)
    source_level_db_spl_at_1m: float = 65.0  # spatial noise bursts, free-field level at 1 m


@dataclass(frozen=True)
class PlannedItem:
    """An item before rendering: its JSON fields (without audio paths) and what to render."""

    alias: str
    meta: dict[str, Any]
    kind: str  # name of the renderer
    params: dict[str, Any]


@dataclass
class BankSummary:
    root: Path
    seed: int
    scale: str
    counts: dict[str, int] = field(default_factory=dict)
    n_audio_files: int = 0
    n_capped: int = 0


# ---------------------------------------------------------------- perception grid (pc) -------

RANGE = "Absolute Perception Range"
SENSITIVITY = "Relative Discrimination Sensitivity"

QUADRANTS = ("Front-right (0-90 degrees)", "Back-right (90-180 degrees)",
             "Back-left (180-270 degrees)", "Front-left (270-360 degrees)")
HALF_OPTIONS = ("The first half", "The second half", "Not at all", "Unable to determine")
ELEVATION_OPTIONS = ("Above ear level", "At ear level", "Below ear level")
DISTANCE_OPTIONS = ("Near (0-3 m)", "Medium (3-8 m)", "Far (more than 8 m)")
AZIMUTH_SAME_DEG = 45.0  # a difference below this counts as "the same direction" (section 7)
DISTANCE_SAME_M = 3.0  # a difference below this counts as "the same distance"
ELEVATION_SAME_DEG = 15.0  # the 15 deg level is the sub-threshold control


def _comparison_options(attribute: str, same: str) -> tuple[str, str, str]:
    return (f"The first sound is {attribute}", f"The second sound is {attribute}", same)


PITCH_OPTIONS = _comparison_options("higher in pitch", "Both have the same pitch")
LOUDNESS_OPTIONS = _comparison_options("louder", "Both are equally loud")
DURATION_OPTIONS = _comparison_options("longer", "Both last equally long")
ELEVATION_PAIR_OPTIONS = _comparison_options("higher", "Both are at the same height")
DISTANCE_PAIR_OPTIONS = _comparison_options("closer", "Both are at about the same distance")
AZIMUTH_PAIR_OPTIONS = ("The same direction", "Different directions")

PC_QUESTIONS: Mapping[str, str] = MappingProxyType({
    "range_pitch_loudness": "Listen to the audio. Does a sound appear in the first half, the second half, or not at all?",
    "range_azimuth": "Where is the sound source relative to you? Angles are measured clockwise from straight ahead.",
    "range_elevation": "Is the sound source above, below, or at the level of your ears?",
    "range_distance": "How far away is the sound source?",
    "sensitivity_pitch": "You will hear two sounds. Which one is higher in pitch?",
    "sensitivity_loudness": "You will hear two sounds. Which one is louder?",
    "sensitivity_duration": "You will hear two sounds. Which one lasts longer?",
    "sensitivity_azimuth": "You will hear two sounds. Do they come from the same direction?",
    "sensitivity_elevation": "You will hear two sounds. Which one is higher up?",
    "sensitivity_distance": "You will hear two sounds. Which one is closer to you?",
})
PC_OPTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "range_pitch_loudness": HALF_OPTIONS, "range_azimuth": QUADRANTS, "range_elevation": ELEVATION_OPTIONS,
    "range_distance": DISTANCE_OPTIONS, "sensitivity_pitch": PITCH_OPTIONS, "sensitivity_loudness": LOUDNESS_OPTIONS,
    "sensitivity_duration": DURATION_OPTIONS, "sensitivity_azimuth": AZIMUTH_PAIR_OPTIONS,
    "sensitivity_elevation": ELEVATION_PAIR_OPTIONS, "sensitivity_distance": DISTANCE_PAIR_OPTIONS,
})

HL_FREQUENCIES_HZ = (125, 250, 500, 1000, 2000, 4000, 8000)
HL_LEVELS_DB = tuple(range(-10, 111, 10))
PAIR_FREQUENCIES_HZ = (200, 300, 440, 500, 750, 1000, 1500, 2000)
PITCH_CENTS = (0, 50, 100, 200, 400, 1200)
LOUDNESS_DB = (0, 4, 8, 12, 24, 48)
DURATION_PERCENT = (0, 20, 50, 100, 150, 200)
AZIMUTH_DIFFERENCES_DEG = (30, 60, 90, 120, 150, 180)
ELEVATION_DIFFERENCES_DEG = (15, 90, 120, 150)
DISTANCE_DIFFERENCES_M = ((1.0, 1.5, 2.0), (4.0, 4.5, 5.0), (6.0, 6.5, 7.0), (8.0, 8.5, 9.0))


def _grid_range_pitch_loudness() -> list[dict]:
    # the half alternates like a checkerboard over frequency x level: balanced, not guessable
    tones = [{"frequency_hz": f, "requested_level_db_hl": level, "present": True,
              "half": "second" if (i + j) % 2 else "first"}
             for i, f in enumerate(HL_FREQUENCIES_HZ) for j, level in enumerate(HL_LEVELS_DB)]
    absent = [{"frequency_hz": f, "requested_level_db_hl": None, "present": False, "half": None} for f in (250, 500, 1000, 2000, 4000, 8000, 125, 750, 3000)]
    return tones + absent


def _grid_range_azimuth() -> list[dict]:
    return [{"azimuth_deg": 7.5 + 15 * k, "elevation_deg": 0.0, "distance_m": d}
            for k in range(24) for d in (1.0, 1.5, 2.0, 3.0)]


def _grid_range_elevation() -> list[dict]:
    combos = ((-70, 1.5), (-45, 2.0), (-20, 1.5), (0, 1.5), (0, 2.5), (20, 1.5), (45, 2.0), (70, 1.5))
    return [{"azimuth_deg": float(az), "elevation_deg": float(el), "distance_m": d}
            for el, d in combos for az in range(0, 360, 30)]


def _grid_range_distance() -> list[dict]:
    distances = (0.5, 1.0, 1.75, 2.5, 3.5, 5.0, 6.0, 7.0, 8.5, 9.0, 9.5, 10.0)
    return [{"azimuth_deg": float(az), "elevation_deg": 0.0, "distance_m": d}
            for d in distances for az in range(0, 360, 45)]


def _grid_pairs(differences, key: str) -> list[dict]:
    return [{key: d, "frequency_hz": f, "variant": v}
            for d in differences for f in PAIR_FREQUENCIES_HZ for v in (0, 1)]


def _grid_sensitivity_duration() -> list[dict]:
    return [{"difference_percent": d, "reference_duration_s": dur, "frequency_hz": f, "variant": v}
            for d in DURATION_PERCENT for dur in (0.2, 0.3, 0.4, 0.5) for f in (500, 1000) for v in (0, 1)]


def _grid_sensitivity_azimuth() -> list[dict]:
    return [{"difference_deg": d, "reference_azimuth_deg": float(az), "clockwise": cw}
            for d in AZIMUTH_DIFFERENCES_DEG for az in range(0, 360, 45) for cw in (True, False)]


def _grid_sensitivity_elevation() -> list[dict]:
    out = []
    for d in ELEVATION_DIFFERENCES_DEG:
        for center in ((-5, 0, 5) if d >= 150 else (-10, 0, 10)):
            for az in (0, 90, 180, 270):
                for second_higher in (True, False):
                    out.append({"difference_deg": d, "center_elevation_deg": float(center),
                                "azimuth_deg": float(az), "second_higher": second_higher})
    return out


def _grid_sensitivity_distance() -> list[dict]:
    out = []
    for differences in DISTANCE_DIFFERENCES_M:
        for d in differences:
            for i, near in enumerate((0.5, 1.0)):
                for j, az in enumerate((0, 90, 270, 315)):
                    out.append({"difference_m": d, "near_distance_m": near, "azimuth_deg": float(az),
                                "second_closer": (i + j) % 2 == 1})
    return out


PC_GRIDS: Mapping[str, tuple[str, Callable[[], list[dict]]]] = MappingProxyType({
    "range_pitch_loudness": (RANGE, _grid_range_pitch_loudness),
    "range_azimuth": (RANGE, _grid_range_azimuth),
    "range_elevation": (RANGE, _grid_range_elevation),
    "range_distance": (RANGE, _grid_range_distance),
    "sensitivity_pitch": (SENSITIVITY, lambda: _grid_pairs(PITCH_CENTS, "difference_cents")),
    "sensitivity_loudness": (SENSITIVITY, lambda: _grid_pairs(LOUDNESS_DB, "difference_db")),
    "sensitivity_duration": (SENSITIVITY, _grid_sensitivity_duration),
    "sensitivity_azimuth": (SENSITIVITY, _grid_sensitivity_azimuth),
    "sensitivity_elevation": (SENSITIVITY, _grid_sensitivity_elevation),
    "sensitivity_distance": (SENSITIVITY, _grid_sensitivity_distance),
})


def spread_indices(n: int, k: int) -> list[int]:
    """k indices spread evenly over 0..n-1 (first and last included)."""
    if k >= n:
        return list(range(n))
    return sorted({int(round(i * (n - 1) / (k - 1))) for i in range(k)})


def _small_selection(sub: str, grid: list[dict]) -> list[int]:
    if sub == "range_pitch_loudness":  # five tones spread over frequency x level, one silent item
        tones = [i for i, g in enumerate(grid) if g["present"]]
        silent = [i for i, g in enumerate(grid) if not g["present"]]
        return [tones[i] for i in spread_indices(len(tones), SMALL_PER_SUBCATEGORY - 1)] + silent[:1]
    return spread_indices(len(grid), SMALL_PER_SUBCATEGORY)


def quadrant_of(azimuth_deg: float) -> str:
    return QUADRANTS[int((azimuth_deg % 360.0) // 90.0)]


def elevation_class(elevation_deg: float) -> str:
    if abs(elevation_deg) < 10.0:
        return ELEVATION_OPTIONS[1]
    return ELEVATION_OPTIONS[0] if elevation_deg > 0 else ELEVATION_OPTIONS[2]


def distance_class(distance_m: float) -> str:
    if distance_m < 3.0:
        return DISTANCE_OPTIONS[0]
    return DISTANCE_OPTIONS[1] if distance_m <= 8.0 else DISTANCE_OPTIONS[2]


def angular_difference_deg(a_deg: float, b_deg: float) -> float:
    d = abs(a_deg - b_deg) % 360.0
    return min(d, 360.0 - d)


def plan_perception(scale: str) -> list[PlannedItem]:
    items = []
    for sub, (category, make_grid) in PC_GRIDS.items():
        grid = make_grid()
        chosen = range(len(grid)) if scale == "full" else _small_selection(sub, grid)
        for index in chosen:
            item_id = f"bank_pc_{sub}_{index + 1:03d}"
            meta = {"id": item_id, "task": "foundation_perception", "category": category, "sub-category": sub,
                    "question": PC_QUESTIONS[sub], "options": list(PC_OPTIONS[sub])}
            items.append(PlannedItem("pc", meta, sub, dict(grid[index])))
    return items


# ---------------------------------------------------------------- rendering helpers ---------


@dataclass
class RenderContext:
    config: BankConfig
    cache: ResponseCache
    retspl: Any  # RetsplTable

    @property
    def sample_rate_hz(self) -> int:
        return self.config.sample_rate_hz

    def reference_record(self) -> dict[str, float]:
        return asdict(self.config.reference)

    def spl_to_dbfs(self, level_db_spl: float) -> float:
        return self.config.reference.spl_to_dbfs(level_db_spl)


def _round(x: float, digits: int = 4) -> float:
    return float(round(float(x), digits))


def _fit_peak(signal: np.ndarray, max_peak_dbfs: float) -> tuple[np.ndarray, float]:
    """Attenuate a rendered signal whose peak exceeds the ceiling; returns (signal, gain_db)."""
    peak = float(np.max(np.abs(signal))) if signal.size else 0.0
    ceiling = 10 ** (max_peak_dbfs / 20)
    if peak <= ceiling:
        return signal, 0.0
    return signal * (ceiling / peak), 20 * np.log10(ceiling / peak)


def _answer_for_pair(options: tuple[str, str, str], same: bool, second: bool) -> str:
    if same:
        return options[2]
    return options[1] if second else options[0]


ItemOutput = tuple[str, dict[str, np.ndarray], dict[str, Any]]  # answer, files by role, params


def _render_range_pitch_loudness(p: dict, rng: np.random.Generator, ctx: RenderContext) -> ItemOutput:
    total_s, tone_s = 3.0, 0.5
    params = dict(p, total_duration_s=total_s, retspl_table=ctx.retspl.name, digital_reference=ctx.reference_record())
    if not p["present"]:
        params.update(level_db_hl=None, level_db_spl=None, level_dbfs=None, capped=False)
        return HALF_OPTIONS[2], {"audio": np.zeros(syn.seconds_to_samples(total_s, ctx.sample_rate_hz))}, params
    f_hz, requested_hl = p["frequency_hz"], p["requested_level_db_hl"]
    retspl_db = ctx.retspl.at(f_hz)
    level_dbfs = ctx.spl_to_dbfs(requested_hl + retspl_db)
    capped = level_dbfs > ctx.config.max_peak_dbfs
    level_dbfs = min(level_dbfs, ctx.config.max_peak_dbfs)
    level_db_spl = ctx.config.reference.dbfs_to_spl(level_dbfs)
    second_half = p["half"] == "second"
    onset_s = (1.8 if second_half else 0.3) + 0.4 * float(rng.random())
    tone = syn.sine_tone(f_hz, level_dbfs, tone_s, 0.02, ctx.sample_rate_hz)
    audio = syn.place(tone, total_s, onset_s, ctx.sample_rate_hz)
    params.update(level_db_hl=_round(level_db_spl - retspl_db), level_db_spl=_round(level_db_spl),
                  level_dbfs=_round(level_dbfs), retspl_db=retspl_db, capped=capped,
                  onset_s=_round(syn.seconds_to_samples(onset_s, ctx.sample_rate_hz) / ctx.sample_rate_hz, 6),
                  tone_duration_s=tone_s, ramp_s=0.02,
                  above_normal_threshold=bool(level_db_spl - retspl_db > 0.0))
    return HALF_OPTIONS[1 if second_half else 0], {"audio": audio}, params


def _tone_pair_output(first: syn.ToneSpec, second: syn.ToneSpec, gap_s: float, ctx: RenderContext, params: dict) -> dict:
    audio = syn.two_sound_comparison(first, second, gap_s, ctx.sample_rate_hz)
    params.update(first=_tone_record(first, ctx), second=_tone_record(second, ctx), gap_s=gap_s,
                  digital_reference=ctx.reference_record(), capped=False)
    return {"audio": audio}


def _tone_record(tone: syn.ToneSpec, ctx: RenderContext) -> dict:
    return {"frequency_hz": _round(tone.frequency_hz, 6), "level_dbfs": _round(tone.level_dbfs),
            "level_db_spl": _round(ctx.config.reference.dbfs_to_spl(tone.level_dbfs)),
            "duration_s": _round(tone.duration_s, 6), "ramp_s": tone.ramp_s}


def _render_sensitivity_pitch(p: dict, rng: np.random.Generator, ctx: RenderContext) -> ItemOutput:
    level_dbfs = ctx.spl_to_dbfs(ctx.config.tone_level_db_spl + 5 * p["variant"])
    reference = syn.ToneSpec(p["frequency_hz"], level_dbfs, 0.5, 0.025)
    second_higher = p["variant"] == 1
    first, second = syn.pitch_pair(reference, p["difference_cents"], second_higher)
    params = dict(p, second_higher=second_higher)
    files = _tone_pair_output(first, second, 0.5, ctx, params)
    return _answer_for_pair(PITCH_OPTIONS, p["difference_cents"] == 0, second_higher), files, params


def _render_sensitivity_loudness(p: dict, rng: np.random.Generator, ctx: RenderContext) -> ItemOutput:
    quiet_db_spl = ctx.config.tone_level_db_spl - p["difference_db"] / 2
    reference = syn.ToneSpec(p["frequency_hz"], ctx.spl_to_dbfs(quiet_db_spl), 0.5, 0.025)
    second_louder = p["variant"] == 1
    first, second = syn.level_pair(reference, p["difference_db"], second_louder)
    params = dict(p, second_louder=second_louder)
    files = _tone_pair_output(first, second, 0.5, ctx, params)
    return _answer_for_pair(LOUDNESS_OPTIONS, p["difference_db"] == 0, second_louder), files, params


def _render_sensitivity_duration(p: dict, rng: np.random.Generator, ctx: RenderContext) -> ItemOutput:
    reference = syn.ToneSpec(p["frequency_hz"], ctx.spl_to_dbfs(ctx.config.tone_level_db_spl), p["reference_duration_s"], 0.01)
    second_longer = p["variant"] == 1
    first, second = syn.duration_pair(reference, p["difference_percent"], second_longer)
    params = dict(p, second_longer=second_longer)
    files = _tone_pair_output(first, second, 0.5, ctx, params)
    return _answer_for_pair(DURATION_OPTIONS, p["difference_percent"] == 0, second_longer), files, params


def _noise_burst(rng: np.random.Generator, ctx: RenderContext, duration_s: float = 0.4) -> np.ndarray:
    level_dbfs = ctx.spl_to_dbfs(ctx.config.source_level_db_spl_at_1m)
    return syn.noise(duration_s, level_dbfs, rng, ctx.sample_rate_hz, band_hz=(100.0, 16000.0), ramp_s=0.02)


def _spatial_sequence(sounds: list[tuple[np.ndarray, SourcePosition]], gap_s: float, ctx: RenderContext) -> np.ndarray:
    """Binaural renderings of dry sounds placed one after another (dry onsets separated by
    ``gap_s``); the reverberant tails overlap into the gaps as they would in a room."""
    rendered, onsets = [], []
    onset = 0
    for dry, position in sounds:
        rendered.append(render_binaural(dry, position, ctx.config.room, ctx.config.head, ctx.sample_rate_hz, ctx.cache))
        onsets.append(onset)
        onset += dry.size + syn.seconds_to_samples(gap_s, ctx.sample_rate_hz)
    out = np.zeros((max(o + r.shape[0] for o, r in zip(onsets, rendered)), 2))
    for o, r in zip(onsets, rendered):
        out[o:o + r.shape[0]] += r
    return out


def _spatial_params(ctx: RenderContext, positions: list[SourcePosition], gain_db: float, params: dict) -> dict:
    params.update(
        positions=[asdict(pos) for pos in positions],
        source="band-limited noise 100-16000 Hz, 0.4 s, 20 ms ramps",
        source_level_db_spl_at_1m=_round(ctx.config.source_level_db_spl_at_1m + gain_db),
        peak_cap_gain_db=_round(gain_db), capped=gain_db < 0.0,
        digital_reference=ctx.reference_record(), renderer=_renderer_record(ctx),
    )
    return params


def _renderer_record(ctx: RenderContext) -> dict:
    return {"model": "pyroomacoustics image sources + spherical head (Woodworth ITD, Brown-Duda shadow)",
            "room": asdict(ctx.config.room), "head": asdict(ctx.config.head)}


def _render_range_spatial(p: dict, rng: np.random.Generator, ctx: RenderContext, answer: str) -> ItemOutput:
    position = SourcePosition(p["azimuth_deg"], p["elevation_deg"], p["distance_m"])
    audio, gain_db = _fit_peak(_spatial_sequence([(_noise_burst(rng, ctx), position)], 0.0, ctx), ctx.config.max_peak_dbfs)
    return answer, {"audio": audio}, _spatial_params(ctx, [position], gain_db, dict(p))


def _render_range_azimuth(p, rng, ctx):
    return _render_range_spatial(p, rng, ctx, quadrant_of(p["azimuth_deg"]))


def _render_range_elevation(p, rng, ctx):
    return _render_range_spatial(p, rng, ctx, elevation_class(p["elevation_deg"]))


def _render_range_distance(p, rng, ctx):
    return _render_range_spatial(p, rng, ctx, distance_class(p["distance_m"]))


def _render_spatial_pair(first: SourcePosition, second: SourcePosition, rng, ctx, params: dict) -> tuple[dict, dict]:
    dry = _noise_burst(rng, ctx)  # one token for both: only the position differs
    audio, gain_db = _fit_peak(_spatial_sequence([(dry, first), (dry, second)], 0.5, ctx), ctx.config.max_peak_dbfs)
    return {"audio": audio}, _spatial_params(ctx, [first, second], gain_db, params)


def _render_sensitivity_azimuth(p, rng, ctx):
    signed = p["difference_deg"] if p["clockwise"] else -p["difference_deg"]
    first = SourcePosition(p["reference_azimuth_deg"], 0.0, 1.5)
    second = SourcePosition((p["reference_azimuth_deg"] + signed) % 360.0, 0.0, 1.5)
    files, params = _render_spatial_pair(first, second, rng, ctx, dict(p))
    same = p["difference_deg"] < AZIMUTH_SAME_DEG
    return AZIMUTH_PAIR_OPTIONS[0 if same else 1], files, params


def _render_sensitivity_elevation(p, rng, ctx):
    low = p["center_elevation_deg"] - p["difference_deg"] / 2
    high = p["center_elevation_deg"] + p["difference_deg"] / 2
    lower, upper = SourcePosition(p["azimuth_deg"], low, 1.5), SourcePosition(p["azimuth_deg"], high, 1.5)
    first, second = (lower, upper) if p["second_higher"] else (upper, lower)
    files, params = _render_spatial_pair(first, second, rng, ctx, dict(p))
    same = p["difference_deg"] <= ELEVATION_SAME_DEG
    return _answer_for_pair(ELEVATION_PAIR_OPTIONS, same, p["second_higher"]), files, params


def _render_sensitivity_distance(p, rng, ctx):
    second_closer = p["second_closer"]
    near = SourcePosition(p["azimuth_deg"], 0.0, p["near_distance_m"])
    far = SourcePosition(p["azimuth_deg"], 0.0, p["near_distance_m"] + p["difference_m"])
    first, second = (far, near) if second_closer else (near, far)
    files, params = _render_spatial_pair(first, second, rng, ctx, dict(p))
    same = p["difference_m"] < DISTANCE_SAME_M
    return _answer_for_pair(DISTANCE_PAIR_OPTIONS, same, second_closer), files, params


# ---------------------------------------------------------------- temporal demos (tr) -------

CONTINUOUS = "Continuous Processes"
DISCRETE = "Discrete Event Sequences"
TR_QUESTION = ("The three clips are consecutive segments of one recording, played in a shuffled order. "
               "Which order of the clips is chronological?")
TR_OPTIONS = tuple(temporal_answer(perm) for perm in PERMS)

TR_DEMOS: tuple[tuple[str, int, str, str], ...] = (
    # (SUB, n, kind, global caption)
    ("OSM", 1, "passby", "A vehicle sounding a steady horn passes in front of the listener; it grows louder as it approaches, its pitch drops as it passes, and it fades away."),
    ("OSM", 2, "approach", "A humming machine approaches the listener from far away straight ahead and stops close by."),
    ("OSM", 3, "passby", "A vehicle sounding a steady horn drives past in front of the listener, from one side to the other."),
    ("ISSE", 1, "filling", "Water is poured into a narrow bottle; the resonance rises as the bottle fills."),
    ("ISSE", 2, "bouncing", "An object is dropped on a hard floor and bounces; the bounces come faster and fainter until it comes to rest."),
    ("ISSE", 3, "filling", "A tall jug is filled from a tap; its ringing pitch rises as the water level climbs."),
    ("TAO", 1, "microwave", "A microwave oven: the door is shut, the oven hums while it runs, and it beeps three times when done."),
    ("TAO", 2, "kettle", "An electric kettle: the switch clicks on, the water rumbles louder and louder, then the kettle whistles."),
    ("DSS", 1, "phone", "A telephone rings, the receiver is picked up, and a voice starts talking."),
    ("DSS", 2, "alarm", "An alarm clock beeps, a hand presses the button to stop it, and the sleeper walks away."),
    ("ETC", 1, "drop", "Something falls with a whistle, hits the floor with a crash, and fragments rattle and settle."),
    ("ETC", 2, "countdown", "A button is pressed, a countdown of beeps speeds up, and a loud buzzer sounds."),
)


def plan_temporal() -> list[PlannedItem]:
    items = []
    for sub, n, kind, caption in TR_DEMOS:
        category = CONTINUOUS if sub in ("OSM", "ISSE") else DISCRETE
        meta = {"id": f"bank_tr_{sub}_{n}", "task": "holistic_reasoning_temporal", "category": category,
                "sub-category": sub, "question": TR_QUESTION, "options": list(TR_OPTIONS), "global_caption": caption}
        items.append(PlannedItem("tr", meta, f"tr_{kind}", {"scene": kind, "sub": sub, "n": n}))
    return items


def _cut_in_thirds(uncut: np.ndarray, sample_rate_hz: int) -> list[np.ndarray]:
    """Three consecutive segments of equal length, each with 10 ms fades at the cuts."""
    bounds = np.linspace(0, uncut.shape[0], 4).round().astype(int)
    return [syn.apply_ramps(uncut[a:b], 0.01, sample_rate_hz) for a, b in zip(bounds[:-1], bounds[1:])]


def _events(segments: list[np.ndarray], sample_rate_hz: int, pad_s: float = 0.25) -> tuple[list[np.ndarray], np.ndarray]:
    """Discrete events: each padded with silence becomes one clip; the uncut file is their
    concatenation, so the clips are exact segments of it."""
    pad = np.zeros(syn.seconds_to_samples(pad_s, sample_rate_hz))
    clips = [np.concatenate([pad, s, pad]) for s in segments]
    return clips, np.concatenate(clips)


def _beeps(frequency_hz: float, n: int, on_s: float, off_s: float, level_dbfs: float, sr: int, speedup: float = 1.0) -> np.ndarray:
    parts, off = [], off_s
    for _ in range(n):
        parts += [syn.sine_tone(frequency_hz, level_dbfs, on_s, 0.005, sr), np.zeros(syn.seconds_to_samples(off, sr))]
        off *= speedup
    return np.concatenate(parts[:-1])


def _render_temporal(p: dict, rng: np.random.Generator, ctx: RenderContext) -> tuple[list[np.ndarray], np.ndarray, dict]:
    sr, scene = ctx.sample_rate_hz, p["scene"]
    loud = ctx.spl_to_dbfs(70.0)
    info: dict[str, Any] = {}
    if scene in ("passby", "approach"):
        duration_s = 4.0
        t_s = np.arange(syn.seconds_to_samples(duration_s, sr)) / sr
        f0 = 250.0 + 150.0 * float(rng.random())
        horn = syn.harmonic_tone(f0, 0.0, duration_s + 0.2, 5, 4.0, 0.05, sr)
        if scene == "passby":
            speed = 12.0 + 6.0 * float(rng.random())
            left_to_right = p["n"] % 2 == 1
            y = (speed * (t_s - duration_s / 2)) * (-1.0 if left_to_right else 1.0)  # +y = left
            positions = np.column_stack([np.full_like(t_s, 3.0), y, np.zeros_like(t_s)])
            info.update(speed_m_s=_round(speed), lateral_offset_m=3.0, direction="left to right" if left_to_right else "right to left")
        else:
            speed = 5.0
            x = np.maximum(22.0 - speed * t_s, 2.0)
            positions = np.column_stack([x, np.zeros_like(t_s), np.zeros_like(t_s)])
            info.update(speed_m_s=speed, start_distance_m=22.0, end_distance_m=2.0)
        wet = render_free_field_moving(horn, np.vstack([positions, np.repeat(positions[-1:], horn.size - t_s.size, 0)]),
                                       ctx.config.head, sr)[: t_s.size]
        uncut = syn.apply_ramps(wet * 10 ** (loud / 20), 0.05, sr)
        info.update(horn_fundamental_hz=_round(f0), model="free field, time-varying delay per ear (Doppler), 1/r, broadband head shadow")
        clips = _cut_in_thirds(uncut, sr)
    elif scene == "filling":
        lo = 250.0 + 100.0 * float(rng.random())
        uncut = syn.filling_vessel(4.5, lo, lo * 3.5, loud, rng, sr)
        info.update(start_resonance_hz=_round(lo), end_resonance_hz=_round(lo * 3.5))
        clips = _cut_in_thirds(uncut, sr)
    elif scene == "bouncing":
        e = 0.72 + 0.06 * float(rng.random())
        uncut = syn.bouncing_object(0.55, e, 16, loud, rng, 800.0 + 400.0 * float(rng.random()), sr)
        uncut = np.concatenate([np.zeros(syn.seconds_to_samples(0.1, sr)), uncut])
        info.update(restitution=_round(e), first_interval_s=0.55, n_bounces=16)
        clips = _cut_in_thirds(uncut, sr)
    else:
        events = _discrete_events(scene, rng, loud, sr)
        clips, uncut = _events(events, sr)
    info["scene"] = scene
    peak = max(float(np.max(np.abs(uncut))), 1e-12)
    ceiling = 10 ** (ctx.config.max_peak_dbfs / 20)
    if peak > ceiling:
        uncut, clips = uncut * ceiling / peak, [c * ceiling / peak for c in clips]
    info["digital_reference"] = ctx.reference_record()
    return clips, uncut, info


def _discrete_events(scene: str, rng: np.random.Generator, level_dbfs: float, sr: int) -> list[np.ndarray]:
    quiet = level_dbfs - 10
    if scene == "microwave":
        door = syn.decaying_impact(120.0, level_dbfs, 0.04, rng, sr)
        hum = syn.harmonic_tone(100.0 + 20 * np.sin(2 * np.pi * 0.5 * np.arange(syn.seconds_to_samples(1.8, sr)) / sr) * 0.05, quiet, 1.8, 8, 3.0, 0.1, sr)
        return [door, hum, _beeps(1800.0, 3, 0.18, 0.2, level_dbfs, sr)]
    if scene == "kettle":
        click = syn.decaying_impact(2500.0, level_dbfs, 0.004, rng, sr)
        rumble = syn.noise(1.8, quiet, rng, sr, band_hz=(80.0, 1500.0), ramp_s=0.05) * np.linspace(0.1, 1.0, syn.seconds_to_samples(1.8, sr))
        glide = np.linspace(900.0, 1400.0, syn.seconds_to_samples(1.2, sr))
        return [click, rumble, syn.harmonic_tone(glide, level_dbfs, 1.2, 3, 10.0, 0.1, sr)]
    if scene == "phone":
        ring = _beeps(440.0, 2, 0.4, 0.2, level_dbfs, sr)
        ring = np.concatenate([ring, np.zeros(int(0.4 * sr)), ring])
        pickup = syn.decaying_impact(300.0, level_dbfs, 0.01, rng, sr)
        return [ring, pickup, _babble(rng, quiet, sr)]
    if scene == "alarm":
        alarm = _beeps(2500.0, 6, 0.08, 0.08, level_dbfs, sr)
        press = syn.decaying_impact(1500.0, level_dbfs - 6, 0.005, rng, sr)
        steps = np.concatenate([np.concatenate([syn.decaying_impact(90.0 + 10 * k, quiet - 3 * k, 0.03, rng, sr),
                                                np.zeros(int(0.35 * sr))]) for k in range(5)])
        return [alarm, press, steps]
    if scene == "drop":
        whistle = syn.harmonic_tone(np.linspace(1800.0, 700.0, syn.seconds_to_samples(1.0, sr)), quiet, 1.0, 2, 12.0, 0.05, sr)
        crash = syn.noise(0.5, level_dbfs, rng, sr, band_hz=(200.0, 12000.0), ramp_s=0.002) * np.exp(-np.arange(syn.seconds_to_samples(0.5, sr)) / (0.08 * sr))
        rattles = np.concatenate([np.concatenate([syn.decaying_impact(float(rng.uniform(2000, 5000)), quiet - 2 * k, 0.006, rng, sr),
                                                  np.zeros(int(sr * float(rng.uniform(0.05, 0.2))))]) for k in range(8)])
        return [whistle, crash, rattles]
    if scene == "countdown":
        press = syn.decaying_impact(1500.0, level_dbfs - 6, 0.005, rng, sr)
        countdown = _beeps(1000.0, 7, 0.07, 0.35, quiet, sr, speedup=0.7)
        buzzer = syn.harmonic_tone(180.0, level_dbfs, 1.0, 12, 1.0, 0.01, sr)
        return [press, countdown, buzzer]
    raise ValueError(f"unknown scene {scene!r}")


def _babble(rng: np.random.Generator, level_dbfs: float, sr: int) -> np.ndarray:
    """Voice-like murmur: a gliding harmonic complex gated into syllables (~4 Hz)."""
    n = syn.seconds_to_samples(1.6, sr)
    t = np.arange(n) / sr
    f0 = 140.0 + 25.0 * np.sin(2 * np.pi * 1.3 * t + float(rng.random()) * 6)
    voice = syn.harmonic_tone(f0, level_dbfs, 1.6, 10, 2.0, 0.05, sr)
    syllables = np.clip(np.sin(2 * np.pi * 4.0 * t), 0.0, None) ** 0.5
    return voice * syllables


# ---------------------------------------------------------------- spatial demos (sr) --------

LOCALIZATION = "Single-source Static Localization"
RELATION = "Multi-source Spatial Relation"
TRAJECTORY = "Dynamic Trajectory Tracking"
RELATION_OPTIONS = ("The humming sound is on the left and the beeping sound on the right",
                    "The humming sound is on the right and the beeping sound on the left",
                    "Both sounds come from the same direction")
TRAJECTORY_OPTIONS = ("It moves from left to right", "It moves from right to left", "It does not move")


def plan_spatial() -> list[PlannedItem]:
    items = []
    questions = {
        LOCALIZATION: ("Where is the sound source relative to you? Angles are measured clockwise from straight ahead.", QUADRANTS),
        RELATION: ("Two sounds play at the same time from different places. Which description is correct?", RELATION_OPTIONS),
        TRAJECTORY: ("How does the sound source move?", TRAJECTORY_OPTIONS),
    }
    for category, kind in ((LOCALIZATION, "sr_static"), (RELATION, "sr_relation"), (TRAJECTORY, "sr_trajectory")):
        question, options = questions[category]
        for n in range(1, 5):
            meta = {"id": f"bank_sr_{kind[3:]}_{n}", "task": "holistic_reasoning_spatial", "category": category,
                    "question": question, "options": list(options)}
            items.append(PlannedItem("sr", meta, kind, {"n": n}))
    return items


def _pulsed_noise(rng: np.random.Generator, ctx: RenderContext) -> np.ndarray:
    bursts = [_noise_burst(rng, ctx, 0.25) for _ in range(4)]
    return syn.concatenate_with_gaps(bursts, 0.15, ctx.sample_rate_hz)


def _render_sr_static(p, rng, ctx):
    azimuth = 45.0 + 90.0 * (p["n"] - 1) + float(rng.uniform(-25.0, 25.0))
    position = SourcePosition(_round(azimuth, 2), 0.0, 2.0)
    audio, gain_db = _fit_peak(_spatial_sequence([(_pulsed_noise(rng, ctx), position)], 0.0, ctx), ctx.config.max_peak_dbfs)
    params = _spatial_params(ctx, [position], gain_db, dict(p))
    params["source"] = "four 0.25 s noise bursts (100-16000 Hz)"
    return quadrant_of(azimuth), {"audio": audio}, params


def _render_sr_relation(p, rng, ctx):
    sr = ctx.sample_rate_hz
    hum_left = p["n"] % 2 == 1
    hum_az = float(rng.uniform(240.0, 300.0)) if hum_left else float(rng.uniform(60.0, 120.0))
    beep_az = (hum_az + 180.0) % 360.0
    level = ctx.spl_to_dbfs(ctx.config.source_level_db_spl_at_1m)
    hum = syn.harmonic_tone(150.0, level, 2.0, 8, 3.0, 0.05, sr)
    beeps = _beeps(2000.0, 5, 0.15, 0.25, level - 3, sr)
    beeps = np.concatenate([beeps, np.zeros(hum.size - beeps.size)]) if beeps.size < hum.size else beeps[: hum.size]
    positions = [SourcePosition(_round(hum_az, 2), 0.0, 2.0), SourcePosition(_round(beep_az, 2), 0.0, 2.0)]
    mix = sum(render_binaural(s, pos, ctx.config.room, ctx.config.head, sr, ctx.cache) for s, pos in zip((hum, beeps), positions))
    audio, gain_db = _fit_peak(mix, ctx.config.max_peak_dbfs)
    params = _spatial_params(ctx, positions, gain_db, dict(p))
    params["source"] = "source 1: 150 Hz harmonic hum; source 2: 2 kHz beeps; simultaneous"
    return RELATION_OPTIONS[0 if hum_left else 1], {"audio": audio}, params


def _render_sr_trajectory(p, rng, ctx):
    left_to_right = p["n"] % 2 == 1
    sweep = np.linspace(-80.0, 80.0, 25)  # through the front, 270 -> 0 -> 90 deg
    azimuths = (sweep if left_to_right else sweep[::-1]) % 360.0
    path = [SourcePosition(float(a), 0.0, 2.0) for a in azimuths]
    dry = _noise_burst(rng, ctx, 2.5)
    wet = render_binaural_moving(dry, path, ctx.config.room, ctx.config.head, ctx.sample_rate_hz, ctx.cache)
    audio, gain_db = _fit_peak(wet, ctx.config.max_peak_dbfs)
    params = _spatial_params(ctx, [path[0], path[-1]], gain_db, dict(p))
    params.update(source="band-limited noise 100-16000 Hz, 2.5 s", n_path_points=len(path),
                  direction="left to right" if left_to_right else "right to left")
    return TRAJECTORY_OPTIONS[0 if left_to_right else 1], {"audio": audio}, params


RENDERERS: Mapping[str, Callable[[dict, np.random.Generator, RenderContext], ItemOutput]] = MappingProxyType({
    "range_pitch_loudness": _render_range_pitch_loudness,
    "range_azimuth": _render_range_azimuth,
    "range_elevation": _render_range_elevation,
    "range_distance": _render_range_distance,
    "sensitivity_pitch": _render_sensitivity_pitch,
    "sensitivity_loudness": _render_sensitivity_loudness,
    "sensitivity_duration": _render_sensitivity_duration,
    "sensitivity_azimuth": _render_sensitivity_azimuth,
    "sensitivity_elevation": _render_sensitivity_elevation,
    "sensitivity_distance": _render_sensitivity_distance,
    "sr_static": _render_sr_static,
    "sr_relation": _render_sr_relation,
    "sr_trajectory": _render_sr_trajectory,
})


# ---------------------------------------------------------------- writing -------------------


def item_rng(seed: int, item_id: str) -> np.random.Generator:
    """Per-item randomness, independent of which other items are generated or in what order."""
    return np.random.default_rng([seed, zlib.crc32(item_id.encode("utf-8"))])


def write_wav(path: Path, samples: np.ndarray, sample_rate_hz: int) -> None:
    """PCM_24, deterministic; multichannel as WAVEX (soundfile writes no timestamps for PCM)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = np.asarray(samples, dtype=np.float64)
    if float(np.max(np.abs(data), initial=0.0)) >= 1.0:
        raise ValueError(f"{path.name}: peak at or above full scale - the bank must cap levels first")
    fmt = "WAVEX" if data.ndim == 2 and data.shape[1] >= 2 else "WAV"
    soundfile.write(str(path), data, sample_rate_hz, subtype="PCM_24", format=fmt)


def _render_planned(item: PlannedItem, seed: int, ctx: RenderContext, root: Path) -> tuple[dict, int, bool]:
    """Render one item's audio, write it, return (JSON object, files written, capped)."""
    rng = item_rng(seed, item.meta["id"])
    meta = dict(item.meta)
    sr = ctx.sample_rate_hz
    if item.alias == "tr":
        clips, uncut, info = _render_temporal(item.params, rng, ctx)
        folder = f"{AUDIO_DIR}/holistic_reasoning_temporal/{meta['id']}"
        paths = [f"{folder}/clip_{k}.wav" for k in (1, 2, 3)]
        for rel, clip in zip(paths, clips):
            write_wav(root / rel, clip, sr)
        write_wav(root / f"{folder}/uncut.wav", uncut, sr)
        meta.update(audio_paths=paths, uncut_audio_path=f"{folder}/uncut.wav", source=SOURCE,
                    params=_jsonable({**item.params, **info, "sample_rate_hz": sr}))
        return meta, 4, False
    answer, files, params = RENDERERS[item.kind](dict(item.params), rng, ctx)
    family = "foundation_perception" if item.alias == "pc" else "holistic_reasoning_spatial"
    sub = f"/{item.kind}" if item.alias == "pc" else ""
    rel = f"{AUDIO_DIR}/{family}{sub}/{meta['id']}.wav"
    write_wav(root / rel, files["audio"], sr)
    params["sample_rate_hz"] = sr
    meta.update(answer=answer, audio_paths=[rel], source=SOURCE, params=_jsonable(params))
    return meta, 1, bool(params.get("capped"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return float(round(float(value), 6))
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def plan_bank(scale: str) -> list[PlannedItem]:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    return plan_perception(scale) + plan_temporal() + plan_spatial()


def generate_bank(
    out_dir: Path | str,
    seed: int = 0,
    scale: str = "small",
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
    config: BankConfig = BankConfig(),
) -> BankSummary:
    """Write a bank to ``out_dir`` (which must not exist or be empty). The bank is built in a
    temporary sibling folder and renamed into place at the end, so ``out_dir`` never holds a
    half-written bank; on cancel (:class:`tasks.loader.Cancelled`) or error nothing is left."""
    out_dir = Path(out_dir).expanduser()
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise FileExistsError(f"{out_dir} exists and is not an empty folder")
    planned = plan_bank(scale)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        ctx = RenderContext(config, ResponseCache(), load_retspl_tables()[config.retspl_table])
        summary = BankSummary(root=out_dir, seed=seed, scale=scale)
        entries: dict[str, list[dict]] = {"pc": [], "tr": [], "sr": []}
        for done, item in enumerate(planned, start=1):
            if should_cancel and should_cancel():
                raise Cancelled(f"bank generation into {out_dir} cancelled")
            meta, n_files, capped = _render_planned(item, seed, ctx, tmp)
            entries[item.alias].append(meta)
            summary.n_audio_files += n_files
            summary.n_capped += int(capped)
            if progress:
                progress(done, len(planned), meta["id"])
        (tmp / "meta_info").mkdir()
        for alias, objects in entries.items():
            text = json.dumps(objects, indent=2, ensure_ascii=False) + "\n"
            (tmp / "meta_info" / ALIAS_FILES[alias]).write_text(text, encoding="utf-8")
            summary.counts[alias] = len(objects)
        if out_dir.exists():
            out_dir.rmdir()
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return summary


def builtin_bank_path(data_dir: Path | str, seed: int = 0) -> Path:
    return Path(data_dir).expanduser() / f"builtin-bank-v{BANK_VERSION}-seed{seed}"


def ensure_builtin_bank(data_dir: Path | str, seed: int = 0,
                        progress: Progress | None = None) -> Path:
    """The small bank for ``seed`` under ``data_dir``, generated on first use. Generation is
    atomic (temporary folder, then rename), so a folder that exists is complete; if another
    process wins the race, its bank is used."""
    path = builtin_bank_path(data_dir, seed)
    if (path / "meta_info").is_dir():
        return path
    try:
        generate_bank(path, seed, "small", progress=progress)
    except OSError:  # includes FileExistsError: another process may have finished first
        if not (path / "meta_info").is_dir():
            raise
    return path
