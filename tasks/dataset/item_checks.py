"""Checks of one item's content beyond the fields' types (tasks.dataset.loader runs them): text
with lone surrogates, the digital reference an item states, an item of one family placed in
another family's meta file, and the channels a family's audio must have.

Each returns the problem as text (or None), so that the validator names the item and field and
the presenter can refuse the same things at play time."""
from __future__ import annotations

import math
import re
from typing import Any

from audio.levels import DigitalReference

_SURROGATE = re.compile("[\ud800-\udfff]")

# params.digital_reference: a sine at reference_dbfs is meant as reference_db_spl. Values
# outside these ranges describe no playback chain (above full scale, or louder than any ceiling).
REFERENCE_DBFS_RANGE = (-100.0, 0.0)
REFERENCE_DB_SPL_RANGE = (0.0, 120.0)

# the categories of each family (STARBENCH.md section 1): a category of another family in a
# meta file is an item put into the wrong file. Categories not listed are left alone (the real
# dataset may name others).
FAMILY_CATEGORIES = {
    "pc": ("Absolute Perception Range", "Relative Discrimination Sensitivity"),
    "tr": ("Continuous Processes", "Discrete Event Sequences"),
    "sr": ("Single-source Static Localization", "Multi-source Spatial Relation", "Dynamic Trajectory Tracking"),
}
FAMILY_NAMES = {"pc": "perception", "tr": "temporal reasoning", "sr": "spatial reasoning"}
BINAURAL_CHANNELS = 2  # sr items are binaural (STARBENCH.md section 1)


def surrogate_field(raw: dict) -> str | None:
    """The first top-level field whose value (at any depth, keys included) holds a lone
    surrogate: JSON allows "\\ud800", but such text cannot be stored, exported or printed."""
    for name, value in raw.items():
        stack = [name, value]
        while stack:
            v = stack.pop()
            if isinstance(v, str):
                if _SURROGATE.search(v):
                    return name
            elif isinstance(v, list):
                stack.extend(v)
            elif isinstance(v, dict):
                stack.extend(v.keys())
                stack.extend(v.values())
    return None


class ItemReferenceError(ValueError):
    """params.digital_reference that is present but not a usable reference."""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def digital_reference(params: Any) -> DigitalReference | None:
    """The reference ``params`` (an item's ``params``) states; None when it states none.
    ItemReferenceError (the message names the field) when one is given but unusable: not an
    object, a key missing, a value that is not a finite number or outside its range."""
    if not isinstance(params, dict) or "digital_reference" not in params:
        return None
    ref = params["digital_reference"]
    if not isinstance(ref, dict):
        raise ItemReferenceError(f"params.digital_reference is {_shown(ref)}; expected an object with reference_dbfs "
                              "and reference_db_spl")
    values = []
    for key, (low, high), unit in (("reference_dbfs", REFERENCE_DBFS_RANGE, "dBFS"),
                                   ("reference_db_spl", REFERENCE_DB_SPL_RANGE, "dB SPL")):
        if key not in ref:
            raise ItemReferenceError(f"params.digital_reference.{key} is missing")
        value = ref[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not low <= value <= high:
            raise ItemReferenceError(f"params.digital_reference.{key} is {_shown(value)}; expected a number from "
                                  f"{low:g} to {high:g} {unit}")
        values.append(float(value))
    return DigitalReference(*values)


def reference_problem(raw: dict) -> str | None:
    try:
        digital_reference(raw.get("params"))
    except ItemReferenceError as exc:
        return str(exc)
    return None


def family_problem(family: str, raw: dict) -> str | None:
    """An item whose category belongs to another family (a perception item in the spatial
    reasoning file): it would be presented and scored as this file's family."""
    category = raw.get("category")
    for other, categories in FAMILY_CATEGORIES.items():
        if other != family and category in categories:
            return (f"category {category!r} is a {FAMILY_NAMES[other]} ({other}) category; this file holds "
                    f"{FAMILY_NAMES[family]} ({family}) items")
    return None


def channel_problem(family: str, channels: int) -> str | None:
    """A spatial reasoning item's file that is not binaural (2 channels)."""
    if family == "sr" and channels != BINAURAL_CHANNELS:
        return (f"{channels} channel(s); a spatial reasoning (sr) item is binaural and needs "
                f"{BINAURAL_CHANNELS} channels (left, right)")
    return None
