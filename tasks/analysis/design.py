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
    # a cover study ("full-robust" or "single-pass"; None: shared design): each participant
    # answers a share, and the human mean is the pooled share correct over the units, not a mean
    # of participants' scores (cover_sets)
    cover_mode: str | None = None

    @classmethod
    def build(cls, resp: Responses, n_boot: int, seed: int, cover_mode: str | None = None) -> "Design":
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
        return cls(resp, n_boot, right, answered, v, w, variant, category, sub, cover_mode)

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

    def pooled_scores(self, variant: str, idx: np.ndarray, participant_weights: np.ndarray,
                      item_weights: np.ndarray) -> np.ndarray:
        """(n,) the pooled share correct (percent) of the items idx under n rows of participant
        and item weights: each answer weighted by its participant's and its item's draw count;
        pc-family columns the unweighted mean of their sub-categories' shares (the kit's macro)."""
        parts = []
        for g in self.groups(variant, idx):
            w = item_weights[:, g].astype(np.float64)
            num = ((participant_weights @ self.correct[g].T).astype(np.float64) * w).sum(axis=1)
            den = ((participant_weights @ self.answered[g].T).astype(np.float64) * w).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                parts.append(np.where(den > 0, 100.0 * num / np.where(den > 0, den, 1.0), np.nan))
        return np.nanmean(np.stack(parts), axis=0) if len(parts) > 1 else parts[0]

    def cover_sets(self, variant: str, idx: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """A cover study's human mean on the items idx and its replicates resampling both levels,
        participants only and items only (what crossed_ci takes). The mean pools every answer:
        with K answers per run it is the mean over runs of their proportions correct (the cover
        human row, tasks.cover.scores). Resampling participants also moves items' answers, since
        each participant answers a share; the variance algebra of crossed_ci holds for such sparse
        arrays as for complete ones (docs/cover-design-results.md)."""
        n_p, n_i = self.participant_weights.shape[1], self.item_weights.shape[1]
        ones_p = np.ones((1, n_p), dtype=np.float32)
        ones_i = np.ones((1, n_i), dtype=np.float32)
        point = float(self.pooled_scores(variant, idx, ones_p, ones_i)[0])
        both = self.pooled_scores(variant, idx, self.participant_weights, self.item_weights)
        participants_only = self.pooled_scores(variant, idx, self.participant_weights, ones_i)
        items_only = self.pooled_scores(variant, idx, ones_p, self.item_weights)
        return point, both, participants_only, items_only

    def crossed_interval(self, variant: str, idx: np.ndarray) -> tuple[float, float] | None:
        """The crossed participants x items 95% interval of the human mean on the items idx."""
        people = int((self.answered[idx].sum(axis=0) > 0).sum())
        if self.cover_mode is not None:
            return crossed_ci(*self.cover_sets(variant, idx), people, int(idx.size))
        return self.crossed_interval_of(self.participant_replicates(variant, idx),
                                        self.participant_scores(variant, idx), people, int(idx.size))

    def crossed_interval_of(self, per_participant: np.ndarray, fixed: np.ndarray, people: int,
                            n_items: int) -> tuple[float, float] | None:
        """crossed_ci of participant scores already computed (crossed_sets explains them)."""
        return crossed_ci(*self.crossed_sets(per_participant, fixed), people, n_items)
