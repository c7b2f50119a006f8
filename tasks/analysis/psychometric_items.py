"""Where the physical difference of each perception item comes from (the dimensions and their
units: tasks.psychometrics.dimensions).

- The built-in bank (tasks.bank) writes every item's generating parameters in ``params``; the
  sensitivity sub-categories carry ``difference_cents``, ``difference_db``,
  ``difference_percent``, ``difference_deg`` (azimuth and elevation) and ``difference_m``, and
  the detection items of ``range_pitch_loudness`` carry ``level_db_hl`` (None when no tone is
  played).
- For the real dataset, whose items carry no parameters, a CSV maps item ids to a dimension, a
  difference value and its unit (``read_item_params``), checked line by line.

A *control* item (tasks.psychometrics.dimensions) does not lie on the rising curve: its
accuracy is reported beside the fit (how often "same" is answered when it is true), not fitted.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path

from tasks.dataset.paths import NotRegularFileError, read_regular_file
from tasks.psychometrics.dimensions import DIMENSIONS, Stimulus, stimulus_from_params
from tasks.psychometrics.functions import WEIBULL


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


MAX_ITEM_PARAMS_BYTES = 64 << 20  # one line per pc item: a few hundred KiB at most
MAX_DIFFERENCE = 1e6  # in the canonical unit; far beyond any stimulus, and the fit and axes stay finite
MAX_SHOWN = 60  # characters of a field quoted in a message


def _shown(text: str) -> str:
    return repr(text if len(text) <= MAX_SHOWN else f"{text[:MAX_SHOWN]}... ({len(text):,} characters)")


def _csv_rows(path: Path, text: str) -> list[list[str]]:
    """The CSV's rows; a field over the csv module's limit (131,072 characters) or a broken
    quote is named with its line."""
    reader = csv.reader(text.splitlines())
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        raise ItemParamsError(f"{path}:{reader.line_num}: not a CSV line the report can read ({exc})") from None
    return rows


def read_item_params(path: Path) -> dict[str, Stimulus]:
    """item id -> stimulus from a CSV with the columns item_id, dimension, difference, unit
    (the unit must be the dimension's: see DIMENSIONS). Every bad line is named (file:line)."""
    path = Path(path)
    try:
        text = read_regular_file(path, MAX_ITEM_PARAMS_BYTES).decode("utf-8-sig")
    except NotRegularFileError as exc:
        raise ItemParamsError(str(exc)) from None
    except UnicodeDecodeError:
        raise ItemParamsError(f"{path}: not a UTF-8 text file") from None
    rows = _csv_rows(path, text)
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
        shown_id = _shown(item_id)
        if not item_id:
            problems.append(f"{where}: field 'item_id' is empty")
            continue
        dim = DIMENSIONS.get(dim_name.lower())
        if dim is None:
            problems.append(f"{where}: item {shown_id}: field 'dimension' is {_shown(dim_name)}; "
                            f"known: {', '.join(DIMENSIONS)}")
            continue
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            problems.append(f"{where}: item {shown_id}: field 'difference' is {_shown(raw)}, not a number")
            continue
        if abs(value) > MAX_DIFFERENCE:
            problems.append(f"{where}: item {shown_id}: field 'difference' is {_shown(raw)}; a {dim.name} "
                            f"difference lies within -{MAX_DIFFERENCE:,.0f} to {MAX_DIFFERENCE:,.0f} {dim.unit}")
            continue
        if dim.form == WEIBULL and value < 0:
            problems.append(f"{where}: item {shown_id}: field 'difference' is {_shown(raw)}; a {dim.name} "
                            "difference is a magnitude, 0 or more")
            continue
        if unit != dim.unit:
            problems.append(f"{where}: item {shown_id}: field 'unit' is {_shown(unit)}; {dim.name} is "
                            f"given in {dim.unit!r}")
            continue
        if item_id in out:
            problems.append(f"{where}: item {shown_id} appears a second time")
            continue
        out[item_id] = Stimulus(dim.name, value, dim.unit, dim.is_control(value))
    if problems:
        shown = problems[:20]
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise ItemParamsError("item parameters refused:\n  " + "\n  ".join(shown) + more)
    if not out:
        raise ItemParamsError(f"{path}: no item lines after the header")
    return out
