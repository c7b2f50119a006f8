"""The start-up offer and the Sessions page's take-over with two stations on one SQLite file:
station B is never offered station A's session (live or interrupted); A is offered its own
interrupted session; B gets it only through the take-over action, which is audit-logged."""
from datetime import timedelta
from types import SimpleNamespace

from PySide6.QtWidgets import QWidget
from sqlmodel import Session as DbSession

from db import repo
from db.engine import open_database
from db.models import Session as SessionRow, utc_now
from tasks.dataset.loader import load_dataset
from tasks.study import ownership
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study


def test_the_offer_is_made_on_the_sessions_own_station_and_elsewhere_only_by_take_over(qtbot, tmp_path, dataset_dir):
    from gui.app import crashed_sessions
    from gui.console.takeover import TakeOver

    path = tmp_path / "lab.sqlite3"
    a = SimpleNamespace(db=open_database(path), station="boothA")
    b = SimpleNamespace(db=open_database(path), station="boothB")
    ds = load_dataset(dataset_dir)
    study = open_study(a.db, ds, "pilot", Protocol(practice_per_block=0))
    sid = start_or_resume(a.db, ds, study, "P001", "test").id
    holder = ownership.new_holder("boothA")
    ownership.claim(a.db, sid, holder)
    runner = SessionRunner(a.db, sid, holder=holder)
    runner.begin()
    for _ in range(3):
        trial = runner.next_trial()
        runner.answer(trial, trial.answer_letter)
    assert crashed_sessions(b) == [] and crashed_sessions(a) == []  # live: offered nowhere
    with a.db.begin() as conn:  # A crashed long ago: its lease lapsed
        conn.execute(SessionRow.__table__.update().where(SessionRow.__table__.c.id == sid)
                     .values(lease_until=utc_now() - timedelta(seconds=5)))
    assert [x[0].id for x in crashed_sessions(a)] == [sid] and crashed_sessions(b) == []
    page = QWidget()
    qtbot.addWidget(page)
    said, opened = [], []
    take = TakeOver(page, b, said.append, opened.append)
    take.ask(sid)
    assert take.box is not None and take.box.objectName() == "takeOverBox" and "boothA" in take.box.text()
    take.box.close()
    take.confirm(sid)
    assert opened == [sid] and "taken over from station boothA" in said[-1]
    with DbSession(b.db) as s:
        assert any(x.event == "taken over" and "from station boothA to station boothB" in x.detail
                   for x in repo.audit_log(s, sid))
    assert crashed_sessions(a) == []  # no longer A's
