"""Plausibility of take-home answers: what the lab can see when a bundle comes back.

The results bundle is sealed with a key that travels inside the package (docs/takehome-trust.md),
so its integrity code stops accidents and casual edits, not a participant who reads the package.
These checks look at the answers themselves, per participant:

- response times: the median (flagged under ``MIN_MEDIAN_RT_MS``) and answers given before
  the sound could have ended: ``rt_ms`` counts from the onset of the last sound played, and
  the app enables the answer buttons only once every clip has played to its end, so without a
  replay (a replay may be interrupted by the answer) ``rt_ms`` is at least the shortest clip;
- answers without any recorded sound onset (``rt_ms`` missing): the app records the onset
  of the last sound played; an answer without one was not preceded by playback;
- the session's duration against the sound it must have played at least once;
- answers whose stored ``is_correct`` disagrees with the chosen letter (re-scored on import).

What the app does not record, and so cannot be checked, is said in ``not_checked``.
"""
from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass

from tasks.study.session_time import StimulusDurations

MIN_MEDIAN_RT_MS = 300.0
PLAYBACK_LOG_NOTE = ("per-trial playback log: the app records the onset of the last sound played (as rt_ms) and the "
                     "number of replays, not every play with its start and end")


@dataclass(frozen=True)
class PlausibilityReport:
    participant: str
    answered: int
    median_rt_ms: float | None
    before_sound_ended: int | None  # None: durations unknown
    without_playback: int
    session_duration_s: float | None
    min_sound_s: float | None  # sound the answered trials must have played at least once
    rescored: int
    flags: tuple[str, ...]
    not_checked: tuple[str, ...]

    def lines(self) -> list[str]:
        rt = "-" if self.median_rt_ms is None else f"{self.median_rt_ms:.0f} ms"
        dur = "-" if self.session_duration_s is None else f"{self.session_duration_s:.0f} s"
        out = [f"plausibility of {self.participant}: {self.answered} answers, median response time {rt}, "
               f"session {dur}" + ("" if self.min_sound_s is None else f" for {self.min_sound_s:.0f} s of sound")]
        out += [f"  FLAG: {f}" for f in self.flags] or ["  no flags"]
        out += [f"  not checked: {n}" for n in self.not_checked]
        return out

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def check_plausibility(participant: str, session: dict, trials: list[dict],
                       durations: StimulusDurations) -> PlausibilityReport:
    """``trials`` as tasks.takehome.schema.check_results returns them (responses re-scored)."""
    answered = [t for t in trials if t["response"] is not None and t["planned"].get("kind", "test") != "practice"]
    rts = [t["response"]["rt_ms"] for t in answered if t["response"].get("rt_ms") is not None]
    median = statistics.median(rts) if rts else None
    without = sum(1 for t in answered if t["response"].get("rt_ms") is None)
    flags, not_checked = [], [PLAYBACK_LOG_NOTE]
    if median is not None and median < MIN_MEDIAN_RT_MS:
        flags.append(f"median response time {median:.0f} ms is under {MIN_MEDIAN_RT_MS:.0f} ms")
    if without:
        flags.append(f"{without} of {len(answered)} answers have no recorded sound onset (no playback before "
                     "answering)")
    before = 0
    min_sound_s = 0.0
    for t in answered:
        p = t["planned"]
        seconds = durations.clips_s(p["variant"], p["item_id"], p["rotate_id"])
        if seconds is None:
            before, min_sound_s = None, None
            break
        context, clips = seconds
        min_sound_s += sum(context) + sum(clips)
        rt = t["response"].get("rt_ms")
        if rt is not None and t["response"].get("n_replays", 0) == 0 and rt < min(clips) * 1000.0:
            before += 1
    if before is None:
        not_checked.append(durations.unavailable or "stimulus durations: some items or audio files of the plan "
                                                    "were not found in the study's dataset")
    elif before:
        flags.append(f"{before} answers came before the sound of the trial could have ended")
    start, end = session.get("started_at"), session.get("ended_at")
    duration_s = None
    if start is None or end is None:
        not_checked.append("total duration: the session has no start or end time")
    else:
        try:
            duration_s = (end - start).total_seconds()
        except TypeError:  # one date with a time zone, one without
            not_checked.append("total duration: start and end times are not comparable")
        if duration_s is not None and duration_s < 0:
            flags.append("the session ends before it starts")
        elif duration_s is not None and min_sound_s is not None and duration_s < min_sound_s:
            flags.append(f"the session lasted {duration_s:.0f} s, less than the {min_sound_s:.0f} s of sound its "
                         "answers needed")
    rescored = sum(1 for t in answered if t.get("rescored"))
    if rescored:
        flags.append(f"{rescored} answers carried an is_correct that disagrees with the chosen letter "
                     "(re-scored from the letter)")
    return PlausibilityReport(participant, len(answered), median, before, without, duration_s,
                              min_sound_s if before is not None else None, rescored, tuple(flags), tuple(not_checked))
