"""The participant window's adaptive blocks (tasks.adaptive, docs/adaptive.md): after the
session's planned trials, one block per dimension of the study's protocol. Each trial is shown
like any other (title, question, the two sounds, two options); its sounds are synthesized and
rendered through the presenter (calibrated level, safety guard) off the GUI thread, and the
answer is committed with the block's new estimate before the next level is chosen. A block
left unfinished continues at its next trial when the window opens again.

On a lab station (tasks.labserver.adaptive_station) the blocks are read from the server when the
session starts and run on from memory: each answer goes to the server, or into the station's
journal when the server cannot be reached, durable before the next trial either way; the
participant sees nothing of it."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication

from audio.levels import DigitalReference
from audio.spatial import ResponseCache
from sqlmodel import Session as DbSession

from db import repo
from db.engine import DatabaseFileError
from db.leases import NotOwner
from db.models import Session as SessionRow, utc_now
from gui.participant.question import Question
from tasks.adaptive.blocks import (LETTERS, AdaptiveBlockError, AdaptiveBlockRunner, AdaptiveTrialPlan, adaptive_pending,
                                   ensure_blocks)
from tasks.adaptive.stimuli import synthesize
from tasks.labserver.adaptive_station import StationAdaptive


def _tr(text: str) -> str:
    return QCoreApplication.translate("AdaptiveFlow", text)


DIMENSION_NAMES = {"pitch": "Pitch", "loudness": "Loudness", "duration": "Duration", "azimuth": "Direction",
                   "elevation": "Height", "distance": "Distance"}


class AdaptiveFlow:
    """Drives the adaptive blocks on a gui.participant.window.ParticipantWindow, through its
    public methods (show_message, ask, cannot_play, finish)."""

    def __init__(self, window):
        self.window = window
        self.cache = ResponseCache()  # used by one prepare at a time (the window's worker)
        self.intro_shown: set[str] = set()  # dimensions
        self.runner: AdaptiveBlockRunner | None = None
        self.station: StationAdaptive | None = None  # on a lab station: its blocks, read at the start

    def load(self) -> None:
        """At the session's start (the server is there): on a lab station, read the session's
        blocks and their trials, so that they run on while the server is away."""
        w = self.window
        if w.station_link is not None and w.protocol.adaptive_dimensions:
            self.station = StationAdaptive(w.station_link, w.session_id, w.protocol, w.holder)
            self.station.load()

    def resume_after_planned_trials(self) -> bool:
        """When the session's planned trials are all answered (it reads completed) but an adaptive
        block is unfinished: continue it and return True; else False (the usual start)."""
        w = self.window
        with DbSession(w.db) as s:
            session = s.get(SessionRow, w.session_id)
            if session.status != "completed" or not adaptive_pending(w.db, w.session_id):
                return False
            repo.audit(s, "resumed", "adaptive blocks", w.session_id)
        self.load()
        self._next_or_finish()
        return True

    def _next_runner(self) -> AdaptiveBlockRunner | None:
        w = self.window
        if self.runner is not None and not self.runner.finished():
            return self.runner
        if self.station is not None:  # from memory and the journal: the server may be away
            self.runner = self.station.next_runner()
            return self.runner
        if not w.protocol.adaptive_dimensions or not adaptive_pending(w.db, w.session_id):
            return None
        for block in ensure_blocks(w.db, w.session_id, w.protocol):
            if block.status != "completed":
                self.runner = AdaptiveBlockRunner(w.db, block.id, w.holder)
                if not self.runner.finished():
                    return self.runner
        return None

    def next(self) -> bool:
        """Show the next adaptive screen; False when no adaptive trial is left (the session ends)."""
        w = self.window
        try:
            runner = self._next_runner()
        except AdaptiveBlockError as exc:  # a stored block edited outside the app
            w.cannot_play(str(exc))
            return True
        if runner is None:
            return False
        if runner.dim.name not in self.intro_shown:
            self.intro_shown.add(runner.dim.name)
            body = (_tr("In this part you will hear two sounds each time and answer a question about them. "
                        "The difference gets smaller as you answer correctly, so some questions will be very "
                        "hard: take your best guess.") + "\n\n" + runner.dim.question)
            w.show_message(_tr("Part: {name}").format(name=_tr(DIMENSION_NAMES[runner.dim.name])), body, self.next)
            return True
        self._present(runner, runner.next_trial())
        return True

    def _next_or_finish(self) -> None:
        if not self.next():
            self.window.finish()

    def _present(self, runner: AdaptiveBlockRunner, plan: AdaptiveTrialPlan) -> None:
        w = self.window
        made = {}

        def prepare():  # off the GUI thread
            stim = synthesize(plan.dimension, plan.level_asked, plan.first_option_correct,
                              np.random.default_rng(plan.sound_seed(runner.study_seed)), cache=self.cache)
            ref = stim.params["digital_reference"]
            made["stimulus"] = stim
            return w.presenter.prepare_samples(list(stim.intervals), stim.sample_rate_hz, labels, stim.params["gap_s"],
                                               DigitalReference(ref["reference_dbfs"], ref["reference_db_spl"]))

        presented_at = utc_now()

        def on_answer(index, rt_ms, _replays):
            stim, prepared = made["stimulus"], w.trial.prepared
            store(stim.level_played, LETTERS[index] if index is not None else None,
                  dict(rt_ms=rt_ms, presented_at=presented_at, uncalibrated=not prepared.calibrated,
                       attenuation_db=prepared.attenuation_db, level_db_spl=prepared.level_db_spl))

        def store(level_played, letter, fields):
            try:  # durable on return: on the server, or (a station) in its journal
                runner.record(plan, level_played, letter, made["stimulus"].params, **fields)
            except NotOwner as exc:
                w.taken_elsewhere(str(exc))
                return
            except DatabaseFileError as exc:
                w.show_message(_tr("Not saved yet"), str(exc) + "\n" + _tr("Please call the experimenter."),
                               lambda: store(level_played, letter, fields), button=_tr("Try again"))
                return
            self._next_or_finish()

        labels = [_tr("Sound 1"), _tr("Sound 2")]
        title = _tr("{name}: question {n} of at most {total}").format(
            name=_tr(DIMENSION_NAMES[plan.dimension]), n=plan.trial_index + 1, total=runner.settings.max_trials)
        q = Question(title=title, question=plan.question, options=list(plan.options), clip_labels=labels,
                     prepare=prepare, max_replays=w.protocol.max_replays, on_answer=on_answer)
        w.ask(q)
