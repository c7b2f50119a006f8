"""An adaptive block in the participant window (JACK dummy server, real SQLite file, offscreen
Qt): after the planned trials, an introduction, then two-sound trials whose levels follow the
staircase; every answer stored with the level played; a block begun in an earlier sitting
continues at its next trial."""
import json

import pytest
from PySide6.QtCore import Qt
from db.models import Session as SessionRow
from sqlmodel import Session as DbSession, select

from db.models import AdaptiveBlock, AdaptiveTrial
from tasks.adaptive.blocks import AdaptiveBlockRunner, ensure_blocks
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.studies import open_study
from tasks.study.enrolment import start_or_resume
from tests.support.factories import sr_items, write_dataset
from tests.support.gui_harness import lab_context, start_participant_window

pytestmark = pytest.mark.jack


@pytest.fixture
def lab(tmp_path, jack_server):
    from gui.common.bridge import EngineBridge

    ctx = lab_context(tmp_path, tmp_path / "lab.sqlite3", "test-station")
    ctx.bridge = EngineBridge(ctx.audio.presenter.engine.events)
    yield ctx
    ctx.audio.presenter.engine.close()


def drive_window(qtbot, lab, session_id: int, dataset, choose, max_screens: int) -> tuple:
    """Open the participant window on the session and answer every screen: messages with Enter,
    trials with the letter ``choose(window, title, seen)`` returns. (window, titles seen)."""
    from gui.participant.window import ParticipantWindow

    window = ParticipantWindow(lab.db, session_id, dataset, lab.audio.presenter, lab.bridge, "0000", screening=None)
    start_participant_window(qtbot, window)
    seen: list[str] = []
    for _ in range(max_screens):
        if window.finished:
            break
        if window.stack.currentWidget() is window.message:
            seen.append(window.message.title.text())
            qtbot.keyClick(window, Qt.Key_Return)
            continue
        trial = window.trial
        qtbot.waitUntil(lambda: bool(trial.option_buttons) and trial.option_buttons[0].isEnabled(), timeout=30000)
        seen.append(trial.title.text())
        qtbot.keyClick(window, choose(window, seen[-1], seen))
        qtbot.keyClick(window, Qt.Key_Return)
    assert window.finished and window.message.title.text() == "Thank you!", seen
    return window, seen


def test_adaptive_block_after_the_planned_trials_resumes_and_stores_each_answer(qtbot, lab, tmp_path):
    dataset = load_dataset(write_dataset(tmp_path / "ds", sr=sr_items(1)))
    protocol = Protocol(variants=["sr"], items_per_group=1, practice_per_block=0, adaptive_dimensions=["loudness"],
                        adaptive_procedure="2down1up", adaptive_max_trials=5)
    study = open_study(lab.db, dataset, "adaptive", protocol)
    session = start_or_resume(lab.db, dataset, study, "P001", "test")
    # an earlier sitting answered the first adaptive trial (right)
    (block,) = ensure_blocks(lab.db, session.id, protocol)
    runner = AdaptiveBlockRunner(lab.db, block.id)
    first = runner.next_trial()
    runner.record(first, first.level_asked, first.answer_letter)

    def choose(window, title, seen):
        if not title.startswith("Loudness"):
            return "A"
        trial = window.trial
        assert [b.text() for b in trial.option_buttons][0].endswith("The first sound is louder")
        assert trial.q.clip_labels == ["Sound 1", "Sound 2"]
        right = 0 if window.adaptive.runner.next_trial().first_option_correct else 1
        choice = right if len(seen) % 3 else 1 - right  # now and then a wrong answer
        return chr(ord("A") + choice)

    window, seen = drive_window(qtbot, lab, session.id, dataset, choose, 20)
    window.close()

    assert seen[:4] == ["Part 1", "Question 1 of 3", "Question 2 of 3", "Question 3 of 3"]
    assert seen[4] == "Part: Loudness"
    assert seen[5:9] == [f"Loudness: question {n} of at most 5" for n in (2, 3, 4, 5)]
    with DbSession(lab.db) as s:
        rows = s.exec(select(AdaptiveTrial).order_by(AdaptiveTrial.trial_index)).all()
        stored_block = s.exec(select(AdaptiveBlock)).one()
    assert [r.trial_index for r in rows] == [0, 1, 2, 3, 4]
    assert stored_block.status == "completed" and stored_block.n_trials == 5
    # the staircase's levels follow the stored answers (start 6 dB, factor 2)
    replayed = AdaptiveBlockRunner(lab.db, stored_block.id).procedure
    assert replayed.history.levels == [r.level_played for r in rows]
    for r in rows[1:]:
        sounds = json.loads(r.stimulus_json)["sounds"]
        assert abs(sounds[0]["level_db_spl"] - sounds[1]["level_db_spl"]) == pytest.approx(r.level_played)
        assert r.level_played == pytest.approx(r.level_asked)
        assert r.rt_ms is not None and r.rt_ms > 0
        assert r.uncalibrated and r.attenuation_db == 0.0  # the test station has no calibration
        assert r.is_correct == (r.chosen_letter == r.answer_letter)
    assert [json.loads(r.state_json)["n_trials"] for r in rows] == [1, 2, 3, 4, 5]


def test_a_session_whose_planned_trials_are_done_continues_its_adaptive_block(qtbot, lab, tmp_path):
    from tasks.study.runner import SessionRunner

    dataset = load_dataset(write_dataset(tmp_path / "ds", sr=sr_items(1)))
    protocol = Protocol(variants=["sr"], items_per_group=1, practice_per_block=0, adaptive_dimensions=["pitch"],
                        adaptive_procedure="3down1up", adaptive_max_trials=3)
    study = open_study(lab.db, dataset, "adaptive", protocol)
    session = start_or_resume(lab.db, dataset, study, "P001", "test")
    planned = SessionRunner(lab.db, session.id)
    planned.begin()
    while (t := planned.next_trial()) is not None:
        planned.answer(t, "<A>", rt_ms=800.0)
    (block,) = ensure_blocks(lab.db, session.id, protocol)
    runner = AdaptiveBlockRunner(lab.db, block.id)
    first = runner.next_trial()
    runner.record(first, first.level_asked, first.answer_letter)
    # the planned trials are done, the adaptive block is not: the session is not completed
    resumed = start_or_resume(lab.db, dataset, study, "P001", "test")
    assert resumed.status == "running" and resumed.ended_at is None

    window, seen = drive_window(qtbot, lab, session.id, dataset, lambda *_: "A", 10)
    window.close()
    assert seen == ["Part: Pitch", "Pitch: question 2 of at most 3", "Pitch: question 3 of at most 3"]
    with DbSession(lab.db) as s:
        assert s.exec(select(AdaptiveBlock)).one().status == "completed"
        assert len(s.exec(select(AdaptiveTrial)).all()) == 3
