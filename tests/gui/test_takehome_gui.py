"""Take-home: the experimenter writes a package from the console, the installed app runs it in
participant mode (comfortable level, screening, session) and writes the results bundle, which
the lab imports."""
import json
import zipfile

import pytest
from sqlmodel import Session as DbSession, select

from db import repo
from db.models import Session as SessionRow
from tasks.bank import ensure_builtin_bank
from tests.gui.conftest import save_screenshot
from tests.gui.harness import lab_context, open_study_with_participant
from tests.gui.test_session_jack import drive, short_screening

pytestmark = pytest.mark.jack


def test_take_home_package_runs_in_participant_mode_and_comes_back(qtbot, tmp_path, jack_server):
    from gui.app import Application, TakeHome

    ensure_builtin_bank(tmp_path)
    lab_ctx = lab_context(tmp_path, tmp_path / "lab.sqlite3", "lab", with_audio=False)
    lab_db = lab_ctx.db
    lab = Application(lab_ctx, None)
    qtbot.addWidget(lab.console)
    with qtbot.waitSignal(lab.console.state.datasetChanged, timeout=60000):
        lab.start()
    open_study_with_participant(lab, ["pc", "sr"], name="home")
    lab.console.sessions_page.make_package(str(tmp_path / "packages"))
    (package,) = (tmp_path / "packages").iterdir()

    home_ctx = lab_context(tmp_path / "home-data", tmp_path / "home.sqlite3", "home-laptop", allow_attenuation=True)
    audio = home_ctx.audio
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
