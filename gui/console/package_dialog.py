"""The take-home package dialog (Sessions page): where to write the package and the lab's own
texts for the participant: study information, consent, how to send the results back (the
make-package options --information, --consent, --return-instructions). The last files chosen
come back next time (station setting ``takehome_texts``)."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
    QWidget,
)

# tasks.takehome.schema.PACKAGE_TEXTS, in the order the participant meets them
TEXT_KEYS = ("information", "consent", "return_instructions")


class PackageDialog(QDialog):
    def __init__(self, settings, study: str, code: str, parent: QWidget | None = None, new_participant: bool = False):
        super().__init__(parent)
        self.settings = settings
        self.setObjectName("packageDialog")
        self.setWindowTitle(self.tr("Take-home package"))
        self.setMinimumWidth(900)
        intro = QLabel(self.tr("A package for participant {code} of study {study!r}. The texts are optional: "
                               "without them the participant sees the program's short defaults.").format(
            code=code, study=study))
        intro.setWordWrap(True)
        # make_package adds a participant the database does not know (as make-package does): said first
        self.new_note = QLabel(self.tr("Participant {code} is not in this database: writing the package adds "
                                       "them (their consent is given at home).").format(code=code)
                               if new_participant else "")
        self.new_note.setObjectName("packageNewParticipant")
        self.new_note.setWordWrap(True)
        self.new_note.setVisible(new_participant)
        form = QFormLayout()
        saved = dict(settings.get("takehome_texts") or {})
        self.folder = QLineEdit(str(saved.get("folder") or ""))
        self.folder.setObjectName("packageFolder")
        self.folder.setPlaceholderText(self.tr("folder the package is written into"))
        form.addRow(self.tr("Write into"), self._row(self.folder, self._pick_folder, clear=False))
        labels = {"information": self.tr("Study information"), "consent": self.tr("Consent"),
                  "return_instructions": self.tr("Return instructions")}
        self.fields: dict[str, QLineEdit] = {}
        for key in TEXT_KEYS:
            edit = QLineEdit(str(saved.get(key) or ""))
            edit.setObjectName(f"packageText_{key}")
            edit.setPlaceholderText(self.tr("none (.md for Markdown, else plain text)"))
            self.fields[key] = edit
            form.addRow(labels[key], self._row(edit, lambda _=False, e=edit: self._pick_file(e)))
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText(self.tr("Write package"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.new_note)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def _row(self, edit: QLineEdit, pick, clear: bool = True) -> QWidget:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(pick)
        row.addWidget(browse)
        if clear:
            none = QPushButton(self.tr("None"))
            none.clicked.connect(edit.clear)
            row.addWidget(none)
        box = QWidget()
        box.setLayout(row)
        return box

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Write the package into"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _pick_file(self, edit: QLineEdit) -> None:
        path, _kind = QFileDialog.getOpenFileName(self, self.tr("Text for the participant"), edit.text(),
                                                  self.tr("Texts (*.md *.markdown *.txt);;All files (*)"))
        if path:
            edit.setText(path)

    def out_dir(self) -> str:
        return self.folder.text().strip()

    def files(self) -> dict[str, str]:
        """The chosen text files by PACKAGE_TEXTS key (empty fields left out)."""
        return {k: e.text().strip() for k, e in self.fields.items() if e.text().strip()}

    def remember(self) -> None:
        """Store the folder and the files for the next package (station setting)."""
        self.settings.set("takehome_texts", {"folder": self.out_dir(), **{k: e.text().strip()
                                                                           for k, e in self.fields.items()}})
