"""What the playback engine reports: its errors, the events it puts on its bounded queue, and how a
playback ended. Immutable; created only by the engine's monitor thread (audio/playback/engine.py
explains the threads)."""
from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """The engine cannot do what was asked (not open, device lost, trial does not fit)."""


class DeviceLostError(EngineError):
    """The output device or audio server went away; restart the program to play again."""


# ---- events (immutable; created only by the monitor thread) ----

@dataclass(frozen=True)
class PlaybackStarted:
    playback_id: int
    label: str
    onset_frame: int            # stream frame index of the first sample
    onset_monotonic_s: float    # when it reaches the DAC, on time.monotonic()'s clock
    clip_onsets_monotonic_s: tuple[float, ...]
    late_by_frames: int         # > 0 if a scheduled start could not be honoured


@dataclass(frozen=True)
class PlaybackFinished:
    playback_id: int
    label: str
    frames_played: int
    stopped: bool               # cut by stop() (with a ramp) rather than played to the end


@dataclass(frozen=True)
class Underflow:
    playback_id: int | None
    total_underflows: int


@dataclass(frozen=True)
class DeviceError:
    message: str
    playback_id: int | None


@dataclass(frozen=True)
class TrialOutcome:
    """How a playback ended; ``repeat_needed`` means the participant did not hear the trial
    as rendered (device lost, or an underflow put a gap into it)."""

    playback_id: int
    label: str
    completed: bool
    stopped: bool
    repeat_needed: bool
    reason: str
    frames_played: int
    underflows: int
    onset_monotonic_s: float | None
    clip_onsets_monotonic_s: tuple[float, ...]
