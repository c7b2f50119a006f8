"""The kit's ordered arithmetic on long lists of runs, with numpy arrays instead of a Python
loop per run (tasks.scoring.metrics uses it for credits that are not 0/1, such as the chance row's).

The numbers are those of tasks.scoring.metrics's loop to the last bit: a group's credits are taken in
the runs' order into one contiguous array and summed by numpy (the kit's pairwise sum), and
the product of an item's credits is taken in the runs' order, left to right (a stable sort by
item keeps that order; numpy multiplies a reduction sequentially). Items are visited in sorted
id order, as pandas' groupby visits them.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np


def codes(values: Sequence) -> tuple[np.ndarray, list]:
    """Integer codes in the sorted order of the distinct values; None gets -1."""
    names = sorted({v for v in values if v is not None})
    index = {name: k for k, name in enumerate(names)}
    index[None] = -1
    return np.fromiter(map(index.__getitem__, values), dtype=np.intp, count=len(values)), names


class RunArrays:
    """Runs as arrays: credit, item id, category and sub-category codes, in the runs' order.

    The columns describe distinct results; ``rows`` (None: one run each) says which result
    each run has, so that results shared by many runs are coded once."""

    def __init__(self, credits: Sequence[float], item_ids: Sequence[str], categories: Sequence[str | None],
                 sub_categories: Sequence[str | None], rows: np.ndarray | None = None):
        self.credits = np.fromiter(credits, dtype=np.float64, count=len(credits))
        self.items, _ = codes(item_ids)
        self.categories, self.category_names = codes(categories)
        self.sub_categories, self.sub_category_names = codes(sub_categories)
        if rows is not None:
            self.credits, self.items = self.credits[rows], self.items[rows]
            self.categories, self.sub_categories = self.categories[rows], self.sub_categories[rows]

    def first_category_of_subs(self) -> dict[str, str | None]:
        """sub-category -> the category of its first run."""
        out = {}
        for k, name in enumerate(self.sub_category_names):
            code = int(self.categories[int(np.argmax(self.sub_categories == k))])
            out[name] = None if code < 0 else self.category_names[code]
        return out

    def micro(self, mask: np.ndarray | None) -> tuple[float, float, int, int, float, float]:
        """(AA, ACR, runs, items, sum of credits, sum of items' products) of the runs in ``mask``
        (None: all), with the kit's arithmetic: a share is (sum / n) * 100."""
        credits = self.credits if mask is None else self.credits[mask]
        if credits.size == 0:
            return 0.0, 0.0, 0, 0, 0, 0
        items = self.items if mask is None else self.items[mask]
        order = np.argsort(items, kind="stable")
        sorted_items = items[order]
        starts = np.flatnonzero(np.concatenate(([True], sorted_items[1:] != sorted_items[:-1])))
        # the product of each item's credits, left to right in the runs' order (1.0 * c == c)
        products = np.multiply.reduceat(credits[order], starts)
        credit_sum, product_sum = np.sum(credits), np.sum(products)
        return (float(credit_sum / np.float64(credits.size)) * 100.0,
                float(product_sum / np.float64(products.size)) * 100.0,
                int(credits.size), int(products.size), float(credit_sum), float(product_sum))

