"""A whole session driven offscreen on the built-in small bank, audio on the JACK dummy server:
set-up, screening, practice, test, results; then the database and the export files."""
import csv
import json

import pytest
from PySide6.QtCore import Qt
from sqlmodel import Session as DbSession

from audio.screening import antiphase_test, huggins_test
from db import repo
from tests.gui.conftest import save_screenshot
from tests.support.gui_harness import capture_participant_windows, lab_context, open_study_with_participant, settle_layouts

pytestmark = pytest.mark.jack


def short_screening(seed):
    return [antiphase_test(seed, duration_s=0.25, ramp_s=0.02, gap_s=0.1, n_trials=6),
            huggins_test(seed, duration_s=0.25, gap_s=0.1, n_trials=6)]


@pytest.fixture
def app_ctx(tmp_path, jack_server):
    ctx = lab_context(tmp_path, tmp_path / "lab.sqlite3", "test-station")  # the default refuse policy
    assert ctx.audio is not None and ctx.audio.presenter.choice.host_api == "JACK Audio Connection Kit"
    yield ctx
    ctx.audio.presenter.engine.close()


def drive(qtbot, window, shots: dict, answer_right=True, max_steps=400, seen: list | None = None):
    """Answer everything the participant window asks until it finishes; ``seen`` collects
    ("message" or "trial", title) in order."""
    seen = [] if seen is None else seen
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    for _ in range(max_steps):
        if window.finished and window.stack.currentWidget() is window.message and \
                window.message.title.text() == "Thank you!":
            shots.setdefault("participant-thanks", window)
            return
        if window.stack.currentWidget() is window.message:
            title = window.message.title.text()
            seen.append(("message", title))
            key = {"Headphone check": "participant-screening-intro", "Time for a break": "participant-break",
                   "Sound level": "participant-level", "Ready": "participant-ready",
                   "Correct!": "participant-feedback", "Not quite": "participant-feedback",
                   "Practice is over": "participant-practice-over"}.get(
                title, "participant-instructions" if title.startswith("Part") else
                "participant-check-intro" if title.startswith("Headphone check ") else None)
            if key and key not in shots:
                settle_layouts()  # the wrapped texts' heights, before the picture
                save_screenshot(window, key)
                shots[key] = True
            assert window.message.button.isVisible(), title
            qtbot.keyClick(window, Qt.Key_Return)
            continue
        trial = window.trial
        qtbot.waitUntil(lambda: bool(trial.option_buttons) and trial.option_buttons[0].isEnabled(), timeout=30000)
        title = trial.title.text()
        seen.append(("trial", title))
        kind = ("participant-practice" if title.startswith("Practice ") else
                "participant-trial" if title.startswith("Question ") else
                "participant-level-check" if title == "Sound level" else "participant-screening")
        if kind == "participant-trial" and window.current_question.clip_labels and \
                len(window.current_question.clip_labels) == 3:
            kind = "participant-trial-temporal"
        if kind not in shots:
            save_screenshot(window, kind)
            shots[kind] = True
        index = 0
        if kind in ("participant-trial", "participant-trial-temporal", "participant-practice") and answer_right:
            t = window.runner.next_trial()
            index = json.loads(t.options_json).index(t.answer)
        qtbot.keyClick(window, chr(ord("A") + index))
        assert trial.confirm.isEnabled()
        qtbot.keyClick(window, Qt.Key_Return)
    raise AssertionError("the session did not finish")


def test_whole_session_offscreen_on_jack(qtbot, app_ctx, tmp_path):
    from gui.app import Application

    app = Application(app_ctx, None)
    console = app.console
    qtbot.addWidget(console)
    with qtbot.waitSignal(console.state.datasetChanged, timeout=60000):
        app.start()
    assert "No problems." in console.study_page.report.toPlainText()
    open_study_with_participant(app, ["pc", "tr", "sr"], items_per_group=1, practice=1, break_every=8)
    assert console.state.study is not None
    console.show_page("audio")
    audio_page = console.audio_page
    audio_page.play_test_tone()
    # no calibration yet: the level it plays at in dBFS (65 dB SPL asked, 115 dB SPL the default full scale)
    assert audio_page.meter_note.text() == "test tone: -50.0 dBFS, uncalibrated" and not audio_page.meter.idle
    assert audio_page.meter.format() == "-50.0 dBFS (uncalibrated: dB SPL unknown)"
    save_screenshot(console, "console-audio")

    console.show_page("sessions")
    created = capture_participant_windows(app, short_screening, exit_pin="4321")
    console.sessions_page.start()
    qtbot.waitUntil(lambda: bool(created), timeout=30000)  # the session is stored on a worker first
    window = created[0]
    qtbot.addWidget(window)
    shots, seen = {}, []
    drive(qtbot, window, shots, seen=seen)
    assert {"participant-screening", "participant-practice", "participant-trial", "participant-trial-temporal",
            "participant-feedback", "participant-instructions", "participant-break", "participant-thanks",
            "participant-check-intro", "participant-practice-over"} <= set(shots)
    window.close()
    messages = [t for k, t in seen if k == "message"]
    assert "Please call the experimenter" not in messages
    assert [t for t in messages if t.startswith("Headphone check ")] == [
        "Headphone check 1 of 2: Quietest tone", "Headphone check 2 of 2: Hidden tone"]

    with DbSession(app_ctx.db) as s:
        session = repo.unfinished_sessions(s)
        sid = created[0].session_id
        planned = repo.planned_trials(s, sid)
        answers = repo.responses(s, sid)
        events = [a.event for a in repo.audit_log(s, sid)]
        status = s.get(repo.Session, sid).status
    assert status == "completed" and not session
    withheld = [t for t in planned if t.withheld_reason is not None]
    assert len(answers) + len(withheld) == len(planned) > 15
    assert all(t.withheld_reason.startswith("over the safety ceiling") for t in withheld)
    # questions count test and catch trials only; practice has its own count; practice-over once per change
    n_questions = sum(t.kind != "practice" for t in planned)
    n_practice = sum(t.kind == "practice" for t in planned)
    # numbers count the questions shown (1, 2, 3, ...); the totals leave out the trials withheld so far
    questions = [t for k, t in seen if k == "trial" and t.startswith("Question ")]
    assert len(questions) == n_questions - sum(t.kind != "practice" for t in withheld)
    assert [int(t.split()[1]) for t in questions] == list(range(1, len(questions) + 1))
    totals = [int(t.split()[3]) for t in questions]
    assert totals == sorted(totals, reverse=True) and totals[0] <= n_questions and totals[-1] == len(questions)
    practice = [t for k, t in seen if k == "trial" and t.startswith("Practice ")]
    shown_practice = n_practice - sum(t.kind == "practice" for t in withheld)
    assert practice and int(practice[-1].split()[3]) == shown_practice <= n_practice
    numbers = [int(t.split()[1]) for t in practice]
    assert numbers == sorted(set(numbers)) and numbers[-1] == shown_practice
    transitions = sum(a.kind == "practice" and b.kind != "practice" for a, b in zip(planned, planned[1:]))
    assert messages.count("Practice is over") == transitions > 0
    assert all(a.rt_ms is not None and a.rt_ms > 0 for a in answers)
    assert all(a.uncalibrated for a in answers)  # no calibration was stored
    test_answers = [a for a, t in zip(sorted(answers, key=lambda a: a.planned_trial_id), planned) if t.kind == "test"]
    assert all(a.is_correct for a in test_answers)
    assert "screening" in events and "level_check" in events and "completed" in events

    console.show_page("sessions")
    with qtbot.waitSignal(console.sessions_page.job.succeeded, timeout=30000):  # read on a worker
        console.sessions_page.refresh()
    assert console.sessions_page.table.item(0, 3).text() == "completed"
    save_screenshot(console, "console-sessions")
    with qtbot.waitSignal(console.results_page.job.succeeded, timeout=60000):  # computed in a child process
        console.show_page("results")
    assert console.results_page.people.item(0, 0).text() == "P001"
    save_screenshot(console, "console-results")
    out = tmp_path / "export"
    with qtbot.waitSignal(console.results_page.tasks.finished, timeout=30000):
        console.results_page.export(str(out))
    rows = list(csv.DictReader(open(out / "trials.csv")))
    assert len(rows) == len(planned)
    assert sum(r["withheld"] == "True" for r in rows) == len(withheld)
    assert (out / "pilot" / "human-P001" / "pc" / "infer_results.jsonl").is_file()
    assert (out / "compare" / "leaderboard.md").is_file()
    console.close()
