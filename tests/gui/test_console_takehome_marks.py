"""The console shows what happened at home: the consent a take-home participant gave in the
take-home app (Participants page, once the bundle is imported). Offscreen Qt on real SQLite files: the lab's and the participant's own."""
from __future__ import annotations

import json

from sqlmodel import Session as DbSession

from db import repo
from db.engine import open_database
from db.models import Participant
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study
from tasks.takehome.packages import open_package, start_session, write_results_bundle
from tests.support.factories import write_dataset
from tests.support.gui_harness import open_console


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


def test_consent_given_at_home_shows_with_where(qtbot, ctx, tmp_path):
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
    sessions.import_results([str(answered_at_home(tmp_path, package))])
    assert sessions.message.text().startswith("imported: H001")
    # the Participants page learns of it at once (participantsChanged), with where it was given
    home_consent = consent_cell(pp, "H001")
    assert home_consent.startswith("at home, ") and len(home_consent) == len("at home, 2026-12-06 07:00")
    assert consent_cell(pp, lab_code).startswith("lab, ")
