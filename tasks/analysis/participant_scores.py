"""Each participant's performances (by variant) from the response arrays, without a run result
per response: the true/false results of a participant are counted per (category, sub-category,
item id) cell, cells in order of first appearance within each variant, and scored by
tasks.scoring.metrics.score_counted, the arithmetic score() applies to the same results (so
the same Performance, to the last bit, as score_all on the participant's run results)."""
from __future__ import annotations

import numpy as np

from tasks.analysis.responses import Responses
from tasks.scoring.metrics import Performance, score_counted


def participant_performances(resp: Responses) -> list[dict[str, Performance]]:
    """Per participant (in resp.codes order) the score_all of their answered runs."""
    cell_of: dict[tuple, int] = {}
    run_cell = np.array([cell_of.setdefault((r.variant, r.category, r.sub_category, r.item_id), len(cell_of))
                         for r in resp.runs], dtype=np.int64)
    cells = list(cell_of)
    order = np.argsort(resp.participant, kind="stable")  # each participant's rows in stored order
    bounds = np.searchsorted(resp.participant[order], np.arange(resp.n_participants + 1))
    out = []
    for p in range(resp.n_participants):
        rows = order[bounds[p]:bounds[p + 1]]
        c = run_cell[resp.run[rows]]
        seen, first = np.unique(c, return_index=True)
        runs_of = np.bincount(c, minlength=len(cells))
        right_of = np.bincount(c, weights=resp.correct[rows], minlength=len(cells))
        by_alias: dict[str, tuple[dict, dict]] = {}  # variants in order of first appearance
        for k in seen[np.argsort(first, kind="stable")].tolist():
            variant, category, sub_category, item_id = cells[k]
            runs, correct = by_alias.setdefault(variant, ({}, {}))
            runs[(category, sub_category, item_id)] = int(runs_of[k])
            if right_of[k]:
                correct[(category, sub_category, item_id)] = int(right_of[k])
        out.append({alias: score_counted(alias, runs, correct) for alias, (runs, correct) in by_alias.items()})
    return out
