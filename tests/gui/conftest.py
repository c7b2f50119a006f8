import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from db.engine import open_database  # noqa: E402
from db.settings import Settings  # noqa: E402
from tests.support.factories import write_dataset  # noqa: E402

# Tests never rewrite tracked files: screenshots go to a temporary folder unless
# STARLAB_SCREENSHOT_DIR names one (set it to docs/screenshots to refresh the README's pictures).
SCREENSHOTS = Path(os.environ.get("STARLAB_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "starlab-screenshots")


# Markers of whole GUI test files that their fixtures cannot show (tests/conftest.py adds gui,
# jack and pg from the fixtures): kept here rather than in the files themselves.
FILE_MARKERS = {
    "test_crash_resume.py": ("subprocess",),  # the app in a child process, killed mid-trial
    "test_habits.py": ("subprocess",),  # pyside6-lrelease compiles a translation
    "test_startup.py": ("subprocess",),  # `python main.py` and fresh interpreters in child processes
    "test_takehome_gui.py": ("subprocess",),  # main.py make-package makes the package
    "test_takehome_screenshots.py": ("subprocess",),  # the same package (test_takehome_gui.lab_package)
    "test_results_page.py": ("slow",),  # each test computes whole reports: seconds to a quarter minute
    "test_results_exclusion.py": ("slow",),  # figures and the report computed twice
    "test_results_psychometric.py": ("slow",),  # psychometric fits and figures of a simulated cohort
}
HERE = Path(__file__).resolve().parent
missing = [name for name in FILE_MARKERS if not (HERE / name).is_file()]
assert not missing, f"FILE_MARKERS names GUI test files that are gone: {missing}"


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(item.path)
        if path.parent == HERE:
            for name in FILE_MARKERS.get(path.name, ()):
                item.add_marker(name)


@pytest.fixture(autouse=True)
def collect_garbage_between_tests():
    """Each GUI test's garbage (window wrappers, database engines, finished workers) is collected
    at its own teardown, after pytest-qt closed its widgets and while no worker thread of it runs,
    instead of by an automatic collection in the middle of a later test's event loop while that
    test's worker threads run (a segfault seen once in a full run, inside such a collection)."""
    import gc

    yield
    gc.collect()


@pytest.fixture
def ctx(tmp_path):
    from gui.common.context import AppContext

    bank = tmp_path / "bank"

    def builtin_bank(progress=None, should_cancel=None):
        if not bank.exists():
            write_dataset(bank)
        return bank

    db = open_database(tmp_path / "lab.sqlite3")
    yield AppContext(db=db, settings=Settings(db), data_dir=tmp_path, app_version="test", builtin_bank=builtin_bank)
    db.dispose()


def save_screenshot(widget, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert widget.grab().save(str(path))
    return path
