"""Databases the commands must not trust: a mistyped path, another program's SQLite file,
hand-edited JSON columns. Each gives one clear line and a non-zero exit, never a traceback,
and nothing is created or changed."""
import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import main
from db.engine import DatabaseFileError, open_database
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol
from tasks.simulation.simulate import simulate

ROOT = Path(__file__).resolve().parents[2]


def read_only_commands(db: Path, tmp_path: Path) -> dict[str, list[str]]:
    bundle = tmp_path / "results.zip"
    bundle.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    return {
        "export": ["export", "--db", str(db), "--out", str(tmp_path / "exp")],
        "compare": ["compare", "--db", str(db), "--out", str(tmp_path / "cmp")],
        "make-package": ["make-package", "--db", str(db), "--study", "s", "--participant", "P1", "--out",
                         str(tmp_path / "pkg")],
        "import-results": ["import-results", str(bundle), "--db", str(db)],
    }


@pytest.mark.parametrize("command", ["export", "compare", "make-package", "import-results"])
def test_reading_commands_refuse_a_missing_database_and_create_nothing(tmp_path, command, capsys):
    db = tmp_path / "typo" / "lab.sqlite3"
    argv = read_only_commands(db, tmp_path)[command]
    before = sorted(tmp_path.rglob("*"))
    code = main.main(argv)
    err = capsys.readouterr().err
    assert code != 0
    assert f"no database at {db}" in err and "nothing was created" in err
    assert "Traceback" not in err
    assert not db.parent.exists()
    assert sorted(tmp_path.rglob("*")) == before


def test_simulate_still_creates_its_database(tmp_path, dataset_dir):
    db = tmp_path / "new" / "lab.sqlite3"
    assert main.main(["simulate", "--dataset", str(dataset_dir), "--participants", "1", "--db", str(db)]) == 0
    assert db.is_file()
    assert main.main(["export", "--db", str(db), "--out", str(tmp_path / "out")]) == 0


def foreign_file(path: Path) -> str:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE people (name TEXT, email TEXT)")
    con.execute("INSERT INTO people VALUES ('Jane', 'jane@example.org')")
    con.commit()
    con.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("command", ["export", "simulate", "app-open"])
def test_a_foreign_sqlite_file_is_refused_untouched(tmp_path, dataset_dir, command, capsys):
    db = tmp_path / "theirs.sqlite3"
    digest = foreign_file(db)
    if command == "app-open":
        with pytest.raises(DatabaseFileError, match="another program .*people.*left untouched"):
            open_database(db)
    else:
        argv = (["export", "--db", str(db), "--out", str(tmp_path / "o")] if command == "export" else
                ["simulate", "--dataset", str(dataset_dir), "--participants", "1", "--db", str(db)])
        assert main.main(argv) != 0
        err = capsys.readouterr().err
        assert "SQLite database of another program" in err and "Traceback" not in err
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("theirs")) == ["theirs.sqlite3"]
    con = sqlite3.connect(db)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["people"]
    con.close()


def test_an_empty_file_is_still_a_new_database(tmp_path):
    db = tmp_path / "empty.sqlite3"
    db.touch()
    open_database(db)
    con = sqlite3.connect(db)
    assert con.execute("SELECT version FROM schema_info").fetchone()[0] >= 2
    con.close()


@pytest.fixture
def lab(tmp_path, dataset_dir):
    db = tmp_path / "lab.sqlite3"
    simulate(open_database(db), load_dataset(dataset_dir), Protocol(practice_per_block=0), 2, Observer("perfect"),
             "test", study_name="s")
    return db


def responses(db: Path) -> list:
    con = sqlite3.connect(db)
    rows = con.execute("SELECT * FROM response ORDER BY id").fetchall()
    con.close()
    return rows


@pytest.mark.parametrize("value", ['{"mode": "single-pass", ', "[]", "null", '{"mode": "forever"}'])
def test_hand_edited_protocol_json_is_a_clear_error(lab, tmp_path, value, capsys):
    kept = responses(lab)
    con = sqlite3.connect(lab)
    con.execute("UPDATE study SET protocol_json = ? WHERE name = 's'", (value,))
    con.commit()
    con.close()
    code = main.main(["export", "--db", str(lab), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err
    assert "study 's'" in err and "protocol_json cannot be read" in err
    assert responses(lab) == kept


@pytest.mark.parametrize("value", ['["left", "right"', "{}", "5", '["left", 3]', "[]"])
@pytest.mark.parametrize("command", ["export", "compare"])
def test_hand_edited_options_json_names_the_session_and_trial(lab, tmp_path, value, command, capsys):
    kept = responses(lab)
    con = sqlite3.connect(lab)
    trial_id, session_id, position, item_id = con.execute(
        "SELECT id, session_id, position, item_id FROM planned_trial WHERE kind = 'test' ORDER BY id LIMIT 1 OFFSET 3"
    ).fetchone()
    con.execute("UPDATE planned_trial SET options_json = ? WHERE id = ?", (value, trial_id))
    con.commit()
    con.close()
    code = main.main([command, "--db", str(lab), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err
    assert f"session {session_id}, trial at position {position} (item {item_id!r}" in err
    assert "options_json cannot be read" in err
    assert responses(lab) == kept


@pytest.mark.subprocess
def test_no_traceback_in_a_real_process(tmp_path):
    """The same refusal through the program itself (exit status and stderr of a child)."""
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "export", "--db", str(tmp_path / "nope.sqlite3"),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert done.stderr.startswith("error: no database at") and "Traceback" not in done.stderr
    assert not (tmp_path / "nope.sqlite3").exists()


def test_a_foreign_file_with_an_awkward_name_is_refused_too(tmp_path):
    db = tmp_path / "their #1 ?data%.sqlite3"
    digest = foreign_file(db)
    with pytest.raises(DatabaseFileError, match="another program"):
        open_database(db)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path, capsys):
    db = tmp_path / "notes.sqlite3"
    db.write_text("not a database at all " * 100)
    before = db.read_bytes()
    assert main.main(["export", "--db", str(db), "--out", str(tmp_path / "o")]) != 0
    err = capsys.readouterr().err
    assert "not a STAR Listening Lab database (not an SQLite file)" in err and "Traceback" not in err
    assert db.read_bytes() == before


def test_a_database_path_with_url_characters_is_that_file(tmp_path):
    db = tmp_path / "lab ?mode=memory#x.sqlite3"
    open_database(db).dispose()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [db.name]
    con = sqlite3.connect(db)
    assert con.execute("SELECT version FROM schema_info").fetchone()[0] >= 2
    con.close()
