"""Reading audio files: probing their format and loading samples, with clear errors.

Nothing non-finite and nothing over-long gets past this module:

- ``read`` looks at the header first (``probe``) and refuses a clip longer than
  ``max_duration_s`` before a single sample is allocated (a WAV header can promise 2 GB),
  refuses a WAV whose data chunk is shorter than its header says (a truncated file), and
  refuses a clip with NaN or infinite samples;
- ``verify`` checks a file completely, block by block with bounded memory, for a dataset
  validator that must not load whole files.

For RIFF/RF64 WAV files the header is parsed here (``wav_header_frames``): libsndfile quietly
shortens a data chunk that runs past the end of the file, so its frame count alone cannot tell
a truncated file from a short one.
"""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

DEFAULT_MAX_CLIP_DURATION_S = 600.0  # a study setting (tasks.study.plan.Protocol.max_clip_duration_s)
VERIFY_BLOCK_FRAMES = 65536          # verify() holds at most this many frames at a time
_MAX_RIFF_CHUNKS = 1000              # a WAV with more chunks than this is not parsed further
# A float file may go above full scale (1.0), but a sample beyond +60 dBFS is no recording: 1e30
# is garbage that only the safety check's attenuation would stop. Refused like NaN.
MAX_ABS_SAMPLE = 1000.0
# fmt tags whose block_align is exactly one frame: PCM, IEEE float, A-law, mu-law, extensible
_FRAME_ALIGNED_FORMATS = {0x0001, 0x0003, 0x0006, 0x0007, 0xFFFE}


class AudioFileError(Exception):
    """An audio file that is missing, unreadable, empty, truncated, too long or holds
    non-finite samples. The message names the file."""


@dataclass(frozen=True)
class AudioInfo:
    sample_rate_hz: int
    channels: int
    frames: int                       # what libsndfile will deliver
    header_frames: int | None = None  # what a WAV header promises (None: not a plain WAV)

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate_hz

    @property
    def promised_duration_s(self) -> float:
        """The longer of what the header promises and what libsndfile reports."""
        return max(self.frames, self.header_frames or 0) / self.sample_rate_hz


@dataclass(frozen=True)
class WavHeader:
    """Frame counts of a RIFF/RF64 WAV's data chunk: promised by the header, present in the file."""

    promised_frames: int
    present_frames: int


def wav_header_frames(path: Path) -> WavHeader | None:
    """The data chunk of a WAV as its header describes it, without reading samples; None for
    files that are not RIFF/RF64 WAVs with a frame-aligned format (libsndfile checks those)."""
    path = Path(path)
    file_size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] not in (b"RIFF", b"RF64", b"BW64") or head[8:12] != b"WAVE":
            return None
        ds64_data_size: int | None = None
        block_align = 0
        position = 12
        for _ in range(_MAX_RIFF_CHUNKS):
            if position + 8 > file_size:
                return None
            f.seek(position)
            chunk_id, chunk_size = struct.unpack("<4sI", f.read(8))
            if chunk_id == b"ds64":
                body = f.read(16)
                if len(body) == 16:
                    ds64_data_size = struct.unpack("<QQ", body)[1]
            elif chunk_id == b"fmt ":
                body = f.read(16)
                if len(body) < 16:
                    return None
                format_tag, _channels, _rate, _byte_rate, block_align = struct.unpack("<HHIIH", body[:14])
                if format_tag not in _FRAME_ALIGNED_FORMATS:
                    return None
            elif chunk_id == b"data":
                if chunk_size == 0xFFFFFFFF and ds64_data_size is not None:
                    chunk_size = ds64_data_size
                if block_align <= 0:
                    return None
                present_bytes = max(0, file_size - (position + 8))
                return WavHeader(chunk_size // block_align, min(chunk_size, present_bytes) // block_align)
            position += 8 + chunk_size + (chunk_size & 1)
    return None


def probe(path: Path) -> AudioInfo:
    """Format of an audio file without reading its samples."""
    path = Path(path)
    if not path.is_file():
        raise AudioFileError(f"missing audio file {path}")
    try:
        info = soundfile.info(str(path))
        header = wav_header_frames(path)
    except (RuntimeError, OSError, struct.error, soundfile.LibsndfileError) as exc:
        raise AudioFileError(f"unreadable audio file {path}: {exc}") from None
    if info.frames <= 0:
        raise AudioFileError(f"empty audio file {path} (0 frames)")
    if info.samplerate <= 0:
        raise AudioFileError(f"audio file {path} states a sample rate of {info.samplerate} Hz")
    return AudioInfo(sample_rate_hz=int(info.samplerate), channels=int(info.channels), frames=int(info.frames),
                     header_frames=header.promised_frames if header else None)


def check_header(path: Path, info: AudioInfo, max_duration_s: float) -> None:
    """Refuse, from the header alone, a clip longer than ``max_duration_s`` or a WAV whose
    data chunk holds fewer frames than its header promises."""
    if not (math.isfinite(max_duration_s) and max_duration_s > 0):
        raise ValueError(f"max_duration_s must be a positive number of seconds, not {max_duration_s!r}")
    if info.promised_duration_s > max_duration_s:
        frames = max(info.frames, info.header_frames or 0)
        raise AudioFileError(
            f"{path}: {info.promised_duration_s:.1f} s ({frames} frames, {info.channels} channels at "
            f"{info.sample_rate_hz} Hz) is longer than the limit of {max_duration_s:g} s per clip")
    if info.header_frames is not None and info.header_frames > info.frames:
        raise AudioFileError(
            f"{path}: truncated: the header promises {info.header_frames} frames, the file holds {info.frames}")


def _non_finite_error(path: Path, count: int, wild: int = 0) -> AudioFileError:
    if not count:
        return AudioFileError(f"{path}: {wild} samples beyond +-{MAX_ABS_SAMPLE:g} (+60 dBFS); not a sound to play")
    return AudioFileError(f"{path}: {count} non-finite samples (NaN/inf)")


def count_wild(samples: np.ndarray) -> int:
    """How many finite samples lie beyond +-MAX_ABS_SAMPLE (0 for integer arrays)."""
    samples = np.asarray(samples)
    if not np.issubdtype(samples.dtype, np.inexact):
        return 0
    with np.errstate(invalid="ignore"):
        return int(np.count_nonzero(np.abs(samples) > MAX_ABS_SAMPLE) - np.count_nonzero(np.isinf(samples)))


def count_non_finite(samples: np.ndarray) -> int:
    """How many samples are NaN or infinite (0 for integer arrays)."""
    samples = np.asarray(samples)
    if not np.issubdtype(samples.dtype, np.inexact):
        return 0
    return int(samples.size - np.count_nonzero(np.isfinite(samples)))


def read(path: Path, max_duration_s: float = DEFAULT_MAX_CLIP_DURATION_S) -> tuple[np.ndarray, int]:
    """Samples as float32 of shape (frames, channels) and the sample rate in Hz.

    The header is checked before anything is allocated (``check_header``); a clip with
    non-finite samples is refused. Raises AudioFileError naming the file."""
    path = Path(path)
    info = probe(path)
    check_header(path, info, max_duration_s)
    try:
        samples, sample_rate_hz = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError) as exc:
        raise AudioFileError(f"unreadable audio file {path}: {exc}") from None
    if samples.shape[0] == 0:
        raise AudioFileError(f"empty audio file {path} (0 frames)")
    bad, wild = count_non_finite(samples), count_wild(samples)
    if bad or wild:
        raise _non_finite_error(path, bad, wild)
    return samples, int(sample_rate_hz)


def verify(path: Path | str, max_duration_s: float = DEFAULT_MAX_CLIP_DURATION_S) -> AudioInfo:
    """Check one audio file completely, for a dataset validator; returns its AudioInfo.

    Raises AudioFileError (the message starts with the file's path) when the file is missing,
    unreadable or empty; longer than ``max_duration_s`` seconds (decided from the header,
    before reading); truncated (a WAV's data chunk shorter than its header promises, or fewer
    frames decoded than announced); or when any sample is NaN or infinite. Reads blocks of
    ``VERIFY_BLOCK_FRAMES`` frames, so memory stays bounded whatever the file's size."""
    path = Path(path)
    info = probe(path)
    check_header(path, info, max_duration_s)
    frames_read = bad = wild = 0
    try:
        with soundfile.SoundFile(str(path)) as f:
            for block in f.blocks(blocksize=VERIFY_BLOCK_FRAMES, dtype="float32", always_2d=True):
                frames_read += block.shape[0]
                bad += count_non_finite(block)
                wild += count_wild(block)
    except (RuntimeError, soundfile.LibsndfileError) as exc:
        raise AudioFileError(f"unreadable audio file {path} after {frames_read} frames: {exc}") from None
    if frames_read != info.frames:
        raise AudioFileError(f"{path}: truncated: {info.frames} frames announced, {frames_read} decoded")
    if bad or wild:
        raise _non_finite_error(path, bad, wild)
    return info
