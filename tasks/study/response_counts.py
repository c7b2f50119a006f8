"""How many stored responses there are of each trial kind (test, practice, catch): what an
export's "55 responses" is made of, so that the console can say "55 responses (51 test,
4 practice)" next to the Results page's count of answered test trials."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from db.models import PlannedTrial, Response, Session, Study

KIND_ORDER = ("test", "practice", "catch")


def responses_by_kind(engine: Engine, study_name: str | None = None) -> dict[str, int]:
    """trial kind -> stored responses of that kind (of one study, or all), in KIND_ORDER."""
    q = (select(PlannedTrial.kind, func.count(Response.id))
         .join(PlannedTrial, PlannedTrial.id == Response.planned_trial_id)
         .group_by(PlannedTrial.kind))
    if study_name is not None:
        q = (q.join(Session, Session.id == Response.session_id).join(Study, Study.id == Session.study_id)
             .where(Study.name == study_name))
    with engine.connect() as conn:
        counts = dict(conn.execute(q).all())
    ordered = {k: counts.pop(k) for k in KIND_ORDER if k in counts}
    ordered.update(sorted(counts.items()))  # a kind this version does not know is still counted
    return ordered


def describe_responses(total: int, by_kind: dict[str, int]) -> str:
    """ "55 responses (51 test, 4 practice)"."""
    parts = ", ".join(f"{n} {kind}" for kind, n in by_kind.items() if n)
    noun = "response" if total == 1 else "responses"
    return f"{total} {noun} ({parts})" if parts else f"{total} {noun}"
