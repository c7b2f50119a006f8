"""How long a planned session takes, for the participant's welcome screen.

The sound of every planned trial is read from the clips' headers (durations, not samples); to it
come the time to answer, the breaks and the set-up steps before the first question. The
allowances are round figures, stated here, not measurements: the estimate is given as a range
in whole five minutes so that it does not claim a precision it lacks.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from tasks.presentation.presenter import CONTEXT_GAP_S, DEFAULT_GAP_S
from tasks.takehome.plausibility import StimulusDurations

ANSWER_ALLOWANCE_S = 8.0  # reading the question and choosing, per trial
BREAK_ALLOWANCE_S = 60.0  # per break screen
SETUP_ALLOWANCE_S = 300.0  # information, consent, output check, sound level, headphone check
UNKNOWN_TRIAL_S = 15.0  # a trial whose clips cannot be measured (missing file)


@dataclass(frozen=True)
class SessionEstimate:
    sound_s: float  # all planned clips played once, with their gaps
    total_s: float  # with the allowances above
    trials: int
    unmeasured_trials: int

    @property
    def range_min(self) -> tuple[int, int]:
        """(low, high) minutes, multiples of 5, around the estimate."""
        minutes = self.total_s / 60.0
        low = max(5, int(math.floor(minutes / 5.0)) * 5)
        return low, max(low + 5, int(math.ceil(minutes * 1.25 / 5.0)) * 5)


def estimate_session(plan: list[dict], dataset_root: Path | str) -> SessionEstimate:
    """``plan``: planned-trial rows (package.json's plan) of the session."""
    durations = StimulusDurations(dataset_root)
    sound_s, unmeasured = 0.0, 0
    breaks = 0
    for row in plan:
        breaks += bool(row.get("break_before"))
        clips = durations.clips_s(row["variant"], row["item_id"], row["rotate_id"])
        if clips is None:
            unmeasured += 1
            sound_s += UNKNOWN_TRIAL_S - ANSWER_ALLOWANCE_S
            continue
        context, main = clips
        sound_s += sum(context) + CONTEXT_GAP_S * len(context) + sum(main) + DEFAULT_GAP_S * (len(main) - 1)
    total_s = SETUP_ALLOWANCE_S + sound_s + ANSWER_ALLOWANCE_S * len(plan) + BREAK_ALLOWANCE_S * breaks
    return SessionEstimate(sound_s=sound_s, total_s=total_s, trials=len(plan), unmeasured_trials=unmeasured)
