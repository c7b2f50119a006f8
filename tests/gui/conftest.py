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
    from gui.context import AppContext

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
