"""Pieces of the participant window's flow kept out of its widgets: trials withheld by the safety
ceiling, interruptions of the response clock (focus loss), the introduction of each headphone
check, and sizing the window to its screen."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from audio.safety import OverCeilingError
from tasks.study.rt_clock import ResponseClock

WITHHELD_PREFIX = "over the safety ceiling: "
FOCUS = "window not in focus"
DIALOG = "pause or PIN dialog open"


@dataclass(frozen=True)
class Withheld:
    """What preparing a trial gives instead of a PreparedTrial when it must not be played."""

    reason: str


def withhold_over_ceiling(prepare: Callable[[], object]) -> Callable[[], object]:
    """``prepare`` (run off the GUI thread) with a stimulus over the safety ceiling turned into
    Withheld(reason) instead of an error: under the refuse policy such a trial is never played
    and the session goes on; every other error stays an error."""

    def run():
        try:
            return prepare()
        except OverCeilingError as exc:
            return Withheld(WITHHELD_PREFIX + str(exc))

    return run


class FocusWatch(QObject):
    """Stops ``clock`` while ``window`` is not the active window or the application is not
    active (another program in front, a system dialog), and starts it again after."""

    def __init__(self, window: QWidget, clock: ResponseClock):
        super().__init__(window)
        self.window, self.clock = window, clock
        window.installEventFilter(self)
        self._attached = True
        app = QGuiApplication.instance()
        if app is not None:
            app.applicationStateChanged.connect(self._app_state)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if obj is self.window:
            if event.type() == QEvent.WindowDeactivate:
                self.clock.pause(FOCUS)
            elif event.type() == QEvent.WindowActivate:
                self.clock.resume(FOCUS)
        return False

    def _app_state(self, state) -> None:
        if state == Qt.ApplicationActive:
            if self.window.isActiveWindow():
                self.clock.resume(FOCUS)
        else:
            self.clock.pause(FOCUS)

    def detach(self) -> None:
        """Stop watching (the window closes); a second call does nothing."""
        if self._attached:
            self._attached = False
            self.window.removeEventFilter(self)
            app = QGuiApplication.instance()
            if app is not None:
                app.applicationStateChanged.disconnect(self._app_state)


def _tr(text: str) -> str:
    return QCoreApplication.translate("SessionFlow", text)


def count_word(n: int) -> str:
    """A small count in words ("one" ... "six"), larger ones in figures."""
    words = {1: _tr("one"), 2: _tr("two"), 3: _tr("three"), 4: _tr("four"), 5: _tr("five"), 6: _tr("six")}
    return words.get(n, str(n))


def choice_list(choices: list[str]) -> str:
    """"A, B or C"."""
    if len(choices) < 2:
        return "".join(choices)
    return _tr("{first} or {last}").format(first=", ".join(choices[:-1]), last=choices[-1])


def sound_choices(n: int) -> str:
    """The answers of a check whose answer is one of its ``n`` sounds: "Sound 1, 2 or 3"."""
    return _tr("Sound {numbers}").format(numbers=choice_list([str(k) for k in range(1, n + 1)]))


def sounds_per_trial(test) -> int:
    """How many sounds each trial of ``test`` (an audio.screening.ScreeningTest) plays, from its
    own trials (the same for all of them)."""
    counts = {len(t.intervals) for t in test.trials}
    if len(counts) != 1:
        raise ValueError(f"{test.name}: trials play {sorted(counts)} sounds; a check has one count")
    return counts.pop()


def check_intro(test, index: int, n_tests: int) -> tuple[str, str, str]:
    """(title of its introduction screen, the introduction, the title prefix of its trials)
    for headphone check ``index`` (0-based) of ``n_tests``: what will be heard (as many sounds as
    its trials play) and what to pick."""
    n = sounds_per_trial(test)
    if test.name == "antiphase":
        name = _tr("Quietest tone")
        body = _tr("You will hear {count} short tones each time, one after another. One of them is quieter than "
                   "the others. Pick the quietest tone: {choices}.").format(count=count_word(n),
                                                                            choices=sound_choices(n))
    elif test.name == "huggins":
        name = _tr("Hidden tone")
        body = _tr("You will hear {count} short rushing noises each time, one after another. One of them holds a "
                   "faint tone inside the noise. Pick the noise with the tone: {choices}. It can be hard to hear; "
                   "take your best guess.").format(count=count_word(n), choices=sound_choices(n))
    elif test.name == "localization":
        name = _tr("Sound direction")
        body = _tr("You will hear {count} sound each time, from the left, the right, in front of you or behind "
                   "you. Say where it came from: {choices}. Front and back can be hard to tell apart; take "
                   "your best guess.").format(count=count_word(n), choices=choice_list([_tr(o) for o in test.options]))
    else:
        name = test.name
        body = test.question
    n_trials = len(test.trials)
    title = _tr("Headphone check {k} of {n}: {name}").format(k=index + 1, n=n_tests, name=name)
    body += "\n\n" + _tr("There are {n} questions in this check.").format(n=n_trials)
    return title, body, name


def size_to_screen(window: QWidget) -> None:
    """Cover the screen's available area explicitly: without a window manager the full-screen
    request alone leaves the window at its small preferred size."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        window.setGeometry(screen.availableGeometry())
