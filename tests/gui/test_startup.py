"""Start-up: the first window needs PySide6 only; the database and the audio output open after
it, and the console says "audio: starting…" until the output is open or known absent."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from db.engine import open_database
from db.settings import Settings
from tests.support.factories import write_dataset

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "scipy", "sqlalchemy", "sqlmodel", "sounddevice", "soundfile", "db.engine", "audio.playback.engine",
         "tasks.dataset.loader", "gui.participant", "gui.console.study_page")


def test_the_first_window_imports_no_database_audio_or_numpy():
    code = ("import sys, main\n"
            "assert main.app_only_arguments(['--db', 'x.sqlite3']) is not None\n"
            "import gui.launch, gui.console.window\n"
            "from PySide6.QtWidgets import QApplication\n"
            "app = QApplication([])\n"
            "window = gui.console.window.ConsoleWindow()\n"
            "window.show()\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_full_parser_still_reads_commands():
    import main

    assert main.app_only_arguments(["validate", "somewhere"]) is None
    assert main.app_only_arguments(["--help"]) is None
    assert main.app_only_arguments(["--db"]) is None  # the full parser reports the missing value
    args = main.app_only_arguments(["--package", "p.zip", "--db", "lab.sqlite3"])
    assert (str(args.package), args.app_db) == ("p.zip", "lab.sqlite3")


def run_app(tmp_path, db_arg: str, env_extra: dict) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path / "data"), **env_extra)
    return subprocess.run([sys.executable, "-m", "tests.support.startup_child", "--db", db_arg], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def small_lab_db(tmp_path) -> Path:
    """A database whose console opens on a small dataset (not the generated built-in bank)."""
    path = tmp_path / "lab.sqlite3"
    Settings(open_database(path)).set("dataset_root", str(write_dataset(tmp_path / "ds")))
    return path


@pytest.mark.jack
def test_console_says_audio_starting_then_the_device(tmp_path, jack_server):
    done = run_app(tmp_path, str(small_lab_db(tmp_path)), {"JACK_DEFAULT_SERVER": jack_server.name})
    assert done.returncode == 0, done.stderr[-3000:]
    said = [line[len("AUDIO "):] for line in done.stdout.splitlines() if line.startswith("AUDIO ")]
    assert said[0] == "audio: starting…"
    assert said[-1] == "audio: system (JACK Audio Connection Kit), 48000 Hz"


def test_a_database_that_cannot_be_opened_is_reported_after_the_window(tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    done = run_app(tmp_path, str(folder), {})
    assert done.returncode == 1
    assert f"error: {folder} is a folder, not a database file" in done.stderr
    assert f"BOX startupError: {folder} is a folder, not a database file" in done.stdout
    assert "Traceback" not in done.stderr
