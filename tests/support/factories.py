"""Small STAR-Bench-shaped folders written by the tests themselves (JSON + short WAVs)."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import soundfile

ORDERS = [" -> ".join(f"clip {c}" for c in p) for p in itertools.permutations((1, 2, 3))]

PC_SUBS = {
    "Absolute Perception Range": ["range_azimuth", "range_distance"],
    "Relative Discrimination Sensitivity": ["sensitivity_pitch", "sensitivity_loudness", "sensitivity_duration"],
}
SR_CATS = ["Single-source Static Localization", "Multi-source Spatial Relation", "Dynamic Trajectory Tracking"]
TR_CATS = {"OSM": "Continuous Processes", "ISSE": "Continuous Processes", "TAO": "Discrete Event Sequences",
           "DSS": "Discrete Event Sequences", "ETC": "Discrete Event Sequences"}


def write_wav(path: Path, channels: int = 1, duration_s: float = 0.05, sample_rate_hz: int = 16000,
              frequency_hz: float = 440.0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(duration_s * sample_rate_hz)) / sample_rate_hz
    tone = 0.1 * np.sin(2 * np.pi * frequency_hz * t)
    soundfile.write(str(path), np.tile(tone[:, None], (1, channels)), sample_rate_hz, subtype="PCM_16")


def pc_items(per_sub: int = 2) -> list[dict]:
    items = []
    n = 0
    for cat, subs in PC_SUBS.items():
        for sub in subs:
            for k in range(per_sub):
                n += 1
                n_opts = 3 if sub.startswith("sensitivity") else 4
                options = [f"{sub} option {j}" for j in range(n_opts)]
                items.append({
                    "id": f"pc_{n}", "task": "perception", "category": cat, "sub-category": sub,
                    "question": f"Question about {sub}?", "options": options, "answer": options[k % n_opts],
                    "audio_paths": [f"starbench_audios/pc/{n}_a.wav", f"starbench_audios/pc/{n}_b.wav"]
                    if sub.startswith("sensitivity") else [f"starbench_audios/pc/{n}.wav"],
                    "source": "synthetic",
                })
    return items


def tr_items(per_sub: int = 1) -> list[dict]:
    items = []
    for sub, cat in TR_CATS.items():
        for n in range(1, per_sub + 1):
            iid = f"demo_{sub}_{n}"
            items.append({
                "id": iid, "task": "temporal", "category": cat, "sub-category": sub,
                "question": "Put the clips in chronological order.", "options": list(ORDERS),
                "audio_paths": [f"starbench_audios/tr/{iid}/seg_{s}.wav" for s in (1, 2, 3)],
                "uncut_audio_path": f"starbench_audios/tr/{iid}/whole.wav",
                "global_caption": f"A caption of {iid}.", "source": "synthetic",
            })
    return items


def sr_items(per_cat: int = 2) -> list[dict]:
    items = []
    n = 0
    for cat in SR_CATS:
        for k in range(per_cat):
            n += 1
            options = ["left", "right", "front", "behind"]
            items.append({
                "id": f"sr_{n}", "task": "spatial", "category": cat, "question": "Where is the source?",
                "options": options, "answer": options[k % 4], "audio_paths": [f"starbench_audios/sr/{n}.wav"],
                "source": "synthetic",
            })
    return items


FILES = {"pc": "foundation_perception.json", "tr": "holistic_reasoning_temporal.json",
         "sr": "holistic_reasoning_spatial.json"}


def write_dataset(root: Path, pc: list | None = None, tr: list | None = None, sr: list | None = None,
                  write_audio: bool = True) -> Path:
    """Write meta_info/*.json and the WAVs they name. Pass a list to override an alias."""
    root = Path(root)
    data = {"pc": pc_items() if pc is None else pc, "tr": tr_items() if tr is None else tr,
            "sr": sr_items() if sr is None else sr}
    (root / "meta_info").mkdir(parents=True, exist_ok=True)
    for alias, items in data.items():
        (root / "meta_info" / FILES[alias]).write_text(json.dumps(items, indent=2), encoding="utf-8")
        if not write_audio:
            continue
        for it in items:
            if not isinstance(it, dict):
                continue
            channels = 2 if alias == "sr" else 1
            for p in list(it.get("audio_paths") or []) + ([it["uncut_audio_path"]] if it.get("uncut_audio_path") else []):
                if isinstance(p, str) and not (root / p).exists():
                    write_wav(root / p, channels=channels)
    return root
