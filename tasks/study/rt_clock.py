"""The response-time clock of one trial: a monotonic clock that stands still while the trial
is interrupted (the experimenter's PIN dialog, a pause question, the window losing focus).

Response time runs from the last stimulus onset to the choice, both on the monotonic clock
(the audio engine reports onsets on it). Interruptions are kept as intervals of that clock;
rt_ms is the elapsed time minus the part of them that falls between onset and choice, and that
part is reported as paused_ms. A trial is flagged ``interrupted`` when any interruption
happened while it was shown, even one that ended before the onset (the participant's attention
was broken all the same).

Several interruptions may overlap (a dialog opens and the window loses focus): the clock
stands still while at least one of them lasts, and each is ended by its own name.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class RtMeasure:
    rt_ms: float | None  # None when nothing was heard to its onset
    paused_ms: float  # interruption time between the onset and the choice, not in rt_ms
    interrupted: bool  # an interruption happened while the trial was shown


class ResponseClock:
    """Not thread-safe: the GUI thread alone calls it."""

    def __init__(self, now: Callable[[], float] = time.monotonic):
        self.now = now
        self._reasons: set[str] = set()
        self._since: float | None = None  # start of the interruption under way
        self._intervals: list[tuple[float, float]] = []
        self._interrupted = False

    def start_trial(self) -> None:
        """A new trial is shown: forget earlier intervals (an interruption under way goes on)."""
        self._intervals = []
        self._interrupted = bool(self._reasons)
        if self._reasons:
            self._since = self.now()

    @property
    def paused(self) -> bool:
        return bool(self._reasons)

    def pause(self, reason: str) -> None:
        if not self._reasons:
            self._since = self.now()
        self._reasons.add(reason)
        self._interrupted = True

    def resume(self, reason: str) -> None:
        if reason not in self._reasons:
            return
        self._reasons.discard(reason)
        if not self._reasons and self._since is not None:
            self._intervals.append((self._since, self.now()))
            self._since = None

    def paused_between(self, start_s: float, end_s: float) -> float:
        """Seconds of interruption inside [start_s, end_s] (one under way counts up to now)."""
        intervals = list(self._intervals)
        if self._since is not None:
            intervals.append((self._since, self.now()))
        return sum(max(0.0, min(b, end_s) - max(a, start_s)) for a, b in intervals)

    def measure(self, onset_s: float | None, chosen_s: float) -> RtMeasure:
        """The response time from ``onset_s`` to ``chosen_s`` (monotonic seconds) without the
        interruptions between them."""
        if onset_s is None:
            return RtMeasure(None, 0.0, self._interrupted)
        paused_s = self.paused_between(onset_s, chosen_s)
        rt_ms = round((chosen_s - onset_s - paused_s) * 1000.0, 1)
        return RtMeasure(rt_ms, round(paused_s * 1000.0, 1), self._interrupted)
