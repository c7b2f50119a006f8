"""The old import path of tests/support/factories.py, kept only for the files that still name it
(tests/gui/test_*.py and the adaptive and psychometric tests, which are being edited elsewhere);
new code imports from tests.support.factories."""
from tests.support.factories import *  # noqa: F401,F403
