"""make-package adds a participant the database does not know: it says so, one line per code,
and says nothing of a participant who was there already. `python main.py` in a child process on
the lab's real SQLite file."""
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session as DbSession

from db import repo
from db.models import Participant

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.subprocess
def test_make_package_names_each_participant_it_adds(tmp_path, lab):
    db, _ds = lab
    with DbSession(db) as s:
        repo.add_participant(s, Participant(code="P001"))
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "make-package", "--db", str(tmp_path / "lab.sqlite3"),
                        "--study", "home-study", "--participant", "P001", "H010", "H011", "--out", str(tmp_path / "pk")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    added = [line for line in r.stdout.splitlines() if "was not in the database" in line]
    assert added == ["participant H010 was not in the database: added (consent is given at home)",
                     "participant H011 was not in the database: added (consent is given at home)"]
    assert sum(line.startswith("package for ") for line in r.stdout.splitlines()) == 3
    with DbSession(db) as s:
        assert all(repo.get_participant(s, c) is not None for c in ("P001", "H010", "H011"))
    # run again for the same people: none is new now, nothing is said of them
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "make-package", "--db", str(tmp_path / "lab.sqlite3"),
                        "--study", "home-study", "--participant", "H010", "--out", str(tmp_path / "pk2")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "was not in the database" not in r.stdout
