"""Reading audio files: probing their format and loading samples, with clear errors."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile


class AudioFileError(Exception):
    """An audio file that is missing, unreadable or empty. The message names the file."""


@dataclass(frozen=True)
class AudioInfo:
    sample_rate_hz: int
    channels: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate_hz


def probe(path: Path) -> AudioInfo:
    """Format of an audio file without reading its samples."""
    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"missing audio file {path}")
    try:
        info = soundfile.info(str(path))
    except (RuntimeError, soundfile.LibsndfileError) as exc:
        raise AudioFileError(f"unreadable audio file {path}: {exc}") from None
    if info.frames <= 0:
        raise AudioFileError(f"empty audio file {path} (0 frames)")
    return AudioInfo(sample_rate_hz=int(info.samplerate), channels=int(info.channels), frames=int(info.frames))


def read(path: Path) -> tuple[np.ndarray, int]:
    """Samples as float32 of shape (frames, channels) and the sample rate in Hz."""
    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"missing audio file {path}")
    try:
        samples, sample_rate_hz = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError) as exc:
        raise AudioFileError(f"unreadable audio file {path}: {exc}") from None
    if samples.shape[0] == 0:
        raise AudioFileError(f"empty audio file {path} (0 frames)")
    return samples, int(sample_rate_hz)
