"""A cover study's units as arrays, with each unit's trial time: built once per study and dataset
(reading the clips' headers and making the runs takes longer than choosing a share) and kept by
whoever enrols (a station, simulate) in a CoverContexts."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from db.models import Study
from tasks.cover.claims import CompletedClaims
from tasks.cover.units import CoverUnit, UnitKey, cover_units
from tasks.dataset.items import Item
from tasks.dataset.loader import Dataset
from tasks.dataset.runs import Run, make_run
from tasks.study.plan import Protocol
from tasks.study.session_time import SETUP_ALLOWANCE_S, RunSeconds, trial_s


@dataclass
class CoverContext:
    dataset: Dataset
    protocol: Protocol
    units: list[CoverUnit]
    index: dict[UnitKey, int]  # unit key -> position in ``units``
    seconds: np.ndarray  # per unit: one trial with its answer (session_time.trial_s)
    group: np.ndarray  # per unit: index into ``groups``
    groups: list[str]
    item: np.ndarray  # per unit: index into ``item_keys``
    item_keys: list[tuple[str, str]]  # (source, item id)
    item_index: dict[tuple[str, str], int]
    run_seconds: RunSeconds
    completed: CompletedClaims = field(default_factory=CompletedClaims, repr=False)
    _sorted: dict[str, list[Item]] = field(default_factory=dict, repr=False)
    # per unit number of ``completed`` (CompletedClaims.keys): its position in ``units``, -1: none
    _remap: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    _fixed: float | None = field(default=None, repr=False)
    _indices: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _runs: dict[tuple[str, str, int], Run] = field(default_factory=dict, repr=False)

    def claims_array(self, claims: dict[UnitKey, int]) -> np.ndarray:
        out = np.zeros(len(self.units), dtype=np.int64)
        for key, n in claims.items():
            i = self.index.get(key)
            if i is not None:
                out[i] = n
        return out

    def run_of(self, item: Item, variant: str, rotate_id: int) -> Run:
        """make_run, kept (a Run is frozen): a share plans some 200 of them."""
        key = (variant, item.id, rotate_id)
        found = self._runs.get(key)
        if found is None:
            found = self._runs[key] = make_run(item, variant, rotate_id)
        return found

    def item_indices(self, source: str) -> np.ndarray:
        """Per item of items_by_id(source): its place in ``item_keys``, -1 for an item that is no unit."""
        found = self._indices.get(source)
        if found is None:
            found = self._indices[source] = np.asarray(
                [self.item_index.get((source, it.id), -1) for it in self.items_by_id(source)], dtype=np.int64)
        return found

    def counts_array(self, counts: np.ndarray) -> np.ndarray:
        """Claims per unit from counts per unit number of ``completed`` (claims.claim_counts)."""
        keys = self.completed.keys
        if self._remap.size < len(keys):
            more = [self.index.get(k, -1) for k in keys[self._remap.size:]]
            self._remap = np.concatenate([self._remap, np.asarray(more, dtype=np.int64)])
        remap = self._remap[:counts.size]
        known = remap >= 0
        out = np.zeros(len(self.units), dtype=np.int64)
        out[remap[known]] = counts[known]
        return out

    def fixed_s(self) -> float:
        """Set-up and practice seconds of a share: practice counted at the longest trial of its
        variant (kept: asked at every share)."""
        if self._fixed is None:
            practice = 0.0
            per = self.protocol.practice_per_block
            if per:
                variants = np.asarray([u.variant for u in self.units])
                for v in self.protocol.variants:
                    mask = variants == v
                    if mask.any():
                        practice += per * float(self.seconds[mask].max())
            self._fixed = SETUP_ALLOWANCE_S + practice
        return self._fixed

    def had_array(self, had: set[tuple[str, str]]) -> np.ndarray:
        out = np.zeros(len(self.item_keys), dtype=bool)
        for key in had:
            i = self.item_index.get(key)
            if i is not None:
                out[i] = True
        return out

    def items_by_id(self, source: str) -> list[Item]:
        """The dataset's items of ``source`` (pc, tr, sr), sorted by id (kept: asked at every share)."""
        found = self._sorted.get(source)
        if found is None:
            found = self._sorted[source] = sorted(self.dataset.items.get(source, []), key=lambda i: i.id)
        return found


def cover_context(dataset: Dataset, protocol: Protocol) -> CoverContext:
    units = cover_units(dataset, protocol)
    seconds = RunSeconds(dataset)
    per_item: dict[tuple[str, str], float] = {}
    groups: dict[str, int] = {}
    item_index: dict[tuple[str, str], int] = {}
    secs, group, item = [], [], []
    for u in units:
        key = (u.variant, u.item.id)
        if key not in per_item:  # every run of an item lasts as long (RunSeconds)
            per_item[key] = trial_s(seconds.sound_s(make_run(u.item, u.variant, u.rotate_id or 0)))
        secs.append(per_item[key])
        group.append(groups.setdefault(u.group, len(groups)))
        item.append(item_index.setdefault(u.item_key, len(item_index)))
    return CoverContext(dataset=dataset, protocol=protocol, units=units, index={u.key: i for i, u in enumerate(units)},
                        seconds=np.asarray(secs, dtype=float), group=np.asarray(group, dtype=np.int64),
                        groups=list(groups), item=np.asarray(item, dtype=np.int64), item_keys=list(item_index),
                        item_index=item_index, run_seconds=seconds)


class CoverContexts:
    """The CoverContext of each study, made on first use. One per enrolling process (a station,
    simulate, the console); a study's protocol and dataset never change once it has sessions (the
    dataset's fingerprint is checked before every enrolment), so a context never goes stale."""

    def __init__(self) -> None:
        self._made: dict[tuple[int, str, str], CoverContext] = {}

    def get(self, dataset: Dataset, study: Study, protocol: Protocol) -> CoverContext:
        key = (study.id, str(dataset.root), study.protocol_json)
        ctx = self._made.get(key)
        if ctx is None or ctx.dataset is not dataset:
            ctx = self._made[key] = cover_context(dataset, protocol)
        return ctx
