"""The participant window and session ownership on one SQLite file opened by two stations (two
engines), on the JACK dummy server: a window opened on a session another station runs live
stores nothing and says so calmly; a window whose session was taken over has its next answer
refused (nothing stored) and closes calmly, while the new owner's answer lands."""
from datetime import timedelta

import pytest
from sqlmodel import Session as DbSession

from db import repo
from db.engine import open_database
from db.models import utc_now
from tasks.study import ownership
from tasks.study.runner import SessionRunner
from tests.gui.test_participant_flow import lab, make_session, right_answer, step  # noqa: F401 (fixture)
from tests.gui.test_session_jack import short_screening
from tests.support.gui_harness import start_participant_window

pytestmark = pytest.mark.jack


def window_for(ctx, qtbot, dataset, session_id, holder):
    from gui.participant.window import ParticipantWindow

    window = ParticipantWindow(ctx.db, session_id, dataset, ctx.audio.presenter, ctx.bridge, "0000",
                               screening=short_screening, holder=holder)
    return start_participant_window(qtbot, window)


def answers(db, session_id):
    with DbSession(db) as s:
        return len(repo.responses(s, session_id))


def test_a_window_on_a_live_session_of_another_station_stores_nothing(qtbot, lab, tmp_path):  # noqa: F811
    dataset, session, _ = make_session(lab, tmp_path)
    other = open_database(tmp_path / "lab.sqlite3")  # station A, running the session live
    holder_a = ownership.new_holder("boothA")
    ownership.claim(other, session.id, holder_a)
    SessionRunner(other, session.id, holder=holder_a).begin()
    window = window_for(lab, qtbot, dataset, session.id, ownership.new_holder("boothB"))
    assert window.finished and window.message.title.text() == "Please call the experimenter"
    assert "continues on another computer" in window.message.body.text()
    window.close()
    with DbSession(other) as s:
        assert answers(other, session.id) == 0
        assert s.get(type(session), session.id).lease_holder == holder_a  # closing B's window left A's lease alone


def test_a_taken_over_window_is_refused_calmly_and_the_new_owner_answers(qtbot, lab, tmp_path):  # noqa: F811
    dataset, session, _ = make_session(lab, tmp_path)
    window = window_for(lab, qtbot, dataset, session.id, ownership.new_holder("boothA"))
    b = open_database(tmp_path / "lab.sqlite3")
    holder_b = ownership.new_holder("boothB")

    def take_over_on_practice_2(window, title):
        if title == "Practice 2 of 2":  # A's participant is on practice 2 when A looks crashed
            assert answers(lab.db, session.id) == 1
            later = utc_now() + timedelta(seconds=ownership.LEASE_S + 5)  # A's lease lapsed
            assert ownership.take_over(b, session.id, "boothB", later) == "boothA"
            ownership.claim(b, session.id, holder_b)

    seen: list = []
    for _ in range(60):
        if window.finished:
            break
        step(qtbot, window, seen, right_answer, take_over_on_practice_2)  # A then confirms practice 2
    assert window.message.title.text() == "Please call the experimenter"
    assert "continues on another computer" in window.message.body.text()
    assert answers(lab.db, session.id) == 1  # nothing stored from A
    window.close()
    runner_b = SessionRunner(b, session.id, holder=holder_b)
    runner_b.begin()
    trial = runner_b.next_trial()
    assert trial.position == 1
    runner_b.answer(trial, trial.answer_letter)
    assert answers(b, session.id) == 2
