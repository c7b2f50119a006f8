"""The participant window's trial screen: the title and context, Play (all clips, or one by one),
the replays left, the options and Confirm. The sound is prepared off the GUI thread; the answer
and its response time (measured on a clock that stands still while the window is interrupted)
go out in ``answered``; a trial over the safety ceiling goes out in ``withheld`` unplayed."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from audio.files import AudioFileError
from audio.playback.events import EngineError
from audio.render import RenderError
from audio.safety import SafetyError
from gui.common.bridge import EngineBridge
from gui.common.workers import Worker
from gui.participant.play_indicator import PlayIndicator
from gui.participant.question import Question
from gui.participant.session_flow import Withheld
from tasks.presentation.presenter import PreparedTrial, Presenter
from tasks.study.rt_clock import ResponseClock, RtMeasure

PREPARE_ERRORS = (AudioFileError, RenderError, SafetyError, KeyError)


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

    def release(self) -> None:
        """The window is closing: a sound still being prepared is neither played nor reported."""
        self.released = True

    def _prepared(self, prepared: PreparedTrial | Withheld) -> None:
        if getattr(self, "released", False):
            return  # prepared on a worker after the window let go of the audio output
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
        try:
            self.current_playback = self.presenter.play(self.prepared, index)
        except EngineError as exc:  # the output was closed or lost meanwhile: the session pauses, no traceback
            self.replays_used -= self._is_replay(clip_index)
            self._prepare_failed(str(exc))
            return
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

