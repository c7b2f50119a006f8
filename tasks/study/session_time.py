"""How long a planned session takes: one estimator for the participant's welcome screen (a
take-home package's plan), the Study page (the protocol in force, or one share of a cover study)
and the cover design's shares (tasks.cover.shares), so that all of them say the same.

The sound of every planned trial is read from the clips' headers (durations, not samples); to it
come the time to answer, the breaks and the set-up steps before the first question. The
allowances are round figures, stated here, not measurements: the estimate is given as a range
in whole five minutes so that it does not claim a precision it lacks. Once a study has answers,
the Study page uses their median response time instead of the answering allowance.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.engine import Engine

from audio.files import AudioFileError, probe
from db.models import Response, Session as SessionRow
from tasks.dataset.items import VARIANT_SOURCE
from tasks.dataset.loader import Cancelled, Dataset, NotADatasetError, load_dataset
from tasks.dataset.paths import UnsafePathError, contained_path
from tasks.dataset.runs import Run, make_run
from tasks.presentation.presenter import CONTEXT_GAP_S, DEFAULT_GAP_S
from tasks.study.plan import PlanTrial, Protocol, make_plan

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
    answer_s: float = ANSWER_ALLOWANCE_S  # per trial: the allowance, or the study's median response time
    answers_measured: int = 0  # answered trials the median comes from; 0: the allowance is used
    breaks: int = 0
    test_trials: int = 0
    share_of: int | None = None  # cover: the test units of the whole study; None: a whole plan

    @property
    def range_min(self) -> tuple[int, int]:
        """(low, high) minutes, multiples of 5, around the estimate."""
        minutes = self.total_s / 60.0
        low = max(5, int(math.floor(minutes / 5.0)) * 5)
        return low, max(low + 5, int(math.ceil(minutes * 1.25 / 5.0)) * 5)

    @property
    def trial_time_s(self) -> float:
        """The trials alone: their sound and the time to answer them (no set-up, no breaks)."""
        return self.sound_s + self.answer_s * self.trials


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


def _estimate(rows: Iterable[tuple[float | None, bool]], answer_s: float | None = None, answers_measured: int = 0,
              test_trials: int = 0) -> SessionEstimate:
    """``rows``: (sound seconds or None when unknown, break_before) per trial in order."""
    answer = ANSWER_ALLOWANCE_S if answer_s is None else answer_s
    sound_s, unmeasured, breaks, trials = 0.0, 0, 0, 0
    for sound, break_before in rows:
        trials += 1
        breaks += bool(break_before)
        if sound is None:
            unmeasured += 1
            sound_s += max(0.0, UNKNOWN_TRIAL_S - answer)
            continue
        sound_s += sound
    total_s = session_total_s(sound_s + answer * trials, breaks)
    return SessionEstimate(sound_s=sound_s, total_s=total_s, trials=trials, unmeasured_trials=unmeasured,
                           answer_s=answer, answers_measured=answers_measured if answer_s is not None else 0,
                           breaks=breaks, test_trials=test_trials)


class RunSeconds:
    """Sound seconds of runs of a loaded dataset, from the format its validation read, else the
    clip's file header; each file read once and each (variant, item) measured once: the runs of
    one item play the same clips in another order, so they last the same. Built once per study
    and dataset and kept by its user (the cover design keeps one per study, so that assigning a
    share reads no header twice)."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.root = dataset.root
        self._files: dict[str, float | None] = {k: v.duration_s for k, v in dataset.audio_info.items()}
        self._runs: dict[tuple[str, str], float | None] = {}

    def file_s(self, relative: str) -> float | None:
        if relative not in self._files:
            try:
                self._files[relative] = probe(contained_path(self.root, relative)).duration_s
            except (AudioFileError, UnsafePathError):
                self._files[relative] = None
        return self._files[relative]

    def clips_s(self, run: Run) -> tuple[list[float], list[float]] | None:
        """(context clip seconds, clip seconds) of a run; None when one cannot be measured."""
        context = [self.file_s(c.path) for c in run.context_clips]
        clips = [self.file_s(c.path) for c in run.clips]
        return None if None in context or None in clips or not clips else (context, clips)  # type: ignore[return-value]

    def sound_s(self, run: Run) -> float | None:
        key = (run.variant, run.item.id)
        if key not in self._runs:
            clips = self.clips_s(run)
            self._runs[key] = None if clips is None else clips_sound_s(*clips)
        return self._runs[key]

    def run_of(self, variant: str, item_id: str, rotate_id: int) -> Run | None:
        """The run a stored trial names; None when the dataset has no such item or run."""
        try:
            return make_run(self.dataset.item(VARIANT_SOURCE[variant], item_id), variant, rotate_id)
        except (KeyError, ValueError):
            return None

    def stored_sound_s(self, variant: str, item_id: str, rotate_id: int) -> float | None:
        """Sound seconds of the run a stored trial names (None when it cannot be found or measured)."""
        run = self.run_of(variant, item_id, rotate_id)
        return None if run is None else self.sound_s(run)


class StimulusDurations:
    """Durations of the clips of a stored trial's run (variant, item id, rotation), read from the
    study's dataset folder when it is at hand: each source's meta file loaded once (JSON only),
    its clips measured by a RunSeconds."""

    def __init__(self, root: Path | str | None) -> None:
        self.root = Path(root) if root else None
        self._datasets: dict[str, RunSeconds | None] = {}
        self.unavailable: str | None = None if self.root and self.root.is_dir() else (
            f"stimulus durations: the study's dataset is not at {self.root}")

    def _dataset(self, source: str) -> RunSeconds | None:
        if source not in self._datasets:
            try:
                self._datasets[source] = RunSeconds(load_dataset(self.root, aliases=[source], check_audio=False))
            except NotADatasetError:
                self._datasets[source] = None
        return self._datasets[source]

    def clips_s(self, variant: str, item_id: str, rotate_id: int) -> tuple[list[float], list[float]] | None:
        """Seconds of the run's context clips and of its clips, or None when unknown."""
        if self.unavailable or variant not in VARIANT_SOURCE:
            return None
        seconds = self._dataset(VARIANT_SOURCE[variant])
        run = None if seconds is None else seconds.run_of(variant, item_id, rotate_id)
        return None if run is None else seconds.clips_s(run)


def estimate_session(plan: list[dict], dataset_root: Path | str) -> SessionEstimate:
    """``plan``: planned-trial rows (package.json's plan) of the session."""
    durations = StimulusDurations(dataset_root)

    def sound(row: dict) -> float | None:
        clips = durations.clips_s(row["variant"], row["item_id"], row["rotate_id"])
        return None if clips is None else clips_sound_s(*clips)

    return _estimate(((sound(row), row.get("break_before")) for row in plan),
                     test_trials=sum(row.get("kind", "test") == "test" for row in plan))


def estimate_plan(plan: list[PlanTrial], seconds: RunSeconds, answer_s: float | None = None,
                  answers_measured: int = 0) -> SessionEstimate:
    """A plan not yet stored (the Study page, a cover share before it is stored). ``answer_s``:
    seconds to answer a trial (None: the allowance)."""
    return _estimate(((seconds.sound_s(t.run), t.break_before) for t in plan), answer_s, answers_measured,
                     test_trials=sum(t.kind == "test" for t in plan))


def study_rts_ms(engine: Engine, study_id: int) -> list[float]:
    """The response times stored in a study's sessions (every kind of trial: each is a question
    read and answered), in milliseconds."""
    q = (select(Response.rt_ms).join(SessionRow, SessionRow.id == Response.session_id)
         .where(SessionRow.study_id == study_id, Response.rt_ms.is_not(None)))
    with engine.connect() as conn:
        return [float(x) for x in conn.execute(q).scalars()]


def median_rt_s(rts_ms: list[float]) -> float | None:
    return statistics.median(rts_ms) / 1000.0 if rts_ms else None


def estimate_protocol(dataset: Dataset, protocol: Protocol, rts_ms: list[float] | None = None,
                      should_cancel: Callable[[], bool] = lambda: False) -> SessionEstimate:
    """One participant's session under the shared design (the plan of cohort index 0; the others
    differ in order and, in single-pass, in runs, not in size). ``rts_ms``: the study's stored
    response times; their median replaces the answer allowance when there are any. (A cover
    study's share: tasks.cover.assign.first_share_estimate.)"""
    seconds = RunSeconds(dataset)
    plan = make_plan(dataset, protocol, "estimate", 0)
    for i, trial in enumerate(plan):
        if i % 256 == 0 and should_cancel():
            raise Cancelled("cancelled")
        seconds.sound_s(trial.run)
    return estimate_plan(plan, seconds, median_rt_s(rts_ms or []), len(rts_ms or []))
