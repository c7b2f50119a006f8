"""The foundational-perception grid (STARBENCH.md section 7): the grids, the small selection,
the answer classes, and the tone items (pitch & loudness range, pitch/loudness/duration pairs).
The spatial perception items are rendered in :mod:`tasks.bank.spatial`."""
from __future__ import annotations

from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

from audio import synthesis as syn
from tasks.bank.common import SMALL_PER_SUBCATEGORY, ItemOutput, PlannedItem, RenderContext, _answer_for_pair, _round

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
