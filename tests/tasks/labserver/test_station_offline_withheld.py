"""A trial over the safety ceiling while the lab server is away (a real PostgreSQL server under the
station's own role, stopped and started again mid-session): the withheld trial goes into the
station's journal like an answer and the session goes on; after the restart it is recorded
withheld on the server exactly once (one audit entry, even when delivered twice), the session
completes, and the export lists it as withheld."""
from __future__ import annotations

import csv
import sqlite3

import pytest
from sqlmodel import Session as DbSession, select

from db import repo
from db.engine import open_database
from db.journal_checks import entry_problem
from db.models import AuditLog, PlannedTrial, Response, Session
from db.outbox import Outbox
from tasks.dataset.loader import load_dataset
from tasks.labserver.station import StationLink
from tasks.results.export import export
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study
from tests.support.pg_roles import make_lab

REASON = "over the safety ceiling: 97.0 dB SPL > 85.0 dB SPL"


@pytest.fixture
def lab(own_pg_server, dataset_dir):
    lab = make_lab(own_pg_server, stations=("booth1",))
    ds = load_dataset(dataset_dir)
    owner = open_database(lab.owner_url())
    open_study(owner, ds, "pilot", Protocol(practice_per_block=0))
    booth1 = open_database(lab.station_url("booth1"))  # the station's own role: least privilege
    study = open_study(booth1, ds, "pilot", Protocol(practice_per_block=0))
    session = start_or_resume(booth1, ds, study, "P001", "test", station="booth1")
    with DbSession(owner) as s:
        plan = repo.planned_trials(s, session.id)
    yield lab, owner, booth1, session, plan
    owner.dispose()
    booth1.dispose()


def withheld_audit(engine, session_id) -> list[str]:
    with DbSession(engine) as s:
        return [a.detail for a in s.exec(select(AuditLog).where(AuditLog.session_id == session_id,
                                                                AuditLog.event == "withheld"))]


def test_a_trial_withheld_offline_is_skipped_and_recorded_once_on_the_server_after_the_restart(
        lab, own_pg_server, tmp_path):
    lab, owner, booth1, session, plan = lab
    link = StationLink(booth1, Outbox(tmp_path / "outbox-booth1.sqlite3"), "booth1")
    link.deliver_on_record = False  # as in the app: delivery is the timer's
    runner = SessionRunner(booth1, session.id, link=link)
    runner.begin()
    first = runner.next_trial()
    runner.answer(first, first.answer_letter)  # online

    own_pg_server.stop(keep=True)
    over = runner.next_trial()
    following = runner.withhold(over, REASON)  # no error, no "Try again": journalled
    assert over.id == plan[1].id and following.id == plan[2].id
    assert runner.progress().withheld == 1 and runner.progress().answered == 1
    assert link.state == "offline" and link.outbox.pending_ids(session.id)[1] == {over.id}
    (_, _, values_json, _), = [e for e in link.outbox.pending() if e[0] == over.id]
    assert entry_problem(over.id, session.id, values_json) is None  # checked like an answer
    while (trial := runner.next_trial()) is not None:  # the rest of the session, offline
        runner.answer(trial, trial.answer_letter)
    assert runner.progress().done == len(plan)

    own_pg_server.start()
    assert link.try_deliver() and link.outbox.count() == 0
    with DbSession(owner) as s:
        held = s.get(PlannedTrial, over.id)
        row = s.get(Session, session.id)
        answered = {r.planned_trial_id for r in s.exec(select(Response).where(Response.session_id == session.id))}
    assert held.withheld_reason == REASON and over.id not in answered
    assert answered == {t.id for t in plan} - {over.id}
    assert row.status == "completed" and row.next_position == max(t.position for t in plan) + 1
    assert withheld_audit(owner, session.id) == [f"trial at position {over.position}: {REASON}"]

    # delivered again (the station died after the server committed, before the journal noted it): once
    con = sqlite3.connect(link.outbox.path)
    con.execute("UPDATE journal SET state = 'pending' WHERE planned_trial_id = ?", (over.id,))
    con.commit()
    con.close()
    assert link.try_deliver()
    assert link.outbox.conflicts() == [] and link.outbox.quarantined() == []
    assert withheld_audit(owner, session.id) == [f"trial at position {over.position}: {REASON}"]

    out = tmp_path / "export"
    result = export(owner, out, "test", "pilot")
    rows = list(csv.DictReader(open(out / "trials.csv", encoding="utf-8")))
    (held_row,) = [r for r in rows if r["withheld"] == "True"]
    assert (held_row["session_id"], held_row["position"]) == (str(session.id), str(over.position))
    assert held_row["answered"] == "False" and held_row["withheld_reason"] == REASON
    assert result.withheld == {"pilot": 1}


def test_a_withheld_entry_for_a_trial_answered_on_the_server_is_kept_as_a_conflict(lab, tmp_path):
    lab, owner, booth1, session, plan = lab
    link = StationLink(booth1, Outbox(tmp_path / "outbox-booth1.sqlite3"), "booth1")
    runner = SessionRunner(booth1, session.id, link=link)
    runner.begin()
    trial = runner.next_trial()
    runner.answer(trial, trial.answer_letter)
    link.outbox.add_withheld(session.id, trial.id, REASON)  # e.g. a take-over answered it meanwhile
    assert link.try_deliver()
    ((planned_trial_id, note),) = link.outbox.conflicts()
    assert planned_trial_id == trial.id and "the server's answer was kept" in note
    with DbSession(owner) as s:
        assert s.get(PlannedTrial, trial.id).withheld_reason is None
    assert withheld_audit(owner, session.id) == []


def test_a_journal_read_at_a_sessions_start_counts_its_answers_and_withheld_trials_practice_apart(
        dataset_dir, tmp_path):
    from tasks.labserver.station import JournalledStore
    from tasks.study.runner import Progress, answer_values, progress_counts

    engine = open_database(tmp_path / "lab.sqlite3")
    ds = load_dataset(dataset_dir)
    session = start_or_resume(engine, ds, open_study(engine, ds, "pilot", Protocol(items_per_group=1)), "P001",
                              "test", station="booth1")
    with DbSession(engine) as s:
        plan = repo.planned_trials(s, session.id)
    practice = [t for t in plan if t.kind == "practice"]
    tests = [t for t in plan if t.kind != "practice"]
    assert len(practice) >= 3 and len(tests) >= 3
    outbox = Outbox(tmp_path / "outbox-booth1.sqlite3")
    outbox.add(session.id, [answer_values(t, t.answer_letter) for t in (practice[0], tests[0], tests[1])])
    outbox.add_withheld(session.id, practice[1].id, REASON)
    outbox.add_withheld(session.id, tests[2].id, REASON)
    store = JournalledStore(StationLink(engine, outbox, "booth1"), session.id)
    counts = store.load(progress_counts(engine, session.id))
    assert counts == Progress(answered=3, total=len(plan), withheld=2, practice_total=len(practice), practice_done=2,
                              practice_withheld=1)
    assert counts.shown_count(practice=True) == (2, len(practice) - 1)
    assert counts.shown_count(practice=False) == (3, len(tests) - 1)
    journalled = {t.id for t in (practice[0], practice[1], tests[0], tests[1], tests[2])}
    following = next(t for t in plan if t.id not in journalled)
    assert store.next_trial().id == following.id
    is_practice = following.kind == "practice"
    assert store.withhold(following, REASON, counts) == Progress(
        answered=3, total=len(plan), withheld=3, practice_total=len(practice), practice_done=2 + is_practice,
        practice_withheld=1 + is_practice)
