"""The participant window's headphone screening: which checks a station runs (antiphase and
Huggins, and the binaural localization check when the station asks for it), and the step that
runs them: an introduction, then each check's own introduction and trials; the results go to the
session's audit log, then comes the window's level check.

The texts keep the participant window's translation context (they were its own before the step
had a module of its own), written out in each call so that lupdate finds them."""
from __future__ import annotations

import json
from typing import Callable

from PySide6.QtCore import QCoreApplication
from sqlmodel import Session as DbSession

from audio.levels import DigitalReference
from audio.screening import antiphase_test, huggins_test, score as score_screening
from db import repo
from gui.participant.question import Question
from gui.participant.session_flow import check_intro
from tasks.study.screening_records import ScreeningRecordError, screening_seed

translate = QCoreApplication.translate

# Screening tones and noises play at this level (the test's -20 dBFS means 65 dB SPL).
SCREENING_REFERENCE = DigitalReference(reference_dbfs=-20.0, reference_db_spl=65.0)


def standard_screening(seed: int) -> list:
    """Woods et al. 2017 antiphase test, then Milne et al. 2021 Huggins test (6 trials each)."""
    return [antiphase_test(seed), huggins_test(seed)]


def with_localization(screening: Callable[[int], list], hrirs) -> Callable[[int], list]:
    """``screening``'s checks, then the binaural localization check (audio.screening) through
    ``hrirs`` (an audio.hrtf.HrirSet at the output's rate)."""
    from audio.screening import localization_test

    def checks(seed: int) -> list:
        return screening(seed) + [localization_test(seed, hrirs, sample_rate_hz=hrirs.sample_rate_hz)]

    return checks


def station_screening(settings, sample_rate_hz: int) -> Callable[[int], list]:
    """The checks this station runs: antiphase and Huggins, and the localization check when the
    station setting ``screening_localization`` is on (through the HRTF the built-in bank uses:
    ``bank_hrtf_file``, else MIT KEMAR). Raises audio.hrtf.HrtfError naming an unreadable file."""
    if not settings.get("screening_localization"):
        return standard_screening
    from audio.hrtf import load_hrtf

    return with_localization(standard_screening, load_hrtf(settings.get("bank_hrtf_file"), sample_rate_hz))


def run_screening(window) -> None:
    """The screening step of ``window`` (a gui.participant.window.ParticipantWindow): the checks
    ``window.screening`` makes for this session, one after the other."""
    window.show_message(translate("ParticipantWindow", "Headphone check"),
                        translate("ParticipantWindow", "Put on your headphones. A few short checks of the "
                                                       "headphones come first; each one starts by telling what you "
                                                       "will hear and what to pick."),
                        lambda: _start_checks(window))


def _start_checks(window) -> None:
    # the session's own seed, drawn once and stored before the first sound (a resumed screening
    # replays the same sequence; see tasks.study.screening_records)
    try:
        seed = screening_seed(window.db, window.session_id)
    except ScreeningRecordError as exc:  # a hand-edited database: say so, guess nothing
        window.pause_and_close(f"screening not started: {exc}",
                               translate("ParticipantWindow", "Please call the experimenter"),
                               translate("ParticipantWindow", "The headphone check cannot start. Your session is "
                                                              "saved."))
        return
    _run_checks(window, window.screening(seed), [], seed=seed)


def _run_checks(window, tests: list, results: list, n_tests: int | None = None, seed: int | None = None) -> None:
    n_tests = len(tests) if n_tests is None else n_tests
    if not tests:
        with DbSession(window.db) as s:
            repo.audit(s, "screening", json.dumps(results), window.session_id)
        window.level_check()
        return
    test, rest = tests[0], tests[1:]
    responses: list[int | None] = []

    def ask(i: int) -> None:
        if i == len(test.trials):
            r = score_screening(test, responses)
            results.append({"test": r.name, "correct": r.n_correct, "trials": r.n_trials, "passed": r.passed,
                            "seed": seed})
            _run_checks(window, rest, results, n_tests, seed)
            return
        st = test.trials[i]
        labels = [translate("ParticipantWindow", "Sound {n}").format(n=k + 1) for k in range(len(st.intervals))]
        # a check with its own answers (the localization check: left/right/front/back) plays one sound
        options = [option_text(o) for o in test.options] if test.options else labels
        if test.options:
            labels = [translate("ParticipantWindow", "Sound")]

        def on_answer(index, _rt, _replays):
            responses.append(index)
            ask(i + 1)

        window.ask(Question(
            title=translate("ParticipantWindow", "{name}: {i} of {n}").format(name=name, i=i + 1, n=len(test.trials)),
            question=option_text(test.question), options=options, clip_labels=labels,
            prepare=lambda: window.presenter.prepare_samples(list(st.intervals), st.sample_rate_hz, labels,
                                                             test.gap_s, SCREENING_REFERENCE),
            max_replays=1, on_answer=on_answer))

    # each check has its own introduction: what will be heard, what to pick
    title, body, name = check_intro(test, n_tests - len(tests), n_tests)
    window.show_message(title, body, lambda: ask(0))


def option_text(text: str) -> str:
    """The participant's language for the texts a check brings (audio.screening is not translated)."""
    return {"Left": translate("ParticipantWindow", "Left"), "Right": translate("ParticipantWindow", "Right"),
            "Front": translate("ParticipantWindow", "Front"), "Back": translate("ParticipantWindow", "Back"),
            "Where does the sound come from?": translate("ParticipantWindow", "Where does the sound come from?"),
            }.get(text, text)
