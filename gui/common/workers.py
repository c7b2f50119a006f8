"""Long work off the GUI thread: a QThread that runs one function with progress and cancel.

The function receives ``progress(done, total, label)`` and ``should_cancel()``. It runs in the
worker thread and must not touch widgets; results and errors come back as queued signals.
"""
from __future__ import annotations

import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal


def server_unreachable(exc: BaseException) -> bool:
    """True when ``exc`` means the database server cannot be reached now (refused, cut off).
    db.outbox is imported here, not at the top, so that a page's first paint does not wait for
    SQLAlchemy."""
    from db.outbox import unreachable

    return unreachable(exc)


class Worker(QThread):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)  # a clear message for the user
    crashed = Signal(str)  # a bug: the traceback, for the log
    # the lab server cannot be reached now (the environment, not a bug): one line, no traceback
    unreachable = Signal(str)

    def __init__(self, fn: Callable[..., Any], *args, user_errors: tuple[type[BaseException], ...] = (), **kwargs):
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._user_errors = user_errors
        # NB: an Event is the only state shared with the running thread; set() and is_set()
        # are thread-safe.
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:  # runs in the worker thread
        try:
            result = self._fn(*self._args, progress=self.progressed.emit,
                              should_cancel=self._cancel.is_set, **self._kwargs)
        except self._user_errors as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug (or a server that is away): report it, keep the app alive
            if server_unreachable(exc):
                text = str(getattr(exc, "orig", None) or exc).strip()
                self.unreachable.emit(text.splitlines()[0] if text else type(exc).__name__)
            else:
                self.crashed.emit(traceback.format_exc())
        else:
            self.succeeded.emit(result)


class LatestJob(QObject):
    """Recomputes a page's data on a worker thread, newest request wins.

    ``start`` cancels the job that is running and starts a new one; only the newest job's
    signals are passed on, so a slow, stale result never overwrites a newer one. Superseded
    workers are kept referenced until their thread has ended (a QThread destroyed while it runs
    aborts the process). ``shutdown`` cancels everything and waits, for closing the window.
    """

    started = Signal(str)  # label
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)
    crashed = Signal(str)
    unreachable = Signal(str)  # the lab server is away (Worker.unreachable)
    idle = Signal()  # the newest job ended, however it ended

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.current: Worker | None = None
        self.running: set[Worker] = set()
        self.superseded = 0  # jobs whose results were dropped because a newer one started

    @property
    def busy(self) -> bool:
        return self.current is not None

    def start(self, label: str, fn: Callable[..., Any], *args,
              user_errors: tuple[type[BaseException], ...] = (), **kwargs) -> Worker:
        if self.current is not None:
            self.current.cancel()
            self.superseded += 1
        worker = Worker(fn, *args, user_errors=user_errors, **kwargs)
        # NB: the slots below are methods of this QObject, which lives on the GUI thread, so Qt
        # queues every emission of the worker thread to the GUI thread; sender() names the worker.
        worker.progressed.connect(self._progressed)
        worker.succeeded.connect(self._succeeded)
        worker.failed.connect(self._failed)
        worker.crashed.connect(self._crashed)
        worker.unreachable.connect(self._unreachable)
        worker.finished.connect(self._finished)
        self.running.add(worker)
        self.current = worker
        self.started.emit(label)
        worker.start()
        return worker

    def _is_current(self) -> bool:
        return self.sender() is self.current

    def _progressed(self, done: int, total: int, label: str) -> None:
        if self._is_current():
            self.progressed.emit(done, total, label)

    def _succeeded(self, result: object) -> None:
        if self._is_current():
            self.succeeded.emit(result)

    def _failed(self, message: str) -> None:
        if self._is_current():
            self.failed.emit(message)

    def _crashed(self, trace: str) -> None:
        if self._is_current():
            self.crashed.emit(trace)

    def _unreachable(self, message: str) -> None:
        if self._is_current():
            self.unreachable.emit(message)

    def _finished(self) -> None:
        worker = self.sender()
        if worker not in self.running:
            return
        worker.wait()  # finished is emitted just before the thread ends; let it end
        self.running.discard(worker)
        if worker is self.current:
            self.current = None
            self.idle.emit()

    def cancel(self) -> None:
        for worker in self.running:
            worker.cancel()

    def shutdown(self) -> None:
        """Cancel every job and wait for its thread; no signal reaches the page afterwards."""
        self.current = None
        for worker in list(self.running):
            worker.cancel()
            worker.wait()
        self.running.clear()
