"""A take-home package carries what the study asks for: its adaptive blocks (in the protocol)
and its screening settings; the home session runs the blocks and is completed only after them;
the bundle returns every block and trial, and the lab's import stores them (a later bundle adds
what is new; an older bundle without blocks still imports)."""
import json
import zipfile

import pytest
from sqlmodel import Session as DbSession, select

from db.engine import open_database
from db.models import AdaptiveBlock, AdaptiveTrial, Session
from tasks.adaptive.simulated import run_simulated_blocks
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study
from tasks.takehome.adaptive_data import package_screening
from tasks.takehome.importing import import_results
from tasks.takehome.packages import make_package, open_package, start_session, write_results_bundle
from tasks.takehome.schema import ShapeError, check_adaptive
from tests.tasks.takehome.test_bundle_trust import reseal
from tests.tasks.takehome.test_takehome import run_at_home

PROTOCOL = Protocol(variants=["pc"], items_per_group=1, practice_per_block=0, seed=4,
                    adaptive_dimensions=["pitch", "loudness"], adaptive_procedure="2down1up", adaptive_max_trials=5)
OBSERVER = Observer("psychometric", adaptive_thresholds={"pitch": 20.0, "loudness": 2.0})


@pytest.fixture
def adaptive_lab(tmp_path, dataset_dir):
    db = open_database(tmp_path / "lab.sqlite3")
    ds = load_dataset(dataset_dir)
    open_study(db, ds, "adaptive-home", PROTOCOL)
    return db, ds


def home_session(tmp_path, package, blocks_trials: int | None = None):
    """The home app: open the package, answer every planned trial, then the adaptive blocks
    (``blocks_trials``: stop after that many adaptive trials); returns (db, session id, opened)."""
    home = open_database(tmp_path / "home.sqlite3")
    opened = open_package(package, tmp_path / "home-data")
    session = start_session(home, opened, "test")
    runner = SessionRunner(home, session.id)
    runner.begin()
    while (t := runner.next_trial()) is not None:
        runner.answer(t, t.answer_letter, rt_ms=700.0)
    with DbSession(home) as s:
        assert s.get(Session, session.id).status == "running"  # the blocks are still to come at home
    run_simulated_blocks(home, PROTOCOL, OBSERVER, "H001", session.id, stop_after=blocks_trials)
    return home, session.id, opened


def lab_blocks(db):
    with DbSession(db) as s:
        blocks = s.exec(select(AdaptiveBlock).order_by(AdaptiveBlock.block_index)).all()
        trials = s.exec(select(AdaptiveTrial)).all()
        return ([(b.dimension, b.status, b.n_trials, b.threshold) for b in blocks],
                sorted((t.block_id, t.trial_index, t.level_played, t.is_correct) for t in trials))


def test_a_package_with_adaptive_blocks_carries_runs_and_returns_them(tmp_path, adaptive_lab):
    db, ds = adaptive_lab
    pkg = make_package(db, ds, "adaptive-home", "H001", tmp_path / "pkg.zip", "test",
                       screening={"localization": True})
    info = open_package(pkg, tmp_path / "peek").info
    assert json.loads(info["study"]["protocol_json"])["adaptive_dimensions"] == ["pitch", "loudness"]
    assert package_screening(info) == {"localization": True}
    # a first bundle written part-way through the second block, then the finished one
    home, sid, opened = home_session(tmp_path, pkg, blocks_trials=7)
    partial = write_results_bundle(home, sid, opened, tmp_path / "out1", "test")
    assert json.loads(zipfile.ZipFile(partial).read("results.json"))["session"]["status"] == "running"
    assert import_results(db, partial).status == "imported"
    blocks, trials = lab_blocks(db)
    assert [(d, st, n) for d, st, n, _ in blocks] == [("pitch", "completed", 5), ("loudness", "running", 2)]
    assert len(trials) == 7
    run_simulated_blocks(home, PROTOCOL, OBSERVER, "H001", sid)
    with DbSession(home) as s:
        assert s.get(Session, sid).status == "completed"
    final = write_results_bundle(home, sid, opened, tmp_path / "out2", "test")
    assert import_results(db, final).status == "updated"
    blocks, trials = lab_blocks(db)
    assert [(d, st, n) for d, st, n, _ in blocks] == [("pitch", "completed", 5), ("loudness", "completed", 5)]
    assert len(trials) == 10
    with DbSession(home) as s:  # the lab holds what the home session stored, trial for trial
        home_trials = sorted((t.trial_index, t.level_played, t.is_correct) for t in s.exec(select(AdaptiveTrial)))
        home_thresholds = [b.threshold for b in s.exec(select(AdaptiveBlock).order_by(AdaptiveBlock.block_index))]
    assert sorted((i, lv, ok) for _b, i, lv, ok in trials) == home_trials
    assert [th for *_, th in blocks] == home_thresholds
    with DbSession(db) as s:
        assert s.exec(select(Session)).one().status == "completed"
    assert import_results(db, final).status == "already imported"


def test_an_older_package_and_bundle_without_adaptive_data_still_work(tmp_path, lab):
    db, ds = lab
    pkg = make_package(db, ds, "home-study", "H001", tmp_path / "pkg.zip", "test")
    assert package_screening(open_package(pkg, tmp_path / "peek").info) == {"localization": False}
    bundle = run_at_home(tmp_path, pkg)
    older = reseal(bundle, pkg, tmp_path / "older.zip", lambda results: results.pop("adaptive"))  # an older app's
    assert import_results(db, older).status == "imported"
    with DbSession(db) as s:
        assert s.exec(select(AdaptiveBlock)).all() == []


def test_adaptive_data_of_the_wrong_shape_is_named():
    with pytest.raises(ShapeError, match=r"adaptive\[0\]\.trials: trial_index must run"):
        check_adaptive([{"block_index": 0, "dimension": "pitch", "unit": "cents", "procedure": "2down1up",
                         "settings_json": "{}", "trials": [{"trial_index": 1, "level_asked": 1.0, "level_played": 1.0,
                                                            "stimulus_json": "{}", "options_json": "[]",
                                                            "answer_letter": "<A>", "is_correct": True,
                                                            "state_json": "{}"}]}], "results.json.adaptive")
    with pytest.raises(ShapeError, match="must be a list"):
        check_adaptive({}, "results.json.adaptive")
