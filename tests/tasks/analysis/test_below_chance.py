"""below_chance is a test with false-discovery control, not a count: guessers flag (almost) nothing,
an item everyone gets wrong on enough answers is flagged."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tasks.analysis.design import Design
from tasks.analysis.item_analysis import BELOW_CHANCE_FDR, below_chance_p, fdr_bh, item_table, poisson_binomial_pmf
from tasks.analysis.responses import load_responses
from tasks.simulation.observers import Observer
from tests.tasks.analysis.cohorts import cohort_db, small_dataset

ITEMS = 84  # the built-in bank's size


def guessed_table(rng, n_items: int = ITEMS, answers: int = 12):
    """Every item answered ``answers`` times by guessing among 2, 3 or 4 options (per answer)."""
    item = np.repeat(np.arange(n_items), answers)
    p_guess = 1.0 / rng.choice([2, 3, 4], size=item.size)
    correct = rng.random(item.size) < p_guess
    return item, correct, p_guess


def test_the_poisson_binomial_equals_the_binomial_when_every_answer_has_the_same_chance():
    for n, p in ((12, 0.25), (7, 0.5), (30, 1 / 3)):
        pmf = poisson_binomial_pmf(np.full(n, p))
        assert pmf.shape == (n + 1,)
        assert pmf == pytest.approx(stats.binom.pmf(np.arange(n + 1), n, p), abs=1e-12)
        assert np.cumsum(pmf) == pytest.approx(stats.binom.cdf(np.arange(n + 1), n, p), abs=1e-12)


def test_the_p_value_of_guessing_is_valid_at_every_level():
    rng = np.random.default_rng(11)
    item, correct, p_guess = guessed_table(rng, n_items=4000)
    p = below_chance_p(item, correct, p_guess, 4000)
    for alpha in (0.01, 0.05, 0.2):
        # discrete, so conservative: the share at or below alpha stays at or below alpha (+3 SD)
        assert np.mean(p <= alpha) <= alpha + 3 * np.sqrt(alpha * (1 - alpha) / 4000)


def test_guessers_flag_an_item_in_at_most_one_table_of_twenty():
    rng = np.random.default_rng(5)
    tables_with_a_flag, old_rule_flags = 0, []
    for _ in range(300):
        item, correct, p_guess = guessed_table(rng)
        q = fdr_bh(below_chance_p(item, correct, p_guess, ITEMS))
        tables_with_a_flag += bool(np.any(q < BELOW_CHANCE_FDR))
        right = np.bincount(item, weights=correct.astype(float), minlength=ITEMS)
        expected = np.bincount(item, weights=p_guess, minlength=ITEMS)
        old_rule_flags.append(int(np.sum(right < expected)))
    # with every item guessed at, Benjamini-Hochberg controls the chance of any flag at 5%
    assert tables_with_a_flag / 300 <= BELOW_CHANCE_FDR + 3 * np.sqrt(0.05 * 0.95 / 300)
    assert np.mean(old_rule_flags) > ITEMS / 3  # what counting below the expected score gave


def test_an_item_everyone_gets_wrong_stands_out_among_guessed_items():
    rng = np.random.default_rng(2)
    item, correct, p_guess = guessed_table(rng)
    planted = np.arange(30)
    item = np.concatenate([item, np.full(planted.size, ITEMS)])
    correct = np.concatenate([correct, np.zeros(planted.size, dtype=bool)])
    p_guess = np.concatenate([p_guess, np.full(planted.size, 0.25)])
    q = fdr_bh(below_chance_p(item, correct, p_guess, ITEMS + 1))
    assert q[ITEMS] < BELOW_CHANCE_FDR


def test_random_listeners_in_a_real_database_flag_no_item_below_chance(tmp_path):
    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer("random"), 12)
    table = item_table(Design.build(load_responses(engine, "study"), n_boot=10, seed=0), [])
    assert {"chance_p", "chance_q"} <= set(table.columns)
    assert ((table["chance_p"] >= 0) & (table["chance_p"] <= 1)).all()
    assert (table["chance_q"] >= table["chance_p"]).all()
    flagged = table[table["flags"].str.contains("below_chance")]
    assert len(flagged) == int((table["chance_q"] < BELOW_CHANCE_FDR).sum())
    assert len(flagged) <= 1
