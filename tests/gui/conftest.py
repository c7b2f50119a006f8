import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from db.engine import open_database  # noqa: E402
from db.settings import Settings  # noqa: E402
from tests.factories import write_dataset  # noqa: E402

# Tests never rewrite tracked files: screenshots go to a temporary folder unless
# STARLAB_SCREENSHOT_DIR names one (set it to docs/screenshots to refresh the README's pictures).
SCREENSHOTS = Path(os.environ.get("STARLAB_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "starlab-screenshots")


@pytest.fixture
def ctx(tmp_path):
    from gui.context import AppContext

    bank = tmp_path / "bank"

    def builtin_bank(progress=None, should_cancel=None):
        if not bank.exists():
            write_dataset(bank)
        return bank

    db = open_database(tmp_path / "lab.sqlite3")
    return AppContext(db=db, settings=Settings(db), data_dir=tmp_path, app_version="test", builtin_bank=builtin_bank)


def save_screenshot(widget, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert widget.grab().save(str(path))
    return path
