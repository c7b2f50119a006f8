"""Hostile meta files: each is a named problem (file, item, field), never a traceback, and
dataset text never reaches the terminal with its control characters raw."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.dataset.loader import format_report, load_dataset
from tests.support.factories import pc_items, sr_items, write_dataset

ROOT = Path(__file__).resolve().parents[2]
SR_FILE = "meta_info/holistic_reasoning_spatial.json"


def cli(*args):
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], capture_output=True, cwd=ROOT)
    out, err = r.stdout.decode("utf-8"), r.stderr.decode("utf-8")
    assert "Traceback" not in err, err
    return r.returncode, out, err


def dataset_with_sr_text(tmp_path, text: str) -> Path:
    root = write_dataset(tmp_path / "ds")
    (root / SR_FILE).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("text, expected", [
    ("[" * 200_000, "nested too deeply"),
    ('[{"id": ' + "9" * 5001 + "}]", "cannot be read"),
])
@pytest.mark.subprocess
def test_unreadable_json_is_a_named_problem_of_its_file(tmp_path, text, expected):
    root = dataset_with_sr_text(tmp_path, text)
    ds = load_dataset(root)
    (problem,) = [p for p in ds.problems if p.file == SR_FILE]
    assert expected in problem.message
    assert ds.items["pc"]  # the other files still load
    code, out, _ = cli("validate", root)
    assert code == 1 and SR_FILE in out and expected in out


@pytest.mark.subprocess
def test_id_with_a_lone_surrogate_is_set_aside_and_printable(tmp_path):
    items = sr_items()
    items[0]["id"] = "sr_\ud800"
    items[1]["options"][0] = "le\udfffft"
    root = dataset_with_sr_text(tmp_path, json.dumps(items))  # JSON escapes: "\\ud800"
    ds = load_dataset(root)
    reasons = [str(p) for s in ds.set_aside for p in s.reasons]
    assert any("'id'" in r and "surrogate" in r for r in reasons)
    assert any("'options'" in r and "surrogate" in r for r in reasons)
    report = format_report(ds)
    report.encode("utf-8")  # printable: no lone surrogate left
    code, out, _ = cli("validate", root)
    assert code == 1 and "\\ud800" in out


@pytest.mark.subprocess
@pytest.mark.parametrize("n_options", [27, 30])
def test_more_than_26_options_is_a_problem_not_a_crash(tmp_path, n_options):
    items = pc_items()
    items[0]["options"] = [f"option {i}" for i in range(n_options)]
    items[0]["answer"] = "option 28" if n_options > 28 else "option 26"
    root = write_dataset(tmp_path / "ds", pc=items)
    ds = load_dataset(root, check_audio=False)
    (aside,) = [s for s in ds.set_aside if s.item_id == "pc_1"]
    assert aside.reasons[0].field == "options" and "at most 26" in aside.reasons[0].message
    code, out, _ = cli("validate", root, "--no-audio")
    assert code == 1 and "No problems" not in out and "at most 26" in out
    code, _, err = cli("runs", root, "--alias", "pc", "--id", "pc_1")
    assert code == 1 and "at most 26" in err
    code, out, err = cli("simulate", "--dataset", root, "--participants", "1", "--db", tmp_path / "sim.sqlite3",
                         "--variants", "pc", "--items-per-group", "1")
    assert code == 0, err


@pytest.mark.subprocess
@pytest.mark.parametrize("evil", ["sr_\x1b[31mRED\x1b[0m", "sr_line1\nFAKE: No problems.", "sr_\r\x07", "sr_\u202eevil"])
def test_control_characters_in_dataset_text_are_escaped_when_printed(tmp_path, evil):
    items = sr_items()
    items[0]["id"] = evil
    items[1]["category"] = "Cat\x1b[2J\ngory"
    items[2]["question"] = "Where?\x1b]0;title\x07"
    root = write_dataset(tmp_path / "ds", sr=items)
    code, out, _ = cli("validate", root)
    assert code == 1  # an id with control characters is a problem
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out and "\u202e" not in out
    assert "FAKE: No problems." not in out.splitlines()
    assert "\\x1b" in out
    code, out, _ = cli("runs", root, "--alias", "sr", "--id", "sr_3")
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "\\x1b]0;title\\x07" in out


@pytest.mark.parametrize("entry_change", [
    lambda e: e.update(id=["a", "list"]),
    lambda e: e.update(id=True),
    lambda e: e.update(options={"a": 1}),
    lambda e: e.update(audio_paths="not a list"),
    lambda e: e.update(audio_paths=[None]),
    lambda e: e.update(answer=5),
    lambda e: e.update(question=None),
    lambda e: e.update(extra_field=[[[[[["deep"]]]]]]),
])
def test_wrong_types_are_named_problems(tmp_path, entry_change):
    items = sr_items()
    entry_change(items[0])
    root = write_dataset(tmp_path / "ds", sr=items, write_audio=False)
    write_dataset(tmp_path / "ds", sr=sr_items())
    (root / SR_FILE).write_text(json.dumps(items))
    ds = load_dataset(root)
    report = format_report(ds)
    if "extra_field" in items[0]:
        assert "No problems." in report
    else:
        assert [s.index for s in ds.set_aside] == [0] and f"{SR_FILE}, " in report
