"""Rendering a trial, before it starts, into one buffer that the engine only has to copy.

Everything that decides *when* and *how loud* happens here, once: clips and gaps become exact
frame counts (gaps are rounded to the nearest frame once, onsets are sums of integers, so
nothing drifts), files at another rate are resampled with ``scipy.signal.resample_poly``,
channels are routed to outputs, gain is applied, and the safety guard measures the result.
The callback then has nothing left to compute, and the onset of every clip is known to the
sample (``RenderedTrial.clips[i].onset_frame``).

Ramps: a clip that is played whole is played exactly as its file is (the benchmark's
stimuli carry their own onsets). Only where *we* cut a sound (``max_duration_s`` shorter than
the clip) does the cut get a raised-cosine ramp, so our truncation does not add a click.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
from scipy import signal

from audio.devices import ChannelMapError, DeviceChoice
from audio.files import DEFAULT_MAX_CLIP_DURATION_S, count_non_finite, read
from audio.headphone_eq import apply_output_filters
from audio.levels import db_to_amplitude
from audio.safety import SafetyGuard, SafetyReport

AUTO = "auto"            # 1 channel -> diotic, 2 -> stereo, N -> multichannel
STEREO = "stereo"        # 2 channels -> left and right ear outputs
DIOTIC = "diotic"        # 1 channel (or the selected source_channel) -> both ears
LEFT = "left"            # 1 channel -> left ear only
RIGHT = "right"          # 1 channel -> right ear only
MULTICHANNEL = "multichannel"  # N channels -> first N outputs of the channel map
ROUTINGS = (AUTO, STEREO, DIOTIC, LEFT, RIGHT, MULTICHANNEL)
DEFAULT_RAMP_S = 0.010


class RenderError(ValueError):
    """A trial that cannot be rendered as asked; the message names the clip."""


class TooManyChannelsError(ChannelMapError, RenderError):
    """A file has more channels than the channel map has outputs."""


@dataclass(frozen=True)
class Clip:
    """One sound of a trial: samples (frames x channels) at ``sample_rate_hz``, named by
    ``label`` (usually its file path) in every error message.

    ``source_channel`` picks one channel of the file (0-based) and plays it as a mono sound,
    diotically unless ``routing`` says "left" or "right": STAR-Bench's "left-ear channel as
    Audio 1" presentation."""

    samples: np.ndarray
    sample_rate_hz: int
    label: str
    gain_db: float = 0.0
    routing: str = AUTO
    source_channel: int | None = None
    max_duration_s: float | None = None
    ramp_s: float = DEFAULT_RAMP_S

    @classmethod
    def from_file(cls, path: Path | str, max_clip_duration_s: float = DEFAULT_MAX_CLIP_DURATION_S,
                  **options) -> "Clip":
        """The file's samples; refused (AudioFileError) from its header when it is longer than
        ``max_clip_duration_s``, or when it is truncated or holds non-finite samples."""
        samples, sample_rate_hz = read(Path(path), max_clip_duration_s)
        return cls(samples=samples, sample_rate_hz=sample_rate_hz, label=str(path), **options)


@dataclass(frozen=True)
class ClipPlacement:
    """Where a clip landed in the trial buffer."""

    label: str
    onset_frame: int
    n_frames: int
    truncated: bool
    resampled_from_hz: int | None

    @property
    def end_frame(self) -> int:
        return self.onset_frame + self.n_frames


@dataclass(frozen=True)
class RenderedTrial:
    """A trial ready to play: a read-only float32 buffer (frames x stream channels), where
    each clip starts, and the safety report of exactly this buffer."""

    buffer: np.ndarray
    sample_rate_hz: int
    clips: tuple[ClipPlacement, ...]
    safety: SafetyReport
    label: str = ""

    @property
    def n_frames(self) -> int:
        return int(self.buffer.shape[0])

    @property
    def n_channels(self) -> int:
        return int(self.buffer.shape[1])

    @property
    def duration_s(self) -> float:
        return self.n_frames / self.sample_rate_hz


def _resample(x: np.ndarray, rate_in_hz: int, rate_out_hz: int) -> np.ndarray:
    g = math.gcd(int(rate_in_hz), int(rate_out_hz))
    return signal.resample_poly(x, rate_out_hz // g, rate_in_hz // g, axis=0)


def _raised_cosine_fade_out(x: np.ndarray, n_ramp: int) -> None:
    n_ramp = min(n_ramp, x.shape[0])
    if n_ramp > 0:
        ramp = 0.5 + 0.5 * np.cos(np.pi * (np.arange(n_ramp) + 1) / n_ramp)  # ends at exactly 0
        x[-n_ramp:] *= ramp[:, None]


def _routed_outputs(clip: Clip, n_channels: int, device: DeviceChoice) -> list[tuple[int, ...]]:
    """For each source channel, the device outputs it goes to (both ears for diotic)."""
    routing = clip.routing
    if routing not in ROUTINGS:
        raise RenderError(f"clip {clip.label!r}: unknown routing {routing!r}; use one of {ROUTINGS}")
    if routing == AUTO:
        routing = DIOTIC if n_channels == 1 else STEREO if n_channels == 2 else MULTICHANNEL
    if routing == STEREO:
        if n_channels != 2:
            raise RenderError(f"clip {clip.label!r}: routing 'stereo' needs 2 channels, the file has {n_channels}")
        if len(device.channel_map) < 2:
            raise TooManyChannelsError(
                f"clip {clip.label!r} has 2 channels but the channel map {device.channel_map} has 1 output")
        return [(device.left_output,), (device.right_output,)]
    if routing in (DIOTIC, LEFT, RIGHT):
        if n_channels != 1:
            raise RenderError(f"clip {clip.label!r}: routing {routing!r} needs 1 channel (or a source_channel), "
                              f"the file has {n_channels}")
        ears = {DIOTIC: (device.left_output, device.right_output), LEFT: (device.left_output,),
                RIGHT: (device.right_output,)}[routing]
        return [tuple(dict.fromkeys(ears))]  # a one-output map gives one output, not the same twice
    if n_channels > len(device.channel_map):
        raise TooManyChannelsError(
            f"clip {clip.label!r} has {n_channels} channels but the channel map {device.channel_map} "
            f"has {len(device.channel_map)} outputs")
    return [(output,) for output in device.channel_map[:n_channels]]


def prepare_clip(clip: Clip, device: DeviceChoice) -> tuple[np.ndarray, ClipPlacement]:
    """The clip as a float32 block (frames x stream channels) and its placement at frame 0."""
    x = np.asarray(clip.samples)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] == 0:
        raise RenderError(f"clip {clip.label!r}: samples must be a non-empty (frames x channels) array")
    bad = count_non_finite(x)
    if bad:  # checked again here, whatever made the array: nothing non-finite reaches a device
        raise RenderError(f"clip {clip.label!r} has {bad} non-finite samples (NaN/inf)")
    if not math.isfinite(clip.gain_db):
        raise RenderError(f"clip {clip.label!r}: gain_db {clip.gain_db} is not a finite number")
    if not (math.isfinite(clip.sample_rate_hz) and int(clip.sample_rate_hz) > 0):
        raise RenderError(f"clip {clip.label!r}: sample_rate_hz {clip.sample_rate_hz!r} is not a positive rate")
    if clip.source_channel is not None:
        if not 0 <= clip.source_channel < x.shape[1]:
            raise RenderError(f"clip {clip.label!r}: source_channel {clip.source_channel} does not exist "
                              f"(the file has {x.shape[1]} channels)")
        x = x[:, clip.source_channel:clip.source_channel + 1]
        routing = DIOTIC if clip.routing in (AUTO, DIOTIC) else clip.routing
        clip = Clip(x, clip.sample_rate_hz, clip.label, clip.gain_db, routing, None, clip.max_duration_s, clip.ramp_s)
    outputs = _routed_outputs(clip, x.shape[1], device)  # refuse before spending time on resampling
    x = x.astype(np.float64)
    resampled_from = None
    if int(clip.sample_rate_hz) != device.sample_rate_hz:
        x = _resample(x, int(clip.sample_rate_hz), device.sample_rate_hz)
        resampled_from = int(clip.sample_rate_hz)
    truncated = False
    if clip.max_duration_s is not None:
        max_frames = int(round(clip.max_duration_s * device.sample_rate_hz))
        if max_frames <= 0:
            raise RenderError(f"clip {clip.label!r}: max_duration_s {clip.max_duration_s} is under one frame")
        if x.shape[0] > max_frames:
            x = x[:max_frames].copy()
            _raised_cosine_fade_out(x, int(round(clip.ramp_s * device.sample_rate_hz)))
            truncated = True
    x *= db_to_amplitude(clip.gain_db)
    block = np.zeros((x.shape[0], device.stream_channels), dtype=np.float32)
    for source, targets in enumerate(outputs):
        for output in targets:
            block[:, output] = x[:, source]
    return block, ClipPlacement(clip.label, 0, x.shape[0], truncated, resampled_from)


def render_trial(clips: Sequence[Clip], gaps_s: float | Sequence[float], device: DeviceChoice,
                 guard: SafetyGuard, *, lead_in_s: float = 0.0, tail_s: float = 0.0,
                 label: str = "", output_gains_db: Mapping[int, float] | None = None,
                 output_filters: Mapping[int, np.ndarray] | None = None) -> RenderedTrial:
    """Clips in sequence with ``gaps_s`` of silence between them (one value for every gap, or
    one per gap), checked by ``guard``. ``output_filters`` convolves a device output with FIR
    taps (headphone equalization, audio.headphone_eq), then ``output_gains_db`` adds a gain per
    output (the per-ear part of a calibration), both before the check. Raises RenderError/
    TooManyChannelsError naming the clip, or OverCeilingError when the guard refuses."""
    if not clips:
        raise RenderError(f"trial {label!r} has no clips")
    gaps = [float(gaps_s)] * (len(clips) - 1) if np.isscalar(gaps_s) else [float(g) for g in gaps_s]
    if len(gaps) != len(clips) - 1:
        raise RenderError(f"trial {label!r}: {len(clips)} clips need {len(clips) - 1} gaps, got {len(gaps)}")
    if not all(math.isfinite(g) and g >= 0 for g in gaps + [lead_in_s, tail_s]):
        raise RenderError(f"trial {label!r}: gaps and lead-in/tail must be finite and not negative")
    for output, gain_db in (output_gains_db or {}).items():
        if not math.isfinite(gain_db):
            raise RenderError(f"trial {label!r}: the gain of output {output} ({gain_db} dB) is not a finite number")
    rate = device.sample_rate_hz
    gap_frames = [int(round(g * rate)) for g in gaps]
    blocks, placements, onset = [], [], int(round(lead_in_s * rate))
    for i, clip in enumerate(clips):
        block, placement = prepare_clip(clip, device)
        placements.append(ClipPlacement(placement.label, onset, placement.n_frames, placement.truncated,
                                        placement.resampled_from_hz))
        blocks.append((onset, block))
        onset += placement.n_frames + (gap_frames[i] if i < len(gap_frames) else 0)
    n_frames = onset + int(round(tail_s * rate))
    buffer = np.zeros((n_frames, device.stream_channels), dtype=np.float32)
    for start, block in blocks:
        buffer[start:start + block.shape[0]] = block
    if output_filters:
        buffer = apply_output_filters(buffer, output_filters).astype(np.float32)
    for output, gain_db in (output_gains_db or {}).items():
        if 0 <= output < buffer.shape[1] and gain_db != 0.0:
            buffer[:, output] = (buffer[:, output].astype(np.float64) * db_to_amplitude(gain_db)).astype(np.float32)
    checked, report = guard.check(buffer, rate, label=label)
    checked = np.ascontiguousarray(checked, dtype=np.float32)
    checked.flags.writeable = False  # what was checked is what plays
    return RenderedTrial(checked, rate, tuple(placements), report, label)


def render_files(paths: Sequence[Path | str], gaps_s: float | Sequence[float], device: DeviceChoice,
                 guard: SafetyGuard, *, label: str = "", **clip_options) -> RenderedTrial:
    """Convenience: the files read with audio.files.read, same options for every clip."""
    return render_trial([Clip.from_file(p, **clip_options) for p in paths], gaps_s, device, guard, label=label)
