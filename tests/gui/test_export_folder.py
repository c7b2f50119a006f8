"""The Results page's export folder: where the dialog opens, a folder that does not exist yet
created after asking, and a status that says what the exported responses are. Real SQLite file,
real folders, the export run as the page runs it (a child process)."""
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from gui.console.window import ConsoleWindow
from gui.console.export_folder import ExportFolderDialog, start_folder
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol
from tasks.simulation.simulate import simulate
from tests.support.factories import pc_items, write_dataset


def test_the_dialog_opens_in_the_last_export_folder_else_the_documents_folder(qtbot, ctx, tmp_path):
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    expected = documents if documents and Path(documents).is_dir() else str(Path.home())
    assert start_folder(ctx.settings) == expected
    last = tmp_path / "exports"
    last.mkdir()
    ctx.settings.set("last_export_folder", str(last))
    assert start_folder(ctx.settings) == str(last)
    last.rmdir()  # gone since: not offered again
    assert start_folder(ctx.settings) == expected


def _create_box(window):
    boxes = [w for w in window.findChildren(QMessageBox) if w.objectName() == "createFolderBox" and w.isVisible()]
    return boxes[0] if boxes else None


def test_export_into_a_new_folder_after_asking_and_say_what_was_exported(qtbot, ctx, tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "d", pc=pc_items(per_sub=3), tr=[], sr=[]))
    # 2 per sub-category tested, the third item of each for practice (1 per block)
    simulate(ctx.db, ds, Protocol(variants=["pc"], items_per_group=2, practice_per_block=1), 2, Observer("perfect"),
             "test", study_name="pilot")
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.show_page("results")
    page = window.results_page
    target = tmp_path / "new" / "exports"
    qtbot.waitUntil(lambda: page.status.text() == "20 answered test trials.", timeout=60000)

    def choose_in_dialog():  # as a person would: type the new folder's path and press Enter
        dialog = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, ExportFolderDialog) and w.isVisible())
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(target))
        qtbot.keyClick(dialog.findChild(QLineEdit, "fileNameEdit"), Qt.Key_Return)

    QTimer.singleShot(200, choose_in_dialog)
    page.export()  # the dialog runs its own event loop until the folder is chosen
    qtbot.waitUntil(lambda: _create_box(window) is not None, timeout=5000)
    _create_box(window).button(QMessageBox.No).click()
    assert not target.exists() and ctx.settings.get("last_export_folder") is None

    QTimer.singleShot(200, choose_in_dialog)
    page.export()
    qtbot.waitUntil(lambda: _create_box(window) is not None, timeout=5000)
    assert "does not exist yet" in _create_box(window).text()
    _create_box(window).button(QMessageBox.Yes).click()
    qtbot.waitUntil(lambda: page.status.text().startswith("Exported"), timeout=60000)
    # 5 sub-categories x 2 test items + 1 practice item per participant, 2 participants: the test
    # count is the page's count of answered test trials
    assert page.status.text() == f"Exported 22 responses (20 test, 2 practice) into {target}."
    assert (target / "trials.csv").exists() and (target / "screening.csv").exists()
    assert ctx.settings.get("last_export_folder") == str(target)


def test_the_folder_dialog_takes_the_name_of_a_folder_that_does_not_exist_yet(qtbot, ctx, tmp_path):
    (tmp_path / "existing").mkdir()
    ctx.settings.set("last_export_folder", str(tmp_path))
    for typed in ("new/exports", "existing"):
        dialog = ExportFolderDialog(None, ctx.settings)
        qtbot.addWidget(dialog)
        assert Path(dialog.directory().absolutePath()) == tmp_path
        dialog.show()
        dialog.findChild(QLineEdit, "fileNameEdit").setText(typed)
        dialog.accept()
        assert dialog.chosen_folder() == str(tmp_path / typed)
    assert not (tmp_path / "new").exists()  # created only after asking (with_export_folder)


def test_a_folder_named_by_the_caller_is_created_by_the_export(qtbot, ctx, tmp_path):
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    page = window.results_page
    out = tmp_path / "given" / "export"
    with qtbot.waitSignal(page.tasks.finished, timeout=60000):
        page.export(str(out))
    assert (out / "trials.csv").exists() and ctx.settings.get("last_export_folder") == str(out)
    assert page.status.text() == f"Exported 0 responses into {out}."
