import os

import pytest
from hypothesis import settings

from tests.audio.jack_harness import JackServer, JackUnavailable, attach_portaudio, jackd_available, start_jackd

from tests.factories import write_dataset

# The property and fuzz tests draw their examples from a fixed seed by default, so that the suite
# gives the same verdict on every run (CI, and "ten times in a row"). To explore new examples,
# run with HYPOTHESIS_PROFILE=explore; a failure found there becomes a fixed test case.
settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture
def dataset_dir(tmp_path):
    """A small valid STAR-Bench folder: 10 pc, 5 tr and 6 sr items with short WAVs."""
    return write_dataset(tmp_path / "starbench")


# The shared private JACK server for tests that play audio: one dummy-driver server (4 channels,
# 48 kHz, 1024-frame periods) for the whole session; tests that kill a server start their own.
# Without jackd these tests skip with the reason (CI installs jackd2, so there they run).
@pytest.fixture(scope="session")
def jack_server() -> JackServer:
    if not jackd_available():
        pytest.skip("jackd is not installed: apt-get install --no-install-recommends jackd2 to run the JACK tests")
    try:
        server = start_jackd("starlab-test", channels=4)
    except JackUnavailable as exc:
        # jackd is installed, so this is a broken environment, not a missing optional part
        pytest.fail(f"could not start a private JACK server: {exc}")
    sounddevice = attach_portaudio(server.name)
    try:
        yield server
    finally:
        sounddevice._terminate()  # before jackd goes, or PortAudio aborts the process at exit
        server.stop()
