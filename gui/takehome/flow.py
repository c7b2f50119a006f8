"""A take-home participant's run, in one full-screen window:

welcome (with how long it takes) -> the lab's study information -> consent -> output device and
test sound (left, then right) -> comfortable sound level -> headphone screening -> the planned
trials -> end screen with the results bundle's path and the lab's instructions for sending it.

Declining consent ends here with nothing stored: the session is created only when the person
agrees. A person who paused before comes back to "Welcome back", the output check and the sound
level (the volume may have changed since), then the first unanswered trial.

The screening and the trials are the lab's participant window (gui/participant/window.py),
embedded as the last page; its own level check after the screening is replaced by this flow's,
which comes first, as the participant sets the volume before the headphone check.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QStackedWidget, QVBoxLayout, QWidget
from sqlmodel import Session as DbSession

from db import repo
from gui.common.bridge import EngineBridge
from gui.participant.level_check import prepare_level_check
from gui.participant.question import Question
from gui.participant.screening import SCREENING_REFERENCE
from gui.participant.trial_screen import TrialScreen
from gui.participant.window import ParticipantWindow
from gui.takehome.start import fit_to_screen
from gui.takehome.screens import (
    ConsentScreen, DeclinedScreen, EndScreen, InformationScreen, OutputScreen, Screen, WelcomeScreen,
)
from gui.common.theme import apply_participant_look

TEST_TONE_HZ = 1000.0
TEST_TONE_S = 0.5
TEST_TONE_GAP_S = 0.4


class TakeHomeParticipantWindow(ParticipantWindow):
    """The participant window after this flow's sound-level step: the level check that would
    follow the headphone screening is not asked a second time in the same sitting."""

    def level_check(self) -> None:
        self.show_message(self.tr("Ready"),
                          self.tr("The questions start now. Take your time; there is no time limit."),
                          self.next_trial)


class TakeHomeFlow(QWidget):
    closed = Signal()

    def __init__(self, ctx, opened, dataset, minutes: tuple[int, int], n_questions: int, screening,
                 out_dir: Path, open_url: Callable[[QUrl], object] = QDesktopServices.openUrl,
                 parent: QWidget | None = None):
        """``ctx``: the AppContext (with audio); ``opened``: tasks.takehome.packages.OpenedPackage;
        ``minutes``: (low, high) estimate; ``open_url`` opens the results folder (the desktop's
        file manager by default)."""
        super().__init__(parent)
        from tasks.takehome.packages import package_session

        self.ctx, self.opened, self.dataset, self.screening = ctx, opened, dataset, screening
        self.out_dir, self.open_url = Path(out_dir), open_url
        self.presenter = ctx.audio.presenter
        self.bridge = EngineBridge(self.presenter.engine.events, self)
        self.bridge.finished.connect(self._test_sound_finished)
        self.test_playback = None  # the output check's test sound while it plays
        self.texts = opened.info.get("texts") or {}
        self.session, answered = package_session(ctx.db, opened)
        self.bundle: Path | None = None
        self.bundle_error = ""
        self.ended = False  # the last trial was answered and the bundle written (or tried)
        self.participant: ParticipantWindow | None = None
        self.may_close = False  # set where leaving is allowed: the last screens, or a confirmed pause
        self.setObjectName("takeHomeFlow")
        self.setWindowTitle(self.tr("STAR Listening Lab"))
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self.look = apply_participant_look(self)
        # off while the participant window is shown: it has its own Esc (two would be ambiguous)
        self.escape = QShortcut(QKeySequence(Qt.Key_Escape), self, activated=self.request_exit)
        self.screens: dict[str, QWidget] = {}
        resuming = self.session is not None
        welcome = WelcomeScreen(opened.info["study"]["name"], minutes, n_questions - answered, resuming)
        welcome.start.connect(self._after_welcome)
        welcome.leave.connect(self.request_exit)
        self._show("welcome", welcome)

    # --- pages ------------------------------------------------------------------------
    def _show(self, name: str, widget: QWidget, final: bool = False) -> None:
        """``final``: a last screen, after which the window may close."""
        self.may_close = self.may_close or final
        old = self.screens.get(name)
        if old is not None and old is not widget:
            self.stack.removeWidget(old)
            old.deleteLater()
        self.screens[name] = widget
        if self.stack.indexOf(widget) < 0:
            self.stack.addWidget(widget)
        self.stack.setCurrentWidget(widget)
        self.current = name
        widget.setFocus()  # keys go to the new page (the page before may have held the focus)

    def show_for_participant(self) -> None:
        fit_to_screen(self)

    def _after_welcome(self) -> None:
        if self.session is not None:  # consent was given in an earlier sitting
            if self.session.status == "completed":
                self._write_bundle()
                self._show_end()
            else:
                self._output_step()
            return
        info = InformationScreen(self.texts.get("information"))
        info.proceed.connect(self._consent_step)
        self._show("information", info)

    def _consent_step(self) -> None:
        consent = ConsentScreen(self.texts.get("consent"))
        consent.agreed.connect(self._consented)
        consent.declined.connect(self._declined)
        self._show("consent", consent)

    def _declined(self) -> None:
        done = DeclinedScreen()
        done.close_requested.connect(self.close)
        self._show("declined", done, final=True)

    def _consented(self) -> None:
        from tasks.takehome.packages import start_session

        self.session = start_session(self.ctx.db, self.opened, self.ctx.app_version)
        shown = {k: hashlib.sha256(self.texts[k]["text"].encode()).hexdigest() for k in ("information", "consent")
                 if k in self.texts}
        with DbSession(self.ctx.db) as s:
            repo.audit(s, "consent", json.dumps({"agreed": True, "texts_sha256": shown}), self.session.id)
        self._output_step()

    # --- output device and test sound --------------------------------------------------
    def _output_step(self) -> None:
        devices = self.ctx.audio.devices
        choice = self.presenter.choice
        current = next((i for i, d in enumerate(devices) if (d.name, d.host_api) == (choice.name, choice.host_api)), 0)
        screen = OutputScreen([f"{d.name} ({d.host_api})" for d in devices], current)
        screen.device_chosen.connect(self._switch_output)
        screen.play_test.connect(self._play_test_sound)
        screen.proceed.connect(self._level_step)
        self._show("output", screen)

    def _switch_output(self, index: int) -> None:
        """Open the chosen device for the rest of the run (and remember it for the next)."""
        from audio.devices import DeviceChoice
        from audio.playback.events import EngineError
        from audio.playback.engine import PlaybackEngine
        from db.models import Device
        from tasks.presentation.presenter import station_device

        screen, services = self.screens["output"], self.ctx.audio
        d = services.devices[index]
        choice = DeviceChoice(d.host_api, d.name, int(d.default_sample_rate_hz),
                              (0, 1) if d.max_output_channels >= 2 else (0,))
        screen.reset()
        if (choice.name, choice.host_api) == (self.presenter.choice.name, self.presenter.choice.host_api):
            return
        engine = PlaybackEngine(choice, devices=services.devices)
        try:
            engine.open()
        except (EngineError, OSError) as exc:
            screen.show_problem(self.tr("This output cannot be used: {why}. Choose another one.").format(why=exc))
            return
        old = self.presenter.engine
        self.presenter.engine, self.presenter.choice = engine, choice
        old.close()
        self.bridge.timer.stop()
        self.bridge.deleteLater()
        self.bridge = EngineBridge(engine.events, self)
        self.bridge.finished.connect(self._test_sound_finished)
        self.test_playback = None
        with DbSession(self.ctx.db) as s:
            station = s.get(Device, services.device_id).station
        services.device_id = station_device(self.ctx.db, station, choice)
        self.ctx.settings.set("device", choice.to_dict())
        services.reconfigure()

    def _play_test_sound(self) -> None:
        import numpy as np

        from audio.playback.events import EngineError
        from audio.render import RenderError
        from audio.safety import SafetyError
        from audio.synthesis import sine_tone

        rate = self.presenter.choice.sample_rate_hz
        tone = np.asarray(sine_tone(TEST_TONE_HZ, -20.0, TEST_TONE_S, ramp_s=0.02, sample_rate_hz=rate),
                          dtype=np.float32).reshape(-1)
        silent = np.zeros_like(tone)
        left, right = np.column_stack([tone, silent]), np.column_stack([silent, tone])
        screen = self.screens["output"]
        try:
            prepared = self.presenter.prepare_samples([left, right], rate, [self.tr("left"), self.tr("right")],
                                                      TEST_TONE_GAP_S, SCREENING_REFERENCE)
            self.test_playback = self.presenter.play(prepared)
        except (RenderError, SafetyError, EngineError) as exc:  # EngineError: the output stopped working
            screen.show_problem(self.tr("The test sound cannot be played: {why}").format(why=exc))
            return
        screen.test_playing()
        # the answers open when this playback has ended (its PlaybackFinished from the bridge)

    def _test_sound_finished(self, event) -> None:
        playback = self.test_playback
        screen = self.screens.get("output")
        if playback is None or event.playback_id != playback.playback_id or screen is None:
            return
        self.test_playback = None
        screen.test_ended()

    # --- comfortable level -------------------------------------------------------------
    def _level_step(self) -> None:
        """The comfortable-level procedure (as the participant window's, with the same record),
        before the headphone screening."""
        self.participant = TakeHomeParticipantWindow(
            self.ctx.db, self.session.id, self.dataset, self.presenter, self.bridge, exit_pin=None, auto_play=True,
            screening=self.screening, comfortable_level=True, on_finish=self._on_finish)
        self.participant.closed.connect(self._participant_closed)
        self.stack.addWidget(self.participant)
        screen = TrialScreen(self.presenter, self.bridge)
        for key, index in (("A", 0), ("1", 0), ("B", 1), ("2", 1)):
            QShortcut(QKeySequence(key), screen, activated=lambda i=index: screen.select(i))
        for key in (Qt.Key_Return, Qt.Key_Enter):
            QShortcut(QKeySequence(key), screen, activated=screen.confirm_answer)
        QShortcut(QKeySequence(Qt.Key_Space), screen, activated=lambda: screen.play(None))
        labels = [self.tr("Sound")]
        self.level_answers = ["comfortable", "cannot make it comfortable"]
        q = Question(title=self.tr("Sound level"),
                     question=self.tr("Play the sound and set your computer's volume so that it is clearly audible "
                                      "and comfortable, never loud. Then keep the volume as it is."),
                     options=[self.tr("It is comfortable now"), self.tr("I cannot make it comfortable")],
                     clip_labels=labels, prepare=lambda: prepare_level_check(self.presenter, labels),
                     max_replays=20)
        screen.answered.connect(self._level_answered)
        self._show("level", screen)
        screen.show_question(q, auto_play=True)

    def _level_answered(self, index: int, _rt_ms, n_replays: int) -> None:
        with DbSession(self.ctx.db) as s:
            repo.audit(s, "level_check", json.dumps({
                "procedure": "comfortable level", "answer": self.level_answers[index], "replays": n_replays,
                "reference_db_spl": self.presenter.reference.reference_db_spl}), self.session.id)
        if index == 0:
            self.stack.setCurrentWidget(self.participant)
            self.current = "participant"
            self.escape.setEnabled(False)
            self.look.margins = False  # the participant window has its own
            self.look.refresh()
            self.participant.start()
            return
        self.participant.runner.pause("level check: I cannot make it comfortable")
        self.participant.finished = True
        stop = Screen(self.tr("Please contact the lab"),
                      self.tr("The sound needs adjusting before you continue. Your session is saved and continues "
                              "here next time you open the study package."))
        stop.add_button(self.tr("Close (Enter)"), "close", primary=True).clicked.connect(self.close)
        self._show("level-stop", stop, final=True)

    # --- the end -----------------------------------------------------------------------
    def _write_bundle(self) -> None:
        from tasks.takehome.packages import write_results_bundle

        self.ended = True
        try:
            self.bundle = write_results_bundle(self.ctx.db, self.session.id, self.opened, self.out_dir,
                                               self.ctx.app_version)
        except OSError as exc:
            self.bundle_error = f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)

    def _on_finish(self) -> str:
        """The participant window's last trial is answered: write the bundle, then this flow's
        end screen replaces the window's own thank-you."""
        self._write_bundle()
        QTimer.singleShot(0, self.participant.close)
        return ""

    def _participant_closed(self) -> None:
        self.escape.setEnabled(True)
        self.look.margins = True
        self.look.refresh()
        QTimer.singleShot(0, self.activateWindow)  # closing the embedded window (it held the focus) leaves none active
        if self.ended:
            self._show_end()
        else:  # paused, or the sound output stopped: the window said so and was closed
            self.may_close = True
            self.close()

    def _show_end(self) -> None:
        end = EndScreen(self.bundle, self.bundle_error, self.texts.get("return_instructions"))
        end.open_folder.connect(self.open_url)
        end.close_requested.connect(self.close)
        self._show("end", end, final=True)

    # --- leaving -----------------------------------------------------------------------
    def request_exit(self) -> None:
        if self.current == "participant" and not self.participant.finished:
            self.participant.request_exit()
            return
        if self.may_close:
            self.close()
            return
        recorded = self.session is not None
        text = (self.tr("Pause and close? Open the study package again to continue where you stopped.") if recorded
                else self.tr("Leave the study now? Nothing has been recorded."))
        box = QMessageBox(QMessageBox.Question, self.tr("Leave"), text, QMessageBox.Yes | QMessageBox.No, self)
        box.setObjectName("leaveBox")
        box.finished.connect(self._leave_answer)
        box.open()
        self.leave_box = box

    def _leave_answer(self, result: int) -> None:
        if QMessageBox.StandardButton(result) != QMessageBox.StandardButton.Yes:
            return
        if self.participant is not None and not self.participant.finished:
            self.participant.runner.pause("paused by the participant")
            self.participant.finished = True
        self.may_close = True
        self.close()

    def closeEvent(self, event) -> None:
        if not self.may_close:
            event.ignore()  # the window's close button asks first, as Esc does
            self.request_exit()
            return
        if self.participant is not None and not self.participant.isHidden():
            self.participant.close()  # its clean-up: stop the sound, save the exposure, let go of the bridge
        self.presenter.stop()
        self.bridge.timer.stop()  # the engine's events are for whatever opens next
        super().closeEvent(event)
        self.closed.emit()
