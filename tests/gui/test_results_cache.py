"""The Results page's leaderboard and figures kept until the database changes
(gui/console/results_cache.py): the same result again without reading the responses, and a
new one once a new answer is stored."""
from __future__ import annotations

import pickle

import pytest

from gui.console.results_cache import data_version
from gui.console.results_data import results_from_url, stored_leaderboard
from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate
from tests.tasks.analysis.cohorts import robust, small_dataset


def leaderboard(url, cache_dir, said, missed=None):
    return results_from_url(url, "lab", None, False, cache_dir, missed, progress=lambda *a: said.append(a[-1]),
                            should_cancel=lambda: False)


def human_row(data):
    return next(r for r in data.rows if r.kind == "human-mean")


def test_a_new_answer_invalidates_the_stored_leaderboard(ctx, tmp_path):
    ds = small_dataset(tmp_path / "ds")
    simulate(ctx.db, ds, robust(seed=3), 2, Observer("psychometric"), "test", study_name="lab")
    url = ctx.db.url.render_as_string(hide_password=False)
    cache_dir = tmp_path / "results-cache"
    said: list[str] = []
    first = leaderboard(url, cache_dir, said)
    assert len(list(cache_dir.glob("*.pickle"))) == 1 and "reading responses" in said

    said.clear()
    again = leaderboard(url, cache_dir, said)
    assert said == ["done (unchanged since last computed)"]  # nothing read again
    assert again.people == first.people and human_row(again).values == human_row(first).values

    # the window's own engine finds it too (no child process needed)
    kept, state = stored_leaderboard(ctx.db, "lab", None, False, cache_dir, progress=lambda *a: None,
                                     should_cancel=lambda: False)
    assert kept is not None and kept.people == first.people and state == repr(data_version(ctx.db))

    before = data_version(ctx.db)
    simulate(ctx.db, ds, robust(seed=3), 3, Observer("random"), "test", study_name="lab")  # SIM003 answers
    assert data_version(ctx.db) != before
    missing, state = stored_leaderboard(ctx.db, "lab", None, False, cache_dir, progress=lambda *a: None,
                                        should_cancel=lambda: False)
    assert missing is None and state == repr(data_version(ctx.db))
    said.clear()
    after = leaderboard(url, cache_dir, said, missed=state)  # as the page starts its child after a miss
    assert "reading responses" in said  # computed again
    kept, _state = stored_leaderboard(ctx.db, "lab", None, False, cache_dir, progress=lambda *a: None,
                                      should_cancel=lambda: False)
    assert kept is not None and kept.people == after.people  # stored under the state the page looked up
    assert after.answered_test > first.answered_test
    assert len(after.people) == len(first.people) + 1
    assert human_row(after).values != human_row(first).values
    assert len(list(cache_dir.glob("*.pickle"))) == 1  # replaced, not accumulated


def test_a_damaged_cache_file_is_computed_again(ctx, tmp_path):
    ds = small_dataset(tmp_path / "ds")
    simulate(ctx.db, ds, robust(seed=3), 2, Observer("psychometric"), "test", study_name="lab")
    url = ctx.db.url.render_as_string(hide_password=False)
    cache_dir = tmp_path / "results-cache"
    first = leaderboard(url, cache_dir, [])
    (stored,) = cache_dir.glob("*.pickle")
    stored.write_bytes(b"not a pickle")
    said: list[str] = []
    again = leaderboard(url, cache_dir, said)
    assert "reading responses" in said and again.people == first.people
    with open(stored, "rb") as f:
        assert pickle.load(f)[2].people == first.people  # written again whole


def test_after_a_new_answer_the_leaderboard_equals_a_fresh_one(ctx, tmp_path):
    """The page's child keeps each session's runs (tasks/results/session_results.py): after a
    new participant's answers the leaderboard, the participant rows and the safety-ceiling
    summary are those of a computation without anything kept."""
    from gui.console.results_data import results_data

    ds = small_dataset(tmp_path / "ds")
    simulate(ctx.db, ds, robust(seed=3), 2, Observer("psychometric"), "test", study_name="lab")
    url = ctx.db.url.render_as_string(hide_password=False)
    cache_dir = tmp_path / "results-cache"
    leaderboard(url, cache_dir, [])
    assert len(list((cache_dir / "sessions").glob("*.pickle"))) == 1
    simulate(ctx.db, ds, robust(seed=3), 3, Observer("random"), "test", study_name="lab")
    kept = leaderboard(url, cache_dir, [])
    fresh = results_data(ctx.db, "lab", None, lambda *a: None, lambda: False)
    assert [(r.name, r.values, r.ci) for r in kept.rows] == [(r.name, r.values, r.ci) for r in fresh.rows]
    assert kept.people == fresh.people and kept.answered_test == fresh.answered_test
    a, b = kept.attenuation, fresh.attenuation
    assert (a.answered, a.attenuated, a.max_attenuation_db) == (b.answered, b.attenuated, b.max_attenuation_db)
    assert a.mean_attenuation_db == pytest.approx(b.mean_attenuation_db, abs=1e-9)


def test_after_the_pages_miss_the_child_computes_without_looking_again(ctx, tmp_path):
    """The page looked in the cache and found nothing under the database's state: its child
    computes and stores under that state, without querying the state or reading the file again."""
    ds = small_dataset(tmp_path / "ds")
    simulate(ctx.db, ds, robust(seed=3), 2, Observer("psychometric"), "test", study_name="lab")
    url = ctx.db.url.render_as_string(hide_password=False)
    cache_dir = tmp_path / "results-cache"
    leaderboard(url, cache_dir, [])  # kept under the state now: a lookup would find it
    said: list[str] = []
    leaderboard(url, cache_dir, said, missed="the state the page looked up")
    assert "reading responses" in said  # computed, not read back
    (stored,) = cache_dir.glob("*.pickle")
    with open(stored, "rb") as f:
        assert pickle.load(f)[1] == "the state the page looked up"
