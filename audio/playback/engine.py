"""The playback engine: one persistent output stream per session, playing rendered trials.

Three threads touch the engine, and the rules are what make it safe without a lock that the
audio thread could wait on:

- the **caller** (GUI or session thread): ``play``, ``stop``, ``wait``, draining ``events``;
- PortAudio's **audio thread** (``_callback``): copies from a prepared, read-only buffer,
  counts frames, writes numbers into per-playback ``status`` arrays and swaps one tuple. It
  never logs, never touches a queue or a lock, never allocates an audio-sized array (CPython
  still creates small int/float objects for any arithmetic; that is unavoidable in a Python
  callback and cheap);
- the engine's **monitor** thread: polls those numbers every few ms, turns them into events on
  the bounded ``events`` queue and into ``TrialOutcome``s, and runs the watchdog that notices
  a device that stopped calling back (a JACK server that died).

Each piece of state is written by exactly one thread; the ``NB:`` comments say which and why
the readers are safe. All of it relies on the GIL making a single attribute or array-element
store atomic, and on writers storing a status's data *before* its state code, so a reader
that sees a state also sees its data.

Clock: onset times are reported in ``time.monotonic()`` seconds, the clock response times use.
The callback records ``outputBufferDacTime`` (PortAudio stream time at which the block's first
frame reaches the DAC); the caller's thread samples ``(time.monotonic(), stream.time)`` pairs
when it calls ``play`` and the offset between them converts one into the other.

A busy main thread: the callback is Python, so it needs the GIL; a thread that holds it is
asked to let go only after ``sys.getswitchinterval()`` (5 ms by default), and the monitor
thread below is one more contender. Both can be set (``switch_interval_s``: process-wide while
the stream is open, restored on close; ``monitor_interval_s``). bench/audio_load.py compared
(switch, monitor) = (5 ms, 5 ms), (5 ms, 20 ms) and (1 ms, 20 ms) against sounddevice.play
under a busy main thread on a loaded 2-core machine: no setting was better than another or
than the naive player from one run to the next (the disturbances came from the machine
starving the JACK server and every client alike), so the defaults leave Python's interval
alone and poll every 5 ms as before. docs/safety.md has the figures.

A lost device: PortAudio 19.6's JACK back end blocks in ``Pa_CloseStream`` (for ten minutes)
once the server is gone, so after a device error the engine never touches that stream again
(``stream_abandoned``). A program that saw one should exit with ``os._exit`` after saving,
because PortAudio's own exit handler would block the same way.
"""
from __future__ import annotations

import math
import queue
import sys
import threading
import time
from typing import Any

import numpy as np

from audio.devices import (
    DeviceChoice,
    OutputDevice,
    find_output_device,
    import_sounddevice,
)
from audio.playback.events import (
    DeviceError,
    DeviceLostError,
    EngineError,
    PlaybackFinished,
    PlaybackStarted,
    TrialOutcome,
    Underflow,
)
from audio.playback.jobs import (
    FINISHED,
    FRAMES_PLAYED,
    LATE_FRAMES,
    ONSET_DAC_S,
    ONSET_FRAME,
    PENDING,
    PLAYING,
    STATE,
    STOPPED,
    UNDERFLOWS,
    Command,
    Job,
    Playback,
)
from audio.render import RenderedTrial

DEFAULT_EVENT_QUEUE_SIZE = 256
DEFAULT_STOP_RAMP_S = 0.005
DEFAULT_WATCHDOG_S = 2.0
DEFAULT_MONITOR_INTERVAL_S = 0.005  # how often the monitor thread polls (it competes for the GIL)
DEFAULT_SWITCH_INTERVAL_S: float | None = None  # GIL switch interval while open; None: Python's own (5 ms)


class PlaybackEngine:
    """One output stream for a session. Use as a context manager or call open()/close().

    Events (``PlaybackStarted``, ``PlaybackFinished``, ``Underflow``, ``DeviceError``) arrive on
    ``events``, a bounded ``queue.Queue`` that the caller drains (the GUI bridge on a QTimer);
    if the caller falls behind, new events are dropped and counted in ``dropped_events``,
    never blocking the monitor. Outcomes do not depend on the queue: ``wait(playback)``."""

    def __init__(self, choice: DeviceChoice, *, event_queue_size: int = DEFAULT_EVENT_QUEUE_SIZE,
                 stop_ramp_s: float = DEFAULT_STOP_RAMP_S, watchdog_s: float = DEFAULT_WATCHDOG_S,
                 latency: float | str | None = None, devices: list[OutputDevice] | None = None,
                 sounddevice_module: Any | None = None, switch_interval_s: float | None = DEFAULT_SWITCH_INTERVAL_S,
                 monitor_interval_s: float = DEFAULT_MONITOR_INTERVAL_S):
        """``switch_interval_s``: the GIL switch interval while the stream is open (None: leave
        Python's setting alone). ``monitor_interval_s``: how often the monitor thread polls."""
        self.choice = choice
        self._monitor_interval_s = monitor_interval_s
        self._switch_interval_s = switch_interval_s
        self._saved_switch_interval_s: float | None = None  # caller only
        self.events: queue.Queue = queue.Queue(maxsize=event_queue_size)
        self._sd = sounddevice_module
        self._devices = devices
        self._latency = latency
        self._watchdog_s = watchdog_s
        self._stop_ramp_frames = max(1, int(round(stop_ramp_s * choice.sample_rate_hz)))
        self._stream: Any = None
        self._monitor: threading.Thread | None = None
        self._monitor_stop = threading.Event()
        # NB: hand-over of new playbacks from the caller to the monitor; SimpleQueue is
        # thread-safe and only these two threads use it (never the audio thread).
        self._handover: queue.SimpleQueue = queue.SimpleQueue()
        self._next_id = 1  # caller only
        self._last_playback: Playback | None = None  # caller only

        # --- written by the caller, read by the audio thread ---
        # NB: replaced by one reference store of a fully built, never-mutated Command; the
        # callback reads it once per block, so it sees either the old or the new command.
        self._command: Command | None = None

        # --- written only by the audio thread ---
        # NB: ints/tuples replaced by single stores; readers (monitor, caller) only read them
        # and tolerate a value one block old.
        self._frames_done = 0                     # frames delivered since the stream started
        self._underflows = 0                      # blocks PortAudio flagged as output underflow
        self._clock: tuple[int, float] | None = None  # (first frame of last block, its DAC time)
        # NB: the rest are private to the audio thread (never read elsewhere).
        self._adopted: Command | None = None
        self._active: Job | None = None
        self._fading = False
        self._fade_position = 0
        self._fade = np.empty(0, dtype=np.float32)  # allocated in open(), read-only afterwards

        # --- written only by the monitor thread (and the finished_callback) ---
        # NB: a string reference stored once; readers see None or the message.
        self._device_error: str | None = None
        self._dropped_events = 0

    # ---------- life cycle (caller) ----------

    def __enter__(self) -> "PlaybackEngine":
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def open(self) -> None:
        """Find the device by name + host API and start the stream (silent until play)."""
        if self._stream is not None:
            return
        sd = self._sd or import_sounddevice()
        self._sd = sd
        device = find_output_device(self.choice.name, self.choice.host_api, self._devices)
        self.choice.check_against(device)
        n = self._stop_ramp_frames
        self._fade = (0.5 + 0.5 * np.cos(np.pi * (np.arange(n) + 1) / n)).astype(np.float32)
        self._fade.flags.writeable = False
        self._stream = sd.OutputStream(
            device=device.index, samplerate=self.choice.sample_rate_hz, channels=self.choice.stream_channels,
            dtype="float32", callback=self._callback, finished_callback=self._on_stream_finished,
            latency=self._latency, dither_off=True,
        )
        self._monitor_stop.clear()
        self._monitor = threading.Thread(target=self._monitor_loop, name="audio-engine-monitor", daemon=True)
        self._monitor.start()
        if self._switch_interval_s is not None:
            # NB: process-wide; the previous value comes back in close()
            self._saved_switch_interval_s = sys.getswitchinterval()
            sys.setswitchinterval(self._switch_interval_s)
        self._stream.start()

    def close(self) -> None:
        """Stop the monitor and the stream. After a device error the stream is left alone
        (see the module docstring)."""
        if self._monitor is not None:
            self._monitor_stop.set()
            self._monitor.join(timeout=5.0)
            self._monitor = None
        if self._saved_switch_interval_s is not None:
            sys.setswitchinterval(self._saved_switch_interval_s)
            self._saved_switch_interval_s = None
        if self._stream is None or self._device_error is not None:
            # NB: after a device error the stream object is kept referenced on purpose and
            # never closed: closing it would block in PortAudio (see the module docstring).
            return
        self._stream.stop()
        self._stream.close()
        self._stream = None

    @property
    def stream_abandoned(self) -> bool:
        """True after a device error: do not let PortAudio terminate normally (os._exit)."""
        return self._device_error is not None

    @property
    def underflow_count(self) -> int:
        return self._underflows

    @property
    def dropped_events(self) -> int:
        return self._dropped_events

    @property
    def reported_output_latency_s(self) -> float:
        """PortAudio's output latency of the open stream (what the DAC-time mapping assumes)."""
        return float(self._stream.latency) if self._stream is not None else math.nan

    # ---------- playing (caller) ----------

    def clock_offset_s(self, samples: int = 5) -> float:
        """time.monotonic() minus PortAudio stream time, from the tightest of a few readings."""
        best, offset = math.inf, 0.0
        for _ in range(samples):
            before = time.monotonic()
            stream_time = self._stream.time
            after = time.monotonic()
            if after - before < best:
                best, offset = after - before, (before + after) / 2.0 - stream_time
        return offset

    def play(self, trial: RenderedTrial, *, clip_index: int | None = None,
             start_at_monotonic_s: float | None = None) -> Playback:
        """Play the whole trial, or one clip of it (``clip_index``), now or with its first
        sample reaching the DAC at ``start_at_monotonic_s``. A playback still running is
        stopped first (with the stop ramp). Returns at once with a handle."""
        self._require_open()
        if trial.sample_rate_hz != self.choice.sample_rate_hz or trial.n_channels != self.choice.stream_channels:
            raise EngineError(
                f"trial {trial.label!r} was rendered for {trial.n_channels} channels at {trial.sample_rate_hz} Hz; "
                f"the stream has {self.choice.stream_channels} at {self.choice.sample_rate_hz} Hz")
        if self._last_playback is not None and not self._last_playback.done.is_set():
            self.stop()
            self.wait(self._last_playback, timeout_s=2.0)
        if clip_index is None:
            segment = trial.buffer
            offsets = tuple(c.onset_frame for c in trial.clips)
            label = trial.label
        else:
            clip = trial.clips[clip_index]
            segment = trial.buffer[clip.onset_frame:clip.end_frame]
            offsets = (0,)
            label = f"{trial.label} [clip {clip_index}: {clip.label}]"
        offset_s = self.clock_offset_s()
        requested = -1
        clock = self._clock  # NB: one read of an immutable tuple: a consistent pair
        if start_at_monotonic_s is not None and clock is not None:
            block_start, dac_time_s = clock
            target_stream_s = start_at_monotonic_s - offset_s
            requested = block_start + int(round((target_stream_s - dac_time_s) * self.choice.sample_rate_hz))
        job = Job(segment, requested)
        playback = Playback(self._next_id, label, job, offsets, self.choice.sample_rate_hz, offset_s)
        self._next_id += 1
        self._last_playback = playback
        self._handover.put(playback)
        self._command = Command(job)  # NB: publish last, after the job is complete
        return playback

    def replay_clip(self, trial: RenderedTrial, clip_index: int) -> Playback:
        """Play one clip of an already rendered trial again (same samples, same level)."""
        return self.play(trial, clip_index=clip_index)

    def stop(self) -> None:
        """Stop what is playing, with a short raised-cosine ramp (the engine cuts the sound)."""
        if self._stream is not None:
            last = self._last_playback  # NB: written and read only by the caller's thread
            self._command = Command(None, last.job if last is not None else None)  # NB: one reference store

    def wait(self, playback: Playback, timeout_s: float | None = None) -> TrialOutcome:
        """Block until the playback ends (or the device is lost); EngineError on timeout."""
        if not playback.done.wait(timeout_s):
            if self._device_error is not None and (self._monitor is None or not self._monitor.is_alive()):
                # Handed over after the monitor had already failed everything it knew of.
                return TrialOutcome(playback.playback_id, playback.label, False, False, True, self._device_error,
                                    int(playback.job.status[FRAMES_PLAYED]), int(playback.job.status[UNDERFLOWS]),
                                    None, ())
            raise EngineError(f"playback {playback.playback_id} ({playback.label!r}) did not end within {timeout_s} s")
        assert playback.outcome is not None
        return playback.outcome

    def _require_open(self) -> None:
        if self._device_error is not None:
            raise DeviceLostError(self._device_error)
        if self._stream is None:
            raise EngineError("the playback engine is not open")

    # ---------- audio thread ----------

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        """PortAudio's callback. Copy, count, set numbers; nothing else (see module doc)."""
        block_start = self._frames_done
        outdata.fill(0.0)
        job = self._active
        if status.output_underflow:
            self._underflows += 1
            if job is not None:
                job.status[UNDERFLOWS] += 1.0
        command = self._command
        if command is not self._adopted:
            self._adopted = command
            if command.job is None:  # stop: fade the active job out, or drop a pending one
                if job is not None and job.status[STATE] == PLAYING:
                    self._fading, self._fade_position = True, 0
                elif job is not None and job.status[STATE] == PENDING:
                    job.status[STATE] = STOPPED
                    job = None
                cancelled = command.cancel
                if cancelled is not None and cancelled is not job and cancelled.status[STATE] == PENDING:
                    cancelled.status[STATE] = STOPPED  # its play command was never adopted
            else:
                if job is not None and job.status[STATE] < FINISHED:  # superseded without stop()
                    job.status[STATE] = STOPPED
                job = command.job
                self._fading = False
                requested = job.requested_start_frame
                if requested < block_start:
                    job.status[LATE_FRAMES] = block_start - requested if requested >= 0 else 0.0
                    job.start_frame = block_start
                else:
                    job.start_frame = requested
            self._active = job
        if job is not None and job.status[STATE] < FINISHED:
            offset = job.start_frame + job.position - block_start
            if offset < frames:
                n = min(frames - offset, job.n_frames - job.position)
                if self._fading:
                    n = min(n, self._fade.shape[0] - self._fade_position)
                out = outdata[offset:offset + n]
                out[:] = job.buffer[job.position:job.position + n]
                if self._fading:
                    out *= self._fade[self._fade_position:self._fade_position + n, None]
                    self._fade_position += n
                if job.position == 0:
                    job.status[ONSET_FRAME] = job.start_frame
                    job.status[ONSET_DAC_S] = time_info.outputBufferDacTime + offset / self.choice.sample_rate_hz
                    job.status[STATE] = PLAYING
                job.position += n
                job.status[FRAMES_PLAYED] = job.position
                if job.position >= job.n_frames:
                    job.status[STATE] = FINISHED
                    self._fading = False
                elif self._fading and self._fade_position >= self._fade.shape[0]:
                    job.status[STATE] = STOPPED
                    self._fading = False
        self._clock = (block_start, time_info.outputBufferDacTime)
        self._frames_done = block_start + frames

    def _on_stream_finished(self) -> None:
        # NB: PortAudio calls this on its own thread when the stream ends by itself; only a
        # reference store, read by the monitor. (A JACK shutdown does not call it, the
        # watchdog catches that.)
        if self._device_error is None and not self._monitor_stop.is_set():
            self._device_error = "the audio stream ended unexpectedly (device removed or server stopped)"

    # ---------- monitor thread ----------

    def _emit(self, event: Any) -> None:
        try:
            self.events.put_nowait(event)
        except queue.Full:
            self._dropped_events += 1

    def _monitor_loop(self) -> None:
        tracked: list[Playback] = []
        seen_underflows = 0
        last_frames, last_progress = self._frames_done, time.monotonic()
        while not self._monitor_stop.wait(self._monitor_interval_s):
            while True:
                try:
                    tracked.append(self._handover.get_nowait())
                except queue.Empty:
                    break
            now = time.monotonic()
            frames = self._frames_done
            if frames != last_frames:
                last_frames, last_progress = frames, now
            elif self._device_error is None and now - last_progress > self._watchdog_s:
                self._device_error = (
                    f"the output device {self.choice.name!r} ({self.choice.host_api}) stopped playing "
                    f"for {now - last_progress:.1f} s: the audio server or device is gone")
            underflows = self._underflows
            if underflows != seen_underflows:
                seen_underflows = underflows
                current = tracked[-1].playback_id if tracked else None
                self._emit(Underflow(current, underflows))
            if self._device_error is not None:
                self._fail(tracked)
                return
            for playback in list(tracked):
                if self._update(playback):
                    tracked.remove(playback)

    def _started_event(self, playback: Playback) -> PlaybackStarted:
        status = playback.job.status
        onset_s = float(status[ONSET_DAC_S]) + playback.clock_offset_s
        rate = playback.sample_rate_hz
        return PlaybackStarted(playback.playback_id, playback.label, int(status[ONSET_FRAME]), onset_s,
                               tuple(onset_s + f / rate for f in playback.clip_offsets_frames),
                               int(status[LATE_FRAMES]))

    def _update(self, playback: Playback) -> bool:
        """Emit what changed; True when the playback is over."""
        status = playback.job.status
        state = float(status[STATE])  # NB: read the state first; its data was written before it
        if state >= PLAYING and playback.started_event is None and status[FRAMES_PLAYED] > 0:
            playback.started_event = self._started_event(playback)
            self._emit(playback.started_event)
        if state < FINISHED:
            return False
        frames_played = int(status[FRAMES_PLAYED])
        underflows = int(status[UNDERFLOWS])
        stopped = state == STOPPED
        self._emit(PlaybackFinished(playback.playback_id, playback.label, frames_played, stopped))
        self._finish(playback, completed=not stopped, stopped=stopped, repeat_needed=underflows > 0,
                     reason=f"{underflows} underflow(s) during playback" if underflows else "")
        return True

    def _finish(self, playback: Playback, *, completed: bool, stopped: bool, repeat_needed: bool, reason: str) -> None:
        started = playback.started_event
        playback.outcome = TrialOutcome(
            playback.playback_id, playback.label, completed, stopped, repeat_needed, reason,
            int(playback.job.status[FRAMES_PLAYED]), int(playback.job.status[UNDERFLOWS]),
            started.onset_monotonic_s if started else None,
            started.clip_onsets_monotonic_s if started else (),
        )
        playback.done.set()

    def _fail(self, tracked: list[Playback]) -> None:
        message = self._device_error or "device error"
        self._emit(DeviceError(message, tracked[-1].playback_id if tracked else None))
        for playback in tracked:
            self._finish(playback, completed=False, stopped=False, repeat_needed=True, reason=message)
        # Playbacks handed over after this point are failed by _require_open, or here:
        while True:
            try:
                late = self._handover.get_nowait()
            except queue.Empty:
                break
            self._finish(late, completed=False, stopped=False, repeat_needed=True, reason=message)
