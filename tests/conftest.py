import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.support.jack_harness import JackServer, JackUnavailable, attach_portaudio, jackd_available, start_jackd

from tests.support.pg_harness import PostgresUnavailable, postgres_available, start_postgres
from tests.support.factories import write_dataset

# The property and fuzz tests draw their examples from a fixed seed by default, so that the suite
# gives the same verdict on every run (CI, and "ten times in a row"). To explore new examples,
# run with HYPOTHESIS_PROFILE=explore; a failure found there becomes a fixed test case.
settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


# What a test needs, as markers (registered in pyproject.toml), so that `-m` selects tiers:
# `make test-fast` runs `-m "not (jack or pg or build or subprocess or slow)"`. The markers a
# test's fixtures or folder imply are added here at collection, so a new test gets them without
# remembering; a test that starts child processes itself, or runs long, is marked by hand
# (`subprocess`, `slow`), since only running it would tell.
JACK_FIXTURES = {"jack_server"}
PG_FIXTURES = {"pg_server", "own_pg_server", "pg_url"}
TESTS = Path(__file__).resolve().parent


def implied_markers(item) -> set[str]:
    """The markers that ``item``'s fixtures (also those used through other fixtures) and its
    folder imply."""
    fixtures = set(getattr(item, "fixturenames", ()))
    params = getattr(getattr(item, "callspec", None), "params", {})
    path = Path(item.path).resolve()
    folder = path.relative_to(TESTS).parts[0] if path.is_relative_to(TESTS) else ""
    implied = set()
    if fixtures & JACK_FIXTURES:
        implied.add("jack")
    if fixtures & PG_FIXTURES or params.get("lab_db") == "postgresql":  # lab_db asks for pg_url at run time
        implied.add("pg")
    if "qtbot" in fixtures or folder == "gui":
        implied.add("gui")
    if folder == "packaging":
        implied.add("build")
    return implied


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        present = {m.name for m in item.iter_markers()}
        for name in sorted(implied_markers(item) - present):
            item.add_marker(name)


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


# The shared private PostgreSQL server for the lab-server tests (tests/support/pg_harness.py): one for
# the whole run, each test in a database of its own. Without the server binaries these tests skip
# with the reason (CI installs the postgresql package, so there they run).
def _private_postgres():
    """Start a private server (skip without the binaries), hand it out, stop it afterwards."""
    if not postgres_available():
        pytest.skip("PostgreSQL server binaries are not installed: apt-get install postgresql to run the "
                    "lab-server tests")
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        pytest.fail(f"could not start a private PostgreSQL server: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_server():
    yield from _private_postgres()


@pytest.fixture
def own_pg_server():
    """A private PostgreSQL server for one test, which may stop and start it (network failures)."""
    yield from _private_postgres()


@pytest.fixture
def pg_url(pg_server):
    """A new empty database on the shared server (a plain postgresql:// URL), dropped afterwards."""
    import uuid

    name = f"t_{uuid.uuid4().hex[:12]}"
    yield pg_server.create_database(name)
    pg_server.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def lab_db(request, tmp_path):
    """Where a database test keeps its data, once per backend: a SQLite file path, or the URL of
    a new database on the private PostgreSQL server."""
    if request.param == "sqlite":
        return tmp_path / "lab.sqlite3"
    return request.getfixturevalue("pg_url")
