"""The design of one study: per item and participant the correct and answered run counts, the
bootstrap draws of items, made once per report (seeded) and shared by every resampled interval
of the report, and the human mean's crossed participants x items interval (human_moments, by the
method of moments of tasks.analysis.crossed_moments, for a shared or a cover study)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tasks.analysis.bootstrap import counts_by_item, multinomial_weights, strata_weights
from tasks.analysis.crossed_moments import CrossedMoments, crossed_moments
from tasks.analysis.responses import Responses
from tasks.dataset.items import family_of


@dataclass
class Design:
    responses: Responses
    n_boot: int
    correct: np.ndarray  # (I, P) correct runs per item and participant
    answered: np.ndarray  # (I, P) answered runs
    item_weights: np.ndarray  # (n_boot, I), resampled within each item's stratum
    variant: np.ndarray  # (I,) per item
    category: np.ndarray
    sub_category: np.ndarray
    stratum: np.ndarray  # (I,) variant and sub-category, or category where the item has none
    # a cover study ("full-robust" or "single-pass"; None: shared design): each participant
    # answers a share, and the human mean is the pooled share correct over the units, not a mean
    # of participants' scores (human_answers)
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
        strata = np.array([f"{v}\x00{s or c}" for v, c, s in zip(variant, category, sub)], dtype=object)
        right, answered = counts_by_item(resp.participant, resp.item, resp.correct, resp.n_participants,
                                         len(resp.items))
        # participants are no longer resampled, but their draws still come first from the seed,
        # so that the item draws (and every contrast's interval) stay what they were
        multinomial_weights(resp.n_participants, n_boot, rng)
        w = strata_weights(strata, n_boot, rng)
        return cls(resp, n_boot, right, answered, w, variant, category, sub, strata, cover_mode)

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

    def human_answers(self, variant: str, idx: np.ndarray, scale: float = 1.0,
                      people: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
        """The answers to the items idx as crossed_moments takes them: participant, item, stratum,
        100 x correct, and each answer's weight in the human mean (the weights sum to scale).
        A shared study's human mean is the mean of participants' scores (of the participants in
        the boolean mask people, default: all with an answer): each participant weighs the same,
        within a participant each macro group (pc: sub-category) they answered, within a group each
        answer. A cover study's pools every answer: each macro group weighs the same, within it
        each answer (with K answers per run, the mean over runs of their proportions correct: the
        cover human row, tasks.cover.scores)."""
        resp = self.responses
        groups = self.groups(variant, idx)
        group_of = np.full(len(self.variant), -1, dtype=np.int64)
        for k, g in enumerate(groups):
            group_of[g] = k
        mask = group_of[resp.item] >= 0 if len(resp.item) else np.zeros(0, dtype=bool)
        if people is not None:
            mask &= people[resp.participant]
        group = group_of[resp.item[mask]]
        owner = np.zeros(group.size, dtype=np.int64) if self.cover_mode is not None else resp.participant[mask]
        _keys, unit, per_unit = np.unique(owner * len(groups) + group, return_inverse=True, return_counts=True)
        owners, owner_of = np.unique(owner, return_inverse=True)
        groups_per_owner = np.bincount(owner_of[np.unique(unit, return_index=True)[1]], minlength=owners.size)
        weight = scale / (owners.size * groups_per_owner[owner_of] * per_unit[unit])
        return (resp.participant[mask], resp.item[mask], self.stratum[resp.item[mask]],
                100.0 * resp.correct[mask].astype(np.float64), weight)

    def human_moments(self, columns: list[tuple[str, np.ndarray]]) -> CrossedMoments | None:
        """crossed_moments of the human mean of one column (variant, items), or of the unweighted
        mean of several (the overall MA of the three families; in a shared study over the
        participants with answers in every one of them, as their Final MA needs)."""
        people = None
        if self.cover_mode is None:
            people = np.ones(self.answered.shape[1], dtype=bool)
            for _variant, idx in columns:
                people &= self.answered[idx].sum(axis=0) > 0
        parts = [self.human_answers(variant, idx, 1.0 / len(columns), people) for variant, idx in columns]
        return crossed_moments(*(np.concatenate([part[k] for part in parts]) for k in range(5)))

    def crossed_interval(self, variant: str, idx: np.ndarray) -> tuple[float, float] | None:
        """The crossed participants x items 95% interval of the human mean on the items idx."""
        moments = self.human_moments([(variant, idx)])
        return None if moments is None else moments.interval()
