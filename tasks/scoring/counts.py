"""True/false results counted per (category, sub-category, item id) cell, and the counts of
every category, sub-category and of all runs taken from the cells (tasks.scoring.metrics turns them
into metrics). Counts are whole numbers, the same in any order: a share of 0/1 values is
(count / n) * 100 exactly as the kit's mean of the column gives it."""
from __future__ import annotations

from collections import Counter, defaultdict
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import Mapping

import numpy as np

from tasks.scoring.arrays import codes

_CELL = attrgetter("category", "sub_category", "item_id")
_IS_CORRECT = attrgetter("is_correct")
_ITEM_OF_CELL = itemgetter(2)
Counts = tuple[int, int, int, int]  # runs, correct runs, items, items with every run correct


def cell_counts(rows: list, weights: list[int] | None) -> tuple[Counter, Counter]:
    """Runs and correct runs per (category, sub-category, item id), in order of first appearance;
    ``weights``: how many rows each of ``rows`` stands for (None: one each)."""
    if weights is None:
        return Counter(map(_CELL, rows)), Counter(map(_CELL, filter(_IS_CORRECT, rows)))
    runs: Counter = Counter()
    correct: Counter = Counter()
    for r, n in zip(rows, weights):
        cell = (r.category, r.sub_category, r.item_id)
        runs[cell] += n
        if r.is_correct:
            correct[cell] += n
    return runs, correct


def group_counts(runs: Mapping[tuple, int], correct: Mapping[tuple, int]) -> CellCounts | ItemCounts:
    """The counts of the groups, from cells in order of first appearance."""
    if len(set(map(_ITEM_OF_CELL, runs))) == len(runs):  # each item in one cell, as in a dataset
        return CellCounts(runs, correct)
    return ItemCounts(runs, correct)


class CellCounts:
    """True/false results counted per (category, sub-category, item id) cell, each item in
    one cell (as in a dataset): the counts of every category and sub-category, and of all."""

    def __init__(self, runs: Mapping[tuple, int], correct: Mapping[tuple, int]):
        cells = list(runs)  # in order of first appearance
        self.runs = np.fromiter(runs.values(), dtype=np.int64, count=len(cells))
        self.correct = np.fromiter(map(correct.get, cells, repeat(0)), dtype=np.int64, count=len(cells))
        self.full = (self.runs == self.correct).astype(np.int64)
        self.categories, self.category_names = codes([c[0] for c in cells])
        self.sub_categories, self.sub_category_names = codes([c[1] for c in cells])

    def total(self) -> Counts:
        return (int(self.runs.sum()), int(self.correct.sum()), len(self.runs), int(self.full.sum()))

    def by_category(self) -> dict[str, Counts]:
        return self._by(self.categories, self.category_names)

    def by_sub_category(self) -> dict[str, Counts]:
        return self._by(self.sub_categories, self.sub_category_names)

    def first_category_of_subs(self) -> dict[str, str | None]:
        """sub-category -> the category of its first cell (its first run's)."""
        out = {}
        for k, name in enumerate(self.sub_category_names):
            code = int(self.categories[int(np.argmax(self.sub_categories == k))])
            out[name] = None if code < 0 else self.category_names[code]
        return out

    def _by(self, codes: np.ndarray, names: list[str]) -> dict[str, Counts]:
        keep = codes >= 0
        codes = codes[keep]
        sums = [np.bincount(codes, weights=w[keep], minlength=len(names)).astype(np.int64)
                for w in (self.runs, self.correct, self.full)]
        items = np.bincount(codes, minlength=len(names))
        return {name: (int(sums[0][g]), int(sums[1][g]), int(items[g]), int(sums[2][g]))
                for g, name in enumerate(names)}


class ItemCounts:
    """The same counts when an item id lies in several cells (a hand-edited file): an item
    counts once per group, with all its runs in that group."""

    def __init__(self, runs: Mapping[tuple, int], correct: Mapping[tuple, int]):
        self._by_sub: dict[str, dict[str, list[int]]] = defaultdict(dict)
        self._by_cat: dict[str, dict[str, list[int]]] = defaultdict(dict)
        self._total: dict[str, list[int]] = {}
        self._cat_of_sub: dict[str, str | None] = {}  # the category of the first cell of each sub-category
        for cell, n in runs.items():
            category, sub_category, item_id = cell
            k = correct.get(cell, 0)
            groups = [self._total]
            if sub_category is not None:
                groups.append(self._by_sub[sub_category])
                self._cat_of_sub.setdefault(sub_category, category)
            if category is not None:
                groups.append(self._by_cat[category])
            for items in groups:
                found = items.get(item_id)
                if found is None:
                    items[item_id] = [n, k]
                else:
                    found[0] += n
                    found[1] += k

    def total(self) -> Counts:
        return _item_counts(self._total)

    def by_category(self) -> dict[str, Counts]:
        return {name: _item_counts(self._by_cat[name]) for name in sorted(self._by_cat)}

    def by_sub_category(self) -> dict[str, Counts]:
        return {name: _item_counts(self._by_sub[name]) for name in sorted(self._by_sub)}

    def first_category_of_subs(self) -> dict[str, str | None]:
        return dict(self._cat_of_sub)


def _item_counts(items: Mapping[str, list[int]]) -> Counts:
    """(runs, correct runs, items, items with every run correct) from item id -> [runs, correct]."""
    runs = correct = all_correct = 0
    for n, k in items.values():
        runs += n
        correct += k
        all_correct += k == n
    return runs, correct, len(items), all_correct
