"""The old import path of tests/support/gui_harness.py, kept only for tests/gui/test_*.py until
their imports name tests.support.gui_harness; new code imports from there."""
from tests.support.gui_harness import *  # noqa: F401,F403
