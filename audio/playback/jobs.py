"""What the caller and the audio thread share: a job (the buffer to play and its status numbers),
the command that publishes it, and the caller's handle on a play request. The NB comments say
which thread writes each piece of state (audio/playback/engine.py explains the rules)."""
from __future__ import annotations

import threading

import numpy as np

from audio.playback.events import PlaybackStarted, TrialOutcome

# Indices into a playback's status array (written only by the audio thread).
STATE, ONSET_FRAME, ONSET_DAC_S, FRAMES_PLAYED, UNDERFLOWS, LATE_FRAMES = range(6)
# State codes; a code >= FINISHED is final.
PENDING, PLAYING, FINISHED, STOPPED = 0.0, 1.0, 2.0, 3.0


class Job:
    """What the audio thread plays. Built completely by the caller *before* it is published
    (one reference store), then: ``buffer``/``n_frames``/``requested_start_frame`` are never
    written again; ``status``/``start_frame``/``position`` are written only by the audio
    thread."""

    __slots__ = ("buffer", "n_frames", "requested_start_frame", "start_frame", "position", "status")

    def __init__(self, buffer: np.ndarray, requested_start_frame: int):
        self.buffer = buffer
        self.n_frames = int(buffer.shape[0])
        self.requested_start_frame = requested_start_frame  # -1: as soon as possible
        self.start_frame = -1
        self.position = 0
        self.status = np.zeros(6, dtype=np.float64)


class Command:
    """A request from the caller: play ``job``, or stop (job None). Immutable once published.
    A stop names the job it stops (``cancel``, the last one the caller published): a stop that
    arrives before the audio thread has adopted that job's play command replaces the command,
    and the job must then end as stopped instead of staying pending for ever."""

    __slots__ = ("job", "cancel")

    def __init__(self, job: Job | None, cancel: Job | None = None):
        self.job = job
        self.cancel = cancel


class Playback:
    """The caller's handle on one play request; ``outcome`` is set once, by the monitor."""

    def __init__(self, playback_id: int, label: str, job: Job, clip_offsets_frames: tuple[int, ...],
                 sample_rate_hz: int, clock_offset_s: float):
        self.playback_id = playback_id
        self.label = label
        self.job = job
        self.clip_offsets_frames = clip_offsets_frames
        self.sample_rate_hz = sample_rate_hz
        # NB: written by the caller before the handle is handed to the monitor; read-only after.
        self.clock_offset_s = clock_offset_s
        # NB: written only by the monitor; a reader waits on `done` (an Event, whose set/wait
        # pair orders the write before the read).
        self.outcome: TrialOutcome | None = None
        # NB: written and read only by the monitor.
        self.started_event: PlaybackStarted | None = None
        self.done = threading.Event()
