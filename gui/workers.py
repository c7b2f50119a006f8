"""Long work off the GUI thread: a QThread that runs one function with progress and cancel.

The function receives ``progress(done, total, label)`` and ``should_cancel()``. It runs in the
worker thread and must not touch widgets; results and errors come back as queued signals.
"""
from __future__ import annotations

import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QThread, Signal


class Worker(QThread):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(str)  # a clear message for the user
    crashed = Signal(str)  # a bug: the traceback, for the log

    def __init__(self, fn: Callable[..., Any], *args, user_errors: tuple[type[BaseException], ...] = (), **kwargs):
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._user_errors = user_errors
        # NB: an Event is the only state shared with the running thread; set() and is_set()
        # are thread-safe.
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:  # runs in the worker thread
        try:
            result = self._fn(*self._args, progress=self.progressed.emit,
                              should_cancel=self._cancel.is_set, **self._kwargs)
        except self._user_errors as exc:
            self.failed.emit(str(exc))
        except Exception:  # a bug: report it, keep the app alive
            self.crashed.emit(traceback.format_exc())
        else:
            self.succeeded.emit(result)
