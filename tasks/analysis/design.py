"""The resampling design of one study: per item and participant the correct and answered run
counts, and the bootstrap draws of participants and items, made once per report (seeded) and
shared by every interval of the report so that all of them rest on the same resamples."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tasks.analysis.bootstrap import (counts_by_item, crossed_ci, group_scores, multinomial_weights, strata_weights,
                                      weighted_participant_mean)
from tasks.analysis.responses import Responses
from tasks.dataset.items import family_of


@dataclass
class Design:
    responses: Responses
    n_boot: int
    correct: np.ndarray  # (I, P) correct runs per item and participant
    answered: np.ndarray  # (I, P) answered runs
    participant_weights: np.ndarray  # (n_boot, P)
    item_weights: np.ndarray  # (n_boot, I), resampled within (variant, sub-category or category)
    variant: np.ndarray  # (I,) per item
    category: np.ndarray
    sub_category: np.ndarray

    @classmethod
    def build(cls, resp: Responses, n_boot: int, seed: int) -> "Design":
        if n_boot < 1:
            raise ValueError("the number of bootstrap resamples must be at least 1")
        rng = np.random.default_rng(seed)
        first = [resp.item_run(k) for k in range(len(resp.items))]
        variant = np.array([r.variant for r in first], dtype=object)
        category = np.array([r.category or "" for r in first], dtype=object)
        sub = np.array([r.sub_category or "" for r in first], dtype=object)
        strata = [f"{v}\x00{s or c}" for v, c, s in zip(variant, category, sub)]
        right, answered = counts_by_item(resp.participant, resp.item, resp.correct, resp.n_participants,
                                         len(resp.items))
        v = multinomial_weights(resp.n_participants, n_boot, rng)
        w = strata_weights(strata, n_boot, rng)
        return cls(resp, n_boot, right, answered, v, w, variant, category, sub)

    def items(self, variant: str, category: str | None = None, sub_category: str | None = None) -> np.ndarray:
        mask = self.variant == variant
        if category is not None:
            mask &= self.category == category
        if sub_category is not None:
            mask &= self.sub_category == sub_category
        return np.flatnonzero(mask)

    def groups(self, variant: str, idx: np.ndarray) -> list[np.ndarray]:
        """Macro groups of a pc-family column (its sub-categories, sorted), else one group."""
        if family_of(variant) != "pc":
            return [idx]
        subs = self.sub_category[idx]
        return [idx[subs == s] for s in sorted(set(subs.tolist()))]

    def participant_replicates(self, variant: str, idx: np.ndarray) -> np.ndarray:
        """(n_boot, P) each participant's score on each resample of the items idx."""
        return group_scores(self.item_weights, self.correct, self.answered, self.groups(variant, idx))

    def participant_scores(self, variant: str, idx: np.ndarray) -> np.ndarray:
        """(1, P) each participant's score on the items idx as they are (the point estimate's)."""
        return group_scores(np.ones((1, self.item_weights.shape[1]), dtype=np.float32),
                            self.correct, self.answered, self.groups(variant, idx))

    def mean_replicates(self, variant: str, idx: np.ndarray) -> np.ndarray:
        """(n_boot,) the human mean on each two-level resample."""
        return weighted_participant_mean(self.participant_replicates(variant, idx), self.participant_weights)

    def crossed_sets(self, per_participant: np.ndarray, fixed: np.ndarray) -> tuple[float, np.ndarray, np.ndarray,
                                                                                    np.ndarray]:
        """From (n_boot, P) participant scores on item resamples and (1, P) scores on the items as
        they are: the human mean, and its replicates resampling both levels, participants only
        and items only (what crossed_ci takes)."""
        ones = np.ones_like(self.participant_weights)
        point = float(weighted_participant_mean(fixed, np.ones((1, fixed.shape[1]), dtype=np.float32))[0])
        both = weighted_participant_mean(per_participant, self.participant_weights)
        participants_only = weighted_participant_mean(np.broadcast_to(fixed, per_participant.shape),
                                                      self.participant_weights)
        items_only = weighted_participant_mean(per_participant, ones)
        return point, both, participants_only, items_only

    def crossed_interval(self, variant: str, idx: np.ndarray) -> tuple[float, float] | None:
        """The crossed participants x items 95% interval of the human mean on the items idx."""
        people = int((self.answered[idx].sum(axis=0) > 0).sum())
        return self.crossed_interval_of(self.participant_replicates(variant, idx),
                                        self.participant_scores(variant, idx), people, int(idx.size))

    def crossed_interval_of(self, per_participant: np.ndarray, fixed: np.ndarray, people: int,
                            n_items: int) -> tuple[float, float] | None:
        """crossed_ci of participant scores already computed (crossed_sets explains them)."""
        return crossed_ci(*self.crossed_sets(per_participant, fixed), people, n_items)
