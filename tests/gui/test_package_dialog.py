"""The Sessions page's take-home package dialog: the lab's information, consent and return
instructions go into the package as make-package's options put them, a bad file is named, and
the dialog remembers the last files. Real SQLite file, real files, offscreen Qt."""
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from gui.console.window import ConsoleWindow
from tasks.takehome.packages import read_package_info
from tests.gui.conftest import save_screenshot
from tests.support.gui_harness import load_builtin


def console_with_participant(qtbot, ctx):
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    load_builtin(qtbot, window).open_study()
    window.show_page("participants")
    window.participants_page.consent.setChecked(True)
    window.participants_page.add()
    window.show_page("sessions")
    return window, window.sessions_page


def test_dialog_puts_the_lab_texts_in_the_package_and_remembers_them(qtbot, ctx, tmp_path):
    info = tmp_path / "info.md"
    info.write_text("# About this study\n\nYou will answer questions about sounds.\n", encoding="utf-8")
    consent = tmp_path / "consent.txt"
    consent.write_text("I agree that my coded answers are used for research.\n", encoding="utf-8")
    back = tmp_path / "return.txt"
    back.write_text("E-mail the results file to the lab.\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    window, page = console_with_participant(qtbot, ctx)
    page.make_package()
    dialog = page.package_dialog
    assert dialog.isVisible() and dialog.files() == {} and dialog.out_dir() == ""
    dialog.folder.setText(str(out))
    dialog.fields["information"].setText(str(info))
    dialog.fields["consent"].setText(str(consent))
    dialog.fields["return_instructions"].setText(str(back))
    QApplication.processEvents()
    save_screenshot(dialog, "console-sessions-package-dialog")
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert page.message.text().startswith(f"Package written: {out}") and "info.md, consent.txt, return.txt" in \
        page.message.text(), page.message.text()
    written = out / "star-lab-package-pilot-P001.zip"
    texts = read_package_info(written)["texts"]
    assert texts == {"information": {"format": "markdown", "text": info.read_text(encoding="utf-8")},
                     "consent": {"format": "plain", "text": consent.read_text(encoding="utf-8")},
                     "return_instructions": {"format": "plain", "text": back.read_text(encoding="utf-8")}}
    # the next time the dialog opens with the same choices (a new console: what is stored counts)
    window.close()
    window, page = console_with_participant(qtbot, ctx)
    page.make_package()
    dialog = page.package_dialog
    assert dialog.out_dir() == str(out)
    assert dialog.files() == {"information": str(info), "consent": str(consent), "return_instructions": str(back)}
    # a text that is not UTF-8: the message names the file and the line; no package is written
    bad = tmp_path / "consent-latin1.txt"
    bad.write_bytes("Einverständnis\nIch stimme zu: Ä\n".encode("latin-1"))
    dialog.fields["consent"].setText(str(bad))
    dialog.fields["return_instructions"].clear()
    written.unlink()
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert page.message.text() == f"No package written: {bad}:1: consent is not UTF-8 text (byte 8)"
    assert not written.exists()
    assert ctx.settings.get("takehome_texts")["consent"] == str(bad)
    assert ctx.settings.get("takehome_texts")["return_instructions"] == ""


def test_a_participant_the_database_does_not_hold_is_named_before_and_after_the_package(qtbot, ctx, tmp_path):
    """make_package adds a participant it does not find; the dialog says so before, the page's
    message after, and the Participants page shows them at once. A known participant: nothing
    of the kind is said."""
    out = tmp_path / "out"
    out.mkdir()
    window, page = console_with_participant(qtbot, ctx)
    page.make_package()
    dialog = page.package_dialog
    assert dialog.new_note.isHidden() and dialog.new_note.text() == ""
    dialog.folder.setText(str(out))
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert page.message.text().startswith(f"Package written: {out}") and "not in the database" not in \
        page.message.text()
    # the chooser holds a code that no participant row has (e.g. a list read before a change)
    page.participant.addItem("H404")
    page.participant.setCurrentText("H404")
    page.make_package()
    dialog = page.package_dialog
    assert not dialog.new_note.isHidden()
    assert dialog.new_note.text() == ("Participant H404 is not in this database: writing the package adds them "
                                      "(their consent is given at home).")
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert (out / "star-lab-package-pilot-H404.zip").is_file()
    assert page.message.text().endswith(" Participant H404 was not in the database: added."), page.message.text()
    pp = window.participants_page
    assert [pp.table.item(r, 0).text() for r in range(pp.table.rowCount())] == ["P001", "H404"]
