"""The human row of a cover study (docs/cover-design-results.md, "Scores").

Every unit has K answers from K different people, and nobody answers two runs of one item. The
row is the benchmark's own metrics (tasks.scoring.metrics, the kit's arithmetic) on one result
per unit whose credit is the unit's proportion correct over all its answers:

- AA = 100 x the mean over runs of the run's proportion correct (pc macro-averaged over its
  sub-categories as the kit does). With K answers for every run this is also the share of all
  answers that are correct, and the mean of the K draws' AA.
- ACR = 100 x the mean over items of the product over the item's runs of their proportions
  correct: the expected ACR of a responder who answers each run as a member of the cohort drawn
  at random for that run (the mean of the kit's ACR over every way of picking one of the K
  answers per run). It is unbiased for that quantity because the answers to the runs of one item
  come from different people. It is not a single person's consistency across runs, which a cover
  study does not observe: where people are consistent, a shared study's ACR is higher.

Single-pass cover: the unit is the item (its answers were given to counterbalanced runs); one
result per item, so ACR equals AA, as in a single-pass participant's own folder.
"""
from __future__ import annotations

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession

from db import repo

from tasks.analysis.responses import Responses
from tasks.scoring.metrics import Performance, RunResult, leaderboard_row, score_all
from tasks.study.studies import study_protocol


def cover_mode_of(engine: Engine, study_name: str) -> str | None:
    """The protocol mode of a cover study ("full-robust" or "single-pass"); None for a shared one."""
    with DbSession(engine) as s:
        study = repo.get_study(s, study_name)
    if study is None:
        return None
    protocol = study_protocol(study)
    return protocol.mode if protocol.design == "cover" else None


def cover_results(resp: Responses, mode: str) -> list[RunResult]:
    """One result per unit answered, its credit the unit's proportion correct."""
    if not len(resp.run):
        return []
    per_unit = resp.run if mode == "full-robust" else resp.item
    n = np.bincount(per_unit)
    right = np.bincount(per_unit, weights=resp.correct.astype(np.float64), minlength=len(n))
    out = []
    for u in np.flatnonzero(n):
        info = resp.runs[int(u)] if mode == "full-robust" else resp.item_run(int(u))
        out.append(RunResult(info.variant, info.item_id, info.rotate_id, info.category, info.sub_category,
                             float(right[u] / n[u])))
    return out


def cover_scores(resp: Responses, mode: str) -> dict[str, Performance]:
    return score_all(cover_results(resp, mode))


def cover_row(resp: Responses, mode: str) -> dict[str, float | None]:
    """The leaderboard row of the cover study."""
    return leaderboard_row(cover_scores(resp, mode))


def add_cover_rows(engine: Engine, inputs) -> None:
    """Set ``cover_row`` on the cover studies of a comparison's inputs
    (tasks.results.compare_input.HumanInputs)."""
    from tasks.analysis.responses import load_responses

    for name, study in inputs.studies.items():
        mode = cover_mode_of(engine, name)
        if mode is not None:
            study.cover_row = cover_row(load_responses(engine, name), mode)
