"""Waiting for a condition instead of sleeping for a fixed time: a fixed sleep is either too
short on a loaded machine (a flaky test) or too long everywhere else (a slow one)."""
from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout_s: float, interval_s: float = 0.02,
               what: str = "the condition", pause: Callable[[float], object] = time.sleep) -> T:
    """Call ``predicate`` every ``interval_s`` until it returns something true, and return that.
    Raise TimeoutError naming ``what`` after ``timeout_s``. ``pause`` waits between calls
    (time.sleep; a Qt caller passes one that keeps its event loop running)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} did not happen within {timeout_s} s")
        pause(interval_s)
