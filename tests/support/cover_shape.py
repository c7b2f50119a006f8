"""A STAR-Bench-shaped dataset with the benchmark's clip durations, for the cover design's tests
and benchmarks: pc tones of 1.5 s (two per sensitivity item), tr three 6 s segments and an 18 s
uncut recording, sr 8 s binaural scenes. A few shared WAV files (silence at 8 kHz, so the folder
stays small) that every item points at; the real category and sub-category names (STARBENCH.md
section 1). Full size (the default) is 951 pc, 900 tr and 502 sr items: with 4 options per range
item and 5 per sensitivity item, a full-robust cover study has 8,580 units."""
from __future__ import annotations

import itertools
import json
import wave
from pathlib import Path

N_PC, N_TR, N_SR = 951, 900, 502
RANGE = "Absolute Perception Range"
SENSITIVITY = "Relative Discrimination Sensitivity"
PC_SUBS = [(RANGE, s) for s in ("range_pitch_loudness", "range_azimuth", "range_elevation", "range_distance")] + [
    (SENSITIVITY, s) for s in ("sensitivity_pitch", "sensitivity_loudness", "sensitivity_duration",
                               "sensitivity_azimuth", "sensitivity_elevation", "sensitivity_distance")]
TR_SUBS = {"OSM": "Continuous Processes", "ISSE": "Continuous Processes", "TAO": "Discrete Event Sequences",
           "DSS": "Discrete Event Sequences", "ETC": "Discrete Event Sequences"}
SR_CATS = ["Single-source Static Localization", "Multi-source Spatial Relation", "Dynamic Trajectory Tracking"]
ORDERS = [" -> ".join(f"clip {c}" for c in p) for p in itertools.permutations((1, 2, 3))]
TONE, SEGMENT, UNCUT, SCENE = ("starbench_audios/shared/tone.wav", "starbench_audios/shared/segment.wav",
                               "starbench_audios/shared/uncut.wav", "starbench_audios/shared/scene.wav")
DURATIONS_S = {TONE: (1.5, 1), SEGMENT: (6.0, 1), UNCUT: (18.0, 1), SCENE: (8.0, 2)}  # seconds, channels


def _silent_wav(path: Path, duration_s: float, channels: int, rate_hz: int = 8000) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes(b"\x00\x00" * channels * int(duration_s * rate_hz))


def pc_items(n_items: int) -> list[dict]:
    items = []
    for n in range(n_items):
        category, sub = PC_SUBS[n % len(PC_SUBS)]
        k = 4 if category == RANGE else 5
        options = [f"{sub} option {j}" for j in range(k)]
        items.append({"id": f"pc_{n}", "task": sub.split("_", 1)[0], "category": category, "sub-category": sub,
                      "question": f"A question about {sub}?", "options": options, "answer": options[n % k],
                      "audio_paths": [TONE, TONE] if category == SENSITIVITY else [TONE], "source": "shape"})
    return items


def tr_items(n_items: int) -> list[dict]:
    items = []
    subs = list(TR_SUBS.items())
    for n in range(n_items):
        sub, category = subs[n % len(subs)]
        items.append({"id": f"shape_{sub}_{n // len(subs) + 1}", "task": "temporal", "category": category,
                      "sub-category": sub, "question": "Put the clips in chronological order.",
                      "options": list(ORDERS), "audio_paths": [SEGMENT, SEGMENT, SEGMENT],
                      "uncut_audio_path": UNCUT, "global_caption": f"Caption {sub} {n}.", "source": "shape"})
    return items


def sr_items(n_items: int) -> list[dict]:
    items = []
    for n in range(n_items):
        options = ["left", "right", "front", "behind"]
        items.append({"id": f"sr_{n}", "task": "spatial", "category": SR_CATS[n % 3], "question": "Where?",
                      "options": options, "answer": options[n % 4], "audio_paths": [SCENE], "source": "shape"})
    return items


def write_cover_shape(root: Path, n_pc: int = N_PC, n_tr: int = N_TR, n_sr: int = N_SR) -> Path:
    """Write the folder (meta_info/*.json and the shared WAVs) and return its path."""
    root = Path(root)
    meta = root / "meta_info"
    meta.mkdir(parents=True, exist_ok=True)
    for name, items in (("foundation_perception.json", pc_items(n_pc)),
                        ("holistic_reasoning_temporal.json", tr_items(n_tr)),
                        ("holistic_reasoning_spatial.json", sr_items(n_sr))):
        (meta / name).write_text(json.dumps(items), encoding="utf-8")
    for relative, (seconds, channels) in DURATIONS_S.items():
        _silent_wav(root / relative, seconds, channels)
    return root
