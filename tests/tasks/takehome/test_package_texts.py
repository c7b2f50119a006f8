"""The lab's texts in a take-home package (information, consent, return instructions) and the
session-length estimate shown on the participant's welcome screen."""
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tasks.takehome.schema import ShapeError, check_package_texts
from tasks.study.session_time import ANSWER_ALLOWANCE_S, SETUP_ALLOWANCE_S, estimate_session
from tasks.study.studies import StudyError
from tasks.takehome.files import BundleError
from tasks.takehome.packages import make_package, open_package, read_package_text
from tests.tasks.takehome.test_takehome import rewrite_zip

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def practice_per_block() -> int:
    """The lab's study (tests/tasks/takehome/conftest.py) without practice trials."""
    return 0


@pytest.mark.subprocess
def test_cli_stores_the_texts_and_the_app_reads_them_back(tmp_path, lab):
    (tmp_path / "info.md").write_text("# About this study\n\nYou will hear **short sounds**.\n", encoding="utf-8")
    (tmp_path / "consent.txt").write_text("I agree that my answers are used for research.\n", encoding="utf-8")
    (tmp_path / "send.txt").write_text("E-mail the file to lab@example.org\n", encoding="utf-8")
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "make-package", "--db", str(tmp_path / "lab.sqlite3"),
                        "--study", "home-study", "--participant", "H020", "--out", str(tmp_path / "pk"),
                        "--information", str(tmp_path / "info.md"), "--consent", str(tmp_path / "consent.txt"),
                        "--return-instructions", str(tmp_path / "send.txt")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    opened = open_package(tmp_path / "pk" / "star-lab-package-home-study-H020.zip", tmp_path / "home")
    texts = opened.info["texts"]
    assert texts["information"] == {"format": "markdown", "text": (tmp_path / "info.md").read_text()}
    assert texts["consent"]["format"] == "plain" and texts["consent"]["text"].startswith("I agree")
    assert texts["return_instructions"]["text"] == "E-mail the file to lab@example.org\n"


@pytest.mark.subprocess
def test_cli_names_an_unreadable_text_file_and_writes_no_package(tmp_path, lab):
    bad = tmp_path / "consent.txt"
    bad.write_bytes(b"line one\nline \xff two\n")
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "make-package", "--db", str(tmp_path / "lab.sqlite3"),
                        "--study", "home-study", "--participant", "H021", "--out", str(tmp_path / "pk"),
                        "--consent", str(bad)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert f"{bad}:2: consent is not UTF-8 text" in r.stderr
    assert not (tmp_path / "pk").exists()


def test_read_package_text_refuses_empty_and_missing_files(tmp_path):
    (tmp_path / "empty.md").write_text("  \n", encoding="utf-8")
    with pytest.raises(StudyError, match="empty"):
        read_package_text(tmp_path / "empty.md", "study information")
    with pytest.raises(StudyError, match="cannot be read"):
        read_package_text(tmp_path / "nope.md", "study information")


@pytest.mark.parametrize("texts, message", [
    ({"welcome": {"format": "plain", "text": "x"}}, "package.json.texts.welcome: unknown text"),
    ({"consent": {"format": "html", "text": "x"}}, "package.json.texts.consent.format"),
    ({"consent": {"format": "plain", "text": 7}}, "package.json.texts.consent.text: must be text"),
    ({"consent": {"format": "plain", "text": " "}}, "package.json.texts.consent.text: must be 1 to"),
    ("consent", "package.json.texts: must be an object"),
])
def test_text_fields_of_the_wrong_shape_are_named(texts, message):
    with pytest.raises(ShapeError, match=message.replace(".", r"\.")):
        check_package_texts(texts)


def test_a_package_with_edited_texts_is_refused_with_the_field(tmp_path, lab):
    db, ds = lab
    texts = {"consent": {"format": "plain", "text": "I agree."}}
    pkg = make_package(db, ds, "home-study", "H022", tmp_path / "pkg.zip", "test", texts=texts)

    def edit(files):
        info = json.loads(files["package.json"])
        info["texts"]["consent"]["format"] = "rtf"
        files["package.json"] = json.dumps(info).encode()
        manifest = json.loads(files["manifest.json"])
        manifest["files"]["package.json"] = hashlib.sha256(files["package.json"]).hexdigest()
        files["manifest.json"] = json.dumps(manifest).encode()

    edited = rewrite_zip(pkg, tmp_path / "edited.zip", edit)
    with pytest.raises(BundleError, match=r"package\.json\.texts\.consent\.format"):
        open_package(edited, tmp_path / "home")


def test_estimate_counts_the_planned_sound_and_the_allowances(tmp_path, lab):
    db, ds = lab
    pkg = make_package(db, ds, "home-study", "H023", tmp_path / "pkg.zip", "test")
    opened = open_package(pkg, tmp_path / "home")
    plan = opened.info["plan"]
    est = estimate_session(plan, opened.dataset_root)
    assert est.trials == len(plan) > 0 and est.unmeasured_trials == 0
    assert est.sound_s > 0
    assert est.total_s == pytest.approx(SETUP_ALLOWANCE_S + est.sound_s + ANSWER_ALLOWANCE_S * len(plan))
    low, high = est.range_min
    assert low % 5 == 0 and high % 5 == 0 and low * 60 <= est.total_s <= high * 60
    # without the dataset the trials are counted as unmeasured, not dropped
    blind = estimate_session(plan, tmp_path / "missing")
    assert blind.unmeasured_trials == len(plan) and blind.total_s > SETUP_ALLOWANCE_S
    with zipfile.ZipFile(pkg) as z:
        assert "texts" not in json.loads(z.read("package.json"))
