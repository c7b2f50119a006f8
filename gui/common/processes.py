"""Heavy, read-only computations in a child process, driven from a worker thread.

Why a process and not only a thread: scoring a paper-scale study builds millions of Python
objects, and CPython's full garbage collections over them hold the interpreter lock for up to
seconds (measured: 0.1-1.6 s pauses of the GUI thread with 10 participants). In a child process
they cannot stall the window, cancelling is terminating the child (immediate, even in the middle
of a query), and its memory goes back to the system when it ends. The child runs at a lower
priority (nice 10), so that on a busy machine it takes the cores the window and the audio leave.

``run_in_process(fn, *args, progress=..., should_cancel=...)`` has the Worker signature: run it
with ``Worker(run_in_process, fn, *args)``. ``fn`` must be a module-level function whose
arguments and result pickle (no database engine: pass its URL); it receives ``progress`` and a
``should_cancel`` that is always false. Nothing here imports Qt, so the child does not either.
"""
from __future__ import annotations

import multiprocessing
import os
import traceback
from typing import Any, Callable

POLL_S = 0.05  # how often the driving thread looks at should_cancel while it waits


class ComputeProcessError(RuntimeError):
    """The child process ended without an answer (killed, out of memory)."""


CHILD_NICENESS = 10  # below the app: the window and the audio come first on a busy machine


def _child_main(conn, fn: Callable[..., Any], args: tuple) -> None:
    if hasattr(os, "nice"):  # POSIX; on Windows the child keeps the normal priority
        try:
            os.nice(CHILD_NICENESS)
        except OSError:
            pass

    def progress(done: int, total: int, label: str) -> None:
        conn.send(("progress", (done, total, label)))

    try:
        result = fn(*args, progress=progress, should_cancel=lambda: False)
    except BaseException as exc:  # everything goes back to the parent, which decides
        text = traceback.format_exc()
        try:
            conn.send(("error", (exc, text)))
        except Exception:  # the exception itself does not pickle
            conn.send(("error", (RuntimeError(text), text)))
    else:
        conn.send(("result", result))
    finally:
        conn.close()


def run_in_process(fn: Callable[..., Any], *args, progress, should_cancel) -> Any:
    from tasks.dataset.loader import Cancelled

    # "spawn": a fresh interpreter; forking a process that runs Qt threads is unsafe
    mp = multiprocessing.get_context("spawn")
    receiver, sender = mp.Pipe(duplex=False)
    child = mp.Process(target=_child_main, args=(sender, fn, args), daemon=True, name="star-lab-compute")
    child.start()
    sender.close()  # the child holds the only sending end: EOF when it dies
    try:
        while True:
            if should_cancel():
                raise Cancelled("cancelled")
            if not receiver.poll(POLL_S):
                continue
            try:
                kind, payload = receiver.recv()
            except EOFError:
                child.join(5)
                raise ComputeProcessError(f"the computing process ended without a result "
                                         f"(exit code {child.exitcode})") from None
            if kind == "progress":
                progress(*payload)
            elif kind == "result":
                return payload
            else:
                exc, text = payload
                if isinstance(exc, Exception):
                    exc.add_note(f"in the computing process:\n{text}")
                    raise exc
                raise ComputeProcessError(text)
    finally:
        if child.is_alive():
            child.terminate()
            child.join(5)
            if child.is_alive():
                child.kill()
        child.join()
        receiver.close()
