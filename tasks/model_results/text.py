"""Text read from model result files, fit to print in a message, and the bad lines of a file."""
from __future__ import annotations

import json
import re
from typing import Any

MAX_NAMED_LINES = 50  # per file; further bad lines are counted and listed by number

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def safe(text: str, limit: int = 80) -> str:
    """Text from a file, fit to print: control, direction and lone surrogate characters escaped,
    long texts cut."""
    shown = _UNSAFE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def quoted(text: str) -> str:
    """A string from a file in JSON quotes, fit to print."""
    return safe(json.dumps(text, ensure_ascii=True), 60)


def describe(value: Any) -> str:
    """A JSON value as a message shows it: scalars as written, containers by kind."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, str):
        return "the string " + quoted(value)
    if isinstance(value, int):
        digits = str(abs(value)) if value.bit_length() < 200 else None
        return ("-" if value < 0 else "") + digits if digits is not None else f"a {value.bit_length()}-bit integer"
    return repr(value)  # float, including inf and nan


def line_ranges(numbers: list[int], limit: int = 20) -> str:
    ranges: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        ranges.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(ranges[:limit]) + (", …" if len(ranges) > limit else "")


class LineProblems:
    """Bad lines of one file: the first ones named one by one, the rest counted."""

    def __init__(self, display: str):
        self.display = display
        self.named: list[str] = []
        self.unnamed: list[int] = []
        self.count = 0

    def add(self, line_no: int, why: str) -> None:
        self.count += 1
        if len(self.named) < MAX_NAMED_LINES:
            self.named.append(f"{self.display}:{line_no}: {why}")
        else:
            self.unnamed.append(line_no)

    def messages(self) -> list[str]:
        if not self.unnamed:
            return list(self.named)
        return self.named + [f"{self.display}: {len(self.unnamed)} more lines with problems, not listed one by one: "
                             f"lines {line_ranges(self.unnamed)}"]
