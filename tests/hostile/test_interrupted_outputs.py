"""Interrupted and failing writes of an output folder: an export killed with SIGKILL, a full disk,
a comparison or a report that fails half-way. Every output folder is whole or absent: the target
is the complete new output or exactly what it was before; only a hidden sibling
(.<name>.partial-<pid>-<random>) may hold a partial file, and the next run removes it."""
from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import main
from db.engine import open_database
from tasks.dataset.loader import load_dataset
from tasks.results.atomic_dir import remove_stale, staged_dir
from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate
from tasks.study.plan import Protocol
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]

# main.py in a child process, stopped for good once the export has written every file into its
# hidden sibling (before the rename), so that the test can kill it there with SIGKILL
STALLED_EXPORT = """
import pathlib, runpy, signal, sys
import tasks.results.export as export
written, ready = export.write_thresholds, pathlib.Path(sys.argv[1])
def stall(engine, out_dir, study_name=None):
    written(engine, out_dir, study_name)
    ready.write_text(str(out_dir))
    while True:
        signal.pause()
export.write_thresholds = stall
sys.argv = ["main.py"] + sys.argv[2:]
runpy.run_path("main.py", run_name="__main__")
"""


@pytest.fixture
def lab(tmp_path, dataset_dir) -> Path:
    db = tmp_path / "lab.sqlite3"
    engine = open_database(db)
    simulate(engine, load_dataset(dataset_dir), Protocol(mode="full-robust", practice_per_block=1), 3,
             Observer("random"), "test", study_name="S")
    engine.dispose()
    return db


def tree_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def siblings(folder: Path) -> list[Path]:
    return sorted(folder.parent.glob(f".{folder.name}.*"))


def kill_mid_export(lab: Path, out: Path, tmp_path: Path) -> Path:
    ready = tmp_path / "ready"
    child = subprocess.Popen([sys.executable, "-c", STALLED_EXPORT, str(ready), "export", "--db", str(lab),
                              "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: ready.exists() or child.poll() is not None, 120, what="the export's files written")
        assert child.poll() is None, child.stderr.read().decode()
        stage = Path(ready.read_text())
        assert stage.parent == out.parent and stage.name.startswith(f".{out.name}.partial-")
        assert (stage / "trials.csv").stat().st_size > 0 and len(list(stage.rglob("*.jsonl"))) > 0
        child.send_signal(signal.SIGKILL)
        child.wait(60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(60)
        child.stdout.close()
        child.stderr.close()
    return stage


@pytest.mark.subprocess
def test_an_export_killed_before_its_end_leaves_no_folder_and_the_next_run_completes(lab, tmp_path, capsys):
    out = tmp_path / "exports" / "E"
    stage = kill_mid_export(lab, out, tmp_path)
    assert not out.exists()
    # the partial trials.csv is only inside the hidden sibling
    assert [p for p in tmp_path.rglob("trials.csv")] == [stage / "trials.csv"]
    assert main.main(["export", "--db", str(lab), "--out", str(out)]) == 0
    assert siblings(out) == []
    assert (out / "trials.csv").is_file() and (out / "screening.csv").is_file()


@pytest.mark.subprocess
def test_an_export_killed_over_an_earlier_one_leaves_the_earlier_one_whole(lab, tmp_path):
    out = tmp_path / "E"
    assert main.main(["export", "--db", str(lab), "--out", str(out)]) == 0
    before = tree_hashes(out)
    kill_mid_export(lab, out, tmp_path)
    assert tree_hashes(out) == before and len(siblings(out)) == 1
    assert main.main(["export", "--db", str(lab), "--out", str(out)]) == 0
    assert siblings(out) == [] and set(tree_hashes(out)) == set(before)


def test_a_full_disk_exits_1_with_one_line_and_leaves_no_folder(lab, tmp_path, monkeypatch, capsys):
    import tasks.results.export as export

    def full(engine, out_dir, study_name=None):
        (Path(out_dir) / "thresholds.csv").write_text("study,")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(Path(out_dir) / "thresholds.csv"))

    monkeypatch.setattr(export, "write_thresholds", full)
    out = tmp_path / "E"
    assert main.main(["export", "--db", str(lab), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert f"cannot write the export to {out / 'thresholds.csv'}: No space left on device" in err[0]
    assert not out.exists() and siblings(out) == []


@pytest.mark.subprocess
def test_a_full_tmpfs_exits_1_and_leaves_no_folder(lab, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)],
                                           capture_output=True).returncode != 0:
        pytest.skip("no permission to mount a small tmpfs")
    try:
        out = small / "E"
        done = subprocess.run([sys.executable, "main.py", "export", "--db", str(lab), "--out", str(out)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 1, done.stdout + done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "No space left on device" in lines[0] and ".partial" not in lines[0]
        assert list(small.iterdir()) == []
    finally:
        subprocess.run(["umount", str(small)])


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_a_comparison_that_fails_half_way_leaves_no_file(lab, tmp_path, monkeypatch, failure):
    import tasks.results.compare as compare

    def broken(*args, **kwargs):
        raise failure

    monkeypatch.setattr(compare.csv, "writer", broken)  # after leaderboard.md, with leaderboard.csv open
    out = tmp_path / "C"
    if isinstance(failure, OSError):
        assert main.main(["compare", "--db", str(lab), "--out", str(out)]) == 1
    else:
        with pytest.raises(KeyboardInterrupt):
            main.main(["compare", "--db", str(lab), "--out", str(out)])
    assert not out.exists() and siblings(out) == []
    assert empty_files(tmp_path) == []


@pytest.mark.slow
def test_a_report_that_fails_half_way_leaves_no_file_and_keeps_the_earlier_one(lab, tmp_path, monkeypatch, capsys):
    import tasks.analysis.report as report

    out = tmp_path / "R"
    assert main.main(["report", "--db", str(lab), "--out", str(out), "--bootstrap", "20"]) == 0
    before = tree_hashes(out)

    def full(*args, **kwargs):  # the figures and tables written, report.html not yet
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(report, "render", full)
    capsys.readouterr()
    assert main.main(["report", "--db", str(lab), "--out", str(out), "--bootstrap", "20"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write the report to" in err[0] and "No space left" in err[0]
    assert tree_hashes(out) == before and siblings(out) == []
    assert empty_files(tmp_path) == []


def test_an_earlier_output_is_replaced_whole_and_a_folder_of_other_files_is_refused(lab, tmp_path, capsys):
    out = tmp_path / "out"
    with staged_dir(out, "leaderboard.md") as stage:
        (stage.path / "leaderboard.md").write_text("old")
        (stage.path / "only-old.csv").write_text("old")
    with staged_dir(out, "leaderboard.md") as stage:
        (stage.path / "leaderboard.md").write_text("new")
    assert tree_hashes(out) == tree_hashes_of({"leaderboard.md": "new"}, tmp_path / "expected")
    assert siblings(out) == []
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="holds other files and is not an earlier output"):
        with staged_dir(mine, "leaderboard.md") as stage:
            (stage.path / "leaderboard.md").write_text("new")
    assert [p.name for p in mine.iterdir()] == ["thesis.txt"] and siblings(mine) == []
    capsys.readouterr()
    assert main.main(["compare", "--db", str(lab), "--out", str(mine)]) == 1
    assert capsys.readouterr().err.strip() == (f"error: {mine}: holds other files and is not an earlier output (no "
                                               "leaderboard.md); choose a new or empty folder")
    assert [p.name for p in mine.iterdir()] == ["thesis.txt"]


def test_only_the_siblings_of_finished_processes_are_removed(tmp_path):
    out = tmp_path / "out"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".out.partial-{dead.stdout.strip()}-0000"
    live = tmp_path / f".out.partial-{os.getpid()}-0000"
    other = tmp_path / f".other.partial-{dead.stdout.strip()}-0000"
    for p in (stale, live, other):
        (p / "sub").mkdir(parents=True)
    assert remove_stale(out) == [stale]
    assert live.exists() and other.exists()


def tree_hashes_of(files: dict[str, str], folder: Path) -> dict[str, str]:
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return tree_hashes(folder)


def empty_files(folder: Path) -> list[Path]:
    """0-byte files, the database's own (its WAL) aside."""
    return [p for p in folder.rglob("*") if p.is_file() and p.stat().st_size == 0
            and not p.name.startswith("lab.sqlite3")]
