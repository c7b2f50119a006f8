"""The optional localization headphone check: a station setting adds it after the antiphase and
Huggins checks; the participant window shows its own answers (Left, Right, Front, Back) and
stores its result in the same screening row, which the Sessions page and screening.csv read.
Real JACK output, real SQLite file, offscreen Qt."""
import csv
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlmodel import Session as DbSession

from db import repo
from tests.gui.conftest import save_screenshot
from tests.support.gui_harness import capture_participant_windows, lab_context, open_study_with_participant
from tests.gui.test_session_jack import drive, short_screening

pytestmark = pytest.mark.jack


class AlreadyPhotographed(dict):
    """drive()'s record of screens photographed: here every screen counts as done."""

    def __contains__(self, key) -> bool:
        return True


@pytest.fixture
def app_ctx(tmp_path, jack_server):
    ctx = lab_context(tmp_path, tmp_path / "lab.sqlite3", "test-station")
    yield ctx
    ctx.audio.presenter.engine.close()


def test_station_setting_adds_the_check_and_its_result_reaches_the_sessions_page(qtbot, app_ctx, tmp_path):
    from audio.screening import LOCALIZATION_OPTIONS
    from gui.app import Application
    from gui.participant.screening import standard_screening, station_screening, with_localization
    from audio.hrtf import load_hrtf
    from tasks.results.export import export

    assert station_screening(app_ctx.settings, 48_000) is standard_screening  # off by default
    app = Application(app_ctx, None)
    console = app.console
    qtbot.addWidget(console)
    with qtbot.waitSignal(console.state.datasetChanged, timeout=60000):
        app.start()
    console.show_page("study")
    console.study_page.localization_check.setChecked(True)  # the Study page's option
    assert app_ctx.settings.get("screening_localization") is True
    checks = station_screening(app_ctx.settings, 48_000)(7)
    assert [t.name for t in checks] == ["antiphase", "huggins", "localization"]
    hrirs_name = checks[-1].reference
    assert "MIT KEMAR" in hrirs_name
    open_study_with_participant(app, ["pc"], items_per_group=1)
    # shorter antiphase and Huggins checks than the standard ones; the localization check as is
    created = capture_participant_windows(app, with_localization(short_screening, load_hrtf(None, 48_000)))
    console.show_page("sessions")
    console.sessions_page.start()
    qtbot.waitUntil(lambda: bool(created), timeout=30000)
    window = created[0]
    qtbot.addWidget(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    # through the messages and the first two checks, answering A, up to the localization check
    intros, localization_options = [], []
    for _ in range(100):
        if window.stack.currentWidget() is window.message:
            intros.append(window.message.title.text())
            qtbot.keyClick(window, Qt.Key_Return)
            continue
        trial = window.trial
        qtbot.waitUntil(lambda: bool(trial.option_buttons) and trial.option_buttons[0].isEnabled(), timeout=30000)
        if trial.title.text().startswith("Sound direction: "):
            localization_options.append([b.text() for b in trial.option_buttons])
            if len(localization_options) == 1:
                window.resize(1280, 720)
                QApplication.processEvents()
                save_screenshot(window, "participant-screening-localization")
            assert window.current_question.clip_labels == ["Sound"]  # one sound, not "Sound 1..3"
        if trial.title.text() == "Sound level":
            break
        qtbot.keyClick(window, "A")
        qtbot.keyClick(window, Qt.Key_Return)
    assert [t for t in intros if t.startswith("Headphone check ")] == [
        "Headphone check 1 of 3: Quietest tone", "Headphone check 2 of 3: Hidden tone",
        "Headphone check 3 of 3: Sound direction"]
    assert len(localization_options) == 8
    assert all([o.split()[-1] for o in opts] == list(LOCALIZATION_OPTIONS) for opts in localization_options)
    drive(qtbot, window, AlreadyPhotographed())  # the rest of the session, without photographing it
    window.close()
    with DbSession(app_ctx.db) as s:
        rows = [a for a in repo.audit_log(s, window.session_id) if a.event == "screening"]
    assert len(rows) == 1
    results = {r["test"]: r for r in json.loads(rows[0].detail)}
    # "A" = Left every time: right on the two trials from the left only
    seed = results["localization"].pop("seed")  # the session's screening seed, the same for every check
    assert results["localization"] == {"test": "localization", "correct": 2, "trials": 8, "passed": False}
    assert results["antiphase"]["seed"] == results["huggins"]["seed"] == seed
    assert set(results) == {"antiphase", "huggins", "localization"}
    page = console.sessions_page
    page.refresh()
    header = lambda: [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]  # noqa: E731
    qtbot.waitUntil(lambda: page.table.rowCount() == 1 and "localization" in
                    page.table.item(0, header().index("Screening")).text(), timeout=10000)
    assert page.table.item(0, header().index("Screening")).text().endswith("localization 2/8 FAIL")
    out = tmp_path / "export"
    export(app_ctx.db, out, "test")
    with open(out / "screening.csv", newline="", encoding="utf-8") as f:
        tests = [r["test"] for r in csv.DictReader(f)]
    assert "localization" in tests
