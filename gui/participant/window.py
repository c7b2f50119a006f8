"""The participant window: one item at a time, large and calm, keyboard or mouse.

Flow: headphone screening (antiphase, Huggins) and a level check when the session has not had
them yet, then the planned trials from the first unanswered one: block instructions, breaks,
practice with feedback, test trials without feedback, a closing thank-you. Leaving before the
end needs the experimenter's PIN and pauses the session (it resumes at the same trial).
The response clock stands still while the window is interrupted, a trial over the safety
ceiling is withheld and passed over, and a failed level check is repeated on resume
(gui/participant/session_flow.py, tasks/study/rt_clock.py, docs/session.md).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout, QInputDialog, QLabel, QMessageBox, QLineEdit, QProgressBar, QPushButton, QSizePolicy, QStackedWidget,
    QVBoxLayout, QWidget,
)
from sqlmodel import Session as DbSession

from audio.files import AudioFileError
from audio.levels import DigitalReference
from audio.render import RenderError
from audio.safety import ExposureLog, SafetyError
from audio.screening import antiphase_test, huggins_test, score as score_screening
from db import repo
from db.engine import DatabaseFileError
from db.models import Session as SessionRow, Study, utc_now
from gui.participant.adaptive_flow import AdaptiveFlow
from gui.common.bridge import EngineBridge
from gui.participant.play_indicator import PlayIndicator
from gui.participant.session_flow import DIALOG, FocusWatch, Withheld, check_intro, size_to_screen, withhold_over_ceiling
from gui.common.theme import apply_participant_look
from gui.common.workers import Worker
from tasks.dataset.loader import Dataset
from tasks.study.plan import block_instructions
from tasks.presentation.presenter import PreparedTrial, Presenter, SessionExposure
from tasks.study.rt_clock import ResponseClock, RtMeasure
from tasks.study.runner import SessionRunner
from tasks.study.pauses import level_check_pause_detail, needs_level_check
from tasks.study.studies import run_for, study_protocol

# Screening tones and noises play at this level (the test's -20 dBFS means 65 dB SPL).
SCREENING_REFERENCE = DigitalReference(reference_dbfs=-20.0, reference_db_spl=65.0)
PREPARE_ERRORS = (AudioFileError, RenderError, SafetyError, KeyError)


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


@dataclass
class Question:
    """What the trial screen shows: built from a planned trial or a screening trial."""

    title: str
    question: str
    options: list[str]
    clip_labels: list[str]
    prepare: Callable[[], PreparedTrial]  # runs off the GUI thread
    context: str = ""
    max_replays: int = 2
    on_answer: Callable[[int | None, float | None, int], None] = lambda *_: None


class TrialScreen(QWidget):
    answered = Signal(object, object, int)  # chosen index or None, rt_ms or None, replays
    withheld = Signal(str)  # the trial must not be played (over the safety ceiling): why

    def __init__(self, presenter: Presenter, bridge: EngineBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.presenter, self.bridge = presenter, bridge
        self.title = QLabel()
        self.title.setObjectName("trialTitle")
        self.context = QLabel()
        self.context.setWordWrap(True)
        self.context.setObjectName("trialContext")
        self.playing = QLabel()
        self.playing.setObjectName("playingIndicator")
        self.playing.setAlignment(Qt.AlignCenter)
        self.replays = QLabel()
        self.replays.setObjectName("replaysLeft")
        self.play_all = QPushButton(self.tr("▶  Play (Space)"))
        self.play_all.setObjectName("playAll")
        self.play_all.clicked.connect(lambda: self.play(None))
        self.clip_row = QHBoxLayout()
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.question.setObjectName("question")
        self.options_box = QVBoxLayout()
        self.confirm = QPushButton(self.tr("Confirm (Enter)"))
        self.confirm.setObjectName("confirm")
        self.confirm.clicked.connect(self.confirm_answer)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.context)
        self.indicator = PlayIndicator(self, bridge)
        layout.addWidget(self.indicator)
        row = QHBoxLayout()
        row.addWidget(self.play_all)
        row.addLayout(self.clip_row)
        row.addStretch(1)
        row.addWidget(self.replays)
        layout.addLayout(row)
        layout.addWidget(self.playing)
        layout.addWidget(self.question)
        layout.addLayout(self.options_box)
        layout.addStretch(1)
        layout.addWidget(self.confirm, alignment=Qt.AlignRight)
        self.option_buttons: list[QPushButton] = []
        self.clip_buttons: list[QPushButton] = []
        self.q: Question | None = None
        self.prepared: PreparedTrial | None = None
        self.worker: Worker | None = None
        self.current_playback = None
        self.current_clip: int | None = None
        self.replays_used = 0
        self.heard_clips: set[int] = set()
        self.heard_all = False
        self.selected: int | None = None
        # stands still while the trial is interrupted; the window pauses and resumes it
        self.clock = ResponseClock()
        self.timing = RtMeasure(None, 0.0, False)  # of the last confirmed answer
        bridge.started.connect(self._started)
        bridge.finished.connect(self._finished)

    # --- set-up -----------------------------------------------------------------------
    def show_question(self, q: Question, auto_play: bool) -> None:
        self.q, self.prepared = q, None
        self.heard_all = False
        self.heard_clips = set()
        self.replays_used = 0
        self.selected: int | None = None
        self.selected_at: float | None = None
        self.last_onset: float | None = None
        self.current_playback = None
        self.auto_play = auto_play
        self.clock.start_trial()
        self.title.setText(q.title)
        self.context.setText(q.context)
        self.context.setVisible(bool(q.context))
        self.question.setText(q.question)
        for b in self.option_buttons + self.clip_buttons:
            b.setParent(None)
            b.deleteLater()
        self.option_buttons, self.clip_buttons = [], []
        for i, text in enumerate(q.options):
            key = chr(ord("A") + i)
            b = QPushButton(f"{key}   {text}")
            b.setObjectName(f"option{key}")
            b.setCheckable(True)
            b.setMinimumHeight(int(self.fontMetrics().height() * 2.2))
            b.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
            b.setStyleSheet(f"text-align: left; padding-left: 16px; font-size: {self.font().pointSizeF():.1f}pt;")
            b.clicked.connect(lambda _=False, idx=i: self.select(idx))
            self.options_box.addWidget(b)
            self.option_buttons.append(b)
        if len(q.clip_labels) > 1:
            for i, label in enumerate(q.clip_labels):
                b = QPushButton(self.tr("▶ {label}").format(label=label))
                b.setObjectName(f"clip{i}")
                b.clicked.connect(lambda _=False, idx=i: self.play(idx))
                self.clip_row.addWidget(b)
                self.clip_buttons.append(b)
        self._set_enabled(False)
        self.playing.setText(self.tr("Preparing the sound…"))
        self.worker = Worker(lambda progress, should_cancel: q.prepare(), user_errors=PREPARE_ERRORS)
        self.worker.succeeded.connect(self._prepared)
        self.worker.failed.connect(self._prepare_failed)
        self.worker.crashed.connect(self._prepare_failed)
        self.worker.start()

    def _prepared(self, prepared: PreparedTrial | Withheld) -> None:
        if isinstance(prepared, Withheld):
            self.withheld.emit(prepared.reason)
            return
        self.prepared = prepared
        self._update_buttons()
        self.playing.setText(self.tr("Press Play to listen."))
        if self.auto_play:
            self.play(None)

    prepare_failed = Signal(str)

    def _prepare_failed(self, message: str) -> None:
        self.playing.setText(message)
        self.prepare_failed.emit(message)

    # --- playback -----------------------------------------------------------------------
    # A play is a replay when what it plays has been heard to the end already: the first
    # hearing of the sequence, or of each clip one by one, is free; replays are limited.
    def replays_left(self) -> int:
        return self.q.max_replays - self.replays_used if self.q else 0

    def _is_replay(self, clip_index: int | None) -> bool:
        return self.heard_all or (clip_index is not None and clip_index in self.heard_clips)

    def can_play(self, clip_index: int | None) -> bool:
        return self.prepared is not None and (not self._is_replay(clip_index) or self.replays_left() > 0)

    def play(self, clip_index: int | None) -> None:
        if self.q is None or not self.can_play(clip_index):
            return
        self.replays_used += self._is_replay(clip_index)
        index = None if clip_index is None else clip_index + self.prepared.n_context
        self.current_playback = self.presenter.play(self.prepared, index)
        self.current_clip = clip_index
        self._update_buttons()
        what = self.tr("all clips") if clip_index is None else self.q.clip_labels[clip_index]
        self.playing.setText(self.tr("♪  Playing {what}…").format(what=what))

    def _started(self, event) -> None:
        if self.current_playback is not None and event.playback_id == self.current_playback.playback_id:
            onsets = event.clip_onsets_monotonic_s
            self.last_onset = onsets[-1] if onsets else event.onset_monotonic_s

    def _finished(self, event) -> None:
        if self.current_playback is None or event.playback_id != self.current_playback.playback_id:
            return
        if not event.stopped:
            if self.current_clip is None:
                self.heard_all = True
            else:
                self.heard_clips.add(self.current_clip)
                # every clip heard one by one counts as the whole, unless there is context to hear
                self.heard_all |= (self.prepared.n_context == 0
                                   and self.heard_clips >= set(range(len(self.q.clip_labels))))
        self.playing.setText(self.tr("Choose your answer.") if self.heard_all else
                             self.tr("Play all clips once before answering."))
        if self.heard_all:
            for b in self.option_buttons:
                b.setEnabled(True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        heard_something = self.heard_all or bool(self.heard_clips) or self.current_playback is not None
        self.replays.setText(self.tr("Replays left: {n}").format(n=max(0, self.replays_left()))
                             if heard_something else "")
        self.play_all.setEnabled(self.can_play(None))
        for i, b in enumerate(self.clip_buttons):
            b.setEnabled(self.can_play(i))

    # --- answering ----------------------------------------------------------------------
    def select(self, index: int) -> None:
        if not self.heard_all or not 0 <= index < len(self.option_buttons):
            return
        self.selected, self.selected_at = index, self.clock.now()
        for i, b in enumerate(self.option_buttons):
            b.setChecked(i == index)
        self.confirm.setEnabled(True)

    def confirm_answer(self) -> None:
        if self.selected is None:
            return
        self.timing = self.clock.measure(self.last_onset, self.selected_at)  # pauses left out
        self._set_enabled(False)
        self.answered.emit(self.selected, self.timing.rt_ms, self.replays_used)

    def _set_enabled(self, on: bool) -> None:
        for b in self.option_buttons + self.clip_buttons + [self.play_all, self.confirm]:
            b.setEnabled(on)
        for b in self.option_buttons:
            b.setChecked(False)


class MessageScreen(QWidget):
    proceed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("messageTitle")
        self.title.setAlignment(Qt.AlignCenter)
        self.body = QLabel()
        self.body.setObjectName("messageBody")
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignCenter)
        self.timer_label = QLabel()
        self.timer_label.setObjectName("breakTimer")
        self.timer_label.setAlignment(Qt.AlignCenter)
        self.button = QPushButton(self.tr("Continue (Enter)"))
        self.button.setObjectName("continue")
        self.button.clicked.connect(self.proceed.emit)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addWidget(self.timer_label)
        layout.addWidget(self.button, alignment=Qt.AlignCenter)
        layout.addStretch(1)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self._tick)
        self.elapsed_s = 0

    def show_message(self, title: str, body: str, button: str | None = None, timer: bool = False) -> None:
        self.title.setText(title)
        self.body.setText(body)
        self.button.setVisible(button is not None)
        if button:
            self.button.setText(button)
        self.elapsed_s = 0
        self.timer_label.setVisible(timer)
        self.clock.stop()
        self._show_elapsed()
        if timer:
            self.clock.start()

    def _tick(self) -> None:
        self.elapsed_s += 1
        self._show_elapsed()

    def _show_elapsed(self) -> None:
        self.timer_label.setText(self.tr("Break: {m}:{s:02d}").format(m=self.elapsed_s // 60, s=self.elapsed_s % 60))


class ParticipantWindow(QWidget):
    closed = Signal()

    def __init__(self, db, session_id: int, dataset: Dataset, presenter: Presenter, bridge: EngineBridge,
                 exit_pin: str | None, auto_play: bool = True,
                 screening: Callable[[int], list] | None = standard_screening, comfortable_level: bool = False,
                 on_finish: Callable[[], str] | None = None, parent: QWidget | None = None, station_link=None):
        """``exit_pin`` None: the participant may pause and leave (take-home). ``comfortable_level``:
        the participant sets the volume (uncalibrated take-home). ``on_finish`` runs at the end and
        returns a line for the thank-you screen (where the results bundle was written). ``station_link``
        (tasks.labserver.station.StationLink, on a lab server): answers the server cannot take go to the
        station's journal and the session goes on from the plan in memory."""
        super().__init__(parent)
        self.db, self.session_id, self.dataset = db, session_id, dataset
        self.presenter, self.bridge, self.exit_pin = presenter, bridge, exit_pin
        self.auto_play, self.screening = auto_play, screening
        self.comfortable_level, self.on_finish = comfortable_level, on_finish
        self.runner = SessionRunner(db, session_id, link=station_link)
        with DbSession(db) as s:
            session = s.get(SessionRow, session_id)
            study = s.get(Study, session.study_id)
        self.protocol = study_protocol(study)
        # the study's digital reference and clip length limit apply to this session's stimuli, and
        # exposure is counted per sitting and saved after every playback (the presenter serves the
        # whole app run)
        presenter.reference = DigitalReference(self.protocol.reference_dbfs, self.protocol.reference_db_spl)
        presenter.max_clip_duration_s = self.protocol.max_clip_duration_s
        presenter.exposure = SessionExposure(db, session_id)
        self.setWindowTitle(self.tr("STAR Listening Lab"))
        self.setObjectName("participantWindow")
        self.look = apply_participant_look(self)
        self.stack = QStackedWidget()
        self.trial = TrialScreen(presenter, bridge)
        self.message = MessageScreen()
        self.stack.addWidget(self.trial)
        self.stack.addWidget(self.message)
        self.progress = QProgressBar()
        self.progress.setObjectName("sessionProgress")
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(60, 30, 60, 30)
        layout.addWidget(self.progress)
        layout.addWidget(self.stack, 1)
        self.trial.answered.connect(self._answered)
        self.trial.prepare_failed.connect(self._cannot_play)
        self.trial.withheld.connect(self._withhold)
        self.focus_watch = FocusWatch(self, self.trial.clock)
        self.practice_over_shown_at: int | None = None
        self.message.proceed.connect(self._proceed)
        bridge.deviceError.connect(self._device_lost)
        self._after_message: Callable[[], None] | None = None
        self.shown_block: int | None = None
        self.break_shown_at: int | None = None
        self.finished = False
        self.adaptive = AdaptiveFlow(self)
        self._install_keys()
        self._scale_fonts()

    # --- window -----------------------------------------------------------------------
    def _scale_fonts(self) -> None:
        screen = self.screen().availableGeometry() if self.screen() else None
        height = screen.height() if screen else 1080
        font = QFont(self.font())
        font.setPointSizeF(max(14.0, height / 48.0))
        self.setFont(font)
        big = QFont(font)
        big.setPointSizeF(font.pointSizeF() * 1.4)
        big.setBold(True)
        for w in (self.message.title, self.trial.title):
            w.setFont(big)

    def _install_keys(self) -> None:
        for i in range(26):
            QShortcut(QKeySequence(chr(ord("A") + i)), self, activated=lambda idx=i: self.trial.select(idx))
        for i in range(9):
            QShortcut(QKeySequence(str(i + 1)), self, activated=lambda idx=i: self.trial.select(idx))
        for key in (Qt.Key_Return, Qt.Key_Enter):
            QShortcut(QKeySequence(key), self, activated=self._enter)
        QShortcut(QKeySequence(Qt.Key_Space), self, activated=lambda: self.trial.play(None))
        QShortcut(QKeySequence(Qt.Key_Escape), self, activated=self.request_exit)

    def _enter(self) -> None:
        if self.stack.currentWidget() is self.message and self.message.button.isVisible():
            self._proceed()
        elif self.stack.currentWidget() is self.trial and self.trial.confirm.isEnabled():
            self.trial.confirm_answer()

    def show_for_participant(self) -> None:
        size_to_screen(self)
        self.showFullScreen()
        self.start()

    def request_exit(self) -> None:
        if self.finished:
            self.close()
            return
        if self.exit_pin is None:
            box = QMessageBox(QMessageBox.Question, self.tr("Pause"),
                              self.tr("Pause and close? Open the study package again to continue where you stopped."),
                              QMessageBox.Yes | QMessageBox.No, self)
            box.setObjectName("pauseBox")
            box.finished.connect(self._pause_answer)
            box.finished.connect(lambda _result: self.trial.clock.resume(DIALOG))
            self.trial.clock.pause(DIALOG)
            box.open()
            self.pin_dialog = box
            return
        dialog = QInputDialog(self)
        dialog.setObjectName("pinDialog")
        dialog.setWindowTitle(self.tr("Experimenter"))
        dialog.setLabelText(self.tr("PIN to leave the session:"))
        dialog.setTextEchoMode(QLineEdit.Password)
        dialog.textValueSelected.connect(self._check_pin)
        dialog.finished.connect(lambda _result: self.trial.clock.resume(DIALOG))
        self.trial.clock.pause(DIALOG)
        dialog.open()
        self.pin_dialog = dialog

    def _pause_answer(self, result: int) -> None:
        if QMessageBox.StandardButton(result) == QMessageBox.StandardButton.Yes:
            self._leave("paused by the participant")

    def _check_pin(self, pin: str) -> None:
        if pin == self.exit_pin:
            self._leave("left by the experimenter")

    def _leave(self, reason: str) -> None:
        self.runner.pause(reason)
        self.finished = True
        self.close()

    def closeEvent(self, event) -> None:
        if not self.finished:
            event.ignore()  # only the PIN (or the end) closes this window
            self.request_exit()
            return
        if getattr(self, "_released", False):  # closed before: the presenter may serve another window now
            super().closeEvent(event)
            return
        self._released = True
        self.presenter.stop()
        if isinstance(self.presenter.exposure, SessionExposure) and self.presenter.exposure.unsaved:
            self.presenter.exposure.save()  # a last try for figures a failed write left in memory
        self.presenter.exposure = ExposureLog()  # sounds played after this window are not this session's
        self.focus_watch.detach()
        for signal, slot in ((self.bridge.deviceError, self._device_lost), (self.bridge.started, self.trial._started),
                             (self.bridge.finished, self.trial._finished)):
            signal.disconnect(slot)  # the bridge outlives this window
        super().closeEvent(event)
        self.closed.emit()

    # --- flow -----------------------------------------------------------------------
    def start(self) -> None:
        if self.adaptive.resume_after_planned_trials():  # only adaptive blocks are left
            return
        self.runner.begin()
        with DbSession(self.db) as s:
            screened = any(a.event == "screening" for a in repo.audit_log(s, self.session_id))
        if self.screening is not None and not screened:
            self._screening_intro()
        elif needs_level_check(self.db, self.session_id):
            self._level_check()  # paused for the level (or stopped before it): check it again first
        else:
            self.next_trial()

    def _message(self, title: str, body: str, then: Callable[[], None] | None, button: str | None = None,
                 timer: bool = False) -> None:
        self._after_message = then
        self.message.show_message(title, body, button or (self.tr("Continue (Enter)") if then else None), timer)
        self.stack.setCurrentWidget(self.message)

    def _proceed(self) -> None:
        then, self._after_message = self._after_message, None
        if then:
            then()

    def _update_progress(self) -> None:
        p = self.runner.progress()
        self.progress.setRange(0, max(1, p.total))
        self.progress.setValue(p.done)  # answered and withheld trials

    def next_trial(self) -> None:
        self._update_progress()
        trial = self.runner.next_trial()
        if trial is None:
            if not self.adaptive.next():  # adaptive blocks come after the planned trials
                self._finish()
            return
        if trial.break_before and self.break_shown_at != trial.position and self.shown_block == trial.block:
            self.break_shown_at = trial.position
            self._message(self.tr("Time for a break"), self.tr("Rest your ears for a moment. Continue when you are ready."),
                          self.next_trial, timer=True)
            return
        if self.shown_block != trial.block:
            self.shown_block = trial.block
            self.break_shown_at = trial.position
            self._message(self.tr("Part {n}").format(n=trial.block + 1), block_instructions(trial.variant), self.next_trial)
            return
        if self.practice_over_shown_at != trial.position and self.runner.follows_practice(trial):
            self.practice_over_shown_at = trial.position
            self._message(self.tr("Practice is over"),
                          self.tr("From now on there is no feedback: you will not be told whether an answer was "
                                  "right. Answer as well as you can."), self.next_trial)
            return
        self._present(trial)

    def _present(self, trial) -> None:
        try:
            run = run_for(self.dataset, trial)
        except KeyError:
            self._cannot_play(self.tr("Item {id} is not in the loaded dataset.").format(id=trial.item_id))
            return
        context = run.caption or run.note or ""
        if run.context_clips:
            context = (context + "\n" if context else "") + self.tr("First you hear the whole uncut recording.")
        practice = trial.kind == "practice"
        p = self.runner.progress()
        # counted separately: practice trials are not among the questions
        title = (self.tr("Practice {n} of {total}").format(n=p.practice_done + 1, total=p.practice_total) if practice
                 else self.tr("Question {n} of {total}").format(n=p.test_done + 1, total=p.test_total))
        presented_at = utc_now()

        def on_answer(index, rt_ms, replays):
            letter = run.letters[index] if index is not None else None
            try:
                self.runner.answer(trial, letter, rt_ms=rt_ms, n_replays=replays, presented_at=presented_at,
                                   paused_ms=self.trial.timing.paused_ms,
                                   rt_interrupted=self.trial.timing.interrupted,
                                   uncalibrated=not self.trial.prepared.calibrated,
                                   attenuation_db=self.trial.prepared.attenuation_db,
                                   level_db_spl=self.trial.prepared.level_db_spl)
            except DatabaseFileError as exc:
                self._message(self.tr("Not saved yet"), str(exc) + "\n" + self.tr("Please call the experimenter."),
                              lambda: on_answer(index, rt_ms, replays), button=self.tr("Try again"))
                return
            except repo.AlreadyAnswered:
                pass
            if practice:
                right = letter == run.answer_letter
                self._message(self.tr("Correct!") if right else self.tr("Not quite"),
                              self.tr("The answer was: {answer}").format(answer=run.answer), self.next_trial)
            else:
                self.next_trial()

        labels = [c.label for c in run.clips]
        q = Question(title=title, question=run.item.question, options=list(run.options), clip_labels=labels,
                     prepare=withhold_over_ceiling(lambda: self.presenter.prepare(self.dataset.root, run)),
                     context=context,
                     max_replays=self.protocol.max_replays, on_answer=on_answer)
        self.current_question, self.current_trial = q, trial
        self.stack.setCurrentWidget(self.trial)
        self.trial.show_question(q, self.auto_play)

    def _answered(self, index, rt_ms, replays) -> None:
        self.current_question.on_answer(index, rt_ms, replays)

    def _withhold(self, reason: str) -> None:
        """The trial is over the safety ceiling: never played; stored as withheld with its reason,
        and the session goes straight on (the participant is not alarmed)."""
        try:
            self.runner.withhold(self.current_trial, reason)
        except DatabaseFileError as exc:
            self._message(self.tr("Not saved yet"), str(exc) + "\n" + self.tr("Please call the experimenter."),
                          lambda: self._withhold(reason), button=self.tr("Try again"))
            return
        self.next_trial()

    def _cannot_play(self, message: str) -> None:
        with DbSession(self.db) as s:
            repo.audit(s, "error", message, self.session_id)
        self.runner.pause("cannot play: " + message)
        self.finished = True
        self._message(self.tr("Please call the experimenter"),
                      self.tr("This sound cannot be played:") + "\n" + message, self.close, button=self.tr("Close"))

    def _device_lost(self, message: str) -> None:
        if self.finished:
            return  # the session is over (or paused); nothing of it was playing
        with DbSession(self.db) as s:
            repo.audit(s, "error", "audio device lost: " + message, self.session_id)
        self.runner.pause("audio device lost")
        self.finished = True
        self._message(self.tr("Please call the experimenter"),
                      self.tr("The sound output stopped working. Your answers so far are saved; "
                              "the session will continue at this question."), self.close, button=self.tr("Close"))

    def _finish(self) -> None:
        self.finished = True
        self.progress.setValue(self.progress.maximum())
        extra = ""
        if self.on_finish is not None:
            try:
                extra = "\n\n" + self.on_finish()
            except OSError as exc:
                extra = "\n\n" + self.tr("The results could not be written: {err}").format(err=exc)
        self._message(self.tr("Thank you!"), self.tr("You have finished. Thank you for taking part.") + extra,
                      self.close, button=self.tr("Close"))

    # --- screening ------------------------------------------------------------------
    def _screening_intro(self) -> None:
        self._message(self.tr("Headphone check"),
                      self.tr("Put on your headphones. You will hear three sounds each time and pick one of them."),
                      lambda: self._run_screening(self.screening(self.session_id), []))

    def _run_screening(self, tests: list, results: list, n_tests: int | None = None) -> None:
        n_tests = len(tests) if n_tests is None else n_tests
        if not tests:
            with DbSession(self.db) as s:
                repo.audit(s, "screening", json.dumps(results), self.session_id)
            self._level_check()
            return
        test, rest = tests[0], tests[1:]
        responses: list[int | None] = []

        def ask(i: int) -> None:
            if i == len(test.trials):
                r = score_screening(test, responses)
                results.append({"test": r.name, "correct": r.n_correct, "trials": r.n_trials, "passed": r.passed})
                self._run_screening(rest, results, n_tests)
                return
            st = test.trials[i]
            labels = [self.tr("Sound {n}").format(n=k + 1) for k in range(len(st.intervals))]
            # a check with its own answers (the localization check: left/right/front/back) plays one sound
            options = [self.screening_option(o) for o in test.options] if test.options else labels
            if test.options:
                labels = [self.tr("Sound")]

            def on_answer(index, _rt, _replays):
                responses.append(index)
                ask(i + 1)

            q = Question(title=self.tr("{name}: {i} of {n}").format(name=name, i=i + 1, n=len(test.trials)),
                         question=self.screening_option(test.question), options=options, clip_labels=labels,
                         prepare=lambda: self.presenter.prepare_samples(list(st.intervals), st.sample_rate_hz, labels,
                                                                        test.gap_s, SCREENING_REFERENCE),
                         max_replays=1, on_answer=on_answer)
            self.current_question = q
            self.stack.setCurrentWidget(self.trial)
            self.trial.show_question(q, self.auto_play)

        # each check has its own introduction: what will be heard, what to pick
        title, body, name = check_intro(test, n_tests - len(tests), n_tests)
        self._message(title, body, lambda: ask(0))

    def screening_option(self, text: str) -> str:
        """The participant's language for the texts a check brings (audio.screening is not translated)."""
        return {"Left": self.tr("Left"), "Right": self.tr("Right"), "Front": self.tr("Front"), "Back": self.tr("Back"),
                "Where does the sound come from?": self.tr("Where does the sound come from?")}.get(text, text)

    def _level_check(self) -> None:
        """A noise at the study's reference level: comfortable, too loud or too quiet?"""
        rate = self.presenter.choice.sample_rate_hz
        sound = level_check_noise(rate)
        labels = [self.tr("Sound")]
        if self.comfortable_level:
            question = self.tr("Play the sound and set your computer's volume so that it is clearly audible and "
                               "comfortable, never loud. Then keep the volume as it is.")
            options = [self.tr("It is comfortable now"), self.tr("I cannot make it comfortable")]
            answers = ["comfortable", "cannot make it comfortable"]
            replays = 20
        else:
            question = self.tr("How does this sound?")
            options = [self.tr("Comfortable and clear"), self.tr("Too loud"), self.tr("Too quiet")]
            answers = ["comfortable", "too loud", "too quiet"]
            replays = 2

        def on_answer(index, _rt, n_replays):
            with DbSession(self.db) as s:
                repo.audit(s, "level_check", json.dumps({
                    "procedure": "comfortable level" if self.comfortable_level else "fixed study level",
                    "answer": answers[index], "replays": n_replays,
                    "reference_db_spl": self.presenter.reference.reference_db_spl}), self.session_id)
            if index == 0:
                self._message(self.tr("Ready"), self.tr("The questions start now. Take your time; there is no "
                                                        "time limit."), self.next_trial)
            else:
                self.runner.pause(level_check_pause_detail(answers[index]))
                self.finished = True
                self._message(self.tr("Please call the experimenter") if not self.comfortable_level
                              else self.tr("Please contact the lab"),
                              self.tr("The sound needs adjusting before you continue. Your session is saved and "
                                      "continues here next time."), self.close, button=self.tr("Close"))

        q = Question(title=self.tr("Sound level"), question=question, options=options,
                     clip_labels=labels, prepare=lambda: self.presenter.prepare_samples([sound], rate, labels, 0.0),
                     max_replays=replays, on_answer=on_answer)
        self.current_question = q
        self.stack.setCurrentWidget(self.trial)
        self.trial.show_question(q, self.auto_play)


def level_check_noise(sample_rate_hz: int, duration_s: float = 2.0):
    """Broadband noise whose RMS equals a sine at the reference dBFS (so it plays at the
    reference dB SPL), diotic, with ramps."""
    import numpy as np

    from audio.synthesis import noise

    mono = noise(duration_s, -20.0, np.random.default_rng(7), sample_rate_hz, ramp_s=0.05)
    mono = np.asarray(mono, dtype=np.float32).reshape(-1, 1)
    return np.repeat(mono, 2, axis=1)
