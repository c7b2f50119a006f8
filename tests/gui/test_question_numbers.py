"""Question numbers over a withheld trial, on the JACK dummy server, a real SQLite file and
offscreen Qt: the numbers count the questions shown (consecutive, the total without the
withheld trial) and a session stopped and resumed shows the same number for the same trial."""
import pytest
from PySide6.QtCore import Qt
from sqlmodel import Session as DbSession

from db import repo
from tests.gui.test_participant_flow import lab, make_session, right_answer  # noqa: F401 (lab: a fixture)
from tests.support.gui_harness import start_participant_window

pytestmark = pytest.mark.jack


def open_window(lab, qtbot, dataset, session_id):  # noqa: F811
    from gui.participant.window import ParticipantWindow

    return start_participant_window(qtbot, ParticipantWindow(lab.db, session_id, dataset, lab.audio.presenter,
                                                             lab.bridge, "0000", screening=None))


def next_question(qtbot, window, seen: list):
    """Confirm messages until a trial is ready to answer (options enabled); its (title, planned
    trial id). None when the session is over."""
    for _ in range(20):
        if window.finished:
            return None
        if window.stack.currentWidget() is window.message:
            qtbot.keyClick(window, Qt.Key_Return)
            continue
        trial = window.trial
        qtbot.waitUntil(lambda: window.finished or window.stack.currentWidget() is window.message
                        or (bool(trial.option_buttons) and trial.option_buttons[0].isEnabled()), timeout=30000)
        if window.stack.currentWidget() is trial and not window.finished:
            shown = (trial.title.text(), window.runner.next_trial().id)
            seen.append(shown)
            return shown
    raise AssertionError("no question came")


def answer(qtbot, window) -> None:
    title = window.trial.title.text()
    qtbot.keyClick(window, chr(ord("A") + right_answer(window, title)))
    qtbot.keyClick(window, Qt.Key_Return)


def test_numbers_count_shown_questions_over_a_withheld_trial_and_after_a_resume(qtbot, lab, tmp_path):  # noqa: F811
    dataset, session, loud = make_session(lab, tmp_path, loud_test_index=1)  # 2 practice, 3 test (the 2nd withheld)
    window = open_window(lab, qtbot, dataset, session.id)
    seen: list = []
    while True:
        title, planned_id = next_question(qtbot, window, seen)
        if title.startswith("Question 2"):
            break  # shown after the withheld trial, not answered yet
        answer(qtbot, window)
    assert planned_id != loud.id
    with DbSession(lab.db) as s:
        assert s.get(repo.PlannedTrial, loud.id).withheld_reason.startswith("over the safety ceiling")
    # the session stops here (the window goes without pausing it, as after a crash) ...
    window.finished = True
    window.close()
    with DbSession(lab.db) as s:
        assert s.get(repo.Session, session.id).status == "running"

    # ... and is resumed: the same trial has the same number and total
    again = open_window(lab, qtbot, dataset, session.id)
    resumed: list = []
    assert next_question(qtbot, again, resumed) == (title, planned_id)
    while True:
        answer(qtbot, again)
        if next_question(qtbot, again, resumed) is None:
            break
    assert again.finished and again.message.title.text() == "Thank you!"

    titles = [t for t, _ in seen]
    assert titles == ["Practice 1 of 2", "Practice 2 of 2", "Question 1 of 3", "Question 2 of 2"]
    # numbers consecutive, the total without the withheld trial once it is withheld
    assert [t for t, _ in resumed] == ["Question 2 of 2"]
    assert loud.id not in {pid for _, pid in seen + resumed}
    with DbSession(lab.db) as s:
        answered = {r.planned_trial_id for r in repo.responses(s, session.id)}
        assert s.get(repo.Session, session.id).status == "completed"
    assert planned_id in answered and loud.id not in answered and len(answered) == 4
