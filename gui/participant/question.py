"""What the trial screen shows: one question of a planned trial, a headphone check, the level
check or an adaptive block, with what happens to its answer. A leaf that the participant window,
its steps and the take-home flow share."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from tasks.presentation.presenter import PreparedTrial


@dataclass
class Question:
    """What the trial screen shows: built from a planned trial or a screening trial."""

    title: str
    question: str
    options: list[str]
    clip_labels: list[str]
    prepare: Callable[[], PreparedTrial]  # runs off the GUI thread
    context: str = ""
    max_replays: int = 2
    on_answer: Callable[[int | None, float | None, int], None] = lambda *_: None
