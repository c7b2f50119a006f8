"""Start-up order of the app: a window on screen first, then everything else.

1. QApplication, theme, translations and an empty console (PySide6 only: no database layer,
   no numpy, no audio engine imported yet); the console is shown.
2. After its first paint, ``open_context`` runs on a worker thread: it imports the database
   layer and opens the database. The console is then attached (its Study page built).
3. Then ``open_audio`` runs on a worker thread: the audio engine is imported (numpy, scipy)
   and the output opened while the console is usable. The status bar says "audio: starting…",
   then the device or why there is none; sessions wait for it.
4. Then, and not before (see ``_audio_ready``), the last study is reopened and its dataset
   loads on the Study page's worker, while another worker imports what the other pages will
   need (``warm_up``); after that the objects of start-up are frozen out of the garbage
   collector's view (``freeze_startup_objects``).

In participant mode (``--package FILE``) the take-home window's first screen (gui/takehome/
start.py, PySide6 only) takes the console's place in step 1; after step 3 the package is unpacked
and read on a worker (``prepare_package``) and the take-home flow replaces the first screen.
Without an output the first screen says what to do and its Retry runs step 3 again, with the
device list read anew (``open_audio(ctx, rescan=True)``).

main.py supplies both functions, so this module creates no objects of the other layers itself.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from gui.app import Application, TakeHome, install_translations
from gui.console.window import ConsoleWindow
from gui.common.context import AUDIO_STARTING
from gui.common.theme import follow_system_theme
from gui.common.workers import Worker
from gui.takehome.start import PackageProblem, StartWindow, prepare_package


# Pure-Python modules the pages import when they are first built. Imported on a worker thread
# once the console is up, so that opening a page later costs its widgets only (the Results page
# took 110 ms to build with its imports, 30 ms without).
WARM_MODULES = ("tasks.results.compare", "tasks.results.export", "tasks.scoring.metrics", "tasks.study.runner", "tasks.study.enrolment", "tasks.study.plan", "tasks.takehome.packages",
                "tasks.presentation.presenter", "audio.calibration", "audio.levels", "audio.safety", "audio.screening")


def warm_up(progress=None, should_cancel=None) -> None:
    """Import WARM_MODULES (runs on a worker thread; no Qt involved)."""
    import importlib

    for name in WARM_MODULES:
        importlib.import_module(name)


def freeze_startup_objects() -> None:
    """Move everything alive after start-up (modules, classes, the SQLAlchemy mappers: ~130,000
    objects) out of the garbage collector's view. A full collection walks every tracked object
    with the interpreter lock held; over these it took 140 ms, a stall of the window each time.
    They live as long as the app, so the collector never had anything to free among them."""
    import gc

    gc.collect()
    gc.freeze()


class StartupError(Exception):
    """The database could not be opened; the message says which file and why."""


class FirstPaint(QObject):
    """Calls ``callback`` once, just after ``widget`` has been painted for the first time, or
    after ``fallback_ms`` if no paint comes (a window started minimised is never painted)."""

    def __init__(self, widget: QWidget, callback: Callable[[], None], fallback_ms: int = 2000):
        super().__init__(widget)
        self.widget, self.callback, self.called = widget, callback, False
        widget.installEventFilter(self)
        QTimer.singleShot(fallback_ms, self._call)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.widget and event.type() == QEvent.Type.Paint:
            self.widget.removeEventFilter(self)
            # queued: the paint (and its flush to the screen) completes first
            QTimer.singleShot(0, self._call)
        return False

    def _call(self) -> None:
        if not self.called:
            self.called = True
            self.callback()


class Launcher:
    """Runs the start-up steps above; keeps the workers referenced until their threads end."""

    def __init__(self, app: QApplication, open_context, open_audio, package: Path | None = None,
                 lab_server: bool = False):
        self.app, self.open_context, self.open_audio, self.package = app, open_context, open_audio, package
        self.lab_server = lab_server
        self.console: ConsoleWindow | None = None
        self.application: Application | None = None
        self.takehome: TakeHome | None = None
        self.start_window: StartWindow | None = None  # participant mode: the first screen
        self.workers: list[Worker] = []
        self.exit_code = 0

    def start(self) -> None:
        if self.package is None:
            self.console = ConsoleWindow(lab_server=self.lab_server)
            self.console.state.set_audio(AUDIO_STARTING, "")
            self.first_paint = FirstPaint(self.console.nav, self._open_context)
            self.console.show()
        else:  # participant mode: no console; the take-home window's first screen, the rest behind it
            self.start_window = StartWindow()
            self.start_window.retry.connect(self._retry_audio)
            self.start_window.leave.connect(lambda: self.app.exit(0))
            self.first_paint = FirstPaint(self.start_window, self._open_context)
            self.start_window.show_for_participant()

    def _run(self, fn, *args, on_success, **kwargs) -> Worker:
        worker = Worker(fn, *args, user_errors=(StartupError,), **kwargs)
        worker.succeeded.connect(on_success)
        worker.failed.connect(self._fatal)
        worker.crashed.connect(self._fatal)
        self.workers.append(worker)
        worker.start()
        return worker

    def _open_context(self) -> None:
        self._run(self.open_context, on_success=self._context_ready)

    def _context_ready(self, ctx) -> None:
        if self.package is None:
            self.application = Application(ctx, self.app, console=self.console, audio_pending=True)
        self.ctx = ctx
        self._run(self.open_audio, ctx, on_success=self._audio_ready)

    def _audio_ready(self, outcome) -> None:
        """The output is open (or known absent), and with it numpy and scipy are imported: only
        now may other threads import the rest. NB: two threads importing scipy at the same time
        can get it half initialised ("cannot import name ... from partially initialized module",
        seen under Xvfb), so the dataset load and the warm-up wait for this one."""
        audio, why_not = outcome
        if self.package is None:
            self.application.audio_opened(audio, why_not)
            self.application.start()  # reopen the last study; loads its dataset on a worker
        else:
            self.ctx.audio = audio
            self.takehome = TakeHome(self.ctx, self.app, self.package, start_window=self.start_window)
            if audio is None:
                self.takehome.no_output(why_not)  # Retry comes back here (_retry_audio)
                return
            self.start_window.show_preparing()
            worker = Worker(prepare_package, self.ctx, self.package, user_errors=(PackageProblem,))
            worker.succeeded.connect(self._package_ready)
            worker.failed.connect(self.takehome._fail)
            worker.crashed.connect(self._fatal)
            self.workers.append(worker)
            self.package_worker = worker
            worker.start()
            return  # the warm-up follows the package's preparation (both import scipy)
        self._run(warm_up, on_success=lambda _r: freeze_startup_objects())

    def _package_ready(self, prepared) -> None:
        self.takehome.show(prepared)
        self._run(warm_up, on_success=lambda _r: freeze_startup_objects())

    def _retry_audio(self) -> None:
        """The first screen's Retry: look for outputs again (the device list read anew)."""
        self._run(self.open_audio, self.ctx, on_success=self._audio_ready, rescan=True)

    def _fatal(self, message: str) -> None:
        print(f"error: {message}", file=sys.stderr)
        self.exit_code = 1
        box = QMessageBox(QMessageBox.Critical, "STAR Listening Lab", message, QMessageBox.Ok,
                          self.console or self.start_window)
        box.setObjectName("startupError")
        box.finished.connect(lambda _r: self.app.exit(1))
        box.open()
        self.error_box = box

    def wait(self) -> None:
        """After the event loop: let the start-up threads end (opening an output cannot be cut short)."""
        for worker in self.workers:
            worker.wait()


def run_gui(open_context, open_audio, package: Path | None = None, argv: list[str] | None = None,
            lab_server: bool = False) -> int:
    """The app's event loop. ``open_context()`` returns the AppContext (raises StartupError);
    ``open_audio(ctx)`` returns (AudioServices or None, why there is none); both run on worker
    threads after the first paint. ``lab_server``: the database is a lab server, so opening it
    is a connection over the network (the console says "Connecting to the lab server…")."""
    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("STAR Listening Lab")
    follow_system_theme(app)
    install_translations(app)
    launcher = Launcher(app, open_context, open_audio, package, lab_server)
    QTimer.singleShot(0, launcher.start)
    code = app.exec()
    launcher.wait()
    return code or launcher.exit_code
