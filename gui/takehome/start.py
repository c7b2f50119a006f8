"""The take-home run's first screen, on screen before anything heavy happens, and the work
behind it.

``python main.py --package FILE`` used to show nothing until the database was open, the audio
output open, the package unpacked, its dataset loaded and the session's length estimated, all
before the first paint (15-28 s on a loaded 2-core machine). Now ``StartWindow`` (PySide6 only)
is shown first, saying that the study is being prepared; gui/launch.py opens the database and
the output on workers after its first paint, and ``prepare_package`` (no Qt) unpacks and reads
the package on another. Then the take-home flow (gui/takehome/flow.py) takes over.

Without a sound output the window says what to do (plug in headphones, check the system's
output, then Retry) and Retry looks for outputs again (PortAudio's device list is read anew).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from gui.common.theme import apply_participant_look
from gui.takehome.screens import Screen


def fit_to_screen(window: QWidget) -> None:
    """Cover the screen: the geometry is set explicitly, as without a window manager the
    full-screen request alone leaves the window at its small preferred size."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    window.setGeometry(screen.geometry())
    window.showFullScreen()


class PackageProblem(Exception):
    """The package cannot be run (damaged, refused, unreadable dataset, disk); the message says why."""


@dataclass
class PreparedPackage:
    """What the take-home flow needs, read on a worker: tasks.takehome.packages.OpenedPackage,
    the dataset, the number of planned trials, the estimate (low, high) of the minutes left, and
    the HRTF (audio.hrtf.HrirSet at the output's rate) of the localization check when the package
    asks for it (None: not asked for, not loaded, or not loadable: a warning said why)."""

    opened: Any
    dataset: Any
    n_questions: int
    minutes: tuple[int, int]
    hrirs: Any = None


def prepare_package(ctx, package: Path, progress=None, should_cancel=None, hrtf: bool = True) -> PreparedPackage:
    """Unpack and check the package, load its dataset, apply the station's audio settings,
    estimate the time left and, with ``hrtf`` and a package that asks for the localization
    check, load the app's own HRTF (MIT KEMAR) at the output's rate (runs on a worker thread; no
    Qt). PackageProblem names what is wrong with the package or its dataset."""
    from tasks.dataset.loader import NotADatasetError, load_dataset
    from tasks.study.session_time import estimate_session
    from tasks.takehome.files import BundleError
    from tasks.takehome.packages import open_package, package_session

    try:
        opened = open_package(package, ctx.data_dir)
        dataset = load_dataset(opened.dataset_root)
    except (BundleError, NotADatasetError, OSError) as exc:
        raise PackageProblem(str(exc)) from None
    ctx.audio.reconfigure()  # NB: nothing plays yet; the flow uses the presenter only after this returns
    plan = sorted(opened.info["plan"], key=lambda row: row["position"])
    _session, answered = package_session(ctx.db, opened)
    estimate = estimate_session(plan[answered:], opened.dataset_root)
    hrirs = localization_hrtf(ctx, opened.info) if hrtf else None
    return PreparedPackage(opened, dataset, len(plan), estimate.range_min, hrirs)


def localization_hrtf(ctx, info: dict):
    """The HRTF of the localization check when the package asks for it (tasks.takehome.adaptive_data),
    else None; None with a warning when it cannot be loaded (the two standard checks then)."""
    import sys

    from audio.hrtf import HrtfError, load_hrtf
    from tasks.takehome.adaptive_data import package_screening

    if not package_screening(info)["localization"]:
        return None
    try:
        return load_hrtf(None, ctx.audio.presenter.choice.sample_rate_hz)
    except HrtfError as exc:
        print(f"warning: no localization check ({exc})", file=sys.stderr)
        return None


class StartWindow(QWidget):
    """The take-home window until the flow is ready: "Getting your study ready", or what to do
    when there is no sound output (Retry, Quit)."""

    retry = Signal()
    leave = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("takeHomeStart")
        self.setWindowTitle(self.tr("STAR Listening Lab"))
        self.look = apply_participant_look(self)
        self.stack = QStackedWidget()
        QVBoxLayout(self).addWidget(self.stack)
        self.waiting = Screen(self.tr("Getting your study ready"),
                              self.tr("This takes a moment. Please keep this window open."))
        self.waiting.setObjectName("preparingScreen")
        self.waiting.content.addStretch(1)
        self.stack.addWidget(self.waiting)
        self.no_output: Screen | None = None
        self.reason: QLabel | None = None
        self.current = "preparing"

    def show_for_participant(self) -> None:
        fit_to_screen(self)

    def show_preparing(self, body: str | None = None) -> None:
        if body is not None:
            self.waiting.body.setText(body)
        self.stack.setCurrentWidget(self.waiting)
        self.current = "preparing"

    def show_no_output(self, why: str) -> None:
        """No sound output: what to do, and Retry (looks again) or Quit."""
        if self.no_output is None:
            screen = Screen(self.tr("No sound output"),
                            self.tr("The study needs a sound output, and this computer has none that works now.\n\n"
                                    "1. Plug in your headphones (or switch them on and connect them, if they are "
                                    "wireless).\n"
                                    "2. Check the computer's sound settings: an output is chosen and not muted.\n"
                                    "3. Press Retry."))
            screen.setObjectName("noOutputScreen")
            self.reason = QLabel()
            self.reason.setObjectName("noOutputReason")
            self.reason.setWordWrap(True)
            screen.content.addWidget(self.reason)
            screen.content.addStretch(1)
            screen.add_button(self.tr("Quit"), "quit").clicked.connect(self.leave.emit)
            screen.add_button(self.tr("Retry (Enter)"), "retry", primary=True).clicked.connect(self._retry)
            self.no_output = screen
            self.stack.addWidget(screen)
        self.reason.setText(self.tr("What the computer reported: {why}").format(why=why) if why else "")
        self.no_output.primary.setEnabled(True)
        self.stack.setCurrentWidget(self.no_output)
        self.no_output.setFocus()
        self.current = "no output"

    def _retry(self) -> None:
        self.no_output.primary.setEnabled(False)  # one look at a time
        self.show_preparing(self.tr("Looking for sound outputs…"))
        self.retry.emit()
