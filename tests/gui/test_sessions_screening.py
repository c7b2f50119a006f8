"""The Sessions page shows each participant's headphone screening and why a paused session is
paused, read from a real SQLite file (the audit log rows the participant window writes)."""
import json

from PySide6.QtWidgets import QApplication
from sqlmodel import Session as DbSession, select

from db import repo
from db.models import Participant, PlannedTrial, Response, Session
from gui.console.window import ConsoleWindow
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.pauses import level_check_pause_detail
from tasks.simulation.simulate import simulate
from tests.support.factories import pc_items, write_dataset
from tests.gui.conftest import save_screenshot


def _result(test, correct, passed):
    return {"test": test, "correct": correct, "trials": 6, "passed": passed}


def test_sessions_page_shows_screening_and_the_pause_reason(qtbot, ctx, tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "d", pc=pc_items(per_sub=2), tr=[], sr=[]))
    simulate(ctx.db, ds, Protocol(variants=["pc"], practice_per_block=0), 3, Observer("perfect"), "test",
             study_name="pilot")
    with DbSession(ctx.db) as s:
        ids = dict(s.exec(select(Participant.code, Session.id).join(Session, Session.participant_id == Participant.id)).all())
        repo.audit(s, "screening", json.dumps([_result("antiphase", 6, True), _result("huggins", 3, False)]),
                   ids["SIM001"])
        repo.audit(s, "screening", json.dumps([_result("antiphase", 5, True), _result("huggins", 6, True)]),
                   ids["SIM002"])
        # SIM003's last trial was withheld (over the safety ceiling) instead of answered
        last = s.exec(select(PlannedTrial).where(PlannedTrial.session_id == ids["SIM003"])
                      .order_by(PlannedTrial.position.desc())).first()
        s.delete(s.exec(select(Response).where(Response.planned_trial_id == last.id)).one())
        last.withheld_reason = "over the ceiling by 14.00 dB"
        s.add(last)
        s.commit()
    runner = SessionRunner(ctx.db, ids["SIM003"])
    runner.pause(level_check_pause_detail("too quiet"))
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.show_page("sessions")
    page = window.sessions_page
    qtbot.waitUntil(lambda: page.table.rowCount() == 3, timeout=10000)
    header = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
    rows = {page.table.item(r, 2).text(): [page.table.item(r, c).text() for c in range(page.table.columnCount())]
            for r in range(3)}
    screening, status = header.index("Screening"), header.index("Status")
    assert rows["SIM003"][header.index("Progress")] == "9/10 (1 withheld)" and rows["SIM001"][header.index("Progress")] == "10/10"
    assert rows["SIM001"][screening] == "antiphase 6/6 pass; huggins 3/6 FAIL"
    assert rows["SIM002"][screening] == "antiphase 5/6 pass; huggins 6/6 pass"
    assert rows["SIM003"][screening] == "not screened"
    assert rows["SIM003"][status] == ('paused: level check: the participant answered "too quiet"; adjust the sound, '
                                      "then resume: the level check runs again first")
    assert rows["SIM001"][status] == "completed"
    page.table.selectRow([r for r in range(3) if page.table.item(r, 2).text() == "SIM001"][0])
    assert "Screening: antiphase 6/6 pass; huggins 3/6 FAIL." in page.detail.text()
    QApplication.processEvents()
    save_screenshot(window, "console-sessions-screening")
    # resumed: no longer paused, no reason shown
    SessionRunner(ctx.db, ids["SIM003"]).begin()
    page.refresh()
    qtbot.waitUntil(lambda: any(page.table.item(r, status).text() == "running" for r in range(3)), timeout=10000)


def test_a_damaged_screening_row_is_named_on_the_page(qtbot, ctx, tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "d", pc=pc_items(per_sub=2), tr=[], sr=[]))
    simulate(ctx.db, ds, Protocol(variants=["pc"], practice_per_block=0), 1, Observer("perfect"), "test",
             study_name="pilot")
    with DbSession(ctx.db) as s:
        sid = s.exec(select(Session.id)).first()
        repo.audit(s, "screening", "not json", sid)
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    window.show_page("sessions")
    page = window.sessions_page
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10000)
    assert page.message.text().startswith(f"Screening results not shown: screening record of session {sid}: "
                                          "not valid JSON")
    assert page.table.item(0, 3).text() == "completed"
