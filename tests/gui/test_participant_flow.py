"""The participant window's course of a session on the JACK dummy server, a real SQLite file and
offscreen Qt: each headphone check introduced, practice counted apart and closed by one
"practice is over" screen, a trial over the safety ceiling withheld (never played, the session
goes on), the response clock stopped while the PIN dialog is open, the level check run again
after a "too quiet" pause, and the window sized to its screen."""
import csv
import json

import numpy as np
import pytest
import soundfile
from PySide6.QtCore import Qt
from sqlmodel import Session as DbSession

from db import repo
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.studies import open_study
from tasks.study.pauses import pause_reason
from tasks.study.enrolment import start_or_resume
from tests.support.factories import sr_items, write_dataset
from tests.support.gui_harness import lab_context
from tests.gui.test_session_jack import short_screening

pytestmark = pytest.mark.jack


@pytest.fixture
def lab(tmp_path, jack_server):
    from gui.common.bridge import EngineBridge

    ctx = lab_context(tmp_path, tmp_path / "lab.sqlite3", "test-station")  # default policy: refuse
    assert not ctx.audio.presenter.allow_attenuation
    ctx.bridge = EngineBridge(ctx.audio.presenter.engine.events)
    yield ctx
    ctx.audio.presenter.engine.close()


def make_session(ctx, tmp_path, loud_test_index: int | None = None):
    """sr only: 2 practice trials, then 3 test trials; the test trial ``loud_test_index`` (0-based)
    gets a near full-scale file, over the 85 dB SPL ceiling at the default digital reference."""
    dataset = load_dataset(write_dataset(tmp_path / "ds", sr=sr_items(2)))
    study = open_study(ctx.db, dataset, "flow", Protocol(variants=["sr"], items_per_group=1, practice_per_block=2))
    session = start_or_resume(ctx.db, dataset, study, "P001", "test")
    with DbSession(ctx.db) as s:
        trials = repo.planned_trials(s, session.id)
    assert [t.kind for t in trials] == ["practice", "practice", "test", "test", "test"]
    loud = None
    if loud_test_index is not None:
        loud = trials[2 + loud_test_index]
        item = dataset.item("sr", loud.item_id)
        rate = 16000
        tone = 0.9 * np.sin(2 * np.pi * 1000 * np.arange(int(0.2 * rate)) / rate)
        for path in item.audio_paths:
            soundfile.write(str(dataset.root / path), np.column_stack([tone, tone]), rate, subtype="PCM_16")
    return dataset, session, loud


def open_window(ctx, qtbot, dataset, session_id, show=True):
    from gui.participant.window import ParticipantWindow

    window = ParticipantWindow(ctx.db, session_id, dataset, ctx.audio.presenter, ctx.bridge, "0000",
                               screening=short_screening)
    qtbot.addWidget(window)
    if show:
        window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        window.start()
    return window


def step(qtbot, window, seen: list, choose=lambda window, title: 0, before_answer=None) -> None:
    """Deal with the screen shown: continue a message, or answer a trial."""
    if window.stack.currentWidget() is window.message:
        seen.append(("message", window.message.title.text()))
        assert window.message.button.isVisible(), window.message.title.text()
        qtbot.keyClick(window, Qt.Key_Return)
        return
    trial = window.trial
    qtbot.waitUntil(lambda: bool(trial.option_buttons) and trial.option_buttons[0].isEnabled(), timeout=30000)
    title = trial.title.text()
    seen.append(("trial", title))
    if before_answer is not None:
        before_answer(window, title)
    qtbot.keyClick(window, chr(ord("A") + choose(window, title)))
    assert trial.confirm.isEnabled()
    qtbot.keyClick(window, Qt.Key_Return)


def right_answer(window, title):
    if title.startswith(("Practice ", "Question ")):
        t = window.runner.next_trial()
        return json.loads(t.options_json).index(t.answer)
    return 0


def leave_with_pin(window) -> None:
    window.request_exit()
    window.pin_dialog.setTextValue("0000")
    window.pin_dialog.accept()


def test_checks_introduced_practice_apart_over_ceiling_withheld_and_rt_without_the_pin_dialog(qtbot, lab, tmp_path):
    from tasks.results.export import export

    dataset, session, loud = make_session(lab, tmp_path, loud_test_index=1)
    window = open_window(lab, qtbot, dataset, session.id)
    seen: list = []
    paused_on: list = []

    def pin_dialog_mid_trial(window, title):
        if title == "Question 1 of 3":
            window.request_exit()  # the experimenter's PIN dialog opens mid-trial ...
            qtbot.waitUntil(lambda: window.pin_dialog.isVisible(), timeout=5000)
            clock = window.trial.clock
            assert clock.paused
            # the response time has a pause in it (what the stored answer must show)
            qtbot.waitUntil(lambda: clock.measure(window.trial.last_onset, clock.now()).paused_ms > 0, timeout=5000)
            window.pin_dialog.reject()  # ... and is cancelled: the trial goes on
            window.activateWindow()
            qtbot.waitUntil(lambda: window.isActiveWindow() and not window.trial.clock.paused, timeout=5000)
            paused_on.append(window.runner.next_trial().id)

    for _ in range(60):
        if window.finished:
            break
        step(qtbot, window, seen, right_answer, pin_dialog_mid_trial)
    assert window.finished and window.message.title.text() == "Thank you!"
    window.close()

    messages = [t for kind, t in seen if kind == "message"]
    titles = [t for _, t in seen]
    # each check has its own introduction, right before its first question
    first_check = titles.index("Headphone check 1 of 2: Quietest tone")
    second_check = titles.index("Headphone check 2 of 2: Hidden tone")
    assert titles[first_check + 1] == "Quietest tone: 1 of 6"
    assert titles[second_check - 1] == "Quietest tone: 6 of 6" and titles[second_check + 1] == "Hidden tone: 1 of 6"
    # practice counted apart; one practice-over screen, after the last practice feedback and before question 1
    assert [t for t in titles if t.startswith("Practice ")] == ["Practice 1 of 2", "Practice 2 of 2",
                                                                "Practice is over"]
    over = titles.index("Practice is over")
    assert titles[over - 1] in ("Correct!", "Not quite") and titles[over - 2] == "Practice 2 of 2"
    # the withheld second question is passed over without a word, and without a number: the
    # next question is number 2, of a total without it
    assert [t for t in titles if t.startswith("Question ")] == ["Question 1 of 3", "Question 2 of 2"]
    assert titles.index("Question 2 of 2") == titles.index("Question 1 of 3") + 1
    assert "Please call the experimenter" not in messages

    with DbSession(lab.db) as s:
        planned = repo.planned_trials(s, session.id)
        answers = {r.planned_trial_id: r for r in repo.responses(s, session.id)}
        status = s.get(repo.Session, session.id).status
    assert status == "completed"
    (held,) = [t for t in planned if t.withheld_reason is not None]
    assert held.id == loud.id and held.id not in answers
    assert held.withheld_reason.startswith("over the safety ceiling: ")
    assert len(answers) == len(planned) - 1
    # the PIN dialog's time is out of the response time and flagged; the other trials are clean
    interrupted = answers[paused_on[0]]
    assert interrupted.paused_ms > 0 and interrupted.rt_interrupted and interrupted.rt_ms > 0
    others = [r for pid, r in answers.items() if pid != paused_on[0]]
    assert all(r.paused_ms == 0.0 and not r.rt_interrupted for r in others)

    out = tmp_path / "export"
    result = export(lab.db, out, "test")
    rows = list(csv.DictReader(open(out / "trials.csv", encoding="utf-8")))
    (row,) = [r for r in rows if r["withheld"] == "True"]
    assert row["unique_id"] == held.unique_id and row["answered"] == "False"
    assert row["withheld_reason"] == held.withheld_reason
    (paused_row,) = [r for r in rows if r["rt_interrupted"] == "True"]
    assert float(paused_row["paused_ms"]) == interrupted.paused_ms
    kit = [json.loads(line) for line in open(out / "flow" / "human-P001" / "sr" / "infer_results.jsonl")]
    assert len(kit) == 2 and held.unique_id not in {r["unique_id"] for r in kit}
    side = json.loads((out / "trials.columns.json").read_text())
    assert side["withheld_trials"]["flow"] == 1 == result.withheld["flow"]
    assert {"paused_ms", "rt_interrupted", "withheld", "withheld_reason"} <= set(side["columns"])


def test_level_check_runs_again_after_a_too_quiet_pause_and_the_window_fills_its_screen(qtbot, lab, tmp_path):
    from gui.participant.session_flow import size_to_screen

    dataset, session, _ = make_session(lab, tmp_path)
    window = open_window(lab, qtbot, dataset, session.id)
    seen: list = []
    too_quiet = lambda window, title: 2 if title == "Sound level" else 0  # noqa: E731
    for _ in range(40):
        if window.finished:
            break
        step(qtbot, window, seen, too_quiet)
    assert ("trial", "Sound level") in seen
    assert window.message.title.text() == "Please call the experimenter"
    assert pause_reason(lab.db, session.id).startswith('level check: the participant answered "too quiet"')
    qtbot.keyClick(window, Qt.Key_Return)  # Close
    assert not window.isVisible()

    # resumed: the level check comes first again, not the screening and not a question
    again = open_window(lab, qtbot, dataset, session.id, show=False)
    again.show_for_participant()
    screen = again.screen().availableGeometry()
    assert again.geometry() == screen and screen.width() > 600  # not a clipped 529x264 window
    again.activateWindow()
    qtbot.waitUntil(again.isActiveWindow, timeout=5000)
    resumed: list = []
    while not (again.stack.currentWidget() is again.message and again.message.title.text() == "Ready"):
        step(qtbot, again, resumed)
        assert len(resumed) < 5
    assert resumed == [("trial", "Sound level")]
    assert pause_reason(lab.db, session.id) is None
    step(qtbot, again, resumed)
    assert again.message.title.text() == "Part 1"
    leave_with_pin(again)
    assert again.finished and pause_reason(lab.db, session.id) == "left by the experimenter"

    # sized explicitly, also before any window manager could do it
    other = open_window(lab, qtbot, dataset, session.id, show=False)
    size_to_screen(other)
    assert other.geometry() == other.screen().availableGeometry()
    other.finished = True
    other.close()
