"""Choosing a participant's share of a cover study and planning it (pure: no database).

The share rule (docs/cover-design.md):
- candidates: units with fewer than K claims whose item the participant has not had;
- within each group (variant/sub-category), fewest claims first, ties broken by a generator seeded
  by (study seed, participant code, cohort index), so a share is the same whenever it is made
  from the same claims;
- the groups are mixed in proportion to their remaining need (the answers their candidates still
  lack): the next unit comes from the group furthest below its proportional part (stride
  scheduling), and never from an item already in the share;
- units are added while the session's estimate stays at most ``session_minutes``: set-up, practice,
  every trial's sound and answer allowance, catch trials (counted at the longest trial so far) and
  breaks, with tasks.study.session_time's allowances. A group whose next unit no longer fits is
  closed; the others may still fill the time left.

The plan: one block per variant in protocol order; practice first in each block, then the block's
test units in a seeded random order, a catch trial (a repeat of an earlier test trial of the
block) after every ``catch_every`` tests, a break before every ``break_every``-th trial, as in the
shared design's make_plan. Practice items are items the participant has not had and that are not
in the share, preferring items that are no cover unit (left out by items_per_group), then items
whose units all have K claims, then any: a practice item is recorded in the session, so the
participant is never given a unit of it later (tasks.cover.claims.items_had).
"""
from __future__ import annotations

import hashlib
import heapq

import numpy as np

from tasks.cover.context import CoverContext
from tasks.cover.units import rotation_for
from tasks.dataset.items import VARIANT_SOURCE, Item
from tasks.dataset.runs import n_runs
from tasks.study.plan import PlanTrial, rng_for
from tasks.study.session_time import BREAK_ALLOWANCE_S, SETUP_ALLOWANCE_S


def share_seed(*parts: object) -> int:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()
    return int(digest[:16], 16)


def choose_share(seconds: np.ndarray, group: np.ndarray, item: np.ndarray, claims: np.ndarray, had: np.ndarray,
                 k: int, budget_s: float, seed: int, fixed_s: float = SETUP_ALLOWANCE_S, n_practice: int = 0,
                 catch_every: int = 0, break_every: int = 0) -> list[int]:
    """Indices of the chosen units, in the order chosen. ``seconds``, ``group``, ``item``,
    ``claims``: per unit; ``had``: per item (True: the participant had it); ``fixed_s``: set-up
    and practice seconds; ``n_practice``: practice trials (they count for breaks)."""
    eligible = np.flatnonzero((claims < k) & ~had[item])
    if eligible.size == 0:
        return []
    tiebreak = np.random.default_rng(seed).random(eligible.size)
    order = eligible[np.lexsort((tiebreak, claims[eligible]))]
    need = np.bincount(group[eligible], weights=k - claims[eligible], minlength=int(group.max()) + 1)
    queues = {int(g): order[group[order] == g].tolist() for g in np.flatnonzero(need > 0)}
    item_of, seconds_of = item.tolist(), seconds.tolist()  # Python numbers: the loop below reads them one by one
    cursor = {g: 0 for g in queues}
    picked = {g: 0 for g in queues}
    heap = [(1.0 / need[g], g) for g in sorted(queues)]
    heapq.heapify(heap)
    chosen: list[int] = []
    in_share: set[int] = set()
    sum_s, max_s = 0.0, 0.0
    while heap:
        _, g = heapq.heappop(heap)
        queue, i = queues[g], cursor[g]
        while i < len(queue) and item_of[queue[i]] in in_share:
            i += 1
        if i == len(queue):
            continue  # the group has nothing more this participant may take
        unit = queue[i]
        n_test = len(chosen) + 1
        s_new, m_new = sum_s + seconds_of[unit], max(max_s, seconds_of[unit])
        catches = n_test // catch_every if catch_every else 0
        n_trials = n_test + catches + n_practice
        breaks = (n_trials - 1) // break_every if break_every else 0
        if fixed_s + s_new + catches * m_new + breaks * BREAK_ALLOWANCE_S > budget_s:
            continue  # closed: its next unit does not fit
        cursor[g] = i + 1
        chosen.append(unit)
        in_share.add(item_of[unit])
        sum_s, max_s = s_new, m_new
        picked[g] += 1
        heapq.heappush(heap, ((picked[g] + 1) / need[g], g))
    return chosen


def practice_for(ctx: CoverContext, variant: str, avoid: set[tuple[str, str]], covered: np.ndarray,
                 rng) -> list[Item]:
    """The block's practice items (the module's docstring says which); ``covered``: per item, True
    when all its units have K claims."""
    want = ctx.protocol.practice_per_block
    if want <= 0:
        return []
    source = VARIANT_SOURCE[variant]
    items, index = ctx.items_by_id(source), ctx.item_indices(source)
    avoided = np.zeros(len(ctx.item_keys) + 1, dtype=bool)  # the last place: items that are no unit
    for key in avoid:
        idx = ctx.item_index.get(key)
        if idx is not None:
            avoided[idx] = True
    rank = np.where(index < 0, 0, np.where(covered[index], 1, 2))
    rank[avoided[index]] = -1
    loose = np.flatnonzero(index < 0)  # items that are no unit, looked up by key
    rank[[j for j in loose if (source, items[j].id) in avoid]] = -1
    tiers: list[list[Item]] = [[items[j] for j in np.flatnonzero(rank == n)] for n in range(3)]
    out: list[Item] = []
    for tier in tiers:
        take = min(want - len(out), len(tier))
        if take > 0:
            out.extend(rng.sample(tier, take))
    return out


def share_plan(ctx: CoverContext, chosen: list[int], claims: np.ndarray, had: set[tuple[str, str]],
               participant_code: str, cohort_index: int) -> list[PlanTrial]:
    """The session plan of a chosen share (the module's docstring says how it is laid out)."""
    protocol = ctx.protocol
    by_variant: dict[str, list[int]] = {}
    for u in chosen:
        by_variant.setdefault(ctx.units[u].variant, []).append(u)
    avoid = set(had) | {ctx.item_keys[int(ctx.item[u])] for u in chosen}
    short = claims < protocol.responses_per_run
    covered = np.bincount(ctx.item, weights=short, minlength=len(ctx.item_keys)) == 0
    trials: list[PlanTrial] = []

    def add(block: int, run, kind: str, catch_of: int | None = None) -> None:
        pos = len(trials)
        brk = bool(protocol.break_every) and pos > 0 and pos % protocol.break_every == 0
        trials.append(PlanTrial(pos, block, run, kind, catch_of, brk))

    block = 0
    for variant in protocol.variants:
        units = by_variant.get(variant)
        if not units:
            continue
        rng = rng_for(protocol.seed, participant_code, cohort_index, "share", variant)
        for item in practice_for(ctx, variant, avoid, covered, rng):
            avoid.add((VARIANT_SOURCE[variant], item.id))
            add(block, ctx.run_of(item, variant, rng.randrange(n_runs(item))), "practice")
        units = sorted(units)
        rng.shuffle(units)
        test_positions: list[int] = []
        for n, u in enumerate(units, start=1):
            unit = ctx.units[u]
            add(block, ctx.run_of(unit.item, variant, rotation_for(unit, int(claims[u]), protocol.seed)), "test")
            test_positions.append(trials[-1].position)
            if protocol.catch_every and n % protocol.catch_every == 0 and n < len(units):
                original = trials[rng.choice(test_positions[:-1] or test_positions)]
                add(block, original.run, "catch", original.position)
        block += 1
    return trials
