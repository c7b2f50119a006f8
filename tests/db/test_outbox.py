"""A station's journal delivered to the database (SQLite and PostgreSQL): each answer once,
an answer already there compared and counted when it is the same, a different one kept in the
journal as a conflict naming both (the stored answer untouched), the cursor moved on."""
import pytest
from sqlmodel import Session as DbSession, select

from db import repo
from db.engine import DatabaseFileError, open_database
from db.models import Response, Station
from db.outbox import Outbox, deliver
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner, answer_values
from tasks.study.studies import open_study
from tasks.study.enrolment import start_or_resume


def test_journal_is_delivered_once_and_a_different_answer_is_kept_as_a_conflict(lab_db, dataset_dir, tmp_path):
    engine = open_database(lab_db)
    ds = load_dataset(dataset_dir)
    study = open_study(engine, ds, "pilot", Protocol(practice_per_block=0))
    session = start_or_resume(engine, ds, study, "P001", "test", station="booth1")
    runner = SessionRunner(engine, session.id)
    runner.begin()
    trials = [runner.next_trial()]
    runner.answer(trials[0], trials[0].answer_letter, rt_ms=700.0)  # on the server already
    with DbSession(engine) as s:
        plan = repo.planned_trials(s, session.id)
    same = answer_values(trials[0], trials[0].answer_letter, rt_ms=700.0)  # the same answer, journalled
    wrong_letter = "<B>" if plan[1].answer_letter != "<B>" else "<A>"
    box = Outbox(tmp_path / "outbox.sqlite3")
    box.add(session.id, [same])  # delivered before the journal could note it
    box.add(session.id, [answer_values(plan[1], plan[1].answer_letter, rt_ms=800.0)])
    box.add(session.id, [answer_values(plan[2], plan[2].answer_letter, rt_ms=900.0)])
    box.close()
    box = Outbox(tmp_path / "outbox.sqlite3")  # durable: a new process finds it all
    assert box.count() == 3
    # a different answer to plan[2] reached the server by another path meanwhile
    with DbSession(engine) as s:
        s.add(Response(planned_trial_id=plan[2].id, session_id=session.id, chosen_letter=wrong_letter,
                       chosen_text="x", is_correct=False, rt_ms=1.0))
        s.commit()
    assert deliver(engine, box, "booth1") == 3
    assert deliver(engine, box, "booth1") == 0  # nothing left: a second delivery stores nothing
    assert box.count() == 0 and box.count("delivered") == 2
    (conflict,) = box.conflicts()
    assert conflict[0] == plan[2].id and "the server's answer was kept" in conflict[1]
    with DbSession(engine) as s:
        stored = {r.planned_trial_id: r for r in s.exec(select(Response).where(Response.session_id == session.id))}
        station = s.get(Station, "booth1")
    assert sorted(stored) == [plan[0].id, plan[1].id, plan[2].id]  # each once
    assert stored[plan[1].id].rt_ms == 800.0 and stored[plan[2].id].chosen_letter == wrong_letter
    assert station.pending_answers == 0
    assert SessionRunner(engine, session.id).next_trial().position == 3  # the cursor moved on
    box.close()


def _answer(planned_trial_id: int, text: str = "x") -> dict:
    return {"planned_trial_id": planned_trial_id, "chosen_letter": "<A>", "chosen_text": text, "is_correct": True,
            "rt_ms": 500.0}


def test_a_full_disk_while_journalling_is_one_clear_error_and_keeps_what_was_journalled(tmp_path):
    path = tmp_path / "outbox.sqlite3"
    box = Outbox(path)
    box.add(7, [_answer(1)])
    box.add_withheld(7, 2, "over the ceiling")
    box.add_adaptive(7, "loudness", 0, {"level_asked": 1.0})
    pages = box._con.execute("PRAGMA page_count").fetchone()[0]
    box._con.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full: no page more
    for write, not_saved in [(lambda: box.add(7, [_answer(3, "y" * 200_000)]), "this answer was not saved yet"),
                             (lambda: box.add_withheld(7, 4, "z" * 200_000), "the withheld trial was not recorded yet"),
                             (lambda: box.add_adaptive(7, "loudness", 1, {"level_asked": "w" * 200_000}),
                              "this answer was not saved yet")]:
        with pytest.raises(DatabaseFileError) as raised:
            write()
        message = str(raised.value)
        assert f"the station's journal {path} cannot be written" in message and message.endswith(not_saved)
        assert "full" in message and "\n" not in message
    assert box.count() == 3 and box.pending_ids(7) == ({1, 2}, {2})  # nothing half-written, nothing lost
    box.close()
    box = Outbox(path)
    assert box.count() == 3 and box.pending_ids(7) == ({1, 2}, {2})
    box.close()


def test_a_journal_file_removed_while_the_station_runs_is_written_back_with_every_entry(tmp_path):
    path = tmp_path / "outbox.sqlite3"
    box = Outbox(path)
    box.add(7, [_answer(1)])
    box.add_adaptive(7, "loudness", 0, {"level_asked": 1.0})
    for part in tmp_path.iterdir():  # the journal and its WAL removed (a cleaner, a careless rm)
        part.unlink()
    box.add(7, [_answer(2)])
    box.add_withheld(7, 3, "over the ceiling")
    box.add_adaptive(7, "loudness", 1, {"level_asked": 2.0})
    box.close()
    box = Outbox(path)  # the next start finds everything journalled before and after
    assert box.count() == 5 and box.pending_ids(7) == ({1, 2, 3}, {3}) and box.opened_note == ""
    assert [k for _, k, _, _ in box._con.execute("SELECT dimension, trial_index, values_json, state "
                                                 "FROM adaptive_journal ORDER BY id")] == [0, 1]
    box.close()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("outbox.sqlite3-")) == ["outbox.sqlite3"]
