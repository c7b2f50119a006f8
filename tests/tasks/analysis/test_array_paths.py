"""The report's array paths give what the per-response paths they replaced gave, to the last bit:
each participant's scores, the point-biserial discrimination per item, the agreement between runs.
Responses are built directly, with missing answers, several variants, pc sub-categories and
runs of 2 to 5 options (a seeded random study)."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from tasks.analysis.agreement import chance_corrected_agreement, run_agreement_table
from tasks.analysis.blas import _SETTERS, loaded_openblas, one_blas_thread
from tasks.analysis.design import Design
from tasks.analysis.item_analysis import point_biserials
from tasks.analysis.participant_scores import participant_performances
from tasks.analysis.responses import NO_ANSWER, Responses, RunInfo
from tasks.scoring.metrics import score_all


def random_responses(seed: int, participants: int = 9, items: int = 40) -> Responses:
    rng = np.random.default_rng(seed)
    runs = []
    for k in range(items):
        variant = ("pc", "tr", "sr")[k % 3]
        n_opts = int(rng.integers(2, 6))
        options = tuple(f"option {j} of item {k}" for j in range(n_opts))
        sub = f"sub{k % 4}" if variant == "pc" else None
        for r in range(int(rng.integers(1, 4))):
            runs.append(RunInfo(variant, f"{variant}_{k}", r, variant, f"cat{k % 2}", sub, options[r:] + options[:r],
                                options[0], "<A>", None, f"{variant}_{k}@{r}"))
    participant, run, choice = [], [], []
    for p in range(participants):
        for ri in rng.permutation(len(runs)):
            if rng.random() < 0.85:  # some runs unanswered
                participant.append(p)
                run.append(int(ri))
                choice.append(int(rng.integers(-1, len(runs[ri].options))))
    choice = np.array(choice)
    correct = choice == 0
    return Responses(f"study {seed}", [f"P{p}" for p in range(participants)], runs, np.array(participant),
                     np.array(run), choice, correct)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_participant_scores_are_score_all_of_their_runs(seed):
    resp = random_responses(seed)
    expected = [score_all(resp.run_results(resp.participant == p)) for p in range(resp.n_participants)]
    got = participant_performances(resp)
    assert got == expected
    assert [list(d) for d in got] == [list(d) for d in expected]  # variants in the same order


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_point_biserials_are_scipys_per_item(seed):
    resp = random_responses(seed, participants=12)
    design = Design.build(resp, 5, 0)
    c, n = design.correct, design.answered
    took = n > 0
    agree = took & (c / np.where(took, n, 1) > 0.5)
    totals_c = [c[design.variant == v].sum(axis=0) for v in design.variant]
    totals_n = [n[design.variant == v].sum(axis=0) for v in design.variant]
    got = point_biserials(agree, took, c, n, totals_c, totals_n)
    defined = 0
    for k in range(len(resp.items)):
        x = agree[k][took[k]].astype(float)
        rest_n = (totals_n[k] - n[k])[took[k]]
        rest_c = (totals_c[k] - c[k])[took[k]]
        keep = rest_n > 0
        x, y = x[keep], rest_c[keep] / rest_n[keep]
        if x.size < 3 or x.min() == x.max() or np.ptp(y) == 0:
            assert got[k] == (None, None)
            continue
        r = stats.pointbiserialr(x, y)
        assert got[k] == (float(r.statistic), float(r.pvalue))  # exactly
        defined += 1
    assert defined > 5


def _run_agreement_by_groupby(design):
    """The former pandas computation of the table."""
    import pandas as pd

    resp = design.responses
    labels, texts = resp.labels()
    lab = np.where(labels == NO_ANSWER, len(texts), labels)
    frame = pd.DataFrame({"p": resp.participant, "item": resp.item, "label": lab})
    out = []
    for v in dict.fromkeys(design.variant.tolist()):
        sub = frame[design.variant[frame["item"].to_numpy()] == v]
        sizes = sub.groupby(["p", "item"]).size()
        multi = sizes[sizes >= 2]
        sub = sub.set_index(["p", "item"]).loc[multi.index].reset_index()
        counts = sub.groupby(["p", "item", "label"]).size().unstack(fill_value=0)
        options = np.array([len(resp.item_run(int(k)).options) for k in counts.index.get_level_values("item")])
        out.append((v, int(multi.size), float((counts.max(axis=1) == counts.sum(axis=1)).mean()),
                    chance_corrected_agreement(counts.to_numpy(), options)))
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_run_agreement_is_the_grouped_tables(seed):
    resp = random_responses(seed)
    design = Design.build(resp, 5, 0)
    table = run_agreement_table(design)
    got = [(r["variant"], r["participant_items"], r["all_runs_same"], r["runs_kappa"]) for r in table.to_dict("records")]
    assert got == _run_agreement_by_groupby(design)


def test_one_blas_thread_finds_the_loaded_openblas():
    """Every OpenBLAS the process loaded (numpy's and scipy's) is set to one thread; without
    OpenBLAS (another BLAS) nothing is set and nothing fails."""
    import ctypes

    done = one_blas_thread()
    libraries = loaded_openblas()
    assert done == len(libraries)
    for path in libraries:
        lib = ctypes.CDLL(path)
        getter = next(getattr(lib, name.replace("_set_", "_get_")) for name in _SETTERS
                      if hasattr(lib, name.replace("_set_", "_get_")))
        assert getter() == 1, path
