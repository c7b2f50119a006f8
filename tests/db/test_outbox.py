"""A station's journal delivered to the database (SQLite and PostgreSQL): each answer once,
an answer already there compared and counted when it is the same, a different one kept in the
journal as a conflict naming both (the stored answer untouched), the cursor moved on."""
from sqlmodel import Session as DbSession, select

from db import repo
from db.engine import open_database
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
