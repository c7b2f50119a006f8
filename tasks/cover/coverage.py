"""How far a study's cohort has come towards answering every unit K times, and what it still needs.

K is the protocol's ``responses_per_run`` in a cover study. A shared-design study is read with
K = 1: its coverage says which units have been answered at least once (every participant there
answers every unit, so the cohort's size is a matter of precision, which ``plan-power`` plans,
not of coverage).

What is still needed (docs/cover-design-results.md, "Coverage"):
- answers: the sum over units of max(0, K - answers so far);
- time per trial: the median over the study's answered test trials of the sound of the trial
  (its clips and gaps, read from the files' headers) plus its response time; before the first
  answer (or when no answered trial can be measured) the median over the units of the sound
  plus the session-time estimate's answering allowance (tasks.study.session_time);
- trials per session: (session_minutes x 60 - the set-up allowance) / (time per trial + the
  break allowance spread over ``break_every`` trials), rounded down, at least 1;
- participants: the answers over the trials per session, rounded up, and at least the largest
  number of answers one unit still lacks (a unit's answers come from different participants);
- person-hours: (answers x time per trial + participants x the set-up allowance) / 3600.
"""
from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session as DbSession

from db.models import PlannedTrial, Response, Session, Study
from tasks.cover.counts import answered_counts
from tasks.cover.units import UnitKey, cover_units
from tasks.dataset.loader import Dataset
from tasks.study.plan import Protocol
from tasks.study.session_time import BREAK_ALLOWANCE_S, SETUP_ALLOWANCE_S, UNKNOWN_TRIAL_S, RunSeconds, trial_s
from tasks.study.studies import study_protocol


@dataclass(frozen=True)
class GroupCoverage:
    group: str  # "variant/sub-category" (or category where items have no sub-category)
    runs: int  # units of the group (runs in full-robust, items in single-pass)
    by_answers: tuple[int, ...]  # by_answers[a] = units with a answers, a = 0..K (more than K counted at K)


@dataclass(frozen=True)
class CoverageSummary:
    study: str
    responses_per_run: int
    groups: tuple[GroupCoverage, ...]
    answers_needed: int
    participants_needed: int
    person_hours_needed: float


def responses_per_unit(protocol: Protocol) -> int:
    """K: the answers each unit should get (1 for a shared-design study)."""
    return protocol.responses_per_run if protocol.design == "cover" else 1


def seconds_per_trial(s: DbSession, dataset: Dataset, study: Study, protocol: Protocol) -> float:
    """The median time one trial takes (the rule in the module's docstring)."""
    seconds = RunSeconds(dataset)
    rows = s.exec(
        select(PlannedTrial.variant, PlannedTrial.item_id, PlannedTrial.rotate_id, Response.rt_ms)
        .join(Response, Response.planned_trial_id == PlannedTrial.id)
        .join(Session, Session.id == PlannedTrial.session_id)
        .where(Session.study_id == study.id, PlannedTrial.kind == "test")
    ).all()
    answered = []
    for variant, item_id, rotate_id, rt_ms in rows:
        sound = seconds.stored_sound_s(variant, item_id, rotate_id)
        if sound is not None and rt_ms is not None:
            answered.append(sound + rt_ms / 1000.0)
    if answered:
        return float(statistics.median(answered))
    return estimated_trial_s(dataset, protocol, seconds)


def estimated_trial_s(dataset: Dataset, protocol: Protocol, seconds: RunSeconds | None = None) -> float:
    """Before any answer: the median over the units of their sound plus the answering allowance."""
    seconds = seconds or RunSeconds(dataset)
    estimated = [trial_s(seconds.stored_sound_s(unit.variant, unit.item.id, unit.rotate_id or 0))
                 for unit in cover_units(dataset, protocol)]
    return float(statistics.median(estimated)) if estimated else UNKNOWN_TRIAL_S


def trials_per_session(session_minutes: float, break_every: int, seconds_each: float) -> int:
    """Trials one session holds (the rule in the module's docstring; plan-power sizes its shares by it too)."""
    per_trial = seconds_each + (BREAK_ALLOWANCE_S / break_every if break_every else 0.0)
    usable = session_minutes * 60.0 - SETUP_ALLOWANCE_S
    return max(1, int(usable // per_trial)) if per_trial > 0 else 1


def person_hours(answers: int, participants: int, seconds_each: float) -> float:
    return (answers * seconds_each + participants * SETUP_ALLOWANCE_S) / 3600.0


def coverage_summary(s: DbSession, dataset: Dataset, study: Study,
                     counts: Counter[UnitKey] | None = None) -> CoverageSummary:
    """``counts``: the study's answered_counts when the caller has read them already."""
    protocol = study_protocol(study)
    k = responses_per_unit(protocol)
    counts = answered_counts(s, study.id, protocol.mode) if counts is None else counts
    groups: dict[str, list[int]] = {}
    needed, largest_gap = 0, 0
    for unit in cover_units(dataset, protocol):
        got = counts.get(unit.key, 0)
        groups.setdefault(unit.group, [0] * (k + 1))[min(got, k)] += 1
        needed += max(0, k - got)
        largest_gap = max(largest_gap, k - got)
    order = {v: i for i, v in enumerate(protocol.variants)}
    ordered = sorted(groups, key=lambda g: (order[g.split("/", 1)[0]], g))
    cover = tuple(GroupCoverage(g, sum(groups[g]), tuple(groups[g])) for g in ordered)
    if needed == 0:
        return CoverageSummary(study.name, k, cover, 0, 0, 0.0)
    seconds_each = seconds_per_trial(s, dataset, study, protocol)
    per_session = trials_per_session(protocol.session_minutes, protocol.break_every, seconds_each)
    participants = max(math.ceil(needed / per_session), largest_gap)
    return CoverageSummary(study.name, k, cover, needed, participants, person_hours(needed, participants, seconds_each))
