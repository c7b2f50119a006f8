"""Where the Results page exports to: a folder dialog that opens in the last export folder (a
station setting) or the user's documents folder, accepts the name of a folder that does not
exist yet and creates it after asking; and the status line that says what the exported
responses are ("55 responses (51 test, 4 practice)")."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from gui.common.widgets import show_error

SETTING = "last_export_folder"


def start_folder(settings) -> str:
    """The last export folder while it exists, else the documents folder, else home."""
    last = settings.get(SETTING)
    if last and Path(last).is_dir():
        return str(last)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents if documents and Path(documents).is_dir() else str(Path.home())


class ExportFolderDialog(QFileDialog):
    """Qt's own folder dialog (not the platform's), opening in ``start_folder``. Unlike a plain
    folder dialog it takes the typed name of a folder that does not exist yet (with_export_folder
    asks before creating it); existing folders are chosen as usual."""

    def __init__(self, parent: QWidget | None, settings):
        super().__init__(parent, QCoreApplication.translate("ExportFolderDialog",
                                                            "Export into folder (type a new name to create one)"),
                         start_folder(settings))
        self.setObjectName("exportFolderDialog")
        self.setOption(QFileDialog.Option.DontUseNativeDialog)
        self.setOption(QFileDialog.Option.ShowDirsOnly)
        self.setFileMode(QFileDialog.FileMode.Directory)

    def accept(self) -> None:
        chosen = self.selectedFiles()
        if chosen and not Path(chosen[0]).exists():
            QDialog.accept(self)  # QFileDialog would refuse it ("Directory not found")
            return
        super().accept()

    def chosen_folder(self) -> str:
        files = self.selectedFiles()
        return files[0] if self.result() == QDialog.DialogCode.Accepted and files else ""


def pick_folder(parent: QWidget, settings) -> str:
    dialog = ExportFolderDialog(parent, settings)
    dialog.exec()
    return dialog.chosen_folder()


def with_export_folder(parent: QWidget, settings, out: str | None, then: Callable[[Path], None]) -> None:
    """Call ``then`` with the export folder: ``out`` as given (the export creates it), or the one
    chosen in the dialog; a chosen folder that does not exist yet is created once the user agrees
    (the question is a window of its own, objectName "createFolderBox"). The folder is
    remembered for the next export."""
    if out is not None:
        settings.set(SETTING, str(Path(out).expanduser()))
        then(Path(out).expanduser())
        return
    out = pick_folder(parent, settings)
    if not out:
        return
    path = Path(out).expanduser()

    def go() -> None:
        settings.set(SETTING, str(path))
        then(path)

    if path.is_dir():
        go()
        return
    if path.exists():
        show_error(parent, parent.tr("Export"), parent.tr("{path} is a file, not a folder: choose a folder.").format(path=path))
        return
    box = QMessageBox(QMessageBox.Question, parent.tr("Export"),
                      parent.tr("The folder {path} does not exist yet. Create it and export into it?").format(path=path),
                      QMessageBox.Yes | QMessageBox.No, parent)
    box.setObjectName("createFolderBox")

    def answered(button) -> None:
        if box.standardButton(button) != QMessageBox.Yes:
            return
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            show_error(parent, parent.tr("Export"), parent.tr("Cannot create the folder {path}: {why}.").format(
                path=path, why=exc.strerror or exc))
            return
        go()

    box.buttonClicked.connect(answered)
    box.open()


def export_status(parent: QWidget, done) -> str:
    from tasks.study.response_counts import describe_responses

    result, by_kind = done
    return parent.tr("Exported {what} into {out}.").format(what=describe_responses(result.responses, by_kind),
                                                           out=result.out_dir)
