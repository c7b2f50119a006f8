"""The console shows what happened at home: the consent a take-home participant gave in the
take-home app (Participants page, once the bundle is imported) and which sessions run at home
(Sessions page). Offscreen Qt on real SQLite files: the lab's and the participant's own."""
from __future__ import annotations

import json

from sqlmodel import Session as DbSession

from db import repo
from db.engine import open_database
from db.models import Participant
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study
from tasks.takehome.packages import open_package, start_session, write_results_bundle
from tests.support.factories import write_dataset
from tests.gui.conftest import save_screenshot
from tests.support.gui_harness import open_console, settle_layouts


def consent_cell(pp, code: str) -> str:
    row = next(r for r in range(pp.table.rowCount()) if pp.table.item(r, 0).text() == code)
    return pp.table.item(row, 3).text()


def answered_at_home(tmp_path, package, consent: bool = True):
    """The take-home app's path: the participant agrees (its audit entry "consent", as
    gui/takehome/flow.py writes it), answers every trial, and the bundle is written."""
    home = open_database(tmp_path / "home.sqlite3")
    opened = open_package(package, tmp_path / "home-data")
    session = start_session(home, opened, "test")
    if consent:
        with DbSession(home) as s:
            repo.audit(s, "consent", json.dumps({"agreed": True, "texts_sha256": {}}), session.id)
    runner = SessionRunner(home, session.id)
    runner.begin()
    while (t := runner.next_trial()) is not None:
        runner.answer(t, t.answer_letter, rt_ms=700.0)
    bundle = write_results_bundle(home, session.id, opened, tmp_path / "home-out", "test")
    home.dispose()
    return bundle


def test_consent_given_at_home_shows_with_where_and_the_session_is_marked_at_home(qtbot, ctx, tmp_path):
    from tasks.dataset.loader import load_dataset

    root = write_dataset(tmp_path / "ds")
    open_study(ctx.db, load_dataset(root), "home", Protocol(items_per_group=1, practice_per_block=0, seed=3))
    with DbSession(ctx.db) as s:
        repo.add_participant(s, Participant(code="H001"))  # the package's participant: no consent in the lab
    window = open_console(qtbot, ctx, root)
    window.study_page.study_name.setText("home")
    window.study_page.open_study()
    pp = window.participants_page
    pp.consent.setChecked(True)
    pp.add()  # P001... ticked in the lab
    lab_code = pp.table.item(pp.table.rowCount() - 1, 0).text()
    assert consent_cell(pp, lab_code).startswith("lab, ")
    assert consent_cell(pp, "H001") == ""  # nothing yet: the package is not even made

    sessions = window.sessions_page
    sessions.participant.setCurrentText("H001")
    sessions.make_package(out_dir=str(tmp_path / "out"))
    (package,) = (tmp_path / "out").glob("*.zip")
    # and a session of the lab's participant, planned on this computer
    with DbSession(ctx.db) as s:
        study = repo.get_study(s, "home")
    start_or_resume(ctx.db, window.state.dataset, study, lab_code, "test")
    sessions.import_results([str(answered_at_home(tmp_path, package))])
    assert sessions.message.text().startswith("imported: H001")
    # the Participants page learns of it at once (participantsChanged), with where it was given
    home_consent = consent_cell(pp, "H001")
    assert home_consent.startswith("at home, ") and len(home_consent) == len("at home, 2026-12-06 07:00")
    assert consent_cell(pp, lab_code).startswith("lab, ")
    qtbot.waitUntil(lambda: not sessions.job.busy and any(x.participant == "H001" for x in sessions.lines),
                    timeout=20000)
    row = next(r for r, x in enumerate(sessions.lines) if x.participant == "H001")
    assert sessions.lines[row].status == "completed" and sessions.table.item(row, 8).text() == "at home"
    sessions.table.selectRow(row)
    assert "(H001, study 'home', at home): completed." in sessions.detail.text()
    window.show_page("sessions")
    settle_layouts()
    save_screenshot(window, "console-sessions-at-home")
    window.show_page("participants")
    settle_layouts()
    save_screenshot(window, "console-participants-at-home")
    assert [sessions.table.item(r, 8).text() for r, x in enumerate(sessions.lines)
            if x.participant == lab_code] == [""]  # sessions run here: no station, no mark


def test_a_cover_package_is_marked_while_away_and_a_bundle_without_consent_shows_none(qtbot, ctx, tmp_path):
    """A cover study's package is a session planned in the lab at once: marked as at home while
    it is away. Only the take-home app's own consent entry counts: a session imported without
    one (an older bundle, say) shows no consent rather than an invented one."""
    from tasks.dataset.loader import load_dataset

    root = write_dataset(tmp_path / "ds")
    open_study(ctx.db, load_dataset(root), "home", Protocol(design="cover", responses_per_run=1,
                                                            practice_per_block=0, session_minutes=6))
    with DbSession(ctx.db) as s:
        repo.add_participant(s, Participant(code="H002"))
    window = open_console(qtbot, ctx, root)
    window.study_page.study_name.setText("home")
    window.study_page.open_study()
    sessions = window.sessions_page
    sessions.participant.setCurrentText("H002")
    sessions.make_package(out_dir=str(tmp_path / "out"))
    (package,) = (tmp_path / "out").glob("*.zip")
    sessions.refresh()
    qtbot.waitUntil(lambda: not sessions.job.busy and any(x.participant == "H002" for x in sessions.lines),
                    timeout=20000)
    (away,) = sessions.lines
    assert away.status == "planned" and sessions.table.item(0, 8).text() == "at home"
    sessions.table.selectRow(0)
    assert f"Session {away.session_id} (H002, study 'home', at home): planned." in sessions.detail.text()
    sessions.import_results([str(answered_at_home(tmp_path, package, consent=False))])
    assert sessions.message.text().startswith("imported: H002")
    assert consent_cell(window.participants_page, "H002") == ""
