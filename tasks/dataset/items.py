"""STAR-Bench items and the problems found while loading them.

An :class:`Item` is one entry of a ``meta_info/*.json`` file with its audio paths resolved
against the dataset root. Field names follow the dataset (``sub-category`` becomes
``sub_category``); fields we do not know are kept in ``extra`` so nothing is lost.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasks.dataset.paths import contained_path

# Characters that must never reach a terminal or a log raw: C0/C1 controls (ANSI escapes, CR,
# newlines), bidirectional and zero-width format marks, line/paragraph separators and lone
# surrogates (not valid Unicode: printing them raises).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def printable(text: object) -> str:
    """Dataset text made safe to print: control and format characters become visible escapes
    (``\\x1b``, ``\\n``, ``\\ud800``), everything else stays as it is."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


# alias -> (meta file, family). The family decides runs and scoring.
ALIAS_FILES: dict[str, str] = {
    "pc": "foundation_perception.json",
    "tr": "holistic_reasoning_temporal.json",
    "sr": "holistic_reasoning_spatial.json",
    "pc_sp": "foundation_perception_spatial.json",
    "pc_nsp": "foundation_perception_nonspatial.json",
}
STANDARD_ALIASES = ("pc", "tr", "sr")
OPTIONAL_ALIASES = ("pc_sp", "pc_nsp")
# The public evaluation kit names the perception file foundation_perception_total.json; the
# v1.0 dataset card names it foundation_perception.json. We read either, preferring the card.
ALIAS_FALLBACK_FILES: dict[str, str] = {"pc": "foundation_perception_total.json"}

# A variant is how an item is presented; each maps to the alias whose items it uses.
VARIANT_SOURCE: dict[str, str] = {
    "pc": "pc",
    "pc_sp": "pc_sp",
    "pc_nsp": "pc_nsp",
    "tr": "tr",
    "tr_uncut": "tr",
    "tr_cap": "tr",
    "sr": "sr",
    "sr_ch": "sr",
}
VARIANTS = tuple(VARIANT_SOURCE)


def family_of(alias_or_variant: str) -> str:
    """'pc', 'tr' or 'sr': the task family that decides runs and scoring."""
    source = VARIANT_SOURCE.get(alias_or_variant, alias_or_variant)
    if source.startswith("pc"):
        return "pc"
    if source in ("tr", "sr"):
        return source
    raise ValueError(f"unknown alias or variant {alias_or_variant!r}")


TEMPORAL_SUBS = ("OSM", "ISSE", "TAO", "DSS", "ETC")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a dataset, located precisely enough to fix it by hand."""

    file: str  # path relative to the dataset root, e.g. "meta_info/holistic_reasoning_spatial.json"
    message: str
    item_id: str | None = None
    index: int | None = None  # position in the JSON array
    field: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.item_id is not None:
            where.append(f"item {self.item_id!r}")
        if self.index is not None:
            where.append(f"index {self.index}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        return printable(", ".join(where) + ": " + self.message)


@dataclass(frozen=True)
class Item:
    alias: str
    id: str
    task: str
    category: str
    sub_category: str | None
    question: str
    options: tuple[str, ...]
    answer: str | None  # None for v1.0 temporal items: derived per run
    audio_paths: tuple[str, ...]  # as written in the file, relative to the root
    root: Path
    index: int
    source: str | None = None
    global_caption: str | None = None
    uncut_audio_path: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def family(self) -> str:
        return family_of(self.alias)

    def audio_file(self, relative: str) -> Path:
        """The file a path of this item names, symbolic links followed; UnsafePathError when it
        lies outside the dataset root (tasks.dataset.paths)."""
        return contained_path(self.root, relative)

    @property
    def audio_files(self) -> tuple[Path, ...]:
        return tuple(self.audio_file(p) for p in self.audio_paths)

    @property
    def group(self) -> str:
        """Sub-category when the item has one, else its category (for stratified sampling)."""
        return self.sub_category or self.category


def parse_temporal_id(item_id: str) -> tuple[str, int]:
    """Split a temporal id ``..._<SUB>_<n>`` into (SUB, n). Raises ValueError when malformed."""
    parts = item_id.split("_")
    if len(parts) < 2:
        raise ValueError(f"id {item_id!r} does not end in _<SUB>_<n>")
    sub, number = parts[-2], parts[-1]
    if sub not in TEMPORAL_SUBS:
        raise ValueError(
            f"id {item_id!r} does not end in _<SUB>_<n> with SUB one of {', '.join(TEMPORAL_SUBS)}"
        )
    if not (number.isascii() and number.isdigit()) or len(number) > 18:
        raise ValueError(f"id {item_id[:60]!r}: the part after _{sub}_ must be a whole number (digits 0-9, at most 18)")
    return sub, int(number)
