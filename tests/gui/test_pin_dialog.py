"""The experimenter's PIN dialog over a trial, on the JACK dummy server, a real SQLite file and
offscreen Qt: a wrong PIN says so and keeps the dialog open, Cancel goes back to the same trial,
the response clock stands still the whole time the dialog is open (wrong tries included), and
the right PIN leaves the session paused."""
import pytest
from PySide6.QtCore import Qt
from sqlmodel import Session as DbSession

from db import repo
from tasks.study.pauses import pause_reason
from tests.gui.test_participant_flow import lab, make_session  # noqa: F401 (lab: a fixture)
from tests.support.gui_harness import start_participant_window

pytestmark = pytest.mark.jack


def first_trial(qtbot, window):
    """Confirm messages until a trial is shown and heard (its options enabled); its title."""
    for _ in range(10):
        if window.stack.currentWidget() is window.trial:
            break
        qtbot.keyClick(window, Qt.Key_Return)
    trial = window.trial
    assert window.stack.currentWidget() is trial
    qtbot.waitUntil(lambda: bool(trial.option_buttons) and trial.option_buttons[0].isEnabled(), timeout=30000)
    assert trial.last_onset is not None
    return trial.title.text()


def test_wrong_pin_keeps_the_dialog_open_and_its_time_stays_out_of_the_response_time(qtbot, lab, tmp_path):  # noqa: F811
    from gui.participant.window import ParticipantWindow

    dataset, session, _ = make_session(lab, tmp_path)
    window = ParticipantWindow(lab.db, session.id, dataset, lab.audio.presenter, lab.bridge, "4321", screening=None)
    start_participant_window(qtbot, window)
    title = first_trial(qtbot, window)
    trial, clock = window.trial, window.trial.clock
    planned_id = window.runner.next_trial().id

    qtbot.keyClick(window, Qt.Key_Escape)  # the experimenter's key
    opened_after = clock.now()
    dialog = window.pin_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert clock.paused
    for wrong in ("1234", ""):
        dialog.setTextValue(wrong)
        dialog.accept()  # what Enter or OK does
        assert dialog.isVisible() and dialog.result() == 0
        assert dialog.labelText().startswith("Wrong PIN, try again.")
        assert dialog.textValue() == ""  # emptied for the next try
        assert clock.paused and not window.finished
    # time passes with the wrong PIN on screen (measured, not slept)
    wrong_since = clock.now()
    qtbot.waitUntil(lambda: clock.now() - wrong_since > 0.3, timeout=5000)
    with DbSession(lab.db) as s:
        assert s.get(repo.Session, session.id).status == "running"
    cancelled_before = clock.now()
    dialog.reject()  # Cancel: back to the trial
    assert not dialog.isVisible()
    assert window.stack.currentWidget() is trial and trial.title.text() == title
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow() and not clock.paused, timeout=5000)

    qtbot.keyClick(window, "A")
    qtbot.keyClick(window, Qt.Key_Return)
    onset, chosen = trial.last_onset, trial.selected_at
    with DbSession(lab.db) as s:
        (response,) = [r for r in repo.responses(s, session.id) if r.planned_trial_id == planned_id]
    dialog_s = cancelled_before - opened_after  # the dialog was open at least this long
    assert opened_after > onset and dialog_s > 0.3
    assert response.rt_interrupted
    assert response.paused_ms >= dialog_s * 1000.0
    assert response.rt_ms == pytest.approx((chosen - onset) * 1000.0 - response.paused_ms, abs=0.2)
    assert response.rt_ms <= (chosen - onset - dialog_s) * 1000.0 + 0.2

    # the right PIN (after a wrong one) leaves: the session pauses, to resume at the next trial
    window.request_exit()
    dialog = window.pin_dialog
    dialog.setTextValue("0000")
    dialog.accept()
    assert dialog.isVisible() and not window.finished
    dialog.setTextValue("4321")
    dialog.accept()
    assert not dialog.isVisible() and window.finished and not window.isVisible()
    assert pause_reason(lab.db, session.id) == "left by the experimenter"
