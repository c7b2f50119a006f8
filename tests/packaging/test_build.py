"""The standalone program: built with PyInstaller, then run as a participant's machine would."""
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.subprocess]  # PyInstaller, then the built program


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    pytest.importorskip("PyInstaller", reason="pip install pyinstaller (the test extras include it)")
    dist = tmp_path_factory.mktemp("dist")
    work = tmp_path_factory.mktemp("build")
    subprocess.run([str(Path(os.sys.executable)), "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
                    "--distpath", str(dist), "--workpath", str(work), str(ROOT / "packaging" / "star-lab.spec")],
                   check=True, cwd=ROOT, capture_output=True, timeout=1200)
    exe = dist / "star-lab" / "star-lab"
    assert exe.is_file()
    return exe


def run(exe, *args, env=None, cwd=None):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JACK_DEFAULT"))}
    clean.update(env or {})
    clean["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=clean, cwd=cwd or exe.parent,
                          timeout=300)


def test_built_program_reports_its_version_and_passes_its_selftest(built, tmp_path):
    r = run(built, "--version", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("STAR Listening Lab ")
    r = run(built, "--selftest", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ok   bank, database and export" in r.stdout and "selftest passed" in r.stdout


@pytest.mark.jack
def test_built_program_plays_on_a_real_audio_server(built, tmp_path, jack_server):
    r = run(built, "--selftest", env={"JACK_DEFAULT_SERVER": jack_server.name}, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "played 0.2 s on system (JACK Audio Connection Kit)" in r.stdout


def test_built_program_validates_a_dataset(built, tmp_path, dataset_dir):
    r = run(built, "validate", str(dataset_dir), cwd=tmp_path)
    assert r.returncode == 0 and "No problems." in r.stdout


def test_built_program_runs_commands_whose_bodies_are_imported_by_name(built, tmp_path):
    r = run(built, "lab-grants", cwd=tmp_path)
    assert r.returncode == 0 and 'GRANT CONNECT ON DATABASE "starlab"' in r.stdout, r.stdout + r.stderr
    r = run(built, "lab-grants", "--station-role", 'x"; DROP TABLE canary; --', cwd=tmp_path)
    assert r.returncode == 1 and r.stderr.startswith("error: ") and "Traceback" not in r.stderr
