import json
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.dataset.loader import NotADatasetError, format_report, load_dataset
from tests.support.factories import ORDERS, pc_items, sr_items, tr_items, write_dataset, write_wav

ROOT = Path(__file__).resolve().parents[3]
PC_FILE = "meta_info/foundation_perception.json"
TR_FILE = "meta_info/holistic_reasoning_temporal.json"
SR_FILE = "meta_info/holistic_reasoning_spatial.json"


def only_problem(ds, **expect):
    matches = [p for p in ds.problems if all(getattr(p, k) == v for k, v in expect.items())]
    assert len(matches) == 1, f"expected one problem {expect}, got {[str(p) for p in ds.problems]}"
    return matches[0]


def test_valid_dataset_loads_without_problems(dataset_dir):
    ds = load_dataset(dataset_dir)
    assert ds.problems == []
    assert {a: len(v) for a, v in ds.items.items()} == {"pc": 10, "tr": 5, "sr": 6}
    assert ds.audio_formats() == {(16000, 1): 4 + 6 * 2 + 5 * 4, (16000, 2): 6}
    item = ds.item("pc", "pc_1")
    assert item.audio_files[0] == dataset_dir / "starbench_audios/pc/1.wav"
    assert item.sub_category == "range_azimuth"
    assert "No problems." in format_report(ds)


def test_malformed_json_reports_line_and_column(tmp_path):
    root = write_dataset(tmp_path / "d")
    (root / SR_FILE).write_text('[\n  {"id": "x",\n   "task": oops}\n]', encoding="utf-8")
    ds = load_dataset(root)
    p = only_problem(ds, file=SR_FILE)
    assert "malformed JSON at line 3, column 12" in str(p)
    assert ds.items["pc"] and ds.items["tr"], "other files still load"
    assert "sr" not in ds.items


def test_missing_and_mistyped_fields_all_reported_in_one_pass(tmp_path):
    items = sr_items()
    del items[0]["question"]
    items[1]["options"] = "left or right"
    items[2]["category"] = 7
    items.append("not an object")
    root = write_dataset(tmp_path / "d", sr=items)
    ds = load_dataset(root)
    assert "missing" in str(only_problem(ds, file=SR_FILE, item_id="sr_1", field="question"))
    assert "list of strings" in str(only_problem(ds, file=SR_FILE, item_id="sr_2", field="options"))
    assert "must be a string, found int" in str(only_problem(ds, file=SR_FILE, item_id="sr_3", field="category"))
    assert "must be a JSON object" in str(only_problem(ds, file=SR_FILE, index=6))
    assert len(ds.items["sr"]) == 3
    assert sorted(s.index for s in ds.set_aside) == [0, 1, 2, 6]
    msg = str(only_problem(ds, item_id="sr_1"))
    assert msg.startswith(f"{SR_FILE}, item 'sr_1', index 0, field 'question'")


def test_duplicate_id_within_a_file(tmp_path):
    items = pc_items()
    items[3]["id"] = items[0]["id"]
    root = write_dataset(tmp_path / "d", pc=items)
    ds = load_dataset(root)
    p = only_problem(ds, file=PC_FILE, item_id="pc_1", field="id")
    assert p.index == 3 and "first at index 0" in p.message
    assert [i.index for i in ds.items["pc"] if i.id == "pc_1"] == [0]


def test_same_id_in_different_files_is_fine(tmp_path):
    sr = sr_items()
    sr[0]["id"] = "pc_1"
    ds = load_dataset(write_dataset(tmp_path / "d", sr=sr))
    assert ds.problems == []


def test_answer_not_among_options_and_duplicate_options(tmp_path):
    items = pc_items()
    items[0]["answer"] = "no such option"
    items[1]["options"] = ["a", "b", "a"]
    items[1]["answer"] = "a"
    ds = load_dataset(write_dataset(tmp_path / "d", pc=items))
    assert "not among the options" in str(only_problem(ds, item_id="pc_1", field="answer"))
    assert "duplicate options: 'a'" in str(only_problem(ds, item_id="pc_2", field="options"))


def test_temporal_id_clip_count_and_derived_answer(tmp_path):
    items = tr_items()
    items[0]["id"] = "demo_XYZ_1"          # unknown SUB
    items[1]["id"] = "demo_ISSE_one"       # n not a number
    items[2]["audio_paths"] = items[2]["audio_paths"][:2]
    items[3]["options"] = ORDERS[:2]       # derived answers missing
    ds = load_dataset(write_dataset(tmp_path / "d", tr=items))
    assert "SUB one of OSM, ISSE, TAO, DSS, ETC" in str(only_problem(ds, item_id="demo_XYZ_1", field="id"))
    assert "whole number" in str(only_problem(ds, item_id="demo_ISSE_one", field="id"))
    assert "exactly 3 clips, found 2" in str(only_problem(ds, item_id="demo_TAO_1", field="audio_paths"))
    p = only_problem(ds, item_id="demo_DSS_1", field="options")
    assert "derived answer" in p.message and "not among the options" in p.message
    assert [i.id for i in ds.items["tr"]] == ["demo_ETC_1"]


def test_temporal_without_answer_is_valid_and_with_missing_caption_is_not(tmp_path):
    items = tr_items()
    assert all("answer" not in i for i in items)
    del items[0]["global_caption"]
    ds = load_dataset(write_dataset(tmp_path / "d", tr=items))
    only_problem(ds, item_id="demo_OSM_1", field="global_caption")


def test_missing_unreadable_and_empty_audio(tmp_path):
    root = write_dataset(tmp_path / "d")
    (root / "starbench_audios/sr/1.wav").unlink()
    (root / "starbench_audios/sr/2.wav").write_bytes(b"RIFF....not really a wav")
    write_wav(root / "starbench_audios/sr/3.wav", channels=2, duration_s=0.0)
    (root / "starbench_audios/tr/demo_OSM_1/whole.wav").unlink()
    ds = load_dataset(root)
    assert "missing audio file starbench_audios/sr/1.wav" in str(only_problem(ds, item_id="sr_1", field="audio_paths"))
    assert "unreadable audio file starbench_audios/sr/2.wav" in str(only_problem(ds, item_id="sr_2", field="audio_paths"))
    assert "empty audio file starbench_audios/sr/3.wav" in str(only_problem(ds, item_id="sr_3", field="audio_paths"))
    only_problem(ds, item_id="demo_OSM_1", field="uncut_audio_path")
    assert len(ds.items["sr"]) == 3


def test_path_escaping_the_root_is_a_problem(tmp_path):
    items = sr_items()
    items[0]["audio_paths"] = ["../outside.wav"]
    ds = load_dataset(write_dataset(tmp_path / "d", sr=items, write_audio=False), check_audio=False)
    assert "relative to the dataset root" in str(only_problem(ds, item_id="sr_1", field="audio_paths"))


def test_not_a_dataset(tmp_path):
    with pytest.raises(NotADatasetError):
        load_dataset(tmp_path)
    with pytest.raises(NotADatasetError):
        load_dataset(tmp_path / "nope")


def test_missing_standard_file_is_a_problem_and_kit_file_name_accepted(tmp_path):
    root = write_dataset(tmp_path / "d")
    (root / TR_FILE).unlink()
    (root / PC_FILE).rename(root / "meta_info/foundation_perception_total.json")
    ds = load_dataset(root)
    only_problem(ds, file=TR_FILE)
    assert len(ds.items["pc"]) == 10
    assert any("foundation_perception_total.json" in n for n in ds.notes)


def test_optional_split_files_are_loaded(tmp_path):
    root = write_dataset(tmp_path / "d")
    items = pc_items(per_sub=1)[:2]
    (root / "meta_info/foundation_perception_spatial.json").write_text(json.dumps(items))
    ds = load_dataset(root)
    assert [i.id for i in ds.items["pc_sp"]] == ["pc_1", "pc_2"]
    assert ds.items["pc_sp"][0].family == "pc"


def test_progress_is_reported(dataset_dir):
    seen = []
    load_dataset(dataset_dir, progress=lambda done, total, label: seen.append((done, total)))
    assert seen[-1] == (21, 21)


def run_cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.subprocess
def test_cli_validate_exit_codes(tmp_path):
    good = write_dataset(tmp_path / "good")
    r = run_cli("validate", str(good))
    assert r.returncode == 0, r.stderr
    assert "[pc] meta_info/foundation_perception.json: 10 valid items, 0 set aside" in r.stdout
    assert "range_azimuth: 2" in r.stdout and "16000 Hz, 2 channels: 6 files" in r.stdout

    items = sr_items()
    items[0]["answer"] = "up"
    bad = write_dataset(tmp_path / "bad", sr=items)
    r = run_cli("validate", str(bad))
    assert r.returncode == 1
    assert f"{SR_FILE}, item 'sr_1', index 0, field 'answer'" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr

    r = run_cli("validate", str(tmp_path / "nothing"))
    assert r.returncode == 2 and "is not a folder" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.subprocess
def test_cli_runs_and_help(dataset_dir):
    r = run_cli("runs", str(dataset_dir), "--alias", "tr", "--id", "demo_DSS_1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("demo_DSS_1@") == 3
    assert "shuffled_seg_order" in r.stdout and "<- answer" in r.stdout
    r = run_cli("runs", str(dataset_dir), "--alias", "pc", "--id", "nope")
    assert r.returncode == 1 and "no valid pc item" in r.stderr
    r = run_cli("--help")
    assert r.returncode == 0 and "validate" in r.stdout and "runs" in r.stdout
