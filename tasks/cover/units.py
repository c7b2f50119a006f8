"""The units a cover study must answer K times each.

Full-robust: every run of every selected item, as the model evaluation has them (pc one run per
option rotation, tr and sr runs 0-2, per chosen variant). Single-pass: every selected item; its
run is chosen per answer and counterbalanced (the j-th answer of an item gets run
(offset + j) mod n_runs, the offset seeded by the study seed and the item, as in the shared
design's single-pass).

An item is the same item in every variant made from one source file (tr, tr_uncut and tr_cap
share their items): a participant never gets two units of one item, across variants and shares.
"""
from __future__ import annotations

from dataclasses import dataclass

from tasks.dataset.items import VARIANT_SOURCE, Item
from tasks.dataset.loader import Dataset
from tasks.dataset.runs import n_runs
from tasks.study.plan import Protocol, select_items, single_pass_run

UnitKey = tuple[str, str, "int | None"]  # (variant, item_id, rotate_id); rotate_id None in single-pass


@dataclass(frozen=True)
class CoverUnit:
    variant: str
    item: Item
    rotate_id: int | None  # None: single-pass, the run is chosen per answer (rotation_for)

    @property
    def key(self) -> UnitKey:
        return (self.variant, self.item.id, self.rotate_id)

    @property
    def item_key(self) -> tuple[str, str]:
        """The item's identity across variants: (source file, item id)."""
        return (VARIANT_SOURCE[self.variant], self.item.id)

    @property
    def group(self) -> str:
        """(variant, sub-category or category): the strata a share mixes in proportion."""
        return f"{self.variant}/{self.item.group}"


def cover_units(dataset: Dataset, protocol: Protocol) -> list[CoverUnit]:
    """Every unit of the protocol, in a stable order (variant as the protocol lists them, item
    id, run)."""
    units: list[CoverUnit] = []
    for variant, items in select_items(dataset, protocol).items():
        for item in items:
            if protocol.mode == "single-pass":
                units.append(CoverUnit(variant, item, None))
            else:
                units.extend(CoverUnit(variant, item, r) for r in range(n_runs(item)))
    return units


def rotation_for(unit: CoverUnit, answer_index: int, seed: int) -> int:
    """The run a unit is presented as for its ``answer_index``-th assignment (0-based): its own
    run in full-robust, counterbalanced over the answers in single-pass."""
    if unit.rotate_id is not None:
        return unit.rotate_id
    return single_pass_run(unit.item, answer_index, seed, unit.variant)


def unit_key(mode: str, variant: str, item_id: str, rotate_id: int) -> UnitKey:
    """The unit a stored planned trial answers."""
    return (variant, item_id, None if mode == "single-pass" else rotate_id)
