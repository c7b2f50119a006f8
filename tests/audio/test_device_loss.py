"""A JACK server that disappears mid-trial: a clear error event, no crash, repeat the trial.

Runs on its own private server in a child process (tests/support/device_loss_child.py), so the shared
server survives and PortAudio's blocked clean-up cannot hang the test run."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.jack_harness import jackd_available

pytestmark = [pytest.mark.jack, pytest.mark.subprocess]  # the server dies in a child process


def test_server_killed_mid_trial_gives_error_event_and_repeat():
    if not jackd_available():
        pytest.skip("jackd is not installed: apt-get install --no-install-recommends jackd2")
    child = Path(__file__).resolve().parents[1] / "support" / "device_loss_child.py"
    done = subprocess.run([sys.executable, str(child)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "exception" not in result, result
    assert result["events"][0] == "PlaybackStarted" and result["events"][-1] == "DeviceError"
    assert "stopped playing" in result["error_message"] and "'system'" in result["error_message"]
    assert result["error_playback_id"] == result["playback_id"]
    assert result["repeat_needed"] and not result["completed"]
    assert 0 < result["frames_played"] < result["total_frames"]
    assert result["stream_abandoned"]
    assert result["play_after"].startswith("DeviceLostError")
