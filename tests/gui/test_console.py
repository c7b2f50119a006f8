from PySide6.QtWidgets import QApplication

from gui.console.window import ConsoleWindow
from tests.support.gui_harness import load_builtin
from tests.gui.conftest import save_screenshot as save_grab


def save_screenshot(window, name: str):
    """After the layouts have caught up with the last change (they update on the next event loop
    pass: a label's new text would otherwise be photographed in its old size)."""
    QApplication.processEvents()
    return save_grab(window, name)


def test_console_pages_work_offscreen_and_are_photographed(qtbot, ctx):
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    page = load_builtin(qtbot, window)
    assert "No problems." in page.report.toPlainText()
    assert "Each participant:" in page.counts.text()
    page.open_study()
    assert window.state.study.name == "pilot"
    # photographed with the session length estimated (it is computed on a worker)
    qtbot.waitUntil(lambda: page.design.estimate is not None and not page.design.job.busy, timeout=60000)
    assert page.design.length.text().startswith("One session: about ")
    save_screenshot(window, "console-study")

    window.show_page("participants")
    pp = window.participants_page
    assert pp.code.text() == "P001"
    pp.add()
    assert "Confirm consent" in pp.message.text()
    pp.consent.setChecked(True)
    pp.add()
    assert pp.table.rowCount() == 1 and pp.code.text() == "P002"
    save_screenshot(window, "console-participants")

    window.show_page("sessions")
    assert window.sessions_page.participant.currentText() == "P001"

    window.show_page("results")
    qtbot.waitUntil(lambda: not window.results_page.job.busy, timeout=60000)  # photographed when computed
    assert not window.results_page.figure_job.busy  # no answered trial: no figure to draw
    assert "nothing to draw" in window.results_page.figure_views["items"].caption.text()
    assert window.results_page.board_note.text() == "No answered test trial yet: the rows shown are the paper's."
    save_screenshot(window, "console-results-empty")
    window.show_page("audio")
    save_screenshot(window, "console-audio-no-output")


def test_validation_of_a_bad_folder_shows_the_message(qtbot, ctx, tmp_path):
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    page = window.study_page
    with qtbot.waitSignal(page.tasks.finished, timeout=10000):
        page.load(str(tmp_path / "nowhere"))
    boxes = [w for w in page.findChildren(object) if getattr(w, "objectName", lambda: "")() == "errorBox"]
    assert boxes and "is not a folder" in boxes[0].text()
