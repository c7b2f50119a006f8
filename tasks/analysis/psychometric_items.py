"""What physical difference each perception item presents: the dimensions of the psychometric
fits, their units, and where the values come from.

- The built-in bank (tasks.bank) writes every item's generating parameters in ``params``; the
  sensitivity sub-categories carry ``difference_cents``, ``difference_db``,
  ``difference_percent``, ``difference_deg`` (azimuth and elevation) and ``difference_m``, and
  the detection items of ``range_pitch_loudness`` carry ``level_db_hl`` (None when no tone is
  played).
- For the real dataset, whose items carry no parameters, a CSV maps item ids to a dimension, a
  difference value and its unit (``read_item_params``), checked line by line.

A *control* item presents no difference worth hearing (the grid's level 0, or a spatial
difference the benchmark counts as "the same", or no tone at all): its right answer is "the
same" / "not at all", so it does not lie on the rising curve. Its accuracy is reported beside
the fit (how often "same" is answered when it is true), not fitted.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

WEIBULL, LOGISTIC = "weibull", "logistic"


@dataclass(frozen=True)
class Dimension:
    name: str
    sub_category: str  # the bank's sub-category that presents it
    param: str  # key in the bank's params
    unit: str
    form: str  # the psychometric function fitted: weibull (magnitudes >= 0) or logistic (levels)
    is_control: Callable[[float], bool]
    label: str  # axis label


DIMENSIONS: Mapping[str, Dimension] = {d.name: d for d in (
    Dimension("pitch", "sensitivity_pitch", "difference_cents", "cents", WEIBULL, lambda v: v <= 0,
              "pitch difference (cents)"),
    Dimension("loudness", "sensitivity_loudness", "difference_db", "dB", WEIBULL, lambda v: v <= 0,
              "level difference (dB)"),
    Dimension("duration", "sensitivity_duration", "difference_percent", "%", WEIBULL, lambda v: v <= 0,
              "duration difference (% of the shorter tone)"),
    # below 45 deg the benchmark counts two directions as "the same"
    Dimension("azimuth", "sensitivity_azimuth", "difference_deg", "deg", WEIBULL, lambda v: v < 45.0,
              "azimuth difference (degrees)"),
    # the 15 deg level is the benchmark's sub-threshold control
    Dimension("elevation", "sensitivity_elevation", "difference_deg", "deg", WEIBULL, lambda v: v <= 15.0,
              "elevation difference (degrees)"),
    # below 3 m the benchmark counts two distances as "the same"
    Dimension("distance", "sensitivity_distance", "difference_m", "m", WEIBULL, lambda v: v < 3.0,
              "distance difference (m)"),
    Dimension("hearing_level", "range_pitch_loudness", "level_db_hl", "dB HL", LOGISTIC, lambda v: False,
              "tone level (dB HL)"),
)}
_BY_SUB = {d.sub_category: d for d in DIMENSIONS.values()}


@dataclass(frozen=True)
class Stimulus:
    dimension: str
    value: float | None  # None: no stimulus at all (a silent detection item)
    unit: str
    control: bool


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def stimulus_from_params(sub_category: str | None, params: Any) -> Stimulus | None:
    """The stimulus of a bank item (its sub-category and ``params``), or None when unknown."""
    dim = _BY_SUB.get(sub_category or "")
    if dim is None or not isinstance(params, dict):
        return None
    if dim.name == "hearing_level" and params.get("present") is False:
        return Stimulus(dim.name, None, dim.unit, True)
    # a planned item (not yet rendered) states the level asked for, a rendered one the level written
    value = _number(params[dim.param] if dim.param in params else params.get("requested_" + dim.param))
    if value is None:
        return None
    return Stimulus(dim.name, value, dim.unit, dim.is_control(value))


def stimuli_from_items(items) -> dict[str, Stimulus]:
    """item id -> stimulus, for loaded pc items (tasks.dataset.items.Item) whose params say it."""
    out = {}
    for item in items:
        s = stimulus_from_params(item.sub_category, item.extra.get("params"))
        if s is not None:
            out[item.id] = s
    return out


class ItemParamsError(ValueError):
    """An item-params CSV that cannot be used; the message names the file and line."""


CSV_COLUMNS = ("item_id", "dimension", "difference", "unit")


def read_item_params(path: Path) -> dict[str, Stimulus]:
    """item id -> stimulus from a CSV with the columns item_id, dimension, difference, unit
    (the unit must be the dimension's: see DIMENSIONS). Every bad line is named (file:line)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ItemParamsError(f"{path}: not a UTF-8 text file") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(c.strip() for c in rows[0]):
        raise ItemParamsError(f"{path}:1: empty; expected a header line {','.join(CSV_COLUMNS)}")
    header = [c.strip().lower() for c in rows[0]]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise ItemParamsError(f"{path}:1: the header lacks the column(s) {', '.join(missing)} "
                              f"(expected {','.join(CSV_COLUMNS)})")
    at = {c: header.index(c) for c in CSV_COLUMNS}
    out: dict[str, Stimulus] = {}
    problems: list[str] = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        where = f"{path}:{line_no}"
        if len(row) < len(header):
            problems.append(f"{where}: {len(row)} fields, the header has {len(header)}")
            continue
        item_id, dim_name, raw, unit = (row[at[c]].strip() for c in CSV_COLUMNS)
        if not item_id:
            problems.append(f"{where}: field 'item_id' is empty")
            continue
        dim = DIMENSIONS.get(dim_name.lower())
        if dim is None:
            problems.append(f"{where}: item {item_id!r}: field 'dimension' is {dim_name!r}; "
                            f"known: {', '.join(DIMENSIONS)}")
            continue
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            problems.append(f"{where}: item {item_id!r}: field 'difference' is {raw!r}, not a number")
            continue
        if dim.form == WEIBULL and value < 0:
            problems.append(f"{where}: item {item_id!r}: field 'difference' is {raw}; a {dim.name} "
                            "difference is a magnitude, 0 or more")
            continue
        if unit != dim.unit:
            problems.append(f"{where}: item {item_id!r}: field 'unit' is {unit!r}; {dim.name} is "
                            f"given in {dim.unit!r}")
            continue
        if item_id in out:
            problems.append(f"{where}: item {item_id!r} appears a second time")
            continue
        out[item_id] = Stimulus(dim.name, value, dim.unit, dim.is_control(value))
    if problems:
        shown = problems[:20]
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise ItemParamsError("item parameters refused:\n  " + "\n  ".join(shown) + more)
    if not out:
        raise ItemParamsError(f"{path}: no item lines after the header")
    return out
