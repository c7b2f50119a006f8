"""The participant window of a lab station (offscreen Qt, audio on the JACK dummy server, a real
PostgreSQL server): the server is stopped after the practice trials and the participant answers
the rest of the session without any message; after the server is started again the app's
delivery timer (a thread of its own) brings every answer to the server once and the session is completed there."""
import pytest
from sqlmodel import Session as DbSession, select

from db import repo
from db.models import Response, Session, Station
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.studies import open_study
from tasks.study.enrolment import start_or_resume
from tests.support.factories import sr_items, write_dataset
from tests.support.gui_harness import lab_context, start_participant_window
from tests.gui.test_participant_flow import right_answer, step

pytestmark = pytest.mark.jack


@pytest.fixture
def app(qtbot, tmp_path, jack_server, own_pg_server):
    server = own_pg_server
    from gui.app import Application

    ctx = lab_context(tmp_path, server.create_database("lab"), "test-station")
    ctx.station = "booth1"  # as main.py --station booth1 gives it
    app = Application(ctx, None)
    qtbot.addWidget(app.console)
    yield app
    app.delivery.stop()
    ctx.audio.presenter.engine.close()


def station_window(qtbot, app, session_id: int, dataset):
    """The app's participant window for ``session_id`` (no screening), shown and started."""
    class State:
        pass

    State.dataset = dataset
    window = app.participant_window(session_id, State)
    window.screening = None
    return start_participant_window(qtbot, window)


def station_session(ctx, tmp_path):
    """(dataset, session, its planned trials) of a study of two practice and three test trials,
    started for P001 on station booth1."""
    dataset = load_dataset(write_dataset(tmp_path / "ds", sr=sr_items(2)))
    study = open_study(ctx.db, dataset, "flow", Protocol(variants=["sr"], items_per_group=1, practice_per_block=2))
    session = start_or_resume(ctx.db, dataset, study, "P001", "test", station="booth1")
    with DbSession(ctx.db) as s:
        return dataset, session, repo.planned_trials(s, session.id)


def answer_stopping_the_server(qtbot, window, server) -> list[str]:
    """Right answers to the end of the session, the server stopped once the practice trials are
    answered; the titles seen (the window is asserted finished)."""
    seen: list = []
    for _ in range(40):
        if window.finished:
            break
        if [k for k, _ in seen].count("trial") == 2 and server.process.poll() is None:
            server.stop(keep=True)  # the practice is answered: the server goes away
        step(qtbot, window, seen, right_answer)
    assert window.finished and window.message.title.text() == "Thank you!"
    return [t for _, t in seen]


def test_the_window_goes_on_through_a_server_stop_and_the_answers_arrive_after_the_restart(qtbot, app, own_pg_server,
                                                                                          tmp_path):
    server = own_pg_server
    ctx = app.ctx
    dataset, session, plan = station_session(ctx, tmp_path)
    assert [t.kind for t in plan] == ["practice", "practice", "test", "test", "test"]

    window = station_window(qtbot, app, session.id, dataset)
    link = ctx.station_link
    assert link is not None and link.station == "booth1" and app.delivery.isActive()
    titles = answer_stopping_the_server(qtbot, window, server)
    assert titles == ["Part 1", "Practice 1 of 2", "Correct!", "Practice 2 of 2", "Correct!", "Practice is over",
                      "Question 1 of 3", "Question 2 of 3", "Question 3 of 3"]  # no "Not saved yet", no stop
    assert window.progress.value() == window.progress.maximum()
    assert link.outbox.count() == 3 and link.state == "offline"
    window.close()

    server.start()
    qtbot.waitUntil(lambda: link.state == "online", timeout=3 * app.delivery.interval() + 5000)  # the timer
    assert link.outbox.count() == 0
    with DbSession(ctx.db) as s:
        ids = [r.planned_trial_id for r in s.exec(select(Response).where(Response.session_id == session.id))]
        row = s.get(Session, session.id)
        station = s.get(Station, "booth1")
    assert sorted(ids) == sorted(t.id for t in plan) and len(set(ids)) == len(ids)
    assert row.status == "completed" and row.next_position == 5
    assert station.pending_answers == 0 and link.state == "online"


def test_a_trial_over_the_ceiling_while_the_server_is_away_is_passed_over_and_recorded_withheld_after_the_restart(
        qtbot, app, own_pg_server, tmp_path):
    import numpy as np
    import soundfile

    from db.models import PlannedTrial

    server = own_pg_server
    ctx = app.ctx
    dataset, session, plan = station_session(ctx, tmp_path)
    loud = plan[3]  # the second test trial: a near full-scale file, over the 85 dB SPL ceiling
    rate = 16000
    tone = 0.9 * np.sin(2 * np.pi * 1000 * np.arange(int(0.2 * rate)) / rate)
    for path in dataset.item("sr", loud.item_id).audio_paths:
        soundfile.write(str(dataset.root / path), np.column_stack([tone, tone]), rate, subtype="PCM_16")

    window = station_window(qtbot, app, session.id, dataset)
    link = ctx.station_link
    titles = answer_stopping_the_server(qtbot, window, server)
    # the withheld trial takes no number and leaves the total (docs/session.md)
    assert [t for t in titles if t.startswith("Question ")] == ["Question 1 of 3", "Question 2 of 2"]
    assert "Not saved yet" not in titles  # no "Try again" while the server is away
    assert link.outbox.pending_ids(session.id)[1] == {loud.id} and link.outbox.count() == 3
    window.close()

    server.start()
    qtbot.waitUntil(lambda: link.state == "online", timeout=3 * app.delivery.interval() + 5000)
    with DbSession(ctx.db) as s:
        held = s.get(PlannedTrial, loud.id)
        ids = {r.planned_trial_id for r in s.exec(select(Response).where(Response.session_id == session.id))}
        row = s.get(Session, session.id)
    assert held.withheld_reason.startswith("over the safety ceiling: ") and loud.id not in ids
    assert ids == {t.id for t in plan} - {loud.id} and row.status == "completed"
