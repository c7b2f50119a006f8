"""The large listen / answer indicator of the trial screen.

It shows one of five states in its ``state`` property, which the participant style sheet
(gui/common/theme.py) turns into colours: ``preparing`` (the sound is being rendered), ``ready`` (press
Play), ``playing`` (listen: a filled disc, and the clip playing now lit in the row of clips),
``answer`` (everything heard: choose) and ``idle``. ``playing_clip`` is the index of the clip
heard now (-1 for none, or the uncut recording that comes first).

It only reads the trial screen and the engine's events; it never changes what the screen does.
Which clip of a "play all" is sounding is worked out from the clip onsets that the started event
carries (on time.monotonic()'s clock) and the clips' lengths in the rendered buffer.
"""
from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

TICK_MS = 50  # how often the lit clip follows the sound while it plays, and a new question is noticed

IDLE, PREPARING, READY, PLAYING, ANSWER = "idle", "preparing", "ready", "playing", "answer"
GLYPHS = {IDLE: "", PREPARING: "…", READY: "▶", PLAYING: "♪", ANSWER: "✓"}


def restyle(widget: QWidget) -> None:
    """Apply the style sheet again after a dynamic property changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class PlayIndicator(QWidget):
    def __init__(self, screen, bridge, parent: QWidget | None = None):
        """``screen``: the gui.participant.trial_screen.TrialScreen it sits in; ``bridge``: the EngineBridge."""
        super().__init__(parent)
        self.screen_ = screen
        self.setObjectName("playIndicator")
        self.glyph = QPushButton()  # a big disc; clicking it when ready plays, like the Play button
        self.glyph.setObjectName("playGlyph")
        self.glyph.setFocusPolicy(Qt.NoFocus)  # Space and Enter stay with the window's shortcuts
        self.glyph.clicked.connect(self._clicked)
        self.caption = QLabel()
        self.caption.setObjectName("playCaption")
        self.caption.setAlignment(Qt.AlignCenter)
        self.caption.setAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        self.pill_row = QHBoxLayout()
        self.pill_row.setSpacing(12)
        self.pills: list[QLabel] = []
        # one band, disc on the left and what is heard beside it: the trial screen keeps its
        # height for the question and up to six options on a 720-pixel screen
        text = QVBoxLayout()
        text.setSpacing(8)
        text.addStretch(1)
        text.addWidget(self.caption)
        text.addLayout(self.pill_row)
        text.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(24)
        layout.addWidget(self.glyph, 0, Qt.AlignVCenter)
        layout.addLayout(text, 1)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self.setProperty("state", IDLE)
        self.playing_clip = -1
        self.question = None  # the screen's Question the pills were built for
        self.onsets: tuple[float, ...] = ()
        self.started_id: int | None = None
        self.finished_id: int | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.sync)
        bridge.started.connect(self._started)
        bridge.finished.connect(self._finished)

    @property
    def state(self) -> str:
        return self.property("state")

    # the timer runs only while the screen can be seen
    def showEvent(self, event) -> None:
        self.timer.start()
        self.sync()
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def _started(self, event) -> None:
        playback = self.screen_.current_playback
        if playback is not None and event.playback_id == playback.playback_id:
            self.started_id, self.onsets = event.playback_id, tuple(event.clip_onsets_monotonic_s)
        self.sync()

    def _finished(self, event) -> None:
        self.finished_id = event.playback_id
        # NB: this slot runs before the trial screen's own (this widget is made, and connects,
        # inside the screen's constructor before the screen connects), so the screen has not yet
        # counted the playback as heard: look once the signal has reached every slot
        QTimer.singleShot(0, self.sync)

    def _clicked(self) -> None:
        if self.state == READY:
            self.screen_.play(None)

    # --- state ------------------------------------------------------------------------
    def _compute(self) -> tuple[str, int]:
        s = self.screen_
        if getattr(s, "q", None) is None:  # also while the screen is still being built
            return IDLE, -1
        if s.prepared is None:
            return PREPARING, -1
        playback = s.current_playback
        if playback is not None and playback.playback_id != self.finished_id:
            return PLAYING, self._clip_now(playback.playback_id)
        return (ANSWER if s.heard_all else READY), -1

    def _clip_now(self, playback_id: int) -> int:
        s = self.screen_
        if s.current_clip is not None:
            return s.current_clip
        if self.started_id != playback_id or not self.onsets:
            return -1  # asked for, not sounding yet
        rate = s.prepared.rendered.sample_rate_hz
        now = time.monotonic()
        sounding = -1
        for k, (onset, clip) in enumerate(zip(self.onsets, s.prepared.rendered.clips)):
            if onset <= now < onset + clip.n_frames / rate:
                sounding = k
        # the uncut recording of tr_uncut comes first and is not one of the numbered clips
        return sounding - s.prepared.n_context if sounding >= s.prepared.n_context else -1

    def sync(self) -> None:
        q = getattr(self.screen_, "q", None)
        if q is not self.question:
            self._build_pills(q.clip_labels if q is not None else [])
            self.question = q
        state, clip = self._compute()
        if state != self.state:
            self.setProperty("state", state)
            self.glyph.setProperty("state", state)
            self.caption.setProperty("state", state)
            for w in (self, self.glyph, self.caption):
                restyle(w)
            self.glyph.setText(GLYPHS[state])
        if clip != self.playing_clip or state == PLAYING:
            self.playing_clip = clip
            for i, pill in enumerate(self.pills):
                active = i == clip
                if pill.property("active") != active:
                    pill.setProperty("active", active)
                    restyle(pill)
        self.caption.setText(self._caption(state, clip))

    def _caption(self, state: str, clip: int) -> str:
        s = self.screen_
        if state == PLAYING:
            if clip >= 0 and s.q is not None and len(s.q.clip_labels) > 1:
                return self.tr("Listen: {label}").format(label=s.q.clip_labels[clip])
            return self.tr("Listen")
        return {IDLE: "", PREPARING: self.tr("Preparing the sound…"), READY: self.tr("Press Play to listen"),
                ANSWER: self.tr("Your answer")}[state]

    def _build_pills(self, labels: list[str]) -> None:
        while self.pill_row.count():
            widget = self.pill_row.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.pills = []
        if len(labels) < 2:
            return
        for label in labels:
            pill = QLabel(label)
            pill.setObjectName("clipPill")
            pill.setAlignment(Qt.AlignCenter)
            pill.setProperty("active", False)
            self.pill_row.addWidget(pill)
            self.pills.append(pill)
        self.pill_row.addStretch(1)
