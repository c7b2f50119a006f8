"""The resampling design of one study: per item and participant the correct and answered run
counts, and the bootstrap draws of participants and items, made once per report (seeded) and
shared by every interval of the report so that all of them rest on the same resamples."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tasks.analysis.bootstrap import (counts_by_item, crossed_ci, group_scores, multinomial_weights, strata_weights,
                                      weighted_participant_mean)
from tasks.analysis.crossed_moments import CrossedMoments, crossed_moments
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
    # of participants' scores (cover_moments)
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
        strata = [f"{v}\x00{s or c}" for v, c, s in zip(variant, category, sub)]  # as strata() below
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

    def strata(self) -> np.ndarray:
        """(I,) each item's stratum (variant and sub-category, or category where it has none), as
        the item resamples keep them."""
        return np.array([f"{v}\x00{s or c}" for v, c, s in zip(self.variant, self.category, self.sub_category)],
                        dtype=object)

    def cover_answers(self, variant: str, idx: np.ndarray, scale: float = 1.0) -> tuple[np.ndarray, ...]:
        """A cover study's answers to the items idx as crossed_moments takes them: participant, item,
        stratum, 100 x correct, and each answer's weight in the pooled human mean (times scale): the
        share correct over the answers of each macro group (pc: its sub-categories, unweighted),
        so the weights of the answers sum to scale. With K answers per run this is the mean over
        runs of their proportions correct (the cover human row, tasks.cover.scores)."""
        resp = self.responses
        groups = [g for g in self.groups(variant, idx) if self.answered[g].sum() > 0]
        group_of = np.full(len(self.variant), -1, dtype=np.int64)
        for k, g in enumerate(groups):
            group_of[g] = k
        mask = group_of[resp.item] >= 0 if len(resp.item) else np.zeros(0, dtype=bool)
        answer_group = group_of[resp.item[mask]]
        per_group = np.bincount(answer_group, minlength=len(groups)).astype(np.float64)
        weight = scale / (len(groups) * per_group[answer_group]) if len(groups) else np.zeros(0)
        return (resp.participant[mask], resp.item[mask], self.strata()[resp.item[mask]],
                100.0 * resp.correct[mask].astype(np.float64), weight)

    def cover_moments(self, columns: list[tuple[str, np.ndarray]]) -> CrossedMoments | None:
        """crossed_moments of a cover study's pooled human mean: of one column (variant, items),
        or the unweighted mean of several (the overall MA of the three families)."""
        parts = [self.cover_answers(variant, idx, 1.0 / len(columns)) for variant, idx in columns]
        return crossed_moments(*(np.concatenate([part[k] for part in parts]) for k in range(5)))

    def crossed_interval(self, variant: str, idx: np.ndarray) -> tuple[float, float] | None:
        """The crossed participants x items 95% interval of the human mean on the items idx."""
        people = int((self.answered[idx].sum(axis=0) > 0).sum())
        if self.cover_mode is not None:
            moments = self.cover_moments([(variant, idx)])
            return None if moments is None else moments.interval()
        return self.crossed_interval_of(self.participant_replicates(variant, idx),
                                        self.participant_scores(variant, idx), people, int(idx.size))

    def crossed_interval_of(self, per_participant: np.ndarray, fixed: np.ndarray, people: int,
                            n_items: int) -> tuple[float, float] | None:
        """crossed_ci of participant scores already computed (crossed_sets explains them)."""
        return crossed_ci(*self.crossed_sets(per_participant, fixed), people, n_items)
