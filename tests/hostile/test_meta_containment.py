"""Meta files obey the dataset boundary as audio files do: a meta_info/*.json (or meta_info/
itself) that is a symbolic link leading outside the dataset root is a named problem, it is not
read, and none of its items are loaded or shown."""
import json
import os

import main
from tasks.dataset.loader import dataset_fingerprint, load_dataset
from tests.support.factories import pc_items, write_dataset

PC_FILE = "meta_info/foundation_perception.json"


def outside_meta(tmp_path):
    root = write_dataset(tmp_path / "ds")
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps(pc_items()), encoding="utf-8")
    (root / PC_FILE).unlink()
    os.symlink(elsewhere, root / PC_FILE)
    return root


def test_a_meta_file_linked_outside_is_a_problem_and_not_loaded(tmp_path):
    root = outside_meta(tmp_path)
    ds = load_dataset(root, check_audio=False)
    assert ds.items.get("pc", []) == []
    assert "pc" not in ds.meta_files
    [problem] = [p for p in ds.problems if p.file == PC_FILE]
    assert "leads outside the dataset root" in problem.message
    assert ds.items["tr"] and ds.items["sr"]  # the files inside are read as before


def test_validate_names_it_and_fails(tmp_path, capsys):
    root = outside_meta(tmp_path)
    assert main.main(["validate", "--no-audio", str(root)]) == 1
    out = capsys.readouterr().out
    assert "No problems" not in out
    assert f"{PC_FILE}: meta file not read" in out and "leads outside the dataset root" in out


def test_runs_does_not_serve_items_from_outside(tmp_path, capsys):
    root = outside_meta(tmp_path)
    item_id = pc_items()[0]["id"]
    assert main.main(["runs", "--alias", "pc", "--id", item_id, str(root)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "leads outside the dataset root" in captured.err and "Traceback" not in captured.err


def test_a_meta_info_folder_linked_outside_is_refused(tmp_path, capsys):
    root = write_dataset(tmp_path / "ds")
    os.rename(root / "meta_info", tmp_path / "meta_elsewhere")
    os.symlink(tmp_path / "meta_elsewhere", root / "meta_info")
    ds = load_dataset(root, check_audio=False)
    assert all(not items for items in ds.items.values())
    assert {p.file for p in ds.problems} >= {PC_FILE}
    assert all("leads outside the dataset root" in p.message for p in ds.problems)
    assert main.main(["validate", "--no-audio", str(root)]) == 1
    assert "No problems" not in capsys.readouterr().out


def test_a_link_inside_the_root_is_still_read(tmp_path):
    root = write_dataset(tmp_path / "ds")
    os.rename(root / PC_FILE, root / "pc_real.json")
    os.symlink(root / "pc_real.json", root / PC_FILE)
    ds = load_dataset(root, check_audio=False)
    assert len(ds.items["pc"]) == len(pc_items()) and not ds.problems


def test_the_fingerprint_does_not_read_outside(tmp_path):
    root = outside_meta(tmp_path)
    before = dataset_fingerprint(root)
    (tmp_path / "elsewhere.json").write_text("[]", encoding="utf-8")
    assert dataset_fingerprint(root) == before


def test_a_meta_file_that_is_a_device_is_not_read(tmp_path):
    root = write_dataset(tmp_path / "ds")
    (root / PC_FILE).unlink()
    os.mkfifo(root / PC_FILE)  # a FIFO inside the root: never opened (it would wait for a writer)
    ds = load_dataset(root, check_audio=False)
    assert ds.items.get("pc", []) == []
