"""The honest trust model: a participant who reads the package can re-seal a bundle (the key is
in package.json). What the lab gets against that: the packaged plan is checked, every answer is
re-scored from its letter, and the plausibility of each participant is reported and stored."""
import hashlib
import hmac
import json
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import Session as DbSession, select

from db.models import AuditLog, Response
from tasks.takehome.files import BundleError
from tasks.takehome.importing import import_results
from tasks.takehome.packages import make_package
from tests.tasks.takehome.test_takehome import run_at_home

ROOT = Path(__file__).resolve().parents[3]
T0 = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)


def reseal(bundle: Path, package: Path, dst: Path, change) -> Path:
    """What a participant who read the package can do: edit results.json and seal it again with
    the key from package.json, exactly as the app would."""
    key_hex = json.loads(zipfile.ZipFile(package).read("package.json"))["key_hex"]
    with zipfile.ZipFile(bundle) as z:
        results = json.loads(z.read("results.json"))
        manifest = json.loads(z.read("manifest.json"))
    change(results)
    data = json.dumps(results).encode()
    manifest["files"] = {"results.json": hashlib.sha256(data).hexdigest()}
    meta = {"package_id": manifest["package_id"], "app_version": manifest["app_version"]}
    canonical = json.dumps({"files": manifest["files"], "meta": meta}, sort_keys=True, separators=(",", ":")).encode()
    manifest["hmac_sha256"] = hmac.new(bytes.fromhex(key_hex), canonical, hashlib.sha256).hexdigest()
    with zipfile.ZipFile(dst, "w") as z:
        z.writestr("results.json", data)
        z.writestr("manifest.json", json.dumps(manifest))
    return dst


def answered(results):
    return [t for t in results["trials"] if t["response"]]


def plausible_times(results, rt_ms=1500.0):
    results["session"]["started_at"] = T0.isoformat()
    results["session"]["ended_at"] = (T0 + timedelta(minutes=20)).isoformat()
    for t in answered(results):
        t["response"]["rt_ms"] = rt_ms


@pytest.fixture
def returned(tmp_path, lab):
    db, ds = lab
    pkg = make_package(db, ds, "home-study", "H001", tmp_path / "pkg.zip", "test")
    return db, pkg, run_at_home(tmp_path, pkg)


def test_an_honest_looking_bundle_has_no_flags_and_its_report_is_stored(tmp_path, returned):
    db, pkg, bundle = returned
    result = import_results(db, reseal(bundle, pkg, tmp_path / "b.zip", plausible_times))
    report = result.plausibility
    assert report.flags == () and report.answered > 0 and report.median_rt_ms == 1500.0
    assert report.before_sound_ended == 0 and report.min_sound_s > 0 and report.session_duration_s == 1200.0
    assert any("playback log" in n for n in report.not_checked)
    with DbSession(db) as s:
        (row,) = s.exec(select(AuditLog).where(AuditLog.event == "plausibility")).all()
        assert json.loads(row.detail)["answered"] == report.answered


def test_too_fast_answers_before_the_sound_ended_and_without_playback_are_flagged(tmp_path, returned):
    db, pkg, bundle = returned

    def cheat(results):
        plausible_times(results, rt_ms=20.0)  # the clips last 50 ms
        next(t for t in answered(results) if t["planned"]["kind"] != "practice")["response"]["rt_ms"] = None
        results["session"]["ended_at"] = (T0 + timedelta(seconds=0.2)).isoformat()

    report = import_results(db, reseal(bundle, pkg, tmp_path / "b.zip", cheat)).plausibility
    flags = " | ".join(report.flags)
    assert "median response time 20 ms is under 300 ms" in flags
    assert f"{report.answered - 1} answers came before the sound" in flags
    assert "1 of" in flags and "no recorded sound onset" in flags
    assert "the session lasted 0 s, less than" in flags


def test_is_correct_claims_are_rescored_from_the_chosen_letter(tmp_path, returned):
    db, pkg, bundle = returned

    def all_wrong_but_marked_correct(results):
        plausible_times(results)
        for t in answered(results):
            wrong = next(o for o in ("<A>", "<B>", "<C>") if o != t["planned"]["answer_letter"])
            t["response"]["chosen_letter"] = wrong
            t["response"]["is_correct"] = True

    result = import_results(db, reseal(bundle, pkg, tmp_path / "b.zip", all_wrong_but_marked_correct))
    assert f"{result.plausibility.answered} answers carried an is_correct" in " ".join(result.plausibility.flags)
    with DbSession(db) as s:
        assert not any(r.is_correct for r in s.exec(select(Response)).all())


def test_a_changed_plan_is_refused(tmp_path, returned):
    db, pkg, bundle = returned

    def make_chosen_correct(results):
        for t in answered(results):
            t["planned"]["answer_letter"] = "<A>"
            t["response"]["chosen_letter"] = "<A>"

    with pytest.raises(BundleError, match="plan differs from the plan packaged"):
        import_results(db, reseal(bundle, pkg, tmp_path / "b.zip", make_chosen_correct))
    with DbSession(db) as s:
        assert s.exec(select(Response)).all() == []


@pytest.mark.parametrize("change", [
    lambda r: r.update(trials=5), lambda r: r["trials"][0].update(response={"rt_ms": "fast"}),
    lambda r: r["trials"][0].update(planned=None), lambda r: r["session"].update(started_at="yesterday"),
    lambda r: r.update(audit=[{"event": 5}]), lambda r: r.update(exposure=[{"played_s": float("inf")}]),
    lambda r: r["trials"][0]["response"].update(chosen_letter="\ud800") if r["trials"][0]["response"] else None,
    lambda r: r.clear(),
    # a time without a UTC offset (the app always writes one); the database refuses naive times
    lambda r: r["audit"][0].update(at="2026-01-01T00:00:00"),
    lambda r: r["session"].update(started_at="2026-01-01T00:00:00"),
])
def test_resealed_results_of_the_wrong_shape_are_named_refusals(tmp_path, returned, change):
    db, pkg, bundle = returned
    with pytest.raises(BundleError, match=r"results\.json"):
        import_results(db, reseal(bundle, pkg, tmp_path / "b.zip", change))


@pytest.mark.subprocess
def test_cli_import_results_prints_the_trust_model_and_the_flags(tmp_path, returned):
    _, pkg, bundle = returned

    def fast(results):
        plausible_times(results, rt_ms=120.0)

    edited = reseal(bundle, pkg, tmp_path / "fast.zip", fast)
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "import-results", "--db", str(tmp_path / "lab.sqlite3"),
                        str(edited)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "not a participant who reads the package" in r.stdout
    assert "plausibility of H001" in r.stdout and "FLAG: median response time 120 ms" in r.stdout
    assert "not checked: per-trial playback log" in r.stdout


def test_a_package_made_without_a_plan_digest_is_imported_and_says_so(tmp_path, returned):
    db, pkg, bundle = returned
    with DbSession(db) as s:  # as a package written before the digest was recorded
        (row,) = s.exec(select(AuditLog).where(AuditLog.event == "package")).all()
        row.detail = row.detail.split("; plan sha256")[0]
        s.add(row)
        s.commit()
    report = import_results(db, reseal(bundle, pkg, tmp_path / "b.zip", plausible_times)).plausibility
    assert any("no digest of the packaged plan" in n for n in report.not_checked)


def test_importing_several_bundles_reads_each_study_dataset_once(tmp_path, returned, monkeypatch):
    import tasks.study.session_time as session_time

    db, pkg, bundle = returned
    loads = []
    real_load = session_time.StimulusDurations._dataset

    def counting(self, source):
        if source not in self._datasets:
            loads.append(source)
        return real_load(self, source)

    monkeypatch.setattr(session_time.StimulusDurations, "_dataset", counting)
    durations: dict = {}
    first = import_results(db, reseal(bundle, pkg, tmp_path / "b1.zip", plausible_times), durations)
    again = import_results(db, reseal(bundle, pkg, tmp_path / "b2.zip", plausible_times), durations)
    assert first.plausibility.min_sound_s > 0 and again.status == "already imported"
    assert len(durations) == 1 and loads and len(loads) == len(set(loads))  # each alias's meta file read once
