"""The participant window's level check: a noise at the study's reference level, and the question
whether it is comfortable (a calibrated study's fixed level), or, where the participant sets the
volume (uncalibrated take-home), whether it could be made comfortable. Any other answer pauses
the session for the experimenter; the check comes again when it resumes.

The texts keep the participant window's translation context (they were its own before the step
had a module of its own), written out in each call so that lupdate finds them."""
from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication
from sqlmodel import Session as DbSession

from db import repo
from gui.participant.question import Question
from tasks.study.pauses import level_check_pause_detail

translate = QCoreApplication.translate


def ask_level(window) -> None:
    """The level check step of ``window`` (a gui.participant.window.ParticipantWindow); the
    answer goes to the session's audit log."""
    labels = [translate("ParticipantWindow", "Sound")]
    if window.comfortable_level:
        question = translate("ParticipantWindow", "Play the sound and set your computer's volume so that it is "
                                                  "clearly audible and comfortable, never loud. Then keep the "
                                                  "volume as it is.")
        options = [translate("ParticipantWindow", "It is comfortable now"),
                   translate("ParticipantWindow", "I cannot make it comfortable")]
        answers = ["comfortable", "cannot make it comfortable"]
        replays = 20
    else:
        question = translate("ParticipantWindow", "How does this sound?")
        options = [translate("ParticipantWindow", "Comfortable and clear"), translate("ParticipantWindow", "Too loud"),
                   translate("ParticipantWindow", "Too quiet")]
        answers = ["comfortable", "too loud", "too quiet"]
        replays = 2

    def on_answer(index, _rt, n_replays):
        with DbSession(window.db) as s:
            repo.audit(s, "level_check", json.dumps({
                "procedure": "comfortable level" if window.comfortable_level else "fixed study level",
                "answer": answers[index], "replays": n_replays,
                "reference_db_spl": window.presenter.reference.reference_db_spl}), window.session_id)
        if index == 0:
            window.show_message(translate("ParticipantWindow", "Ready"),
                                translate("ParticipantWindow", "The questions start now. Take your time; there is no "
                                                               "time limit."), window.next_trial)
        else:
            window.pause_and_close(
                level_check_pause_detail(answers[index]),
                translate("ParticipantWindow", "Please call the experimenter") if not window.comfortable_level
                else translate("ParticipantWindow", "Please contact the lab"),
                translate("ParticipantWindow", "The sound needs adjusting before you continue. Your session is "
                                               "saved and continues here next time."))

    window.ask(Question(title=translate("ParticipantWindow", "Sound level"), question=question, options=options,
                        clip_labels=labels,
                        prepare=lambda: prepare_level_check(window.presenter, labels),
                        max_replays=replays, on_answer=on_answer))


def prepare_level_check(presenter, labels: list[str]):
    """The level check's sound rendered for ``presenter`` (tasks.presentation.presenter.Presenter):
    noise at the study's digital reference (``presenter.reference``, which the participant
    window sets from the study), played with the calibrated gain for that same reference, so it
    sounds at the study's reference dB SPL (the level the audit records); a PreparedTrial."""
    from audio.synthesis import level_check_noise

    rate = presenter.choice.sample_rate_hz
    reference = presenter.reference
    return presenter.prepare_samples([level_check_noise(reference.reference_dbfs, rate)], rate, labels, 0.0,
                                     level_reference=reference)
