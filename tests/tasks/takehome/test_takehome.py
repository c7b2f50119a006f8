import csv
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlmodel import Session as DbSession, select

from db import repo
from db.engine import open_database
from db.models import Response, Session
from tasks.results.export import export
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study
from tasks.takehome.files import BundleError
from tasks.takehome.importing import import_results
from tasks.takehome.packages import make_package, open_package, start_session, write_results_bundle

ROOT = Path(__file__).resolve().parents[3]


def run_at_home(tmp_path, package: Path, answers: int | None = None, name="home") -> Path:
    """What the installed app does: open, run (answer everything right), write the bundle."""
    home_db = open_database(tmp_path / f"{name}.sqlite3")
    opened = open_package(package, tmp_path / f"{name}-data")
    session = start_session(home_db, opened, "test")
    runner = SessionRunner(home_db, session.id)
    runner.begin()
    n = 0
    while (t := runner.next_trial()) is not None and (answers is None or n < answers):
        runner.answer(t, t.answer_letter, rt_ms=700.0)
        n += 1
    return write_results_bundle(home_db, session.id, opened, tmp_path / f"{name}-out", "test")


def rewrite_zip(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as z:
        files = {n: z.read(n) for n in z.namelist()}
    change(files)
    with zipfile.ZipFile(dst, "w") as z:
        for n, b in files.items():
            z.writestr(n, b)
    return dst


def test_package_carries_the_lab_plan_and_only_the_needed_items(tmp_path, lab):
    db, ds = lab
    pkg = make_package(db, ds, "home-study", "H001", tmp_path / "pkg.zip", "test")
    opened = open_package(pkg, tmp_path / "unpacked")
    home_ds = load_dataset(opened.dataset_root)
    assert home_ds.problems == []
    plan = opened.info["plan"]
    assert {(t["variant"], t["item_id"]) for t in plan} == {(a, i.id) for a, items in home_ds.items.items() for i in items}
    assert sum(len(v) for v in home_ds.items.values()) < sum(len(v) for v in ds.items.values())
    assert "key_hex" in opened.info and opened.info["cohort_index"] == 0
    # a second participant gets the next counterbalancing index
    pkg2 = make_package(db, ds, "home-study", "H002", tmp_path / "pkg2.zip", "test")
    assert open_package(pkg2, tmp_path / "unpacked2").info["cohort_index"] == 1


def test_round_trip_import_twice_and_export_marks_take_home(tmp_path, lab):
    db, ds = lab
    pkg = make_package(db, ds, "home-study", "H001", tmp_path / "pkg.zip", "test")
    bundle = run_at_home(tmp_path, pkg)
    manifest = json.loads(zipfile.ZipFile(bundle).read("manifest.json"))
    assert manifest["app_version"] == "test" and set(manifest["files"]) == {"results.json"}
    first = import_results(db, bundle)
    assert first.status == "imported" and first.participant == "H001" and first.responses > 0
    again = import_results(db, bundle)
    assert again.status == "already imported"
    with DbSession(db) as s:
        sessions = s.exec(select(Session)).all()
        assert len(sessions) == 1 and sessions[0].take_home and sessions[0].status == "completed"
        assert sessions[0].level_procedure == "comfortable level (take-home)"
        assert len(s.exec(select(Response)).all()) == first.responses
    out = tmp_path / "export"
    export(db, out, "test")
    rows = list(csv.DictReader(open(out / "trials.csv")))
    assert rows and all(r["take_home"] == "True" for r in rows)
    rec = json.loads((out / "home-study/human-H001/sr/infer_results.jsonl").read_text().splitlines()[0])
    assert rec["take_home"] is True and rec["is_correct"] is True


def test_a_partial_bundle_then_the_finished_one_merge_without_duplicates(tmp_path, lab):
    db, ds = lab
    pkg = make_package(db, ds, "home-study", "H003", tmp_path / "pkg.zip", "test")
    partial = run_at_home(tmp_path, pkg, answers=4)
    assert import_results(db, partial).responses == 4
    finished = run_at_home(tmp_path, pkg)  # the same home database: the participant went on
    result = import_results(db, finished)
    assert result.status == "updated" and result.responses > 4
    assert import_results(db, partial).status == "already imported"
    assert import_results(db, finished).status == "already imported"
    with DbSession(db) as s:
        (session,) = s.exec(select(Session)).all()
        assert session.status == "completed"
        assert repo.count_answered(s, session.id) == result.responses == len(repo.planned_trials(s, session.id))


def test_tampered_truncated_and_foreign_bundles_are_refused(tmp_path, lab):
    db, ds = lab
    pkg = make_package(db, ds, "home-study", "H001", tmp_path / "pkg.zip", "test")
    bundle = run_at_home(tmp_path, pkg)

    def flip_answer(files):
        results = json.loads(files["results.json"])
        for t in results["trials"]:
            if t["response"]:
                t["response"]["is_correct"] = not t["response"]["is_correct"]
        files["results.json"] = json.dumps(results).encode()

    edited = rewrite_zip(bundle, tmp_path / "edited.zip", flip_answer)
    with pytest.raises(BundleError, match="results.json was changed"):
        import_results(db, edited)

    def flip_and_rehash(files):
        flip_answer(files)
        manifest = json.loads(files["manifest.json"])
        manifest["files"]["results.json"] = hashlib.sha256(files["results.json"]).hexdigest()
        files["manifest.json"] = json.dumps(manifest).encode()

    forged = rewrite_zip(bundle, tmp_path / "forged.zip", flip_and_rehash)
    with pytest.raises(BundleError, match="integrity code does not match"):
        import_results(db, forged)

    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(bundle.read_bytes()[: len(bundle.read_bytes()) // 2])
    with pytest.raises(BundleError, match="not a complete results bundle"):
        import_results(db, truncated)

    other_db = open_database(tmp_path / "other-lab.sqlite3")
    open_study(other_db, ds, "home-study", Protocol(items_per_group=1, practice_per_block=1, seed=4))
    foreign_pkg = make_package(other_db, ds, "home-study", "H001", tmp_path / "foreign.zip", "test")
    foreign = run_at_home(tmp_path, foreign_pkg, name="foreign")
    with pytest.raises(BundleError, match="never made"):
        import_results(db, foreign)

    with DbSession(db) as s:
        assert s.exec(select(Session)).all() == []  # nothing of the refused bundles went in
    assert import_results(db, bundle).status == "imported"


@pytest.mark.subprocess
def test_cli_import_results(tmp_path, lab):
    db, ds = lab
    pkg = make_package(db, ds, "home-study", "H001", tmp_path / "pkg.zip", "test")
    bundle = run_at_home(tmp_path, pkg)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really")
    cmd = [sys.executable, str(ROOT / "main.py"), "import-results", "--db", str(tmp_path / "lab.sqlite3")]
    r = subprocess.run(cmd + [str(bundle), str(bad)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 1, r.stderr
    assert "imported:" in r.stdout and "refused:" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run(cmd + [str(bundle)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and "already imported" in r.stdout


@pytest.mark.subprocess
def test_cli_make_package(tmp_path, lab):
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "make-package", "--db", str(tmp_path / "lab.sqlite3"),
                        "--study", "home-study", "--participant", "H010", "H011", "--out", str(tmp_path / "pk")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "pk").iterdir()) == [
        "star-lab-package-home-study-H010.zip", "star-lab-package-home-study-H011.zip"]
