"""The participant window: one item at a time, large and calm, keyboard or mouse.

Flow: headphone screening (antiphase, Huggins) and a level check when the session has not had
them yet, then the planned trials from the first unanswered one: block instructions, breaks,
practice with feedback, test trials without feedback, a closing thank-you. Leaving before the
end needs the experimenter's PIN and pauses the session (it resumes at the same trial).
The response clock stands still while the window is interrupted, a trial over the safety
ceiling is withheld and passed over, and a failed level check is repeated on resume
(gui/participant/session_flow.py, tasks/study/rt_clock.py, docs/session.md).

The screens are trial_screen.py and message_screen.py (and the PIN dialog pin_dialog.py); the steps before the trials are
screening.py and level_check.py, the adaptive blocks after them adaptive_flow.py. The steps drive
the window through its public methods: show_message, ask, level_check, next_trial,
pause_and_close, cannot_play and finish.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QProgressBar, QStackedWidget, QVBoxLayout, QWidget
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session as DbSession

from audio.levels import DigitalReference
from audio.safety import ExposureLog
from db import repo
from db.engine import DatabaseFileError
from db.leases import NotOwner
from db.models import Session as SessionRow, Study, utc_now
from gui.common.bridge import EngineBridge
from gui.common.theme import apply_participant_look
from gui.participant.adaptive_flow import AdaptiveFlow
from gui.participant.level_check import ask_level
from gui.participant.message_screen import MessageScreen
from gui.participant.pin_dialog import PinDialog
from gui.participant.question import Question
from gui.participant.screening import run_screening, standard_screening
from gui.participant.session_flow import DIALOG, FocusWatch, size_to_screen, withhold_over_ceiling
from gui.participant.trial_screen import TrialScreen
from tasks.dataset.loader import Dataset
from tasks.study.plan import block_instructions
from tasks.presentation.presenter import Presenter, SessionExposure
from tasks.study import ownership
from tasks.study.runner import SessionRunner
from tasks.study.pauses import needs_level_check
from tasks.study.studies import run_for, study_protocol



class ParticipantWindow(QWidget):
    closed = Signal()

    def __init__(self, db, session_id: int, dataset: Dataset, presenter: Presenter, bridge: EngineBridge,
                 exit_pin: str | None, auto_play: bool = True,
                 screening: Callable[[int], list] | None = standard_screening, comfortable_level: bool = False,
                 on_finish: Callable[[], str] | None = None, parent: QWidget | None = None, station_link=None,
                 holder: str | None = None):
        """``exit_pin`` None: the participant may pause and leave (take-home). ``comfortable_level``:
        the participant sets the volume (uncalibrated take-home). ``on_finish`` runs at the end and
        returns a line for the thank-you screen (where the results bundle was written). ``station_link``
        (tasks.labserver.station.StationLink, on a lab server): answers the server cannot take go to the
        station's journal and the session goes on from the plan in memory. ``holder``: this window's
        lease on the session (tasks.study.ownership.new_holder; default: one of this host)."""
        super().__init__(parent)
        self.db, self.session_id, self.dataset = db, session_id, dataset
        self.holder = holder or ownership.new_holder(ownership.station_label())
        # the lease is renewed by every answer and by this timer (a participant may think long)
        self.heartbeat = QTimer(self)
        self.heartbeat.setInterval(int(ownership.RENEW_S * 1000))
        self.heartbeat.timeout.connect(self._renew_lease)
        self.presenter, self.bridge, self.exit_pin = presenter, bridge, exit_pin
        self.auto_play, self.screening = auto_play, screening
        self.comfortable_level, self.on_finish = comfortable_level, on_finish
        self.runner = SessionRunner(db, session_id, link=station_link, holder=self.holder)
        self.station_link = station_link
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
        self.trial.prepare_failed.connect(self.cannot_play)
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
        # it closes accepted on the right PIN only (a wrong PIN keeps it open); Cancel goes back to the trial
        dialog = PinDialog(self.exit_pin, self)
        dialog.accepted.connect(lambda: self._leave("left by the experimenter"))
        dialog.finished.connect(lambda _result: self.trial.clock.resume(DIALOG))
        self.trial.clock.pause(DIALOG)
        dialog.open()
        self.pin_dialog = dialog

    def _pause_answer(self, result: int) -> None:
        if QMessageBox.StandardButton(result) == QMessageBox.StandardButton.Yes:
            self._leave("paused by the participant")

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
        self.heartbeat.stop()
        try:
            ownership.release(self.db, self.session_id, self.holder)
        except SQLAlchemyError:
            pass  # a server away: the lease lapses by itself
        self.trial.release()
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
        try:
            ownership.claim(self.db, self.session_id, self.holder)
        except ownership.SessionHeld as exc:
            self.taken_elsewhere(str(exc))
            return
        self.heartbeat.start()
        if self.adaptive.resume_after_planned_trials():  # only adaptive blocks are left
            return
        self.runner.begin()
        self.adaptive.load()  # a station's blocks, read while the server is there
        with DbSession(self.db) as s:
            screened = any(a.event == "screening" for a in repo.audit_log(s, self.session_id))
        if self.screening is not None and not screened:
            run_screening(self)
        elif needs_level_check(self.db, self.session_id):
            self.level_check()  # paused for the level (or stopped before it): check it again first
        else:
            self.next_trial()

    def level_check(self) -> None:
        """The step after the screening (gui/participant/level_check.py); then the trials."""
        ask_level(self)

    def show_message(self, title: str, body: str, then: Callable[[], None] | None, button: str | None = None,
                     timer: bool = False) -> None:
        """The message screen; its button (Continue unless ``button`` names another) calls ``then``;
        no button when ``then`` is None. ``timer``: show the time since it appeared (a break)."""
        self._after_message = then
        self.message.show_message(title, body, button or (self.tr("Continue (Enter)") if then else None), timer)
        self.stack.setCurrentWidget(self.message)

    def ask(self, q: Question) -> None:
        """The trial screen with ``q``; its answer goes to ``q.on_answer``."""
        self.current_question = q
        self.stack.setCurrentWidget(self.trial)
        self.trial.show_question(q, self.auto_play)

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
                self.finish()
            return
        if trial.break_before and self.break_shown_at != trial.position and self.shown_block == trial.block:
            self.break_shown_at = trial.position
            self.show_message(self.tr("Time for a break"),
                              self.tr("Rest your ears for a moment. Continue when you are ready."),
                              self.next_trial, timer=True)
            return
        if self.shown_block != trial.block:
            self.shown_block = trial.block
            self.break_shown_at = trial.position
            self.show_message(self.tr("Part {n}").format(n=trial.block + 1), block_instructions(trial.variant),
                              self.next_trial)
            return
        if self.practice_over_shown_at != trial.position and self.runner.follows_practice(trial):
            self.practice_over_shown_at = trial.position
            self.show_message(self.tr("Practice is over"),
                              self.tr("From now on there is no feedback: you will not be told whether an answer was "
                                      "right. Answer as well as you can."), self.next_trial)
            return
        self._present(trial)

    def _present(self, trial) -> None:
        try:
            run = run_for(self.dataset, trial)
        except KeyError:
            self.cannot_play(self.tr("Item {id} is not in the loaded dataset.").format(id=trial.item_id))
            return
        context = run.caption or run.note or ""
        if run.context_clips:
            context = (context + "\n" if context else "") + self.tr("First you hear the whole uncut recording.")
        practice = trial.kind == "practice"
        # counted separately (practice trials are not among the questions), over the trials shown:
        # a withheld trial takes no number and leaves the total
        n, total = self.runner.progress().shown_count(practice)
        title = (self.tr("Practice {n} of {total}").format(n=n, total=total) if practice
                 else self.tr("Question {n} of {total}").format(n=n, total=total))
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
                self.show_message(self.tr("Not saved yet"), str(exc) + "\n" + self.tr("Please call the experimenter."),
                                  lambda: on_answer(index, rt_ms, replays), button=self.tr("Try again"))
                return
            except NotOwner as exc:
                self.taken_elsewhere(str(exc))
                return
            except repo.AlreadyAnswered:
                pass
            if practice:
                right = letter == run.answer_letter
                self.show_message(self.tr("Correct!") if right else self.tr("Not quite"),
                                  self.tr("The answer was: {answer}").format(answer=run.answer), self.next_trial)
            else:
                self.next_trial()

        labels = [c.label for c in run.clips]
        q = Question(title=title, question=run.item.question, options=list(run.options), clip_labels=labels,
                     prepare=withhold_over_ceiling(lambda: self.presenter.prepare(self.dataset.root, run)),
                     context=context,
                     max_replays=self.protocol.max_replays, on_answer=on_answer)
        self.current_trial = trial
        self.ask(q)

    def _answered(self, index, rt_ms, replays) -> None:
        self.current_question.on_answer(index, rt_ms, replays)

    def _withhold(self, reason: str) -> None:
        """The trial is over the safety ceiling: never played; stored as withheld with its reason,
        and the session goes straight on (the participant is not alarmed)."""
        try:
            self.runner.withhold(self.current_trial, reason)
        except DatabaseFileError as exc:
            self.show_message(self.tr("Not saved yet"), str(exc) + "\n" + self.tr("Please call the experimenter."),
                              lambda: self._withhold(reason), button=self.tr("Try again"))
            return
        self.next_trial()

    def pause_and_close(self, pause_detail: str, title: str, body: str) -> None:
        """Pause the session (``pause_detail`` is the reason stored with it) and say why, with a
        Close button: the session continues at the same place when it is resumed."""
        self.runner.pause(pause_detail)
        self.finished = True
        self.show_message(title, body, self.close, button=self.tr("Close"))

    def _renew_lease(self) -> None:
        try:
            held = ownership.renew(self.db, self.session_id, self.holder)
        except SQLAlchemyError:
            return  # a server away: answers go to the journal; the lease is renewed when it is back
        if not held and not self.finished:
            self.taken_elsewhere(f"session {self.session_id} is now run by another station")

    def taken_elsewhere(self, why: str) -> None:
        """Another station runs the session (taken over, or open there): this window stores
        nothing more and says so calmly; the session's status is the other station's to set."""
        if self.finished:
            return
        self.finished = True
        self.heartbeat.stop()
        try:
            with DbSession(self.db) as s:
                repo.audit(s, "error", "window closed: " + why, self.session_id)
        except SQLAlchemyError:
            pass
        self.show_message(self.tr("Please call the experimenter"),
                          self.tr("This session continues on another computer. Your answers so far are saved."),
                          self.close, button=self.tr("Close"))

    def cannot_play(self, message: str) -> None:
        """A sound that cannot be prepared or played, or a stored block that cannot be run: logged,
        and the session pauses for the experimenter."""
        if self.finished:
            return  # the session is over or paused already; nothing of it is to be played
        with DbSession(self.db) as s:
            repo.audit(s, "error", message, self.session_id)
        self.pause_and_close("cannot play: " + message, self.tr("Please call the experimenter"),
                             self.tr("This sound cannot be played:") + "\n" + message)

    def _device_lost(self, message: str) -> None:
        if self.finished:
            return  # the session is over (or paused); nothing of it was playing
        with DbSession(self.db) as s:
            repo.audit(s, "error", "audio device lost: " + message, self.session_id)
        self.pause_and_close("audio device lost", self.tr("Please call the experimenter"),
                             self.tr("The sound output stopped working. Your answers so far are saved; "
                                     "the session will continue at this question."))

    def finish(self) -> None:
        """The thank-you screen (after ``on_finish``, whose line it shows) with a Close button."""
        self.finished = True
        self.progress.setValue(self.progress.maximum())
        extra = ""
        if self.on_finish is not None:
            try:
                extra = "\n\n" + self.on_finish()
            except OSError as exc:
                extra = "\n\n" + self.tr("The results could not be written: {err}").format(err=exc)
        self.show_message(self.tr("Thank you!"), self.tr("You have finished. Thank you for taking part.") + extra,
                          self.close, button=self.tr("Close"))
