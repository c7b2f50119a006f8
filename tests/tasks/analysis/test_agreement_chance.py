"""Agreement statistics whose chance baseline is 0 for guessers: between the runs of one item (in
every family, whatever its options are called), and across participants when runs of 2, 3 and 4
options are mixed."""
from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.inter_rater import fleiss_kappa

from tasks.analysis.agreement import chance_corrected_agreement, run_agreement_table, stratified_fleiss
from tasks.analysis.design import Design
from tasks.analysis.responses import load_responses
from tasks.simulation.observers import Observer
from tests.tasks.analysis.cohorts import cohort_db, small_dataset


def guessed_counts(rng, subjects: int, raters: int, n_options: np.ndarray, width: int = 5) -> np.ndarray:
    table = np.zeros((subjects, width), dtype=np.int64)
    for i in range(subjects):
        np.add.at(table[i], rng.integers(0, n_options[i], raters), 1)
    return table


def test_with_one_number_of_options_it_is_fleiss_kappa():
    rng = np.random.default_rng(1)
    table = guessed_counts(rng, 60, 6, np.full(60, 3))
    table[:20, 0] += 3  # some real agreement
    kappa, subjects, raters = stratified_fleiss(table, np.full(60, 3))
    assert subjects == 40 and raters == 6  # the most common number of ratings
    keep = table.sum(axis=1) == 6
    assert kappa == pytest.approx(fleiss_kappa(table[keep], method="fleiss"), abs=1e-12)


def test_guessers_on_mixed_numbers_of_options_read_zero_not_more():
    rng = np.random.default_rng(2)
    n_options = rng.choice([2, 3, 4], size=6000)
    table = guessed_counts(rng, 6000, 8, n_options)
    kappa, _, _ = stratified_fleiss(table, n_options)
    assert kappa == pytest.approx(0.0, abs=0.01)
    assert fleiss_kappa(table, method="fleiss") > 0.05  # pooled shares: the upward bias


def test_agreement_between_runs_of_guessers_is_zero_whatever_the_options():
    rng = np.random.default_rng(3)
    n_options = rng.choice([2, 4, 6], size=5000)
    runs = rng.choice([2, 3, 4], size=5000)
    counts = np.zeros((5000, 7), dtype=np.int64)
    for i in range(5000):
        np.add.at(counts[i], rng.integers(0, n_options[i], runs[i]), 1)
    assert chance_corrected_agreement(counts, n_options) == pytest.approx(0.0, abs=0.015)
    same = np.zeros_like(counts)
    same[:, 0] = runs
    assert chance_corrected_agreement(same, n_options) == pytest.approx(1.0)


@pytest.mark.parametrize("kind, expected, tolerance", [("random", 0.0, 0.12), ("perfect", 1.0, 1e-12)])
def test_run_agreement_in_a_real_database_for_every_family(tmp_path, kind, expected, tolerance):
    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer(kind), 40)
    table = run_agreement_table(Design.build(load_responses(engine, "study"), n_boot=10, seed=0))
    kappas = dict(zip(table["variant"], table["runs_kappa"]))
    assert {"pc", "tr", "sr"} <= set(kappas)
    for variant, kappa in kappas.items():
        assert kappa == pytest.approx(expected, abs=tolerance), variant
