from collections import Counter, defaultdict

import pytest

from tasks.dataset.loader import load_dataset
from tasks.study.plan import PlanError, Protocol, make_plan, select_items
from tasks.dataset.runs import n_runs
from tests.support.factories import pc_items, sr_items, tr_items, write_dataset


@pytest.fixture
def big_dataset(tmp_path):
    return load_dataset(write_dataset(tmp_path / "d", pc=pc_items(per_sub=4), tr=tr_items(per_sub=3),
                                      sr=sr_items(per_cat=4)), check_audio=False)


def signature(plan):
    return [(t.kind, t.run.variant, t.run.unique_id, t.break_before, t.catch_of) for t in plan]


def test_same_seed_and_code_give_the_same_plan(big_dataset):
    p = Protocol(practice_per_block=1, catch_every=5, items_per_group=2, seed=7)
    assert signature(make_plan(big_dataset, p, "P001", 0)) == signature(make_plan(big_dataset, p, "P001", 0))
    assert signature(make_plan(big_dataset, p, "P001", 0)) != signature(make_plan(big_dataset, p, "P002", 0))
    other_seed = Protocol(practice_per_block=1, catch_every=5, items_per_group=2, seed=8)
    assert signature(make_plan(big_dataset, p, "P001", 0)) != signature(make_plan(big_dataset, other_seed, "P001", 0))


def test_single_pass_counterbalancing_covers_every_run_exactly_once(big_dataset):
    p = Protocol(mode="single-pass", practice_per_block=0)
    runs_seen = defaultdict(list)
    max_runs = max(n_runs(i) for items in big_dataset.items.values() for i in items)
    for k in range(max_runs):
        for t in make_plan(big_dataset, p, f"P{k}", k):
            runs_seen[(t.run.variant, t.run.item.id)].append((k, t.run.rotate_id))
    for (variant, item_id), seen in runs_seen.items():
        n = n_runs(big_dataset.item(variant, item_id))
        first_cohort = [r for k, r in seen if k < n]
        assert sorted(first_cohort) == list(range(n)), (variant, item_id, seen)


def test_full_robust_gives_every_run_once_with_spacing(big_dataset):
    p = Protocol(mode="full-robust", practice_per_block=0, min_run_spacing=4)
    plan = make_plan(big_dataset, p, "P1", 0)
    expected = sum(n_runs(i) for items in big_dataset.items.values() for i in items)
    assert len(plan) == expected
    assert len({(t.run.variant, t.run.unique_id) for t in plan}) == expected
    last = {}
    for t in plan:
        key = (t.run.variant, t.run.item.id)
        if key in last:
            assert t.position - last[key] >= 4
        last[key] = t.position


def test_impossible_spacing_is_a_clear_error(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "d", sr=sr_items(per_cat=1)), check_audio=False)
    with pytest.raises(PlanError, match="cannot keep the runs of one item 5 trials apart"):
        make_plan(ds, Protocol(mode="full-robust", variants=["sr"], min_run_spacing=5), "P", 0)


def test_stratified_subset_practice_catch_and_breaks(big_dataset):
    p = Protocol(items_per_group=2, practice_per_block=2, catch_every=4, break_every=10, seed=3)
    selected = select_items(big_dataset, p)
    assert Counter(i.group for i in selected["pc"]) == {s: 2 for s in
                                                       {i.sub_category for i in big_dataset.items["pc"]}}
    plan = make_plan(big_dataset, p, "P9", 0)
    for variant in p.variants:
        test_ids = {t.run.item.id for t in plan if t.run.variant == variant and t.kind == "test"}
        practice_ids = {t.run.item.id for t in plan if t.run.variant == variant and t.kind == "practice"}
        assert len(practice_ids) == 2 and not practice_ids & test_ids
    catches = [t for t in plan if t.kind == "catch"]
    assert catches
    for c in catches:
        original = plan[c.catch_of]
        assert original.kind == "test" and original.run == c.run and original.position < c.position
    assert [t.position for t in plan if t.break_before] == list(range(10, len(plan), 10))
    # practice first in each block
    for block in range(3):
        kinds = [t.kind for t in plan if t.block == block]
        assert kinds[:2] == ["practice", "practice"]


def test_bad_protocols_are_refused():
    with pytest.raises(PlanError):
        Protocol(mode="twice")
    with pytest.raises(PlanError):
        Protocol(variants=["xx"])
    assert Protocol.from_json(Protocol(seed=5).to_json()) == Protocol(seed=5)


def test_psychometric_observer_rises_with_the_grid_level(tmp_path):
    import random

    from tasks.bank.build import generate_bank
    from tasks.simulation.observers import Observer, difference_level
    from tasks.dataset.runs import expand_runs

    ds = load_dataset(generate_bank(tmp_path / "bank", seed=0).root, check_audio=False)
    pitch = [r for i in ds.items["pc"] if i.sub_category == "sensitivity_pitch" for r in expand_runs(i)]
    levels = {difference_level(r) for r in pitch}
    assert min(levels) == 0.0 and max(levels) > 0.5
    obs = Observer("psychometric")
    low = [obs.p_correct(r) for r in pitch if difference_level(r) == 0.0]
    high = [obs.p_correct(r) for r in pitch if difference_level(r) >= 0.8]
    assert max(low) < 0.45 < 0.9 < min(high)
    tr_run = expand_runs(ds.items["tr"][0])[0]
    assert obs.p_correct(tr_run) == obs.accuracy
    rng = random.Random(0)
    assert all(Observer("perfect").choose(r, rng) == r.answer_letter for r in pitch)


@pytest.mark.parametrize("mode,catch_every", [("single-pass", 0), ("single-pass", 3), ("full-robust", 4)])
def test_plan_size_matches_the_plan(big_dataset, mode, catch_every):
    from tasks.study.plan import plan_size

    p = Protocol(mode=mode, items_per_group=2, practice_per_block=1, catch_every=catch_every, min_run_spacing=2)
    plan = make_plan(big_dataset, p, "P1", 0)
    assert plan_size(big_dataset, p) == {k: sum(t.kind == k for t in plan) for k in ("test", "practice", "catch")}


def test_a_stored_plan_is_exactly_the_planned_one(tmp_path, big_dataset):
    """The plan goes into the database in one bulk insert; every field of every trial survives."""
    from sqlmodel import Session as DbSession

    from db import repo
    from db.engine import open_database
    from tasks.study.studies import open_study, trial_values
    from tasks.study.enrolment import start_or_resume

    engine = open_database(tmp_path / "lab.sqlite3")
    protocol = Protocol(mode="full-robust", items_per_group=3, practice_per_block=2, catch_every=7, break_every=25,
                        seed=8)
    study = open_study(engine, big_dataset, "bulk", protocol)
    session = start_or_resume(engine, big_dataset, study, "P001", "test", cohort_index=3)
    expected = [trial_values(t) for t in make_plan(big_dataset, protocol, "P001", 3)]
    with DbSession(engine) as s:
        stored = [t.model_dump(exclude={"id", "session_id"}) for t in repo.planned_trials(s, session.id)]
    assert len(stored) == len(expected) > 50
    assert stored == expected
    assert {t["kind"] for t in stored} == {"test", "practice", "catch"} and any(t["break_before"] for t in stored)
