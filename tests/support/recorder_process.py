"""The recorder's own process: a JACK client that records its input ports into a file-backed
array (np.memmap) the parent maps too, driven by one JSON command per line on stdin.

Why a process: a JACK process callback written in Python needs the GIL. In the engine's
process it would compete with the engine's callback and with whatever the test keeps busy,
so a late recorder would be counted against the engine. Here it has an interpreter of its
own. This file imports nothing from the project (run it by path).

Usage: recorder_process.py SERVER N_INPUTS MAX_FRAMES DATA_PATH CLIENT_NAME
Replies: one JSON object per line on stdout; the first is {"ready": true, "sample_rate_hz": N}.
"""
from __future__ import annotations

import json
import queue
import sys
import threading
import time

import numpy as np


class ChildRecorder:
    def __init__(self, server: str, n_inputs: int, max_frames: int, data_path: str, name: str):
        import jack

        self.client = jack.Client(name, servername=server, no_start_server=True)
        self.inputs = [self.client.inports.register(f"in_{i + 1}") for i in range(n_inputs)]
        self.data = np.memmap(data_path, dtype=np.float32, mode="r+", shape=(max_frames, n_inputs))
        self.data[:] = 0.0  # touch every page now: no page fault inside the JACK callback
        # NB: written by the JACK thread only; the command thread reads them after `recording`
        # is cleared and two periods have passed (stop), or as a momentary snapshot (status).
        self.position = 0
        self.first_frame = -1
        self.next_frame = -1
        self.gaps = 0
        self.xruns = 0
        # NB: written by the command thread only (one store), read by the JACK thread.
        self.recording = False
        self.follow: tuple[str, int] | None = None  # (port name prefix, input index): connect new ports
        self.new_ports: queue.SimpleQueue = queue.SimpleQueue()
        self.client.set_process_callback(self._process)
        self.client.set_xrun_callback(self._xrun)
        # called on JACK's notification thread: only hand the name over, never connect there
        self.client.set_port_registration_callback(
            lambda port, registered: registered and self.new_ports.put(port.name))
        self.client.activate()
        threading.Thread(target=self._connector, daemon=True).start()

    def _process(self, frames: int) -> None:
        if not self.recording:
            return
        frame_time = self.client.last_frame_time
        if self.first_frame < 0:
            self.first_frame = frame_time
        elif frame_time != self.next_frame:
            self.gaps += 1
        self.next_frame = frame_time + frames
        n = min(frames, self.data.shape[0] - self.position)
        for i, port in enumerate(self.inputs):
            self.data[self.position:self.position + n, i] = port.get_array()[:n]
        self.position += n

    def _xrun(self, delay_usecs: float) -> None:
        if self.recording:
            self.xruns += 1

    def _connector(self) -> None:
        while True:
            name = self.new_ports.get()
            follow = self.follow
            if follow is not None and name.startswith(follow[0]):
                try:
                    self.client.connect(name, self.inputs[follow[1]])
                except Exception:  # the port may already be gone (a short-lived stream)
                    pass

    def handle(self, command: dict) -> dict:
        cmd = command["cmd"]
        if cmd == "connect_playback":
            # The player's connections reach this client's view of the graph a moment after
            # its stream started: wait for them (up to timeout_s), polling every 10 ms.
            deadline = time.monotonic() + float(command.get("timeout_s", 10.0))
            while True:
                connected = [self.client.get_all_connections(f"system:playback_{i + 1}")
                             for i in range(command["n"])]
                missing = [i + 1 for i, c in enumerate(connected) if not c]
                if not missing:
                    break
                if time.monotonic() > deadline:
                    return {"error": f"nothing is connected to system:playback_{missing[0]}"}
                time.sleep(0.01)
            sources = [c[-1].name for c in connected]
            for port, source in zip(self.inputs, sources):
                self.client.connect(source, port)
            return {"sources": sources}
        if cmd == "follow":
            self.follow = (command["prefix"], int(command["input"]))
            return {"ok": True}
        if cmd == "start":
            self.recording = True
            return {"ok": True}
        if cmd in ("stop", "status"):
            complete = True
            if cmd == "stop":
                # Record through the cycle running now and two more, however late this process
                # is scheduled: what was played before "stop" was asked for is in the recording.
                target = self.client.frame_time + 2 * self.client.blocksize
                deadline = time.monotonic() + float(command.get("timeout_s", 30.0))
                while self.next_frame < target and self.position < self.data.shape[0]:
                    if time.monotonic() > deadline:
                        complete = False
                        break
                    time.sleep(0.005)
                self.recording = False
                time.sleep(self.client.blocksize / self.client.samplerate)  # let a running cycle end
                self.data.flush()
            return {"position": self.position, "first_frame": self.first_frame, "gaps": self.gaps,
                    "xruns": self.xruns, "complete": complete}
        if cmd == "clock":
            best, pair = float("inf"), (0.0, 0)
            for _ in range(int(command.get("samples", 7))):
                before = time.monotonic()  # CLOCK_MONOTONIC: the same clock in every process
                frame = self.client.frame_time
                after = time.monotonic()
                if after - before < best:
                    best, pair = after - before, ((before + after) / 2, frame)
            return {"t0": pair[0], "f0": pair[1]}
        return {"error": f"unknown command {cmd!r}"}

    def close(self) -> None:
        self.client.deactivate()
        self.client.close()


def main(argv: list[str]) -> int:
    server, n_inputs, max_frames, data_path, name = argv
    recorder = ChildRecorder(server, int(n_inputs), int(max_frames), data_path, name)
    print(json.dumps({"ready": True, "sample_rate_hz": recorder.client.samplerate,
                      "blocksize": recorder.client.blocksize}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "close":
            break
        try:
            reply = recorder.handle(command)
        except Exception as exc:  # report to the parent, keep serving
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)
    recorder.close()
    print(json.dumps({"closed": True}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
