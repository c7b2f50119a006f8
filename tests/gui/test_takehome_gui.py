"""Take-home: the experimenter writes a package from the console, the installed app runs it in
participant mode (comfortable level, screening, session) and writes the results bundle, which
the lab imports."""
import json
import zipfile

import pytest
from sqlmodel import Session as DbSession, select

from db.models import Session as SessionRow

from db import repo
from db.engine import open_database
from db.settings import Settings
from tasks.bank import ensure_builtin_bank
from tests.gui.conftest import save_screenshot
from tests.gui.test_session_jack import drive, short_screening

pytestmark = pytest.mark.jack


def test_take_home_package_runs_in_participant_mode_and_comes_back(qtbot, tmp_path, jack_server):
    from gui.app import Application, TakeHome
    from gui.context import AppContext
    from tasks.presentation import build_audio

    bank = ensure_builtin_bank(tmp_path)
    lab_db = open_database(tmp_path / "lab.sqlite3")
    lab_ctx = AppContext(db=lab_db, settings=Settings(lab_db), data_dir=tmp_path, app_version="test",
                         builtin_bank=lambda progress=None, should_cancel=None: bank)
    lab = Application(lab_ctx, None)
    qtbot.addWidget(lab.console)
    with qtbot.waitSignal(lab.console.state.datasetChanged, timeout=60000):
        lab.start()
    page = lab.console.study_page
    for v, box in page.variant_boxes.items():
        box.setChecked(v in ("pc", "sr"))
    page.items_per_group.setValue(1)
    page.practice.setValue(0)
    page.study_name.setText("home")
    page.open_study()
    lab.console.participants_page.consent.setChecked(True)
    lab.console.participants_page.add()
    lab.console.sessions_page.refresh()
    lab.console.sessions_page.make_package(str(tmp_path / "packages"))
    (package,) = (tmp_path / "packages").iterdir()

    home_db = open_database(tmp_path / "home.sqlite3")
    home_settings = Settings(home_db)
    audio = build_audio(home_db, home_settings, "home-laptop")
    home_ctx = AppContext(db=home_db, settings=home_settings, data_dir=tmp_path / "home-data", app_version="test",
                          builtin_bank=lambda progress=None, should_cancel=None: bank, audio=audio)
    try:
        takehome = TakeHome(home_ctx, None, package, screening=short_screening, out_dir=tmp_path / "send-back")
        takehome.start()
        window = takehome.window
        qtbot.addWidget(window)
        window.show()
        shots = {}
        # the comfortable-level screen comes after the screening
        drive(qtbot, window, shots)
        save_screenshot(window, "participant-takehome-thanks")
        assert "Please send this file to the lab" in window.message.body.text()
        bundle = takehome.bundle
        assert bundle.parent == tmp_path / "send-back" and bundle.is_file()
        results = json.loads(zipfile.ZipFile(bundle).read("results.json"))
        checks = [a for a in results["audit"] if a["event"] == "level_check"]
        assert checks and json.loads(checks[0]["detail"])["procedure"] == "comfortable level"
        assert results["session"]["level_procedure"] == "comfortable level (take-home)"
        window.close()
    finally:
        audio.presenter.engine.close()

    lab.console.sessions_page.import_results([str(bundle)])
    assert lab.console.sessions_page.message.text().startswith("imported: P001")
    with DbSession(lab_db) as s:
        (session,) = [x for x in repo.unfinished_sessions(s)] or [None]
        done = s.exec(select(SessionRow)).all()
    assert session is None and len(done) == 1 and done[0].take_home and done[0].status == "completed"
    lab.console.close()
