"""Choosing a share (pure, on arrays) and planning it: proportions, the time budget, exclusions
and deterministic ties."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from tasks.cover.assign import NothingLeftFor, StudyCovered, plan_share
from tasks.cover.context import cover_context
from tasks.cover.shares import choose_share
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tests.support.cover_shape import write_cover_shape


def _arrays(n_per_group: dict[int, int], seconds: float = 10.0):
    group = np.concatenate([np.full(n, g) for g, n in n_per_group.items()])
    n = group.size
    return np.full(n, seconds), group, np.arange(n), np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)


def test_groups_are_mixed_in_proportion_to_their_remaining_need():
    seconds, group, item, claims, had = _arrays({0: 300, 1: 100})
    chosen = choose_share(seconds, group, item, claims, had, k=3, budget_s=400 * 10, seed=1, fixed_s=0)
    counts = Counter(int(group[u]) for u in chosen)
    assert counts[0] + counts[1] == 400 and counts == {0: 300, 1: 100}
    chosen = choose_share(seconds, group, item, claims, had, k=3, budget_s=80 * 10, seed=1, fixed_s=0)
    counts = Counter(int(group[u]) for u in chosen)
    assert counts == {0: 60, 1: 20}  # 3:1, as their need
    claims[group == 0] = 2  # group 0 now lacks one answer a unit, group 1 three: 300 vs 300
    counts = Counter(int(group[u]) for u in choose_share(seconds, group, item, claims, had, k=3, budget_s=800,
                                                       seed=1, fixed_s=0))
    assert counts == {0: 40, 1: 40}


def test_fewest_claims_first_and_exclusions():
    seconds, group, item, claims, had = _arrays({0: 10})
    claims[:] = [0, 1, 2, 3, 0, 1, 2, 3, 0, 1]
    had[8] = True  # the participant had item 8
    item[9] = item[4]  # units 4 and 9 are one item: never both
    chosen = choose_share(seconds, group, item, claims, had, k=3, budget_s=1000, seed=5, fixed_s=0)
    assert 3 not in chosen and 7 not in chosen and 8 not in chosen  # full, full, had
    assert not {4, 9} <= set(chosen)
    assert sorted(claims[chosen]) == list(claims[chosen][np.argsort(claims[chosen], kind="stable")])
    assert set(chosen[:2]) == {0, 4}  # the two at 0 claims first


def test_budget_counts_setup_catch_trials_and_breaks():
    seconds, group, item, claims, had = _arrays({0: 1000})
    plain = choose_share(seconds, group, item, claims, had, k=1, budget_s=600, seed=0, fixed_s=100)
    assert len(plain) == 50
    with_catch = choose_share(seconds, group, item, claims, had, k=1, budget_s=600, seed=0, fixed_s=100,
                              catch_every=4)
    with_breaks = choose_share(seconds, group, item, claims, had, k=1, budget_s=600, seed=0, fixed_s=100,
                               break_every=10)
    assert len(with_catch) == 40  # 40 tests + 10 catches
    assert len(with_breaks) < 50


def test_ties_are_broken_the_same_way_for_the_same_seed_and_differently_for_another():
    seconds, group, item, claims, had = _arrays({0: 50, 1: 50})
    a = choose_share(seconds, group, item, claims, had, k=3, budget_s=200, seed=11, fixed_s=0)
    b = choose_share(seconds, group, item, claims, had, k=3, budget_s=200, seed=11, fixed_s=0)
    c = choose_share(seconds, group, item, claims, had, k=3, budget_s=200, seed=12, fixed_s=0)
    assert a == b and set(a) != set(c)


def test_a_planned_share_fits_its_minutes_and_says_when_nothing_is_left(tmp_path):
    ds = load_dataset(write_cover_shape(tmp_path / "ds", n_pc=40, n_tr=20, n_sr=12))
    ctx = cover_context(ds, Protocol(mode="full-robust", design="cover", session_minutes=20, catch_every=10))
    claims = np.zeros(len(ctx.units), dtype=np.int64)
    share = plan_share(ctx, claims, set(), "c", "P1", 0)
    assert share.estimate.total_s <= 20 * 60 and share.units > 10
    tests = [t for t in share.plan if t.kind == "test"]
    assert len({(t.run.item.id, t.run.variant) for t in tests}) == len(tests)
    assert {t.kind for t in share.plan} == {"test", "practice", "catch"}
    practice_items = {t.run.item.id for t in share.plan if t.kind == "practice"}
    assert not practice_items & {t.run.item.id for t in tests}
    every_item = {k for k in ctx.item_keys}
    with pytest.raises(NothingLeftFor, match="P1 has heard every remaining item"):
        plan_share(ctx, claims, every_item, "c", "P1", 1)
    with pytest.raises(StudyCovered, match="'c' is covered"):
        plan_share(ctx, np.full(len(ctx.units), 3), set(), "c", "P1", 1)
