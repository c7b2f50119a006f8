"""How long a planned session takes: one estimator for the participant's welcome screen (take-home),
the Study page and the cover design's shares (tasks.cover.shares), so that all three say the same.

The sound of every planned trial is read from the clips' headers (durations, not samples); to it
come the time to answer, the breaks and the set-up steps before the first question. The
allowances are round figures, stated here, not measurements: the estimate is given as a range
in whole five minutes so that it does not claim a precision it lacks.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from audio.files import AudioFileError, probe
from tasks.dataset.loader import Dataset
from tasks.dataset.paths import UnsafePathError, contained_path
from tasks.dataset.runs import Run
from tasks.presentation.presenter import CONTEXT_GAP_S, DEFAULT_GAP_S
from tasks.study.plan import PlanTrial
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


def clips_sound_s(context: list[float], main: list[float]) -> float:
    """Seconds of one trial's sound: its context clips each followed by the context gap, then its
    clips with the gap between them (as tasks.presentation.presenter renders them)."""
    return sum(context) + CONTEXT_GAP_S * len(context) + sum(main) + DEFAULT_GAP_S * (len(main) - 1)


def trial_s(sound_s: float | None) -> float:
    """Seconds one trial takes with its answer (UNKNOWN_TRIAL_S when its sound is unknown)."""
    return UNKNOWN_TRIAL_S if sound_s is None else sound_s + ANSWER_ALLOWANCE_S


def session_total_s(trials_s: float, breaks: int) -> float:
    """A session's seconds from the sum of its trials' trial_s and its break screens."""
    return SETUP_ALLOWANCE_S + trials_s + BREAK_ALLOWANCE_S * breaks


class RunSeconds:
    """Sound seconds of runs of a loaded dataset, from the clips' file headers, each file read once
    and each (variant, item) measured once: the runs of one item play the same clips in another
    order, so they last the same. Built once per study and dataset and kept by its user (the cover
    design keeps one per study, so that assigning a share reads no header twice)."""

    def __init__(self, dataset: Dataset) -> None:
        self.root = dataset.root
        # the headers the loader already read (load_dataset with check_audio) are not read again
        self._files: dict[str, float | None] = {k: v.duration_s for k, v in dataset.audio_info.items()}
        self._runs: dict[tuple[str, str], float | None] = {}

    def _file_s(self, relative: str) -> float | None:
        if relative not in self._files:
            try:
                self._files[relative] = probe(contained_path(self.root, relative)).duration_s
            except (AudioFileError, UnsafePathError):
                self._files[relative] = None
        return self._files[relative]

    def sound_s(self, run: Run) -> float | None:
        key = (run.variant, run.item.id)
        if key not in self._runs:
            context = [self._file_s(c.path) for c in run.context_clips]
            clips = [self._file_s(c.path) for c in run.clips]
            unknown = None in context or None in clips or not clips
            self._runs[key] = None if unknown else clips_sound_s(context, clips)
        return self._runs[key]


def estimate_plan(plan: list[PlanTrial], seconds: RunSeconds) -> SessionEstimate:
    """A plan not yet stored (the Study page, a cover share before it is stored)."""
    sounds = [seconds.sound_s(t.run) for t in plan]
    sound_s = sum(x for x in sounds if x is not None)
    unmeasured = sum(x is None for x in sounds)
    total_s = session_total_s(sum(map(trial_s, sounds)), sum(t.break_before for t in plan))
    return SessionEstimate(sound_s=sound_s + unmeasured * (UNKNOWN_TRIAL_S - ANSWER_ALLOWANCE_S), total_s=total_s,
                           trials=len(plan), unmeasured_trials=unmeasured)


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
        sound_s += clips_sound_s(*clips)
    total_s = session_total_s(sound_s + ANSWER_ALLOWANCE_S * len(plan), breaks)
    return SessionEstimate(sound_s=sound_s, total_s=total_s, trials=len(plan), unmeasured_trials=unmeasured)
