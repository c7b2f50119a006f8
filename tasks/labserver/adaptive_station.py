"""A session's adaptive blocks on a lab station (docs/lab-server.md, "When the network fails"):
each answer goes to the server with the block's new estimate in one transaction, or into the
station's journal (db.adaptive_journal) when the server cannot be reached, the same rule as
answers (once anything is in the journal, what follows goes there too, so order is kept). It is
durable before the next trial starts; the next level comes from the procedure in memory.

The blocks and their trials are read from the server once, when the session starts (it needs
the server then anyway); a block is then run from that and the journal's entries, so a block
runs on without its server. A station restarted while the server is away rebuilds the blocks
from its journal alone: with the session's first adaptive entry after being online, the station
journals what it knew of every block then (settings, the study's seed, the trials so far). A
session none of whose adaptive answers was journalled has its blocks on the server only, so
resuming it while the server is away is the one thing here that needs it: ``NeedsServer``.
"""
from __future__ import annotations

import json

from sqlmodel import Session as DbSession, select

from db.engine import DatabaseFileError
from db.models import AdaptiveBlock, AdaptiveTrial, Session, Study
from tasks.adaptive.blocks import AdaptiveBlockRunner
from tasks.adaptive.settings import settings_of
from tasks.psychometrics.dimensions import adaptive_scale
from tasks.study.plan import Protocol

_SKIP = ("id", "block_id", "trial_index")


class NeedsServer(DatabaseFileError):
    """A block whose trials are on the server only, asked for while the server is away."""


class StationBlockRunner(AdaptiveBlockRunner):
    """One block on a station: ``record`` is durable on return, on the server or in the journal."""

    station: "StationAdaptive"  # both set by StationAdaptive._build, for each runner
    meta: dict  # what a journal's block entry says of the block besides its trials

    @property
    def link(self):
        return self.station.link

    def history(self, n: int | None = None) -> list[list]:
        """[level played, correct] of the block's first ``n`` trials (all: None)."""
        h = self.procedure.history
        return [[float(lv), bool(ok)] for lv, ok in list(zip(h.levels, h.correct))[:n]]

    def _commit(self, row: AdaptiveTrial, est) -> None:
        link = self.link
        store = super()._commit
        if self.block_id is not None and link.committed(lambda: store(row, est), "this answer was not saved yet"):
            return
        k = row.trial_index
        values = {name: getattr(row, name) for name in AdaptiveTrial.__table__.columns.keys() if name not in _SKIP}
        values["block"] = self.block_update(est)
        blocks = None
        if link.outbox.adaptive_count(session_id=self.session_id) == 0:  # online until now: what it knew
            blocks = self.station.snapshot()
            blocks[self.dim.name] = {**self.meta, "before": self.history(k)}
        link.outbox.add_adaptive(self.session_id, self.dim.name, k, values, blocks)
        link.journalled()


class StationAdaptive:
    """The adaptive blocks of one session run on a station (``next_runner``)."""

    def __init__(self, link, session_id: int, protocol: Protocol, holder: str | None = None):
        self.link, self.session_id, self.protocol, self.holder = link, session_id, protocol, holder
        self.on_server: dict[str, dict] | None = None  # dimension -> the block as read (None: not read)
        self.study_seed = protocol.seed
        self._runners: dict[str, StationBlockRunner] = {}

    def load(self) -> None:
        """Read the session's blocks and their trials from the server (at the session's start)."""
        engine = self.link.engine
        with DbSession(engine) as s:
            session = s.get(Session, self.session_id)
            self.study_seed = json.loads(s.get(Study, session.study_id).protocol_json).get("seed", 0)
            blocks = s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == self.session_id)).all()
            ids = [b.id for b in blocks]
            rows = s.exec(select(AdaptiveTrial).where(AdaptiveTrial.block_id.in_(ids))
                          .order_by(AdaptiveTrial.block_id, AdaptiveTrial.trial_index)).all() if ids else []
            found = {}
            for b in blocks:
                found[b.dimension] = dict(block_id=b.id, block_index=b.block_index, unit=b.unit,
                                          procedure=b.procedure, settings_json=b.settings_json,
                                          trials=[(r.level_played, r.is_correct) for r in rows if r.block_id == b.id])
        self.on_server = found
        self._runners.clear()

    def next_runner(self) -> StationBlockRunner | None:
        """The first unfinished block's runner in the protocol's order; None when all are done."""
        for k, dimension in enumerate(self.protocol.adaptive_dimensions):
            runner = self._runners.get(dimension) or self._build(k, dimension)
            self._runners[dimension] = runner
            if not runner.finished():
                return runner
        return None

    def snapshot(self) -> dict[str, dict]:
        """dimension -> what is known of each of the session's blocks (a journal's block entry)."""
        out = {}
        for k, dimension in enumerate(self.protocol.adaptive_dimensions):
            runner = self._runners.get(dimension)
            if runner is None:
                try:
                    runner = self._runners[dimension] = self._build(k, dimension)
                except NeedsServer:
                    continue
            out[dimension] = {**runner.meta, "before": runner.history()}
        return out

    def _build(self, index: int, dimension: str) -> StationBlockRunner:
        entries = [(k, v) for d, k, v, _state in self.link.outbox.adaptive_entries(self.session_id) if d == dimension]
        block_entries = [v for k, v in entries if k == -1]
        known = (self.on_server or {}).get(dimension)
        if known is not None:
            meta, block_id, trials = known, known["block_id"], list(known["trials"])
        elif block_entries:
            meta, block_id = block_entries[-1], None
            trials = [(lv, ok) for lv, ok in meta["before"]]
            self.study_seed = meta["study_seed"]
        elif self.on_server is not None:  # not on the server when the session started: made here
            settings = settings_of(self.protocol)
            meta, block_id, trials = dict(block_index=index, unit=adaptive_scale(dimension).unit,
                                          procedure=settings.procedure,
                                          settings_json=json.dumps(settings.to_dict(), sort_keys=True)), None, []
        else:
            raise NeedsServer(f"the {dimension} block of session {self.session_id} is on the lab server only; it "
                              f"goes on when the server is back")
        for k, values in sorted((k, v) for k, v in entries if k >= 0):
            if k == len(trials):
                trials.append((values["level_played"], values["is_correct"]))
        runner = StationBlockRunner.restored(self.link.engine, block_id, self.session_id, dimension,
                                             meta["settings_json"], self.study_seed, trials, self.holder)
        runner.station = self
        runner.meta = {k: meta[k] for k in ("block_index", "unit", "procedure", "settings_json")}
        runner.meta["study_seed"] = self.study_seed
        return runner
