"""Spatial items: the perception grid's azimuth, elevation and distance items, and the
holistic spatial demos (static localization, two-source relation, trajectory)."""
from __future__ import annotations

from dataclasses import asdict

import numpy as np

from audio import synthesis as syn
from audio.spatial import HrtfHead, SourcePosition, render_binaural, render_binaural_moving
from tasks.bank.common import RENDERER_HRTF, RENDERER_SPHERICAL, ItemOutput, PlannedItem, RenderContext, _answer_for_pair, _beeps, _fit_peak, _noise_burst, _round
from tasks.bank.perception import (
    AZIMUTH_PAIR_OPTIONS,
    AZIMUTH_SAME_DEG,
    DISTANCE_PAIR_OPTIONS,
    DISTANCE_SAME_M,
    ELEVATION_PAIR_OPTIONS,
    ELEVATION_SAME_DEG,
    QUADRANTS,
    distance_class,
    elevation_class,
    quadrant_of,
)

def _spatial_sequence(sounds: list[tuple[np.ndarray, SourcePosition]], gap_s: float, ctx: RenderContext) -> np.ndarray:
    """Binaural renderings of dry sounds placed one after another (dry onsets separated by
    ``gap_s``); the reverberant tails overlap into the gaps as they would in a room."""
    rendered, onsets = [], []
    onset = 0
    for dry, position in sounds:
        rendered.append(render_binaural(dry, position, ctx.config.room, ctx.head, ctx.sample_rate_hz, ctx.cache))
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
        digital_reference=ctx.reference_record(), renderer=_renderer_record(ctx, positions),
    )
    return params


def _renderer_record(ctx: RenderContext, positions: list[SourcePosition]) -> dict:
    """Which renderer made the item; for the HRTF renderer, which file (with its SHA-256) and
    which measured direction the direct sound of each position used (nearest neighbour)."""
    if isinstance(ctx.head, HrtfHead):
        hrirs = ctx.head.hrirs
        return {"name": RENDERER_HRTF,
                "model": (f"pyroomacoustics image sources; direct sound and reflections up to order "
                          f"{ctx.head.early_order} through measured HRIRs, later ones through the spherical head"),
                "hrtf": hrirs.record(), "early_order": ctx.head.early_order,
                "hrir_directions_deg": [list(hrirs.nearest_direction(p.azimuth_deg, p.elevation_deg)) for p in positions],
                "room": asdict(ctx.config.room), "tail_head": asdict(ctx.head.tail)}
    return {"name": RENDERER_SPHERICAL,
            "model": "pyroomacoustics image sources + spherical head (Woodworth ITD, Brown-Duda shadow)",
            "room": asdict(ctx.config.room), "head": asdict(ctx.head)}


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
    mix = sum(render_binaural(s, pos, ctx.config.room, ctx.head, sr, ctx.cache) for s, pos in zip((hum, beeps), positions))
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
    wet = render_binaural_moving(dry, path, ctx.config.room, ctx.head, ctx.sample_rate_hz, ctx.cache)
    audio, gain_db = _fit_peak(wet, ctx.config.max_peak_dbfs)
    params = _spatial_params(ctx, [path[0], path[-1]], gain_db, dict(p))
    params.update(source="band-limited noise 100-16000 Hz, 2.5 s", n_path_points=len(path),
                  direction="left to right" if left_to_right else "right to left")
    return TRAJECTORY_OPTIONS[0 if left_to_right else 1], {"audio": audio}, params
