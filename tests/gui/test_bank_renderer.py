"""The Study page's choice of renderer for the built-in bank: stored as the station settings
bank_renderer / bank_hrtf_file (which main.builtin_bank_path reads), shown again after a restart,
a missing SOFA file named. Real SQLite file, offscreen Qt."""
from PySide6.QtWidgets import QApplication

from gui.console.window import ConsoleWindow
from tests.gui.conftest import save_screenshot


def study_page(qtbot, ctx):
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    return window, window.study_page


def test_renderer_choice_is_stored_shown_and_a_missing_file_is_named(qtbot, ctx, tmp_path):
    from tasks.bank.common import BankConfig
    from tasks.bank.build import builtin_bank_path

    window, page = study_page(qtbot, ctx)
    assert page.renderer.currentText() == "HRTF: MIT KEMAR (default)"
    assert page.renderer_note.text().startswith("HRTF MIT KEMAR;")
    page.renderer.setCurrentIndex(2)
    page.choose_renderer(2)
    assert ctx.settings.get("bank_renderer") == "spherical" and ctx.settings.get("bank_hrtf_file") is None
    assert page.renderer_note.text().startswith("spherical-head model")
    missing = tmp_path / "nowhere.sofa"
    page.renderer.setCurrentIndex(1)
    page.choose_renderer(1, sofa_file=str(missing))
    assert page.renderer_note.text() == f"{missing}: no such file; the renderer is unchanged."
    assert ctx.settings.get("bank_renderer") == "spherical"
    sofa = tmp_path / "subject-07.sofa"
    sofa.write_bytes(b"a SOFA file's bytes")
    page.choose_renderer(1, sofa_file=str(sofa))
    assert (ctx.settings.get("bank_renderer"), ctx.settings.get("bank_hrtf_file")) == ("hrtf", str(sofa))
    assert page.renderer_note.text() == "HRTF subject-07.sofa; used the next time the built-in bank is loaded."
    QApplication.processEvents()
    save_screenshot(window, "console-study-bank-renderer")
    # the bank these settings name is a folder of its own (what main.builtin_bank_path builds)
    config = BankConfig(renderer=ctx.settings.get("bank_renderer"), hrtf_path=ctx.settings.get("bank_hrtf_file") or "")
    assert builtin_bank_path(tmp_path, 0, config) != builtin_bank_path(tmp_path, 0)
    window.close()
    window, page = study_page(qtbot, ctx)  # a restart: the page shows what is stored
    assert page.renderer.currentIndex() == 1 and "subject-07.sofa" in page.renderer_note.text()
    # the localization check needs that file: gone, the option is refused and says why
    sofa.unlink()
    page.localization_check.setChecked(True)
    assert not page.localization_check.isChecked() and ctx.settings.get("screening_localization") is False
    assert f"needs the HRTF file {sofa}" in page.renderer_note.text()
