"""The Study page's In force line never shows a digital reference that is not known yet: while
the dataset (the built-in bank) is read it says so, then it shows the dataset's own. Offscreen Qt,
a real SQLite file, a real dataset folder read on the page's worker."""
from __future__ import annotations

import threading

from db.engine import open_database
from db.settings import Settings
from gui.common.context import AppContext
from gui.console.window import ConsoleWindow
from tests.support.factories import pc_items, write_dataset


def declaring_bank(root, release: threading.Event):
    """A built-in bank that declares -30 dBFS = 70 dB SPL in every item, as the real one does,
    and is ready only once ``release`` is set (the test looks at the page meanwhile)."""
    declared = {"reference_dbfs": -30.0, "reference_db_spl": 70.0}

    def builtin_bank(progress=None, should_cancel=None):
        assert release.wait(30), "the test never released the bank"
        if not root.exists():
            write_dataset(root, pc=[dict(it, params={"digital_reference": declared}) for it in pc_items()], tr=[], sr=[])
        return root

    return builtin_bank


def test_in_force_says_the_reference_is_being_read_until_the_bank_is_loaded(qtbot, tmp_path):
    release = threading.Event()
    db = open_database(tmp_path / "lab.sqlite3")
    ctx = AppContext(db=db, settings=Settings(db), data_dir=tmp_path, app_version="test",
                     builtin_bank=declaring_bank(tmp_path / "bank", release))
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    page = window.study_page
    assert page.in_force.text().startswith("In force: digital reference known once a dataset is loaded; clips up to")
    page.load(None)
    assert page.in_force.text().startswith("In force: digital reference being read from the dataset…; clips up to")
    assert "dBFS" not in page.in_force.text()  # not the form's placeholder -20 dBFS
    with qtbot.waitSignal(window.state.datasetChanged, timeout=20000):
        release.set()
    qtbot.waitUntil(lambda: not page.loading, timeout=20000)
    assert page.in_force.text().startswith(
        "In force: digital reference -30 dBFS = 70 dB SPL (declared by the dataset in every item); clips up to")
    # a second load (the same bank again): not known while it is read, then known again
    release.clear()
    page.load(None)
    assert "being read from the dataset" in page.in_force.text() and "dBFS" not in page.in_force.text()
    with qtbot.waitSignal(page.tasks.finished, timeout=20000):
        release.set()
    assert "digital reference -30 dBFS = 70 dB SPL" in page.in_force.text()
    window.close()
    db.dispose()


def test_a_load_that_fails_leaves_the_line_saying_what_is_known(qtbot, ctx, tmp_path):
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    page = window.study_page
    with qtbot.waitSignal(page.tasks.finished, timeout=10000):
        page.load(str(tmp_path / "nowhere"))  # not a folder: refused on the worker
    assert not page.loading
    assert page.in_force.text().startswith("In force: digital reference known once a dataset is loaded;")

