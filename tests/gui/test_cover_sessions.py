"""The Sessions page of a cover study on a real SQLite file: the coverage view (units by answers
per sub-category, what is still needed) and releasing a share from the table."""
import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlmodel import Session as DbSession

from db import repo
from db.models import Participant, Response
from tasks.cover.coverage import coverage_summary
from tasks.cover.units import cover_units
from tasks.study.enrolment import start_or_resume
from tests.gui.conftest import save_screenshot
from tests.support.cover_db import build_cover_study, cover_protocol
from tests.support.factories import write_dataset
from tests.support.gui_harness import open_console


@pytest.fixture
def cover_window(qtbot, ctx, tmp_path):
    from tasks.dataset.loader import load_dataset

    root = write_dataset(tmp_path / "ds")
    ds = load_dataset(root)
    protocol = cover_protocol(k=3, session_minutes=20)
    units = cover_units(ds, protocol)
    missing = {units[0].key: 3, units[1].key: 2, units[5].key: 1, units[-1].key: 1}
    build_cover_study(tmp_path / "lab.sqlite3", ds, protocol, engine=ctx.db, missing=missing, study_name="cover")
    window = open_console(qtbot, ctx, root)
    page = window.study_page
    page.study_name.setText("cover")
    page.open_study()
    assert window.state.study.name == "cover"
    return window, ds


def settled(qtbot, sessions):
    qtbot.waitUntil(lambda: not sessions.job.busy and not sessions.coverage.job.busy, timeout=20000)


def test_coverage_view_counts_units_by_answers_and_what_is_still_needed(qtbot, ctx, cover_window):
    window, ds = cover_window
    window.show_page("sessions")
    sessions = window.sessions_page
    sessions.refresh()
    settled(qtbot, sessions)
    view = sessions.coverage
    assert view.isVisible()
    with DbSession(ctx.db) as s:
        expected = coverage_summary(s, ds, repo.get_study(s, "cover"))
    assert view.summary == expected and expected.answers_needed == 3 + 2 + 1 + 1
    table = view.table
    assert table.rowCount() == len(expected.groups)
    assert [table.horizontalHeaderItem(c).text() for c in range(2, 6)] == ["0 answers", "1 answer", "2 answers",
                                                                            "3 answers"]
    for row, group in enumerate(expected.groups):
        assert table.item(row, 0).text() == group.group
        assert [int(table.item(row, 2 + a).text()) for a in range(4)] == list(group.by_answers)
        bar = table.cellWidget(row, 6)
        assert bar.maximum() == group.runs * 3
    assert f"{expected.participants_needed} participants" in view.needed.text()
    assert "Still needed: 7 answers" in view.needed.text()
    QApplication.processEvents()
    save_screenshot(window, "console-sessions-coverage")


def test_release_share_asks_then_releases_and_the_table_shows_it(qtbot, ctx, cover_window):
    window, ds = cover_window
    with DbSession(ctx.db) as s:
        repo.add_participant(s, Participant(code="NEW001"))
    session = start_or_resume(ctx.db, ds, window.state.study, "NEW001", "test")
    with DbSession(ctx.db) as s:
        first = [t for t in repo.planned_trials(s, session.id) if t.kind == "test"][0]
        s.add(Response(planned_trial_id=first.id, session_id=session.id, chosen_letter="A", is_correct=True))
        s.commit()
    window.show_page("sessions")
    sessions = window.sessions_page
    sessions.refresh()
    settled(qtbot, sessions)
    row = next(r for r, x in enumerate(sessions.lines) if x.session_id == session.id)
    completed = next(r for r, x in enumerate(sessions.lines) if x.status == "completed")
    sessions.table.selectRow(completed)
    assert not sessions.release_button.isEnabled()  # a completed share has nothing to give back
    sessions.table.selectRow(row)
    assert sessions.release_button.isEnabled()
    sessions.release_selected()
    box = sessions.release_box
    assert box.isVisible() and f"session {session.id}" in box.text()
    box.button(QMessageBox.Cancel).click()  # cancelled: nothing changes
    settled(qtbot, sessions)
    assert sessions.lines[row].status != "released"
    sessions.table.selectRow(row)
    sessions.release_selected()
    sessions.release_box.button(QMessageBox.Yes).click()
    qtbot.waitUntil(lambda: any(x.session_id == session.id and x.status == "released" for x in sessions.lines),
                    timeout=20000)
    settled(qtbot, sessions)
    assert "went back to the pool" in sessions.message.text()
    row = next(r for r, x in enumerate(sessions.lines) if x.session_id == session.id)
    assert sessions.table.item(row, 3).text() == "released"
    sessions.table.selectRow(row)
    assert not sessions.release_button.isEnabled()
    with DbSession(ctx.db) as s:
        assert repo.audit_log(s, session.id)[-1].event == "released"
