"""Take-home: the lab writes a package (with its own information, consent and return texts), the
installed app runs it for a person alone at home - welcome, information, consent, output check,
comfortable level, screening, trials, end screen with the bundle - and the lab imports the bundle."""
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QPushButton
from sqlmodel import Session as DbSession, func, select

from db.engine import open_database
from db.models import AuditLog, Participant, Response, Session as SessionRow
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.studies import open_study
from tasks.takehome.importing import import_results
from tests.gui.conftest import save_screenshot
from tests.support.gui_harness import answer_a, lab_context
from tests.gui.test_session_jack import drive, short_screening

pytestmark = pytest.mark.jack

ROOT = Path(__file__).resolve().parents[2]
INFORMATION = "# About the sound study\n\nYou will hear **short sounds** and answer questions about them.\n"
CONSENT = "I agree that my answers, stored under a code, are used for research on hearing.\n"
RETURN = "E-mail the results file to sound-lab@example.org, subject: home study.\n"
# the lab's participant screenshots come from the lab session test; these are not taken again here
LAB_SHOTS = ("participant-screening-intro", "participant-break", "participant-level", "participant-ready",
             "participant-feedback", "participant-instructions", "participant-screening", "participant-practice",
             "participant-level-check", "participant-trial", "participant-trial-temporal", "participant-thanks")


def lab_package(tmp_path, dataset_dir, code: str, texts: bool) -> tuple[Path, Path]:
    """A lab database with a short study and a package for ``code`` made by the command line."""
    db_path = tmp_path / "lab.sqlite3"
    if not db_path.exists():
        open_study(open_database(db_path), load_dataset(dataset_dir), "home",
                   Protocol(variants=["sr", "tr"], items_per_group=1, practice_per_block=0, seed=3))
    cmd = [sys.executable, str(ROOT / "main.py"), "make-package", "--db", str(db_path), "--study", "home",
           "--participant", code, "--out", str(tmp_path / "packages")]
    if texts:
        for name, option, text in (("info.md", "--information", INFORMATION), ("consent.txt", "--consent", CONSENT),
                                   ("send.txt", "--return-instructions", RETURN)):
            (tmp_path / name).write_text(text, encoding="utf-8")
            cmd += [option, str(tmp_path / name)]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return db_path, tmp_path / "packages" / f"star-lab-package-home-{code}.zip"


@pytest.fixture
def home(tmp_path, jack_server):
    ctx = lab_context(tmp_path / "home-data", tmp_path / "home.sqlite3", "home-laptop", allow_attenuation=True)
    yield ctx
    ctx.audio.presenter.engine.close()


def activate(qtbot, flow):
    flow.activateWindow()
    qtbot.waitUntil(flow.isActiveWindow, timeout=5000)


def enter(qtbot, flow, expect_next: str):
    before = flow.current
    qtbot.keyClick(flow, Qt.Key_Return)
    qtbot.waitUntil(lambda: flow.current == expect_next, timeout=5000)
    assert before != expect_next


def test_first_run_path_in_order_ends_with_the_bundle_and_the_lab_imports_it(qtbot, tmp_path, dataset_dir, home):
    from gui.app import TakeHome
    from gui.participant.play_indicator import ANSWER
    from gui.takehome.screens import HEARD_RIGHT_WAY, HEARD_SWAPPED

    lab_db, package = lab_package(tmp_path, dataset_dir, "H001", texts=True)
    opened_urls = []
    takehome = TakeHome(home, None, package, screening=short_screening, out_dir=tmp_path / "send-back",
                        open_url=opened_urls.append)
    takehome.start()
    flow = takehome.window
    qtbot.addWidget(flow)
    # sized to the screen by itself (the offscreen platform has no window manager)
    assert flow.geometry() == flow.screen().geometry() and flow.width() > 600
    activate(qtbot, flow)
    visited = [flow.current]

    welcome = flow.screens["welcome"]
    assert welcome.title.text() == "Welcome" and "minutes" in welcome.body.text()
    low, high = welcome.minutes
    assert f"about {low} to {high} minutes" in welcome.body.text() and 5 <= low < high
    enter(qtbot, flow, "information")
    visited.append(flow.current)
    text = flow.screens["information"].text.toPlainText()
    assert "About the sound study" in text and "You will hear short sounds" in text  # Markdown, rendered

    enter(qtbot, flow, "consent")
    visited.append(flow.current)
    consent = flow.screens["consent"]
    assert consent.text.toPlainText().strip() == CONSENT.strip()
    assert not consent.agree.isEnabled()
    qtbot.keyClick(flow, Qt.Key_Return)  # not yet agreed: nothing happens
    assert flow.current == "consent"
    consent.check.setChecked(True)
    enter(qtbot, flow, "output")
    visited.append(flow.current)

    output = flow.screens["output"]
    assert output.device.currentText() == "system (JACK Audio Connection Kit)"
    assert not output.next.isEnabled() and not output.answers[HEARD_RIGHT_WAY].isEnabled()
    output.play.click()
    # while the test sound plays the answers stay closed; they open when it has ended
    assert not output.answers[HEARD_RIGHT_WAY].isEnabled() and not output.play.isEnabled()
    assert "answers open when the sound has ended" in output.status.text()
    qtbot.waitUntil(lambda: output.answers[HEARD_RIGHT_WAY].isEnabled(), timeout=10000)
    assert flow.test_playback is None and output.play.isEnabled()
    output.answers[HEARD_SWAPPED].click()
    assert not output.next.isEnabled() and "wrong way round" in output.status.text()
    output.answers[HEARD_RIGHT_WAY].click()
    assert output.next.isEnabled()
    enter(qtbot, flow, "level")
    visited.append(flow.current)

    level = flow.screens["level"]
    assert level.title.text() == "Sound level"
    qtbot.waitUntil(lambda: level.indicator.state == ANSWER, timeout=15000)  # played by itself, to the end
    qtbot.keyClick(flow, "A")
    qtbot.keyClick(flow, Qt.Key_Return)
    qtbot.waitUntil(lambda: flow.current == "participant", timeout=5000)
    visited.append("screening")
    participant = flow.participant
    assert participant.message.title.text() == "Headphone check"
    shots = dict.fromkeys(LAB_SHOTS, True)
    drive(qtbot, participant, shots)
    visited.append("trials")
    qtbot.waitUntil(lambda: flow.current == "end", timeout=10000)
    visited.append(flow.current)
    assert visited == ["welcome", "information", "consent", "output", "level", "screening", "trials", "end"]

    end = flow.screens["end"]
    bundle = takehome.bundle
    assert bundle.parent == tmp_path / "send-back" and bundle.is_file()
    assert end.path.toPlainText() == str(bundle) and Path(end.path.toPlainText()).is_absolute()
    assert end.instructions.toPlainText().strip() == RETURN.strip()
    save_screenshot(flow, "takehome-end")
    end.folder.click()
    assert opened_urls == [QUrl.fromLocalFile(str(bundle.parent))]

    results = json.loads(zipfile.ZipFile(bundle).read("results.json"))
    events = [a["event"] for a in results["audit"]]
    # consent, then the level, then the screening, before any answer
    assert events.index("consent") < events.index("level_check") < events.index("screening")
    assert events.count("level_check") == 1  # not asked again after the screening
    level_detail = json.loads(results["audit"][events.index("level_check")]["detail"])
    assert level_detail["procedure"] == "comfortable level" and level_detail["answer"] == "comfortable"
    assert results["session"]["level_procedure"] == "comfortable level (take-home)"
    assert results["session"]["status"] == "completed"
    assert all(t["response"] is not None for t in results["trials"])

    qtbot.waitUntil(flow.isActiveWindow, timeout=5000)  # active again after the embedded window closed
    with qtbot.waitSignal(flow.closed, timeout=5000):
        qtbot.keyClick(flow, Qt.Key_Return)  # Close
    imported = import_results(open_database(lab_db), bundle)
    assert imported.participant == "H001" and imported.responses == len(results["trials"])

    # opened again after the end: the bundle is written again, nothing is asked
    bundle.unlink()
    again = TakeHome(home, None, package, screening=short_screening, out_dir=tmp_path / "send-back")
    again.start()
    qtbot.addWidget(again.window)
    activate(qtbot, again.window)
    assert again.window.screens["welcome"].body.text().startswith("You have answered every question")
    enter(qtbot, again.window, "end")
    assert again.bundle == bundle and bundle.is_file()


def test_declining_consent_ends_without_any_data(qtbot, tmp_path, dataset_dir, home):
    from gui.app import TakeHome

    _lab_db, package = lab_package(tmp_path, dataset_dir, "H002", texts=False)
    takehome = TakeHome(home, None, package, screening=short_screening, out_dir=tmp_path / "send-back")
    takehome.start()
    flow = takehome.window
    qtbot.addWidget(flow)
    activate(qtbot, flow)
    enter(qtbot, flow, "information")
    # a package without the lab's texts says so instead of showing an empty page
    assert "did not include study information" in flow.screens["information"].text.toPlainText()
    enter(qtbot, flow, "consent")
    assert "I agree to take part" in flow.screens["consent"].text.toPlainText()
    flow.screens["consent"].findChild(QPushButton, "decline").click()
    assert flow.current == "declined"
    save_screenshot(flow, "takehome-declined")
    with qtbot.waitSignal(flow.closed, timeout=5000):
        qtbot.keyClick(flow, Qt.Key_Return)
    with DbSession(home.db) as s:
        counts = {m.__name__: s.exec(select(func.count()).select_from(m)).one()
                  for m in (SessionRow, Participant, Response, AuditLog)}
    assert counts == {"Session": 0, "Participant": 0, "Response": 0, "AuditLog": 0}
    assert not (tmp_path / "send-back").exists() and takehome.bundle is None


def answer_until(qtbot, participant, done, max_steps=100):
    """Answer (option A) and continue until ``done()``."""
    for _ in range(max_steps):
        if done():
            return
        answer_a(qtbot, participant)
    raise AssertionError("never got there")


def test_a_paused_run_continues_after_the_output_check_and_the_sound_level(qtbot, tmp_path, dataset_dir, home):
    from PySide6.QtWidgets import QMessageBox

    from gui.app import TakeHome
    from gui.participant.play_indicator import ANSWER
    from gui.takehome.screens import HEARD_RIGHT_WAY

    _lab_db, package = lab_package(tmp_path, dataset_dir, "H004", texts=False)

    def through_output_and_level(flow):
        output = flow.screens["output"]
        output.play.click()
        qtbot.waitUntil(lambda: output.answers[HEARD_RIGHT_WAY].isEnabled(), timeout=10000)
        output.answers[HEARD_RIGHT_WAY].click()
        enter(qtbot, flow, "level")
        qtbot.waitUntil(lambda: flow.screens["level"].indicator.state == ANSWER, timeout=15000)
        qtbot.keyClick(flow, "A")
        qtbot.keyClick(flow, Qt.Key_Return)
        qtbot.waitUntil(lambda: flow.current == "participant", timeout=5000)

    first = TakeHome(home, None, package, screening=short_screening, out_dir=tmp_path / "send-back")
    first.start()
    flow = first.window
    qtbot.addWidget(flow)
    activate(qtbot, flow)
    enter(qtbot, flow, "information")
    enter(qtbot, flow, "consent")
    flow.screens["consent"].check.setChecked(True)
    enter(qtbot, flow, "output")
    through_output_and_level(flow)
    participant = flow.participant
    answer_until(qtbot, participant, lambda: participant.trial.title.text() == "Question 2 of 8"
                 and participant.stack.currentWidget() is participant.trial)
    qtbot.keyClick(participant, Qt.Key_Escape)  # the participant window's own Esc: pause and close
    box = participant.pin_dialog
    assert box.objectName() == "pauseBox"
    with qtbot.waitSignal(flow.closed, timeout=5000):
        box.button(QMessageBox.Yes).click()
    with DbSession(home.db) as s:
        (session,) = s.exec(select(SessionRow)).all()
        answered = s.exec(select(func.count()).select_from(Response)).one()
    assert session.status == "paused" and answered == 1

    again = TakeHome(home, None, package, screening=short_screening, out_dir=tmp_path / "send-back")
    again.start()
    flow = again.window
    qtbot.addWidget(flow)
    activate(qtbot, flow)
    welcome = flow.screens["welcome"]
    assert welcome.title.text() == "Welcome back" and "7 questions are left" in welcome.body.text()
    enter(qtbot, flow, "output")  # consent was given: straight to the sound checks
    through_output_and_level(flow)
    participant = flow.participant
    assert participant.message.title.text() == "Part 1"  # no second headphone screening
    answer_until(qtbot, participant, lambda: participant.stack.currentWidget() is participant.trial)
    assert participant.trial.title.text() == "Question 2 of 8"
    with DbSession(home.db) as s:
        events = [a.event for a in s.exec(select(AuditLog).order_by(AuditLog.id)).all()]
    assert events.count("consent") == 1 and events.count("screening") == 1 and events.count("level_check") == 2
    assert events.index("resumed") > events.index("level_check")


def test_leaving_at_the_welcome_asks_first_and_records_nothing(qtbot, tmp_path, dataset_dir, home):
    from PySide6.QtWidgets import QMessageBox

    from gui.app import TakeHome

    _lab_db, package = lab_package(tmp_path, dataset_dir, "H005", texts=False)
    takehome = TakeHome(home, None, package, screening=short_screening, out_dir=tmp_path / "send-back")
    takehome.start()
    flow = takehome.window
    qtbot.addWidget(flow)
    activate(qtbot, flow)
    flow.close()  # the window's close button: asks, does not close
    assert flow.isVisible() and flow.leave_box.text() == "Leave the study now? Nothing has been recorded."
    flow.leave_box.button(QMessageBox.No).click()
    assert flow.isVisible() and flow.current == "welcome"
    qtbot.keyClick(flow, Qt.Key_Escape)
    with qtbot.waitSignal(flow.closed, timeout=5000):
        flow.leave_box.button(QMessageBox.Yes).click()
    with DbSession(home.db) as s:
        assert s.exec(select(func.count()).select_from(SessionRow)).one() == 0
        assert s.exec(select(func.count()).select_from(AuditLog)).one() == 0
