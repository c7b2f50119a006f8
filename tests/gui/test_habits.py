"""Habits people expect: keyboard-only operation, layouts from 1280x720 up, translatable text."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTranslator
from PySide6.QtWidgets import QApplication

from gui.console.window import ConsoleWindow
from tests.gui.conftest import save_screenshot


def test_console_pages_switch_with_the_keyboard(qtbot, ctx):
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    for n in (4, 2, 5, 1):
        qtbot.keyClick(window, Qt.Key(Qt.Key_0 + n), Qt.ControlModifier)
        assert window.pages.currentIndex() == n - 1


@pytest.mark.parametrize("size", [(1280, 720), (3840, 2160)])
def test_console_fits_small_screens_and_scales_up(qtbot, ctx, size):
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 720, hint
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    assert window.width() == size[0] and window.height() == size[1]
    assert window.study_page.report.width() > size[0] * 0.35  # the report grows with the window
    if size[0] == 1280:
        save_screenshot(window, "console-study-1280x720")


def test_ui_strings_go_through_qt_translations(qtbot, ctx, tmp_path):
    beside_python = Path(sys.executable).parent / "pyside6-lrelease"
    tool = str(beside_python) if beside_python.exists() else shutil.which("pyside6-lrelease")
    assert tool, "pyside6-lrelease (from PySide6-Essentials) not found"
    ts = tmp_path / "starlab_de.ts"
    ts.write_text("""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS><TS version="2.1" language="de_DE">
<context><name>ConsoleWindow</name>
<message><source>Study</source><translation>Studie</translation></message>
<message><source>Participants</source><translation>Teilnehmende</translation></message>
</context></TS>""", encoding="utf-8")
    qm = tmp_path / "starlab_de.qm"
    subprocess.run([tool, str(ts), "-qm", str(qm)], check=True, capture_output=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    app = QApplication.instance()
    app.installTranslator(translator)
    try:
        window = ConsoleWindow(ctx)
        qtbot.addWidget(window)
        assert [window.nav.item(i).text() for i in (0, 2)] == ["Studie", "Teilnehmende"]
    finally:
        app.removeTranslator(translator)
    shipped = Path(__file__).resolve().parents[2] / "gui" / "i18n" / "starlab_en.ts"
    assert "<source>Confirm (Enter)</source>" in shipped.read_text(encoding="utf-8")
