"""The method-of-moments interval of a crossed participants x items design
(tasks.analysis.crossed_moments): the two-way ANOVA estimate in a complete design, unbiased
variance components in an incomplete (cover) design, and the edge cases."""
from __future__ import annotations

import numpy as np
import pytest

from tasks.analysis.crossed_moments import crossed_moments


def test_a_complete_design_gives_the_two_way_anova_estimate():
    rng = np.random.default_rng(3)
    n_p, n_i = 7, 9
    y = rng.normal(size=(n_p, n_i)) + rng.normal(size=(n_p, 1)) + rng.normal(size=(1, n_i))
    p, i = np.meshgrid(np.arange(n_p), np.arange(n_i), indexing="ij")
    n = n_p * n_i
    got = crossed_moments(p.ravel(), i.ravel(), np.zeros(n), y.ravel(), np.full(n, 1.0 / n))
    grand = y.mean()
    ms_p = n_i * ((y.mean(axis=1) - grand) ** 2).sum() / (n_p - 1)
    ms_i = n_p * ((y.mean(axis=0) - grand) ** 2).sum() / (n_i - 1)
    residual = y - y.mean(axis=1, keepdims=True) - y.mean(axis=0, keepdims=True) + grand
    ms_e = (residual ** 2).sum() / ((n_p - 1) * (n_i - 1))
    assert got.point == pytest.approx(grand)
    assert got.variance == pytest.approx((ms_p + ms_i - ms_e) / n)
    assert got.components == pytest.approx(((ms_p - ms_e) / n_i, (ms_i - ms_e) / n_p, ms_e))


def cover_layout(n_p: int, n_items: int, per_item: int):
    """Each item answered by per_item consecutive participants round the cohort (no one twice)."""
    cells = [((k * per_item + j) % n_p, k) for k in range(n_items) for j in range(per_item)]
    p, i = np.array(cells).T
    return p, i


def test_an_incomplete_design_estimates_each_component_without_bias():
    rng = np.random.default_rng(4)
    p, i = cover_layout(18, 30, 6)
    stratum = i % 3
    w = np.full(p.size, 1.0 / p.size)
    sd_p, sd_i, sd_e = 0.7, 0.4, 1.0
    comps, points = [], []
    for _ in range(3000):
        y = rng.normal(0, sd_p, 18)[p] + rng.normal(0, sd_i, 30)[i] + rng.normal(0, sd_e, p.size) + 5.0 * stratum
        got = crossed_moments(p, i, stratum, y, w)
        comps.append(got.components)
        points.append(got.point)
    mean = np.mean(comps, axis=0)
    assert mean == pytest.approx((sd_p ** 2, sd_i ** 2, sd_e ** 2), rel=0.06)
    # and the variance they give is the point estimate's variance over the replications
    u = np.bincount(p, weights=w)
    v = np.bincount(i, weights=w)
    truth = sd_p ** 2 * (u @ u) + sd_i ** 2 * (v @ v) + sd_e ** 2 * (w @ w)
    assert np.var(points, ddof=1) == pytest.approx(truth, rel=0.08)


def test_a_negative_component_counts_as_zero_and_small_designs_have_none():
    rng = np.random.default_rng(5)
    p, i = cover_layout(6, 12, 3)
    y = rng.normal(size=p.size)  # no person or item effect at all
    w = np.full(p.size, 1.0 / p.size)
    got = crossed_moments(p, i, np.zeros(p.size), y, w)
    assert got.df >= 1
    components = np.array(got.components)
    assert (components < 0).any() and (components > 0).any()  # this draw has both
    # V = sa sum u^2 + sb sum v^2 + se sum w^2 with each negative component taken as 0
    u, v = np.bincount(p, weights=w), np.bincount(i, weights=w)
    assert got.variance == pytest.approx(float(np.array([u @ u, v @ v, w @ w]) @ np.clip(components, 0.0, None)))
    assert got.variance > 0
    assert crossed_moments(np.zeros(4), np.arange(4), np.zeros(4), y[:4], np.full(4, 0.25)) is None
    assert crossed_moments(np.arange(4), np.zeros(4), np.zeros(4), y[:4], np.full(4, 0.25)) is None


def test_several_answers_in_a_cell_are_one_observation():
    """A shared study: each participant answers every run of an item; the runs share the cell."""
    rng = np.random.default_rng(6)
    n_p, n_i, runs = 5, 8, 3
    y = (rng.random((n_p, n_i, runs)) < 0.7).astype(float)
    p, i, _r = np.meshgrid(np.arange(n_p), np.arange(n_i), np.arange(runs), indexing="ij")
    n = y.size
    answers = crossed_moments(p.ravel(), i.ravel(), np.zeros(n), y.ravel(), np.full(n, 1.0 / n))
    cells = y.mean(axis=2)
    q, j = np.meshgrid(np.arange(n_p), np.arange(n_i), indexing="ij")
    means = crossed_moments(q.ravel(), j.ravel(), np.zeros(cells.size), cells.ravel(),
                            np.full(cells.size, 1.0 / cells.size))
    assert answers.point == pytest.approx(means.point)
    assert answers.variance == pytest.approx(means.variance)
    assert answers.df == pytest.approx(means.df)
