"""Assigning a share at enrolment: the claims and the participant's items read in the enrolling
transaction (after the study's enrolment lock, so concurrent stations see each other's shares),
the share chosen and planned, and its estimate checked against session_minutes."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from sqlmodel import Session as DbSession

from db.models import Participant, Study
from tasks.cover.claims import claim_counts, items_had
from tasks.cover.context import CoverContext, CoverContexts, cover_context
from tasks.cover.shares import choose_share, share_plan, share_seed
from tasks.dataset.loader import Dataset
from tasks.study.plan import PlanTrial, Protocol
from tasks.study.session_time import SessionEstimate, estimate_plan, median_rt_s
from tasks.study.studies import StudyError


class StudyCovered(StudyError):
    """Every unit of the cover study has its K claims."""


class NothingLeftFor(StudyError):
    """Units still lack claims, but none that this participant may take."""


@dataclass(frozen=True)
class AssignedShare:
    plan: list[PlanTrial]
    estimate: SessionEstimate
    units: int


def plan_share(ctx: CoverContext, claims: np.ndarray, had: set[tuple[str, str]], study_name: str,
               participant_code: str, cohort_index: int) -> AssignedShare:
    """Choose and plan a share from the claims (pure); StudyError when there is none."""
    protocol = ctx.protocol
    k = protocol.responses_per_run
    budget_s = protocol.session_minutes * 60.0
    if not (claims < k).any():
        raise StudyCovered(f"study {study_name!r} is covered: every run has its {k} answers or sessions under "
                           "way that will give them")
    n_practice = protocol.practice_per_block * len(protocol.variants)
    had_items = ctx.had_array(had)
    chosen = choose_share(ctx.seconds, ctx.group, ctx.item, claims, had_items, k, budget_s,
                          share_seed(protocol.seed, participant_code, cohort_index, "share"), fixed_s=ctx.fixed_s(),
                          n_practice=n_practice, catch_every=protocol.catch_every, break_every=protocol.break_every)
    while True:
        if not chosen:
            eligible = (claims < k) & ~had_items[ctx.item]
            if eligible.any():
                raise StudyError(f"study {study_name!r}: not even one trial fits in a session of "
                                 f"{protocol.session_minutes:g} minutes with its set-up and practice; allow longer "
                                 "sessions")
            raise NothingLeftFor(f"participant {participant_code} has heard every remaining item of study "
                                 f"{study_name!r}: the runs still short of {k} answers need other participants")
        plan = share_plan(ctx, chosen, claims, had, participant_code, cohort_index)
        estimate = estimate_plan(plan, ctx.run_seconds)
        if estimate.total_s <= budget_s:
            return AssignedShare(plan, estimate, len(chosen))
        chosen = chosen[:-1]  # the allowances were bounds; the real plan came out longer


def assign_share(s: DbSession, dataset: Dataset, study: Study, protocol: Protocol, participant: Participant,
                 cohort_index: int, contexts: CoverContexts | None = None) -> AssignedShare:
    """The share of a new session, read in ``s``'s transaction, which must hold the study's
    enrolment lock (repo.lock_enrolment) and insert the session before it commits."""
    ctx = (contexts or CoverContexts()).get(dataset, study, protocol)
    claims = ctx.counts_array(claim_counts(s, study.id, protocol.mode, ctx.completed))
    had = items_had(s, study.id, participant.id) if participant.id is not None else set()
    return plan_share(ctx, claims, had, study.name, participant.code, cohort_index)


def first_share_estimate(dataset: Dataset, protocol: Protocol, rts_ms: list[float] | None = None) -> SessionEstimate:
    """The Study page's length of one share: the share a first participant of a new study would
    get (built with the answering allowance, as assignment builds every share), estimated with
    the study's median response time once it has answers (so the page can warn when people
    answer slower than the allowance and real shares run over M). ``share_of``: the study's
    test units."""
    ctx = cover_context(dataset, protocol)
    share = plan_share(ctx, np.zeros(len(ctx.units), dtype=np.int64), set(), "estimate", "estimate", 0)
    estimate = estimate_plan(share.plan, ctx.run_seconds, median_rt_s(rts_ms or []), len(rts_ms or []))
    return replace(estimate, share_of=len(ctx.units))
