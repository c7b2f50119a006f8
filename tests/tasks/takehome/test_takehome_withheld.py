"""Take-home bundles carry withheld trials and the pause columns; a bundle of the first format
(without them) still imports."""
import json
import zipfile

import pytest
from sqlmodel import Session as DbSession, select

from db import repo
from db.engine import open_database
from db.models import PlannedTrial, Response, Session
from tasks.study.runner import SessionRunner
from tasks.takehome.importing import import_results
from tasks.takehome.packages import make_package, open_package, start_session, write_results_bundle
from tasks.takehome.files import integrity_code, sha256_bytes

REASON = "over the safety ceiling: 99.0 dB SPL"


def run_at_home(tmp_path, package, withhold_at: int) -> tuple:
    home_db = open_database(tmp_path / "home.sqlite3")
    opened = open_package(package, tmp_path / "home-data")
    session = start_session(home_db, opened, "test")
    runner = SessionRunner(home_db, session.id)
    runner.begin()
    k = 0
    while (t := runner.next_trial()) is not None:
        if k == withhold_at:
            runner.withhold(t, REASON)
        else:
            runner.answer(t, t.answer_letter, rt_ms=900.0, paused_ms=2500.0 if k == 1 else 0.0,
                          rt_interrupted=k == 1)
        k += 1
    return write_results_bundle(home_db, session.id, opened, tmp_path / "home-out", "test"), opened


def reseal(bundle, dst, key_hex: str, change) -> None:
    """The bundle with results.json changed and its manifest sealed again under the key."""
    with zipfile.ZipFile(bundle) as z:
        results = json.loads(z.read("results.json"))
        manifest = json.loads(z.read("manifest.json"))
    change(results)
    data = json.dumps(results).encode()
    digests = {"results.json": sha256_bytes(data)}
    meta = {"package_id": manifest["package_id"], "app_version": manifest["app_version"]}
    manifest.update(files=digests, hmac_sha256=integrity_code(key_hex, digests, meta))
    with zipfile.ZipFile(dst, "w") as z:
        z.writestr("results.json", data)
        z.writestr("manifest.json", json.dumps(manifest))


def imported(db):
    with DbSession(db) as s:
        session = s.exec(select(Session).where(Session.take_home)).one()
        trials = repo.planned_trials(s, session.id)
        answers = {r.planned_trial_id: r for r in repo.responses(s, session.id)}
    return session, trials, answers


def test_withheld_trial_and_pause_columns_travel_in_the_bundle(tmp_path, lab):
    db, ds = lab
    pkg = make_package(db, ds, "home-study", "H001", tmp_path / "pkg.zip", "test")
    assert all("withheld_reason" not in t for t in json.loads(zipfile.ZipFile(pkg).read("package.json"))["plan"])
    bundle, _ = run_at_home(tmp_path, pkg, withhold_at=2)
    result = import_results(db, bundle)
    assert result.status == "imported"
    session, trials, answers = imported(db)
    held = [t for t in trials if t.withheld_reason is not None]
    assert [(t.position, t.withheld_reason) for t in held] == [(2, REASON)]
    assert held[0].id not in answers
    assert len(answers) == len(trials) - 1
    by_position = {t.position: answers.get(t.id) for t in trials}
    assert (by_position[1].paused_ms, by_position[1].rt_interrupted) == (2500.0, True)
    assert (by_position[0].paused_ms, by_position[0].rt_interrupted) == (0.0, False)


def test_a_bundle_of_the_first_format_still_imports(tmp_path, lab):
    db, ds = lab
    pkg = make_package(db, ds, "home-study", "H002", tmp_path / "pkg.zip", "test")
    bundle, opened = run_at_home(tmp_path, pkg, withhold_at=-1)

    def first_format(results):
        results["format"] = 1
        for t in results["trials"]:
            del t["withheld_reason"]
            if t["response"] is not None:
                del t["response"]["paused_ms"], t["response"]["rt_interrupted"]

    old = tmp_path / "old-format.zip"
    reseal(bundle, old, opened.info["key_hex"], first_format)
    assert import_results(db, old).status == "imported"
    session, trials, answers = imported(db)
    assert len(answers) == len(trials) and all(t.withheld_reason is None for t in trials)
    assert all(r.paused_ms == 0.0 and r.rt_interrupted is False for r in answers.values())


def test_a_withheld_trial_with_a_response_is_refused_by_name(tmp_path, lab):
    from tasks.takehome.files import BundleError

    db, ds = lab
    pkg = make_package(db, ds, "home-study", "H003", tmp_path / "pkg.zip", "test")
    bundle, opened = run_at_home(tmp_path, pkg, withhold_at=-1)
    bad = tmp_path / "bad.zip"
    reseal(bundle, bad, opened.info["key_hex"], lambda r: r["trials"][0].update(withheld_reason="made up"))
    with pytest.raises(BundleError, match=r"trials\[0\]: a withheld trial cannot have a response"):
        import_results(db, bad)
    with DbSession(db) as s:
        assert s.exec(select(Response)).all() == [] and s.exec(select(PlannedTrial)).all() == []
