"""The signed-rank test of human vs model sees every tie: per-item differences are computed on the
integer counts, not as two rounded quotients whose difference depends on float noise."""
from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from tasks.analysis.contrasts import _wilcoxon, accuracy_differences


def exact_wilcoxon_p(diffs: list[Fraction]) -> float:
    """Two-sided p of the signed-rank statistic (zeros ranked and split), by enumerating every
    sign assignment of the tied mid-ranks: the exact conditional null distribution."""
    magnitudes = sorted(abs(d) for d in diffs)
    ranks = {}
    for value, group in itertools.groupby(enumerate(magnitudes, start=1), key=lambda x: x[1]):
        positions = [pos for pos, _ in group]
        ranks[value] = Fraction(sum(positions), len(positions))
    r = [ranks[abs(d)] for d in diffs]
    total = sum(r)

    def t_plus(signs):  # zsplit: a zero's rank counts half on each side, whatever its sign
        return sum(rank for rank, s, d in zip(r, signs, diffs) if d != 0 and s > 0) + sum(
            rank / 2 for rank, d in zip(r, diffs) if d == 0)

    observed = t_plus([1 if d > 0 else -1 for d in diffs])
    centre = total / 2
    extreme = abs(observed - centre)
    count = 0
    n = 0
    for signs in itertools.product((1, -1), repeat=len(diffs)):
        n += 1
        if abs(t_plus(signs) - centre) >= extreme:
            count += 1
    return count / n


def test_equal_magnitudes_from_different_counts_are_equal_floats():
    # 13/20 - 13/30 and 2/3 - 53/60 are +13/60 and -13/60; as rounded quotients they are not opposites
    assert 100 * 13 / 20 - 100 * 13 / 30 != -(100 * 2 / 3 - 100 * 53 / 60)
    diffs = accuracy_differences(np.array([13.0, 2.0]), np.array([20.0, 3.0]), np.array([13.0, 53.0]),
                                 np.array([30.0, 60.0]))
    assert diffs[0] == -diffs[1] == float(Fraction(65, 3))


def test_the_tied_case_gets_the_exact_tie_aware_p():
    right_h, n_h = [13, 2, 3, 1, 2], [20, 3, 3, 3, 3]
    right_m, n_m = [13, 53, 2, 1, 2], [30, 60, 3, 3, 3]
    diffs = accuracy_differences(*(np.array(v, dtype=float) for v in (right_h, n_h, right_m, n_m)))
    exact = [100 * (Fraction(a, b) - Fraction(c, d)) for a, b, c, d in zip(right_h, n_h, right_m, n_m)]
    assert _wilcoxon(diffs) == pytest.approx(exact_wilcoxon_p(exact), abs=1e-12)
    floats = np.array([100 * a / b - 100 * c / d for a, b, c, d in zip(right_h, n_h, right_m, n_m)])
    # what the float differences gave: the tie is missed and another distribution is used
    assert float(stats.wilcoxon(floats, zero_method="zsplit").pvalue) != pytest.approx(exact_wilcoxon_p(exact))


@pytest.mark.parametrize("seed", range(6))
def test_small_tied_samples_match_the_enumerated_distribution(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 11))
    answered = rng.choice([1, 2, 3, 4], size=(2, n))
    right = rng.integers(0, answered + 1)
    diffs = accuracy_differences(right[0].astype(float), answered[0].astype(float), right[1].astype(float),
                                 answered[1].astype(float))
    exact = [100 * (Fraction(int(a), int(b)) - Fraction(int(c), int(d)))
             for a, b, c, d in zip(right[0], answered[0], right[1], answered[1])]
    if not any(exact):
        assert _wilcoxon(diffs) == 1.0
    else:
        assert _wilcoxon(diffs) == pytest.approx(exact_wilcoxon_p(exact), abs=1e-12)


def test_counts_that_are_not_whole_numbers_are_refused():
    with pytest.raises(ValueError, match="whole numbers"):
        accuracy_differences(np.array([0.5]), np.array([1.0]), np.array([1.0]), np.array([1.0]))
