"""Take-home packages of a cover study on real SQLite files: the share is stored when the package
is made (its claims count while it is away), the bundle fills that same session, a package never
returned is released, a bundle returned after its release is kept and reported, and one
participant's packages never share an item."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session as DbSession, select

from db import repo
from db.engine import open_database
from db.models import Response, Session, TakeHomePackage
from tasks.cover.claims import unit_claims
from tasks.cover.counts import answered_counts
from tasks.cover.release import release_share
from tasks.cover.units import unit_key
from tasks.dataset.items import VARIANT_SOURCE
from tasks.dataset.loader import load_dataset
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.studies import StudyError, open_study
from tasks.takehome.importing import import_results
from tasks.takehome.packages import make_package, open_package
from tests.support.factories import write_dataset
from tests.tasks.takehome.test_takehome import run_at_home

MODE = Protocol().mode


@pytest.fixture
def cover_lab(tmp_path):
    """(engine, dataset, study): K = 1 and shares of about a third of the 21 units, so that the
    units one share holds are visibly kept from the next."""
    ds = load_dataset(write_dataset(tmp_path / "ds"))
    engine = open_database(tmp_path / "lab.sqlite3")
    study = open_study(engine, ds, "c", Protocol(design="cover", responses_per_run=1, practice_per_block=0,
                                                 session_minutes=6))
    return engine, ds, study


def package_session(engine, code: str) -> Session:
    """The participant's latest take-home session (its package's stored share)."""
    with DbSession(engine) as s:
        participant = repo.get_participant(s, code)
        return s.exec(select(Session).where(Session.participant_id == participant.id, Session.take_home)
                      .order_by(Session.id.desc())).first()


def share_units(engine, session_id: int) -> set:
    with DbSession(engine) as s:
        return {unit_key(MODE, t.variant, t.item_id, t.rotate_id) for t in repo.planned_trials(s, session_id)
                if t.kind == "test"}


def items_of(engine, session_id: int) -> set:
    with DbSession(engine) as s:
        return {(VARIANT_SOURCE[t.variant], t.item_id) for t in repo.planned_trials(s, session_id)}


def test_a_package_stores_its_share_at_once_and_the_next_enrolment_avoids_it(tmp_path, cover_lab):
    engine, ds, study = cover_lab
    package = make_package(engine, ds, "c", "H001", tmp_path / "pkg.zip", "test")
    away = package_session(engine, "H001")
    assert away.status == "planned" and away.take_home and away.level_procedure == "comfortable level (take-home)"
    units = share_units(engine, away.id)
    assert units
    info = open_package(package, tmp_path / "unpacked").info
    assert info["cohort_index"] == away.cohort_index
    assert {unit_key(MODE, t["variant"], t["item_id"], t["rotate_id"]) for t in info["plan"]
            if t["kind"] == "test"} == units  # the package carries the stored share
    with DbSession(engine) as s:
        claims = unit_claims(s, study.id, MODE)
    assert all(claims[u] == 1 for u in units)  # claimed while the package is away
    lab = start_or_resume(engine, ds, study, "L001", "test")
    assert lab.cohort_index == away.cohort_index + 1
    assert not share_units(engine, lab.id) & units  # K = 1: the next share avoids the package's units


def test_the_bundle_fills_the_same_session_and_coverage_counts_it(tmp_path, cover_lab):
    engine, ds, study = cover_lab
    package = make_package(engine, ds, "c", "H001", tmp_path / "pkg.zip", "test")
    away = package_session(engine, "H001")
    partial = run_at_home(tmp_path, package, answers=2)
    first = import_results(engine, partial)
    assert first.status == "imported" and first.responses == 2 and not first.after_release
    finished = run_at_home(tmp_path, package)  # the same home database: the participant went on
    assert import_results(engine, finished).status == "updated"
    assert import_results(engine, finished).status == "already imported"
    with DbSession(engine) as s:
        sessions = repo.sessions_of_study(s, study.id)
        assert [x.id for x in sessions] == [away.id]  # no second session: the stored share was filled
        session = sessions[0]
        assert session.status == "completed" and session.take_home
        assert repo.count_answered(s, session.id) == len(repo.planned_trials(s, session.id))
        counts = answered_counts(s, study.id, MODE)
        assert [e.event for e in repo.audit_log(s, session.id)].count("imported") == 2
    assert all(counts[u] == 1 for u in share_units(engine, away.id))


def test_a_lab_session_is_not_started_while_the_package_is_away(tmp_path, cover_lab):
    engine, ds, study = cover_lab
    make_package(engine, ds, "c", "H001", tmp_path / "pkg.zip", "test")
    with pytest.raises(StudyError, match="take-home package .* not yet returned"):
        start_or_resume(engine, ds, study, "H001", "test")


def test_release_of_an_unreturned_package_returns_its_share(tmp_path, cover_lab):
    engine, ds, study = cover_lab
    make_package(engine, ds, "c", "H001", tmp_path / "pkg.zip", "test")
    away = package_session(engine, "H001")
    units = share_units(engine, away.id)
    assert release_share(engine, away.id, by="AB") == len(units)
    with DbSession(engine) as s:
        claims = unit_claims(s, study.id, MODE)
    assert not any(claims[u] for u in units)
    # the share is back in the pool: later participants are given its units
    given: set = set()
    for n in range(3):
        given |= share_units(engine, start_or_resume(engine, ds, study, f"L00{n}", "test").id)
    assert units & given


def test_a_bundle_returned_after_its_release_is_kept_and_reported(tmp_path, cover_lab):
    engine, ds, study = cover_lab
    package = make_package(engine, ds, "c", "H001", tmp_path / "pkg.zip", "test")
    away = package_session(engine, "H001")
    units = share_units(engine, away.id)
    release_share(engine, away.id, by="AB")
    lab = start_or_resume(engine, ds, study, "L001", "test")  # given (some of) the released units
    overlap = share_units(engine, lab.id) & units
    assert overlap
    with DbSession(engine) as s:
        for t in repo.planned_trials(s, lab.id):
            s.add(Response(planned_trial_id=t.id, session_id=lab.id, chosen_letter=t.answer_letter, is_correct=True))
        s.commit()
    late = import_results(engine, run_at_home(tmp_path, package))
    assert late.status == "imported" and late.after_release and late.responses == len(units)
    assert late.units_past_k == len(overlap)
    with DbSession(engine) as s:
        session = s.get(Session, away.id)
        assert session.status == "released"  # stays released: nothing of it is live again
        assert repo.count_answered(s, away.id) == len(units)  # the answers are kept
        counts = answered_counts(s, study.id, MODE)
        log = repo.audit_log(s, away.id)
    assert all(counts[u] == 2 for u in overlap)  # they count: those units now have more than K
    late_entry = next(e for e in log if e.event == "late bundle")
    assert f"{len(units)} answers kept" in late_entry.detail and f"{len(overlap)} of its runs" in late_entry.detail


def test_two_packages_for_one_participant_never_contain_the_same_item(tmp_path, cover_lab):
    engine, ds, study = cover_lab
    first = make_package(engine, ds, "c", "H001", tmp_path / "one.zip", "test")
    one = package_session(engine, "H001")
    with pytest.raises(StudyError, match="already has a share .* under way"):
        make_package(engine, ds, "c", "H001", tmp_path / "two.zip", "test")
    assert not (tmp_path / "two.zip").exists()
    import_results(engine, run_at_home(tmp_path, first))  # back and completed: a new share may go out
    make_package(engine, ds, "c", "H001", tmp_path / "two.zip", "test")
    two = package_session(engine, "H001")
    assert two.id != one.id and two.status == "planned"
    assert not items_of(engine, one.id) & items_of(engine, two.id)
    release_share(engine, two.id, by="AB")  # released: the third still avoids both
    make_package(engine, ds, "c", "H001", tmp_path / "three.zip", "test")
    three = package_session(engine, "H001")
    assert not (items_of(engine, one.id) | items_of(engine, two.id)) & items_of(engine, three.id)


def test_a_package_that_cannot_be_written_gives_its_share_back(tmp_path, cover_lab):
    engine, ds, study = cover_lab
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(OSError):
        make_package(engine, ds, "c", "H001", tmp_path / "a-file" / "pkg.zip", "test")
    with DbSession(engine) as s:
        assert repo.sessions_of_study(s, study.id) == []
        assert s.exec(select(TakeHomePackage)).all() == []
        assert not unit_claims(s, study.id, MODE)


def test_a_bundle_that_does_not_fill_the_stored_share_is_refused(tmp_path, cover_lab):
    from db.models import PlannedTrial
    from tasks.takehome.files import BundleError

    engine, ds, study = cover_lab
    package = make_package(engine, ds, "c", "H001", tmp_path / "pkg.zip", "test")
    away = package_session(engine, "H001")
    bundle = run_at_home(tmp_path, package)
    with DbSession(engine) as s:  # the stored share changed since (edited by hand)
        row = s.exec(select(PlannedTrial).where(PlannedTrial.session_id == away.id)
                     .order_by(PlannedTrial.position)).first()
        row.rotate_id = row.rotate_id + 7
        s.add(row)
        s.commit()
    with pytest.raises(BundleError, match="does not fill the share stored for H001's package: trial at position"):
        import_results(engine, bundle)
    with DbSession(engine) as s:
        assert repo.count_answered(s, away.id) == 0 and s.get(Session, away.id).status == "planned"


@pytest.mark.subprocess
def test_cli_packages_of_a_cover_study_and_a_late_bundle(tmp_path, cover_lab):
    import subprocess
    import sys

    engine, ds, study = cover_lab
    root = Path(__file__).resolve().parents[3]
    main = [sys.executable, str(root / "main.py")]
    db = ["--db", str(tmp_path / "lab.sqlite3")]
    r = subprocess.run(main + ["make-package", *db, "--study", "c", "--participant", "H001", "H002", "--out",
                               str(tmp_path / "pk")], capture_output=True, text=True, cwd=root)
    assert r.returncode == 0, r.stderr
    one, two = package_session(engine, "H001"), package_session(engine, "H002")
    assert one.status == two.status == "planned" and not share_units(engine, one.id) & share_units(engine, two.id)
    r = subprocess.run(main + ["make-package", *db, "--study", "c", "--participant", "H001", "--out",
                               str(tmp_path / "again")], capture_output=True, text=True, cwd=root)
    assert r.returncode == 1 and "already has a share" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    release_share(engine, one.id, by="AB")
    bundle = run_at_home(tmp_path, tmp_path / "pk" / "star-lab-package-c-H001.zip")
    r = subprocess.run(main + ["import-results", *db, str(bundle)], capture_output=True, text=True, cwd=root)
    assert r.returncode == 0, r.stderr
    assert "imported:" in r.stdout and "returned after its share was released" in r.stdout
