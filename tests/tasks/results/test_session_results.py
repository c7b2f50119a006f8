"""Each session's scored runs kept between computations of the leaderboard
(tasks/results/session_results.py): the same inputs as reading every session, with only the
sessions whose answers changed read again."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from db.engine import open_database
from tasks.results.compare import build_rows
from tasks.results.compare_input import collect_human_inputs
from tasks.results.session_results import SessionResults
from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate
from tests.tasks.analysis.cohorts import robust, small_dataset


@pytest.fixture
def lab(tmp_path):
    db = open_database(tmp_path / "lab.sqlite3")
    ds = small_dataset(tmp_path / "ds")
    simulate(db, ds, robust(seed=3), 2, Observer("psychometric"), "test", study_name="lab")
    yield db, ds
    db.dispose()


def store_of(db, cache_dir) -> SessionResults:
    return SessionResults.open(cache_dir, db.url.render_as_string())


def leaderboard(inputs):
    return [(r.name, r.values, r.ci, r.n) for r in build_rows(inputs, [])]


def same_inputs(a, b) -> None:
    assert a.studies.keys() == b.studies.keys() and a.any_trials == b.any_trials
    for name in a.studies:
        x, y = a.studies[name], b.studies[name]
        assert (x.participant_codes, x.participant_runs, x.participant_rows) == \
               (y.participant_codes, y.participant_runs, y.participant_rows)
        assert x.pooled == y.pooled  # the same runs in the same order
    assert a.chance == b.chance
    assert leaderboard(a) == leaderboard(b)


def sessions_with_answers(db) -> int:
    with db.connect() as conn:
        return conn.execute(text("SELECT COUNT(DISTINCT session_id) FROM response")).scalar()


def test_only_changed_sessions_are_read_again(lab, tmp_path):
    db, ds = lab
    cache_dir = tmp_path / "cache"
    fresh = collect_human_inputs(db)

    store = store_of(db, cache_dir)
    first = collect_human_inputs(db, None, store)
    assert store.read_from_database == sessions_with_answers(db) == 2
    same_inputs(first, fresh)

    store = store_of(db, cache_dir)
    again = collect_human_inputs(db, None, store)
    assert store.read_from_database == 0
    same_inputs(again, fresh)

    # a new participant: only the new session is read
    simulate(db, ds, robust(seed=3), 3, Observer("random"), "test", study_name="lab")
    store = store_of(db, cache_dir)
    after = collect_human_inputs(db, None, store)
    assert store.read_from_database == 1
    same_inputs(after, collect_human_inputs(db))
    assert len(after.studies["lab"].participant_codes) == 3


@pytest.mark.parametrize("edit", [
    # a response removed by hand (its trial is unanswered again)
    "DELETE FROM response WHERE id = (SELECT MAX(r.id) FROM response r JOIN planned_trial t "
    "ON t.id = r.planned_trial_id WHERE t.session_id = 1 AND t.kind = 'test')",
    # an answer's correctness edited by hand
    "UPDATE response SET is_correct = NOT is_correct WHERE id = (SELECT MIN(r.id) FROM response r "
    "JOIN planned_trial t ON t.id = r.planned_trial_id WHERE t.session_id = 2 AND t.kind = 'test')",
])
def test_an_edited_session_is_read_again(lab, tmp_path, edit):
    db, _ds = lab
    cache_dir = tmp_path / "cache"
    collect_human_inputs(db, None, store_of(db, cache_dir))
    before = leaderboard(collect_human_inputs(db))
    with db.begin() as conn:
        conn.execute(text(edit))
    store = store_of(db, cache_dir)
    after = collect_human_inputs(db, None, store)
    assert store.read_from_database == 1
    same_inputs(after, collect_human_inputs(db))
    assert leaderboard(after) != before


def test_a_damaged_or_unwritable_store_reads_everything(lab, tmp_path):
    db, _ds = lab
    cache_dir = tmp_path / "cache"
    collect_human_inputs(db, None, store_of(db, cache_dir))
    (kept,) = (cache_dir / "sessions").glob("*.pickle")
    kept.write_bytes(b"not a pickle")
    store = store_of(db, cache_dir)
    same_inputs(collect_human_inputs(db, None, store), collect_human_inputs(db))
    assert store.read_from_database == 2
    assert store_of(db, cache_dir).sessions.keys() == {1, 2}  # written again whole

    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    store = store_of(db, blocked)
    same_inputs(collect_human_inputs(db, None, store), collect_human_inputs(db))
    assert not (blocked / "sessions").exists()


def test_a_session_no_longer_in_the_database_is_not_kept(lab, tmp_path):
    db, _ds = lab
    cache_dir = tmp_path / "cache"
    collect_human_inputs(db, None, store_of(db, cache_dir))
    with db.begin() as conn:
        conn.execute(text("DELETE FROM response WHERE session_id = 2"))
    collect_human_inputs(db, None, store_of(db, cache_dir))
    assert store_of(db, cache_dir).sessions.keys() == {1}


def test_another_database_at_the_same_address_is_not_taken_for_the_kept_one(lab, tmp_path):
    """A new database file where the old one was can have a session of the same id whose
    answers have the same count, ids and number correct but other items: it is read again."""
    db, _ds = lab
    cache_dir = tmp_path / "cache"
    collect_human_inputs(db, None, store_of(db, cache_dir))
    with db.begin() as conn:  # session 1 as another database holds it: another plan, the same answers' shape
        conn.execute(text("UPDATE planned_trial SET category = 'elsewhere', sub_category = 'elsewhere' "
                          "WHERE session_id = 1"))
        conn.execute(text("UPDATE session SET plan_seed = plan_seed + 1, created_at = '2031-01-01 00:00:00' "
                          "WHERE id = 1"))
    store = store_of(db, cache_dir)
    after = collect_human_inputs(db, None, store)
    assert store.read_from_database == 1
    same_inputs(after, collect_human_inputs(db))
    assert {r.category for r in after.studies["lab"].pooled} >= {"elsewhere"}


def test_a_participant_row_over_several_sessions_follows_each_of_them(lab, tmp_path):
    """A participant with two sessions: their kept row is taken again only while neither
    session changed; an answer edited in the earlier one gives the row of a fresh read."""
    db, _ds = lab
    cache_dir = tmp_path / "cache"
    with db.begin() as conn:  # session 2 becomes the second session of session 1's participant
        conn.execute(text("UPDATE session SET participant_id = (SELECT participant_id FROM session WHERE id = 1) "
                          "WHERE id = 2"))
    store = store_of(db, cache_dir)
    first = collect_human_inputs(db, None, store)
    same_inputs(first, collect_human_inputs(db))
    assert len(first.studies["lab"].participant_rows) == 1 and len(store.rows) == 1
    with db.begin() as conn:
        conn.execute(text("UPDATE response SET is_correct = NOT is_correct WHERE id = (SELECT MIN(r.id) "
                          "FROM response r JOIN planned_trial t ON t.id = r.planned_trial_id "
                          "WHERE t.session_id = 1 AND t.kind = 'test')"))
    store = store_of(db, cache_dir)
    after = collect_human_inputs(db, None, store)
    assert store.read_from_database == 1
    same_inputs(after, collect_human_inputs(db))
    assert after.studies["lab"].participant_rows != first.studies["lab"].participant_rows
