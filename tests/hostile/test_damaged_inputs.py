"""Databases and files that are damaged, of the wrong kind, or not files at all: each command
prints one line on stderr, exits 1, writes nothing and leaves the database as it was."""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import main
from db.engine import open_database
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate
from tasks.study.plan import Protocol

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lab_file(tmp_path_factory):
    from tests.support.factories import write_dataset

    base = tmp_path_factory.mktemp("lab")
    ds = write_dataset(base / "starbench")
    db = base / "lab.sqlite3"
    engine = open_database(db)
    simulate(engine, load_dataset(ds), Protocol(practice_per_block=0, seed=2), 3, Observer("perfect"), "test",
             study_name="s")
    engine.dispose()
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return db, ds


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def commands(db: Path, out: Path, ds: Path) -> dict[str, list[str]]:
    return {
        "export": ["export", "--db", str(db), "--out", str(out)],
        "compare": ["compare", "--db", str(db), "--out", str(out)],
        "report": ["report", "--db", str(db), "--study", "s", "--out", str(out), "--bootstrap", "10"],
        "simulate": ["simulate", "--db", str(db), "--dataset", str(ds), "--participants", "1", "--study", "z"],
    }


def one_line_refusal(argv: list[str], capsys, text: str) -> str:
    code = main.main(argv)
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert text in err, err
    return err


def damaged(src: Path, dest: Path) -> Path:
    shutil.copy(src, dest)
    size = dest.stat().st_size
    with open(dest, "r+b") as f:  # garbage over the second half of the pages
        f.seek(size // 2)
        f.write(b"\xff" * (size - size // 2))
    return dest


@pytest.mark.parametrize("command", ["export", "compare", "report", "simulate"])
def test_a_damaged_database_is_refused_before_anything_is_read_or_written(lab_file, tmp_path, command, capsys):
    src, ds = lab_file
    db = damaged(src, tmp_path / "bad.sqlite3")
    before = digest(db)
    out = tmp_path / "out"
    one_line_refusal(commands(db, out, ds)[command], capsys, "is damaged")
    assert not out.exists()
    assert digest(db) == before


@pytest.mark.parametrize("url, text", [("mysql://u:secret@localhost/lab", "not supported"),
                                       ("foo://somewhere/lab", "not a database this app can open")])
def test_a_url_of_an_unknown_kind_is_one_line(tmp_path, capsys, url, text):
    err = one_line_refusal(["export", "--db", url, "--out", str(tmp_path / "o")], capsys, text)
    assert "secret" not in err
    assert not (tmp_path / "o").exists()


def rebuilt_schema_info(db: Path, value) -> None:
    con = sqlite3.connect(db)
    con.execute("DROP TABLE schema_info")
    con.execute("CREATE TABLE schema_info (id INTEGER PRIMARY KEY, version)")  # no NOT NULL: a hand-made file
    con.execute("INSERT INTO schema_info VALUES (1, ?)", (value,))
    con.commit()
    con.close()


@pytest.mark.parametrize("value", [None, "abc", 2.5])
def test_a_schema_version_that_is_not_a_number_is_refused(lab_file, tmp_path, capsys, value):
    db = tmp_path / "v.sqlite3"
    shutil.copy(lab_file[0], db)
    rebuilt_schema_info(db, value)
    before = digest(db)
    one_line_refusal(["export", "--db", str(db), "--out", str(tmp_path / "o")], capsys, "not a version number")
    assert digest(db) == before and not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["export", "compare", "report"])
@pytest.mark.parametrize("change, text", [("DROP TABLE response", "the table response is missing"),
                                          ("ALTER TABLE response DROP COLUMN rt_ms", "lacks the column(s) rt_ms")])
def test_a_dropped_table_or_column_is_named_and_nothing_is_written(lab_file, tmp_path, capsys, command, change, text):
    db = tmp_path / "d.sqlite3"
    shutil.copy(lab_file[0], db)
    con = sqlite3.connect(db)
    con.execute(change)
    con.commit()
    con.close()
    before = digest(db)
    out = tmp_path / "out"
    one_line_refusal(commands(db, out, lab_file[1])[command], capsys, text)
    assert not out.exists() and digest(db) == before


def test_an_empty_file_is_not_a_database_to_read(tmp_path, capsys):
    db = tmp_path / "empty.sqlite3"
    db.touch()
    for command in ("export", "compare"):
        one_line_refusal(["export" if command == "export" else "compare", "--db", str(db), "--out",
                          str(tmp_path / "o")], capsys, "empty file (0 bytes), not a database")
        assert db.stat().st_size == 0 and not (tmp_path / "o").exists()


def test_performance_json_that_is_dev_zero_is_named_not_read(lab_file, tmp_path, capsys):
    models = tmp_path / "models"
    (models / "m" / "pc").mkdir(parents=True)
    os.symlink("/dev/zero", models / "m" / "pc" / "performance.json")
    code = main.main(["compare", "--db", str(lab_file[0]), "--models", str(models), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 0 and "Traceback" not in err and "MemoryError" not in err
    assert "m/pc/performance.json: not a regular file" in err


def test_item_params_that_is_dev_zero_is_one_line(lab_file, tmp_path, capsys):
    argv = commands(lab_file[0], tmp_path / "o", lab_file[1])["report"] + ["--item-params", "/dev/zero"]
    one_line_refusal(argv, capsys, "/dev/zero: not a regular file")
    assert not (tmp_path / "o").exists()


@pytest.mark.subprocess
def test_a_fifo_results_file_is_not_opened(lab_file, tmp_path):
    """In a real process, so that a wait on the FIFO would show as a timeout, not hang pytest."""
    models = tmp_path / "models"
    (models / "m" / "pc").mkdir(parents=True)
    os.mkfifo(models / "m" / "pc" / "infer_results.jsonl")
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "compare", "--db", str(lab_file[0]), "--models",
                           str(models), "--out", str(tmp_path / "o")], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "m/pc/infer_results.jsonl: not a regular file" in done.stderr


def test_reading_refuses_non_regular_files_and_bounds_the_bytes(tmp_path):
    from tasks.dataset.paths import NotRegularFileError, read_regular_file

    os.mkfifo(tmp_path / "fifo")
    for path in (tmp_path / "fifo", Path("/dev/zero"), tmp_path):
        with pytest.raises(NotRegularFileError, match="not a regular file"):
            read_regular_file(path, 100)
    (tmp_path / "big").write_bytes(b"x" * 101)
    with pytest.raises(NotRegularFileError, match="more than the 100"):
        read_regular_file(tmp_path / "big", 100)
    assert read_regular_file(tmp_path / "big", 101) == b"x" * 101
