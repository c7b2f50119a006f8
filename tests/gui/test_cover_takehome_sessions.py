"""The Sessions page of a cover study with take-home packages, on a real SQLite file: the console's
one CoverContexts serves enrolments and packages, Release share is offered only where it is safe
(disabled with the reason otherwise), and a bundle returned after its release is reported."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlmodel import Session as DbSession, select

from db import leases, repo
from db.leases import lease_of
from db.models import Participant, Session
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study
from tasks.takehome.packages import open_package, start_session, write_results_bundle
from tests.support.factories import write_dataset
from tests.support.gui_harness import open_console


@pytest.fixture
def cover_console(qtbot, ctx, tmp_path):
    from tasks.dataset.loader import load_dataset

    root = write_dataset(tmp_path / "ds")
    ds = load_dataset(root)
    open_study(ctx.db, ds, "c", Protocol(design="cover", responses_per_run=1, practice_per_block=0,
                                         session_minutes=6))
    with DbSession(ctx.db) as s:
        for code in ("H001", "L001", "L002", "L003"):
            repo.add_participant(s, Participant(code=code))
    window = open_console(qtbot, ctx, root)
    page = window.study_page
    page.study_name.setText("c")
    page.open_study()
    assert window.state.study.name == "c"
    window.show_page("sessions")
    return window


def settled(qtbot, sessions):
    qtbot.waitUntil(lambda: not sessions.job.busy and not sessions.coverage.job.busy, timeout=20000)


def session_of(ctx, code: str) -> Session:
    with DbSession(ctx.db) as s:
        participant = repo.get_participant(s, code)
        return s.exec(select(Session).where(Session.participant_id == participant.id)
                      .order_by(Session.id.desc())).first()


def select_session(qtbot, sessions, session_id: int):
    sessions.refresh()
    settled(qtbot, sessions)
    row = next(r for r, x in enumerate(sessions.lines) if x.session_id == session_id)
    sessions.table.selectRow(row)
    return sessions.lines[row]


def test_packages_and_enrolments_share_one_cover_context(qtbot, ctx, cover_console, tmp_path):
    sessions = cover_console.sessions_page
    sessions.participant.setCurrentText("H001")
    sessions.make_package(out_dir=str(tmp_path / "out"))
    assert "Package written" in sessions.message.text()
    assert ctx.shares is not None and len(ctx.shares._made) == 1
    (made,) = ctx.shares._made.values()
    sessions.open_participant_window = lambda _id: None
    for code in ("L001", "L002"):
        sessions.participant.setCurrentText(code)
        sessions.start()
        assert session_of(ctx, code) is not None
    assert list(ctx.shares._made.values()) == [made]  # built once, for the package, and kept
    assert session_of(ctx, "H001").take_home and session_of(ctx, "H001").status == "planned"


def test_release_is_offered_only_where_it_is_safe_and_says_why_not(qtbot, ctx, cover_console, tmp_path):
    sessions = cover_console.sessions_page
    sessions.open_participant_window = lambda _id: None
    sessions.participant.setCurrentText("H001")
    sessions.make_package(out_dir=str(tmp_path / "out"))
    away = session_of(ctx, "H001")
    x = select_session(qtbot, sessions, away.id)
    assert x.take_home and x.status == "planned"
    assert sessions.release_button.isEnabled() and "take-home package not returned" in sessions.release_button.toolTip()

    for code in ("L001", "L002", "L003"):
        sessions.participant.setCurrentText(code)
        sessions.start()
    running, lapsed, paused = (session_of(ctx, c) for c in ("L001", "L002", "L003"))
    now = datetime.now(timezone.utc)
    with DbSession(ctx.db) as s:
        for sid in (running.id, lapsed.id):
            repo.set_status(s, s.get(Session, sid), "running")
        repo.set_status(s, s.get(Session, paused.id), "paused")
    with DbSession(ctx.db) as s:
        live_lease, old_lease = lease_of(s.get(Session, running.id)), lease_of(s.get(Session, lapsed.id))
    assert leases.take(ctx.db, live_lease, "booth9/elsewhere.4242.abc", now + timedelta(seconds=90))
    assert leases.take(ctx.db, old_lease, "booth9/elsewhere.4242.def", now - timedelta(seconds=600))

    select_session(qtbot, sessions, running.id)  # a window runs it right now: not offered
    assert not sessions.release_button.isEnabled()
    tip = sessions.release_button.toolTip()
    assert "running on station booth9 right now" in tip and "past K" in tip
    select_session(qtbot, sessions, lapsed.id)  # its window stopped answering: offered
    assert sessions.release_button.isEnabled()
    select_session(qtbot, sessions, paused.id)
    assert sessions.release_button.isEnabled()
    with DbSession(ctx.db) as s:
        repo.set_status(s, s.get(Session, paused.id), "completed")
    select_session(qtbot, sessions, paused.id)
    assert not sessions.release_button.isEnabled() and "completed" in sessions.release_button.toolTip()

    # the live one is refused at release time too, should the table be stale
    sessions._release(running.id)
    assert "Not released" in sessions.message.text() and "running on station booth9" in sessions.message.text()
    with DbSession(ctx.db) as s:
        assert s.get(Session, running.id).status == "running"


def test_a_released_package_whose_bundle_comes_back_is_imported_and_reported(qtbot, ctx, cover_console, tmp_path):
    from db.engine import open_database

    sessions = cover_console.sessions_page
    sessions.participant.setCurrentText("H001")
    sessions.make_package(out_dir=str(tmp_path / "out"))
    away = session_of(ctx, "H001")
    (package,) = (tmp_path / "out").glob("*.zip")
    select_session(qtbot, sessions, away.id)
    sessions.release_selected()
    assert "take-home package is not back" in sessions.release_box.text()
    sessions.release_box.button(QMessageBox.Yes).click()
    qtbot.waitUntil(lambda: any(x.session_id == away.id and x.status == "released" for x in sessions.lines),
                    timeout=20000)
    # the participant answers at home all the same and sends the bundle
    home = open_database(tmp_path / "home.sqlite3")
    opened = open_package(package, tmp_path / "home-data")
    runner = SessionRunner(home, start_session(home, opened, "test").id)
    runner.begin()
    while (t := runner.next_trial()) is not None:
        runner.answer(t, t.answer_letter, rt_ms=700.0)
    bundle = write_results_bundle(home, runner.session_id, opened, tmp_path / "home-out", "test")
    sessions.import_results([str(bundle)])
    text = sessions.message.text()
    assert text.startswith("imported: H001") and "returned after its share was released" in text
    settled(qtbot, sessions)
    x = select_session(qtbot, sessions, away.id)
    assert x.status == "released" and x.answered == x.planned


def test_a_take_home_session_left_running_by_a_partial_bundle_is_not_offered_for_resuming(qtbot, ctx, cover_console,
                                                                                           tmp_path):
    from db.engine import open_database
    from gui.app import crashed_sessions
    from tasks.takehome.importing import import_results

    sessions = cover_console.sessions_page
    sessions.participant.setCurrentText("H001")
    sessions.make_package(out_dir=str(tmp_path / "out"))
    (package,) = (tmp_path / "out").glob("*.zip")
    home = open_database(tmp_path / "home.sqlite3")
    opened = open_package(package, tmp_path / "home-data")
    runner = SessionRunner(home, start_session(home, opened, "test").id)
    runner.begin()
    t = runner.next_trial()
    runner.answer(t, t.answer_letter, rt_ms=700.0)  # one answer, the bundle written mid-session
    import_results(ctx.db, write_results_bundle(home, runner.session_id, opened, tmp_path / "home-out", "test"))
    away = session_of(ctx, "H001")
    assert away.status == "running" and away.take_home
    assert crashed_sessions(ctx) == []  # it runs at home: the lab console never resumes it
    x = select_session(qtbot, sessions, away.id)
    assert x.releasable  # no window of the lab holds it
