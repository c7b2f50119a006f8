"""Guards against a known-bad Qt binding: PySide6 6.12.0 drops a reference to Py_True on every
signal delivered to a Python slot, and on Python < 3.12 the process later aborts with
"Fatal Python error: bool_dealloc". pyproject.toml excludes it; this test fails if an upgrade
brings such a binding back."""
import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    as_object = Signal(object)
    as_ints = Signal(int, int, str)


def test_signals_leave_python_bools_alone(qapp):
    e = Emitter()
    e.as_object.connect(lambda value: None)
    e.as_ints.connect(lambda a, b, c: None)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(500):
        e.as_object.emit(1)
        e.as_ints.emit(1, 2, "x")
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert abs(after[0] - before[0]) < 50 and abs(after[1] - before[1]) < 50, (before, after)
