"""The Sessions page's data on a lab server (no Qt: gui/console/sessions_data.py is read on a
worker): every station's sessions with station, participant, progress and last answer time,
and a station's state (offline?, catching up) as the server can know it."""
from datetime import datetime, timedelta, timezone

from db.engine import open_database
from db.outbox import touch_station
from gui.console.sessions_data import OFFLINE_AFTER_S, sessions_data, station_text
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study
from tasks.study.enrolment import start_or_resume


def test_every_stations_sessions_with_station_progress_and_last_answer(lab_db, dataset_dir):
    engine = open_database(lab_db)
    ds = load_dataset(dataset_dir)
    study = open_study(engine, ds, "pilot", Protocol(practice_per_block=0))
    runners = {}
    for code, station in (("P001", "booth1"), ("P002", "booth2"), ("P003", None)):
        session = start_or_resume(engine, ds, study, code, "test", station=station)
        runners[code] = runner = SessionRunner(engine, session.id)
        runner.begin()
    for _ in range(3):
        t = runners["P001"].next_trial()
        runners["P001"].answer(t, t.answer_letter)
    with engine.begin() as conn:
        touch_station(conn, "booth2", pending_answers=7)
    table = sessions_data(engine, lambda *a: None, lambda: False)
    lines = {x.participant: x for x in table.lines}
    assert lines["P001"].station == "booth1" and lines["P001"].answered == 3
    assert lines["P001"].last_answer_at is not None
    assert lines["P002"].station == "booth2 (catching up: 7 answers)"
    assert lines["P003"].station == "" and lines["P003"].last_answer_at is None


def test_a_running_session_not_heard_of_for_a_minute_is_shown_as_perhaps_offline():
    now = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)
    quiet = now - timedelta(seconds=OFFLINE_AFTER_S + 125)
    assert station_text("booth3", "running", quiet, None, 0, now) == "booth3 (offline?, last heard 3 min ago)"
    assert station_text("booth3", "running", now - timedelta(seconds=5), None, 0, now) == "booth3"
    assert station_text("booth3", "completed", quiet, None, 0, now) == "booth3"  # done: nothing to hear
    # heard of recently through its status row, with answers still to deliver
    assert station_text("booth3", "running", quiet, now, 4, now) == "booth3 (catching up: 4 answers)"
    assert station_text(None, "running", quiet, None, 0, now) == ""
    assert station_text("booth3", "running", now, now, 0, now, "2 journal entries quarantined") == \
        "booth3; 2 journal entries quarantined"


def test_sessions_started_on_a_lab_server_carry_the_station_name(pg_url, dataset_dir, tmp_path):
    import socket

    from tasks.labserver.station import station_name

    server = open_database(pg_url)
    assert station_name(server, "booth7") == "booth7"
    assert station_name(server) == socket.gethostname()  # no --station: the host name
    assert station_name(open_database(tmp_path / "one.sqlite3"), "booth7") is None  # one computer: no station
    ds = load_dataset(dataset_dir)
    study = open_study(server, ds, "pilot", Protocol(practice_per_block=0))
    session = start_or_resume(server, ds, study, "P001", "test", station=station_name(server, "booth7"))
    assert session.station == "booth7"


def test_a_station_name_that_cannot_name_its_journal_is_refused_clearly(tmp_path, capsys):
    import main

    assert main.main(["simulate", "--participants", "1", "--station", "../booth", "--db",
                      str(tmp_path / "lab.sqlite3"), "--dataset", str(tmp_path / "none")]) != 0
    err = capsys.readouterr().err
    assert "station name '../booth'" in err and "Traceback" not in err
    assert not list(tmp_path.glob("*.sqlite3"))  # refused before anything was made
