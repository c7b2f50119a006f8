"""A dataset with the shape of STAR-Bench v1.0 for the data-path benchmarks (no audio is played):
951 pc, 900 tr and 502 sr items with the real category and sub-category names (STARBENCH.md
section 1), temporal ids ending in _<SUB>_<n>, and a few tiny WAVs shared by every item.

With 4 options per range item and 5 per sensitivity item, a full-robust session has 8,580
runs, the size of a real one (~8,500). Not a benchmark itself (the leading underscore keeps it
out of ``python -m bench``); ``python -m bench._shape DIR`` writes the folder only.
"""
from __future__ import annotations

import json
import sys
import wave
from pathlib import Path

from tests.support.cover_shape import N_PC, N_SR, N_TR, ORDERS, PC_SUBS, RANGE, SENSITIVITY, SR_CATS, TR_SUBS

MONO, STEREO = "starbench_audios/shared/mono.wav", "starbench_audios/shared/stereo.wav"


def _tiny_wav(path: Path, channels: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x00" * channels * 160)


def pc_items() -> list[dict]:
    items = []
    for n in range(N_PC):
        category, sub = PC_SUBS[n % len(PC_SUBS)]
        k = 4 if category == RANGE else 5
        options = [f"{sub} option {j}" for j in range(k)]
        items.append({"id": f"pc_{n}", "task": sub.split("_", 1)[0], "category": category, "sub-category": sub,
                      "question": f"A question about {sub}?", "options": options, "answer": options[n % k],
                      "audio_paths": [MONO, MONO] if category == SENSITIVITY else [MONO], "source": "shape"})
    return items


def tr_items() -> list[dict]:
    items = []
    per_sub = N_TR // len(TR_SUBS)
    for sub, category in TR_SUBS.items():
        for n in range(1, per_sub + 1):
            items.append({"id": f"shape_{sub}_{n}", "task": "temporal", "category": category, "sub-category": sub,
                          "question": "Put the clips in chronological order.", "options": list(ORDERS),
                          "audio_paths": [MONO, MONO, MONO], "uncut_audio_path": MONO,
                          "global_caption": f"Caption {sub} {n}.", "source": "shape"})
    return items


def sr_items() -> list[dict]:
    items = []
    for n in range(N_SR):
        options = ["left", "right", "front", "behind"]
        items.append({"id": f"sr_{n}", "task": "spatial", "category": SR_CATS[n % 3], "question": "Where?",
                      "options": options, "answer": options[n % 4], "audio_paths": [STEREO], "source": "shape"})
    return items


def write_starbench_shape(root: Path) -> Path:
    """Write the folder (meta_info/*.json and the shared WAVs) and return its path."""
    root = Path(root)
    meta = root / "meta_info"
    meta.mkdir(parents=True, exist_ok=True)
    for name, items in (("foundation_perception.json", pc_items()), ("holistic_reasoning_temporal.json", tr_items()),
                        ("holistic_reasoning_spatial.json", sr_items())):
        (meta / name).write_text(json.dumps(items), encoding="utf-8")
    _tiny_wav(root / MONO, 1)
    _tiny_wav(root / STEREO, 2)
    return root


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print("usage: python -m bench._shape DIR   (writes the dataset only)")
        return
    print(write_starbench_shape(Path(argv[0])))


if __name__ == "__main__":
    main()
