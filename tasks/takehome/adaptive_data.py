"""What a take-home package asks for beyond its plan, and what its bundle brings back of it:
the study's screening settings (``package.json`` "screening") and the session's adaptive blocks
with their trials (``results.json`` "adaptive"), stored by the lab's import beside the planned
trials' responses.

The adaptive blocks themselves travel in the study's protocol (``protocol_json``:
adaptive_dimensions and the procedure's settings); the home session makes and runs them like a
lab session (tasks.adaptive.blocks), and its bundle returns every block with its estimate and
every answered trial. Bundles of older apps carry no "adaptive" key and import as before.
"""
from __future__ import annotations

from sqlmodel import Session as DbSession, select

from db.models import AdaptiveBlock, AdaptiveTrial

SCREENING_KEYS = ("localization",)  # package.json "screening": the checks besides antiphase and Huggins


def screening_of(settings) -> dict:
    """The lab's screening settings a package carries (db.settings.Settings of the lab)."""
    return {"localization": bool(settings.get("screening_localization"))}


def package_screening(info: dict) -> dict:
    """The screening a package asks for (an older package: the two standard checks only)."""
    screening = info.get("screening") or {}
    return {key: bool(screening.get(key, False)) for key in SCREENING_KEYS}


def bundle_adaptive(s: DbSession, session_id: int) -> list[dict]:
    """The session's adaptive blocks for results.json, each with its answered trials in order."""
    out = []
    blocks = s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == session_id)
                    .order_by(AdaptiveBlock.block_index)).all()
    for b in blocks:
        trials = s.exec(select(AdaptiveTrial).where(AdaptiveTrial.block_id == b.id)
                        .order_by(AdaptiveTrial.trial_index)).all()
        row = b.model_dump(mode="json", exclude={"id", "session_id"})
        row["trials"] = [t.model_dump(mode="json", exclude={"id", "block_id"}) for t in trials]
        out.append(row)
    return out


def store_adaptive(s: DbSession, session_id: int, blocks: list[dict]) -> int:
    """Merge checked blocks (tasks.takehome.schema.check_adaptive) into the imported session:
    a new block whole, a block already imported with the trials it did not have yet and its
    newer estimate. Returns the number of adaptive trials added."""
    existing = {b.dimension: b for b in s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == session_id))}
    added = 0
    for data in blocks:
        fields = {k: v for k, v in data.items() if k != "trials"}
        block = existing.get(fields["dimension"])
        if block is None:
            block = AdaptiveBlock(session_id=session_id, **fields)
            s.add(block)
            s.flush()
            have: set[int] = set()
        else:
            have = set(s.exec(select(AdaptiveTrial.trial_index).where(AdaptiveTrial.block_id == block.id)).all())
            if fields["n_trials"] >= block.n_trials:  # the newer bundle's estimate
                for key, value in fields.items():
                    setattr(block, key, value)
                s.add(block)
        for t in data["trials"]:
            if t["trial_index"] not in have:
                s.add(AdaptiveTrial(block_id=block.id, **t))
                added += 1
    return added
