"""What a cover study holds, for the cover design's tests: answers per unit, the participants
who gave them, and items given twice to one participant."""
from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import text

from tasks.cover.units import unit_key
from tasks.dataset.items import VARIANT_SOURCE


def cover_facts(engine, study_id: int, mode: str) -> dict:
    with engine.connect() as conn:
        answered = conn.execute(text(
            "SELECT t.variant, t.item_id, t.rotate_id, s.participant_id FROM planned_trial t JOIN session s "
            "ON s.id = t.session_id JOIN response r ON r.planned_trial_id = t.id "
            "WHERE s.study_id = :st AND t.kind = 'test'"), {"st": study_id}).all()
        given = conn.execute(text(
            "SELECT s.participant_id, t.variant, t.item_id FROM planned_trial t JOIN session s "
            "ON s.id = t.session_id WHERE s.study_id = :st AND t.kind != 'catch'"), {"st": study_id}).all()
    answers: Counter = Counter()
    who: dict = defaultdict(set)
    for v, i, r, p in answered:
        key = unit_key(mode, v, i, r)
        answers[key] += 1
        who[key].add(p)
    per_participant = Counter((p, VARIANT_SOURCE[v], i) for p, v, i in given)
    return {"answers": answers, "participants_per_unit": Counter(len(x) for x in who.values()),
            "items_given_twice": sum(1 for n in per_participant.values() if n > 1)}


def share_estimates(engine, study_id: int, dataset) -> list[float]:
    """Each session's estimated seconds (tasks.study.session_time), from its stored plan."""
    from tasks.study.session_time import estimate_session

    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT t.session_id, t.variant, t.item_id, t.rotate_id, t.break_before FROM planned_trial t "
            "JOIN session s ON s.id = t.session_id WHERE s.study_id = :st ORDER BY t.session_id, t.position"),
            {"st": study_id}).all()
    plans: dict = defaultdict(list)
    for sid, v, i, r, b in rows:
        plans[sid].append({"variant": v, "item_id": i, "rotate_id": r, "break_before": b})
    return [estimate_session(plan, dataset.root).total_s for plan in plans.values()]
