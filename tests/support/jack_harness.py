"""A private JACK server (dummy driver) and an independent recorder client, for the audio
tests and the audio benchmarks (bench/audio_timing.py, bench/audio_load.py).

Why this shape: the dummy driver needs no sound card;
periods of 1024 frames avoid xruns on two cores; PortAudio attaches to whatever server runs
when it initialises, so JACK_DEFAULT_SERVER is set and PortAudio re-initialised before any
stream opens; and jackd is stopped only after PortAudio is terminated. The recorder runs in a
process of its own (``RecorderProcess``): a JACK callback in Python needs the GIL, and in the
engine's process it would compete with the engine's callback for it.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE_HZ = 48000
PERIOD_FRAMES = 1024
JACK_HOST_API = "JACK Audio Connection Kit"


class JackUnavailable(RuntimeError):
    """jackd is not installed or did not come up."""


@dataclass
class JackServer:
    name: str
    process: subprocess.Popen
    sample_rate_hz: int
    period_frames: int
    channels: int

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def jackd_available() -> bool:
    return shutil.which("jackd") is not None and shutil.which("jack_lsp") is not None


# JACK keeps at most 8 servers in its shared-memory registry and reclaims the entry of a dead
# server only when a server of the same name starts again. A server killed with SIGKILL (the
# device-loss test does that on purpose) leaves its entry behind, so names are taken from a
# small fixed pool per purpose, never made unique per process: stale entries are then reused
# instead of piling up until jackd answers "Too many servers already active".
NAME_POOL_SIZE = 3


def start_jackd(prefix: str, channels: int = 4, sample_rate_hz: int = SAMPLE_RATE_HZ,
                period_frames: int = PERIOD_FRAMES, timeout_s: float = 10.0) -> JackServer:
    """Start ``jackd -n <prefix>-<i> --no-realtime -d dummy`` with the first free name of the
    pool and wait (polling jack_lsp every 50 ms) until it answers."""
    if not jackd_available():
        raise JackUnavailable("jackd/jack_lsp not found (apt-get install --no-install-recommends jackd2)")
    failures = []
    for i in range(NAME_POOL_SIZE):
        name = f"{prefix}-{i}"
        env = dict(os.environ, JACK_DEFAULT_SERVER=name)
        if subprocess.run(["jack_lsp"], env=env, capture_output=True).returncode == 0:
            failures.append(f"{name}: in use")
            continue  # a live server of that name (another test run): take the next name
        try:
            return _start_named(name, channels, sample_rate_hz, period_frames, timeout_s)
        except JackUnavailable as exc:
            failures.append(str(exc))
    raise JackUnavailable("; ".join(failures))


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to send SIGTERM when the process that started the
    server dies. A test run that is killed (a timeout, Ctrl+C twice) then leaves no orphaned
    jackd holding a name of the pool."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: servers are stopped by the fixtures only
        pass


def _start_named(name: str, channels: int, sample_rate_hz: int, period_frames: int, timeout_s: float) -> JackServer:
    # jackd's messages go to a file, not a pipe: a full pipe would block the server
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(
        ["jackd", "-n", name, "--no-realtime", "-d", "dummy", "-r", str(sample_rate_hz),
         "-p", str(period_frames), "-C", str(channels), "-P", str(channels)],
        stdout=subprocess.DEVNULL, stderr=log, preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    env = dict(os.environ, JACK_DEFAULT_SERVER=name)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            reason = log.read().strip().splitlines()
            raise JackUnavailable(f"jackd -n {name} exited with code {process.returncode}: "
                                  f"{reason[-1] if reason else 'no message'}")
        if subprocess.run(["jack_lsp"], env=env, capture_output=True).returncode == 0:
            return JackServer(name, process, sample_rate_hz, period_frames, channels)
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise JackUnavailable(f"jackd -n {name} did not answer within {timeout_s} s")


def attach_portaudio(server_name: str):
    """Point PortAudio at this server (set JACK_DEFAULT_SERVER, re-initialise) and return the
    sounddevice module."""
    os.environ["JACK_DEFAULT_SERVER"] = server_name
    import sounddevice

    sounddevice._terminate()
    sounddevice._initialize()
    return sounddevice


class RecorderError(RuntimeError):
    """The recorder process failed or did not answer."""


class RecorderProcess:
    """A JACK client in a child process (tests/support/recorder_process.py) that records its
    input ports. It is independent of PortAudio: what it records is what the JACK graph
    carried. After ``stop``: ``first_frame`` is the JACK frame time of recorded index 0,
    ``gaps`` counts cycles it lost, ``xruns`` the server's xrun reports while recording.
    Samples travel through a file-backed array (in /dev/shm where there is one), not through
    a pipe."""

    SCRIPT = Path(__file__).with_name("recorder_process.py")

    def __init__(self, server_name: str, n_inputs: int, max_duration_s: float, name: str = "recorder",
                 sample_rate_hz: int = SAMPLE_RATE_HZ, timeout_s: float = 60.0):
        self.n_inputs = n_inputs
        self.max_frames = int(max_duration_s * sample_rate_hz)
        self._timeout_s = timeout_s
        # in memory where there is a tmpfs: the child's callback must not wait for a disk
        shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        self._dir = tempfile.TemporaryDirectory(prefix="starlab-recorder-", dir=shm)
        self._path = Path(self._dir.name) / "data.f32"
        self._map = np.memmap(self._path, dtype=np.float32, mode="w+", shape=(self.max_frames, n_inputs))
        self._stderr = tempfile.TemporaryFile(mode="w+")
        # NB: the first answer ("ready") comes after Python, numpy and the JACK client have
        # started; on a loaded machine that took over 15 s once, so the deadline is generous.
        self.process = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", str(self.SCRIPT), server_name, str(n_inputs),
             str(self.max_frames), str(self._path), name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, text=True, bufsize=1)
        self._lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        ready = self._reply()
        self.sample_rate_hz = int(ready["sample_rate_hz"])
        self.period_frames = int(ready["blocksize"])
        self.first_frame = -1
        self.gaps = 0
        self.xruns = 0

    def _read(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _reply(self) -> dict:
        try:
            line = self._lines.get(timeout=self._timeout_s)
        except queue.Empty:
            line = None
        if line is None:
            self._stderr.seek(0)
            state = "still running" if self.process.poll() is None else f"exit code {self.process.returncode}"
            raise RecorderError(f"the recorder process did not answer within {self._timeout_s:g} s ({state}): "
                                f"{self._stderr.read()[-2000:]}")
        reply = json.loads(line)
        if "error" in reply:
            raise RecorderError(reply["error"])
        return reply

    def _command(self, cmd: str, **args) -> dict:
        self.process.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.process.stdin.flush()
        return self._reply()

    def connect_playback(self, n_channels: int) -> list[str]:
        """Connect in_1..N to the ports feeding system:playback_1..N (PortAudio's stream)."""
        return self._command("connect_playback", n=n_channels)["sources"]

    def follow(self, prefix: str, input_index: int) -> None:
        """Connect every port registered from now on whose name starts with ``prefix``
        (a naive player's new stream) to input ``input_index``."""
        self._command("follow", prefix=prefix, input=input_index)

    def start(self) -> None:
        self._command("start")

    def status(self) -> dict:
        """A snapshot while recording: position, first_frame, gaps, xruns."""
        return self._command("status")

    @property
    def position(self) -> int:
        return int(self.status()["position"])

    def stop(self) -> np.ndarray:
        """The recording, through the JACK cycle running when stop was asked for and two more
        (the child waits for them, however late it is scheduled). A recording that could not
        be completed counts as a lost cycle."""
        reply = self._command("stop", timeout_s=self._timeout_s / 2)
        self.first_frame, self.gaps, self.xruns = int(reply["first_frame"]), int(reply["gaps"]), int(reply["xruns"])
        self.gaps += 0 if reply["complete"] else 1
        return np.array(self._map[:int(reply["position"])])

    def frame_to_monotonic(self, samples: int = 7):
        reply = self._command("clock", samples=samples)
        t0, f0, rate = float(reply["t0"]), int(reply["f0"]), self.sample_rate_hz
        return lambda frame: t0 + (frame - f0) / rate

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                self.process.stdin.write(json.dumps({"cmd": "close"}) + "\n")
                self.process.stdin.flush()
                self.process.wait(timeout=self._timeout_s)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=5)
        finally:
            del self._map
            self._stderr.close()
            self._dir.cleanup()

    def __enter__(self) -> "RecorderProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def first_nonzero_frame(data: np.ndarray, start: int = 0) -> int:
    nonzero = np.flatnonzero(np.any(data[start:] != 0, axis=1))
    return int(nonzero[0]) + start if nonzero.size else -1
