"""How long a planned session takes: for the participant's welcome screen (a take-home
package's plan) and for the Study page (the protocol in force, one participant's plan, or one
share of a cover study).

The sound of every planned trial is read from the clips' headers (durations, not samples); to it
come the time to answer, the breaks and the set-up steps before the first question. The
allowances are round figures, stated here, not measurements; once a study has answered trials
the Study page passes their median response time instead of ANSWER_ALLOWANCE_S. rt_ms runs
from the last stimulus onset, so sound + median rt counts the last clip of a trial twice: the
estimate errs long, which is the safe side for a session length. The welcome screen gives a
range in whole five minutes so that it does not claim a precision it lacks.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.engine import Engine

from audio.files import AudioFileError, probe
from db.models import Response, Session as SessionRow
from tasks.dataset.loader import Cancelled, Dataset
from tasks.dataset.paths import UnsafePathError, contained_path
from tasks.dataset.runs import Run
from tasks.presentation.presenter import CONTEXT_GAP_S, DEFAULT_GAP_S
from tasks.study.plan import Protocol, make_plan
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


def _estimate(rows: Iterable[tuple[object, bool]], answer_s: float | None, answers_measured: int = 0,
              test_trials: int = 0) -> SessionEstimate:
    """``rows``: (clips, break_before) per trial in order."""
    answer = ANSWER_ALLOWANCE_S if answer_s is None else answer_s
    sound_s, unmeasured, breaks, trials = 0.0, 0, 0, 0
    for clips, break_before in rows:
        trials += 1
        breaks += bool(break_before)
        if clips is None:
            unmeasured += 1
            sound_s += max(0.0, UNKNOWN_TRIAL_S - answer)
            continue
        context, main = clips
        sound_s += sum(context) + CONTEXT_GAP_S * len(context) + sum(main) + DEFAULT_GAP_S * (len(main) - 1)
    total_s = SETUP_ALLOWANCE_S + sound_s + answer * trials + BREAK_ALLOWANCE_S * breaks
    return SessionEstimate(sound_s=sound_s, total_s=total_s, trials=trials, unmeasured_trials=unmeasured,
                           answer_s=answer, answers_measured=answers_measured if answer_s is not None else 0,
                           breaks=breaks, test_trials=test_trials)


def estimate_session(plan: list[dict], dataset_root: Path | str) -> SessionEstimate:
    """``plan``: planned-trial rows (package.json's plan) of the session."""
    durations = StimulusDurations(dataset_root)
    return _estimate(((durations.clips_s(row["variant"], row["item_id"], row["rotate_id"]),
                       row.get("break_before")) for row in plan), None,
                     test_trials=sum(row.get("kind", "test") == "test" for row in plan))


class DatasetDurations:
    """Clip seconds from a loaded dataset: the format its validation read, else the file's header."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self._seconds: dict[str, float | None] = {}

    def seconds(self, relative: str) -> float | None:
        if relative not in self._seconds:
            info = self.dataset.audio_info.get(relative)
            if info is None:
                try:
                    info = probe(contained_path(self.dataset.root, relative))
                except (AudioFileError, UnsafePathError):
                    info = None
            self._seconds[relative] = None if info is None else info.duration_s
        return self._seconds[relative]

    def clips_s(self, run: Run):
        context = [self.seconds(c.path) for c in run.context_clips]
        clips = [self.seconds(c.path) for c in run.clips]
        return None if None in context or None in clips or not clips else (context, clips)


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
    """One participant's session under ``protocol`` (the plan of cohort index 0; the others
    differ in order and, in single-pass, in runs, not in size). ``rts_ms``: the study's stored
    response times; their median replaces the answer allowance when there are any. For a cover
    design, the estimate of one share (share_estimate)."""
    durations = DatasetDurations(dataset)
    plan = make_plan(dataset, protocol, "estimate", 0)
    rows = []
    for i, trial in enumerate(plan):
        if i % 256 == 0 and should_cancel():
            raise Cancelled("cancelled")
        rows.append((durations.clips_s(trial.run), trial.break_before))
    whole = _estimate(rows, median_rt_s(rts_ms or []), len(rts_ms or []),
                      test_trials=sum(t.kind == "test" for t in plan))
    if protocol.design != "cover":
        return whole
    practice = _estimate((r for r, t in zip(rows, plan) if t.kind == "practice"), whole.answer_s)
    return share_estimate(whole, practice.trial_time_s, practice.trials, protocol)


def share_estimate(whole: SessionEstimate, practice_s: float, practice_trials: int,
                   protocol: Protocol) -> SessionEstimate:
    """The longest share that fits ``protocol.session_minutes``: the set-up and the practice of
    every block, then n test trials of the mean test trial's length (catch trials and breaks
    counted as the protocol places them). A share never has more than the whole study's test
    trials, and at least one (a single trial longer than the session is still shown, and the
    page warns)."""
    limit_s = protocol.session_minutes * 60.0
    n_test = max(1, whole.test_trials)
    per_trial_s = (whole.trial_time_s - practice_s) / max(1, whole.trials - practice_trials)

    def parts(n: int) -> tuple[int, int, float]:
        catch = (n - 1) // protocol.catch_every if protocol.catch_every else 0
        trials = practice_trials + n + catch
        breaks = (trials - 1) // protocol.break_every if protocol.break_every else 0
        total = SETUP_ALLOWANCE_S + practice_s + per_trial_s * (n + catch) + BREAK_ALLOWANCE_S * breaks
        return trials, breaks, total

    low, high = 1, n_test  # the largest n whose total fits (the total grows with n)
    while low < high:
        mid = (low + high + 1) // 2
        if parts(mid)[2] <= limit_s:
            low = mid
        else:
            high = mid - 1
    trials, breaks, total = parts(low)
    sound = total - SETUP_ALLOWANCE_S - BREAK_ALLOWANCE_S * breaks - whole.answer_s * trials
    return replace(whole, sound_s=sound, total_s=total, trials=trials, breaks=breaks, test_trials=low,
                   unmeasured_trials=min(whole.unmeasured_trials, trials), share_of=whole.test_trials)
