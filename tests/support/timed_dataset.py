"""A small STAR-Bench-shaped dataset whose clips last seconds, each a different length (the
factories' clips last 50 ms): for tests that compare session-length estimates with sessions."""
from __future__ import annotations

import random
from pathlib import Path

import soundfile

from tests.support.factories import write_dataset, write_wav


def write_timed_dataset(root: Path, seed: int = 5, low_s: float = 1.0, high_s: float = 6.0) -> Path:
    """The factories' dataset with every clip rewritten to a length drawn from [low_s, high_s]
    at 2 kHz (small files all the same)."""
    write_dataset(root)
    rng = random.Random(seed)
    for path in sorted(Path(root).rglob("*.wav")):
        channels = soundfile.info(str(path)).channels
        write_wav(path, channels=channels, duration_s=rng.uniform(low_s, high_s), sample_rate_hz=2000,
                  frequency_hz=220.0)
    return Path(root)
