"""Holistic temporal demos: synthetic continuous processes and event sequences, three clips in
true chronological order plus the uncut recording."""
from __future__ import annotations

from typing import Any

import numpy as np

from audio import synthesis as syn
from audio.spatial import render_free_field_moving
from tasks.bank.common import PlannedItem, RenderContext, _beeps, _round
from tasks.dataset.runs import PERMS, temporal_answer

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
