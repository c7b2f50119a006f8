"""The trial screen's listening rules on real audio: the options unlock once everything has been
heard (as a sequence, or clip by clip), the first hearing is free and replays are limited."""
import numpy as np
import pytest

from tests.support.gui_harness import lab_context

pytestmark = pytest.mark.jack


def test_clip_by_clip_listening_unlocks_the_options_and_replays_are_counted(qtbot, tmp_path, jack_server):
    from gui.common.bridge import EngineBridge
    from gui.participant.question import Question
    from gui.participant.trial_screen import TrialScreen

    ctx = lab_context(tmp_path, tmp_path / "lab.sqlite3", "test-station")
    presenter = ctx.audio.presenter
    rate = presenter.choice.sample_rate_hz
    clips = [0.01 * np.random.default_rng(k).standard_normal((int(0.1 * rate), 1)) for k in range(3)]
    labels = ["clip 1", "clip 2", "clip 3"]
    answers = []
    try:
        bridge = EngineBridge(presenter.engine.events)
        screen = TrialScreen(presenter, bridge)
        qtbot.addWidget(screen)
        q = Question(title="t", question="Which order?", options=["a", "b"], clip_labels=labels,
                     prepare=lambda: presenter.prepare_samples(clips, rate, labels, 0.2), max_replays=1)
        screen.answered.connect(lambda *a: answers.append(a))
        screen.show_question(q, auto_play=False)
        qtbot.waitUntil(lambda: screen.prepared is not None, timeout=10000)

        def play_and_wait(clip):
            playback = screen.current_playback
            screen.play(clip)
            assert screen.current_playback is not playback
            qtbot.waitUntil(lambda: screen.current_playback.done.is_set() and not bridge.events.qsize(), timeout=5000)
            bridge.drain()

        for clip in (0, 1):
            play_and_wait(clip)
            assert not screen.option_buttons[0].isEnabled()
        assert screen.replays_used == 0
        play_and_wait(2)
        assert screen.heard_all and screen.option_buttons[0].isEnabled()
        assert screen.replays_used == 0 and screen.replays_left() == 1
        play_and_wait(0)  # a replay
        assert screen.replays_used == 1 and not screen.can_play(None) and not screen.clip_buttons[1].isEnabled()
        screen.play(None)  # no replay left: nothing happens
        assert screen.replays_used == 1
        screen.select(1)
        screen.confirm_answer()
        assert answers and answers[0][0] == 1 and answers[0][2] == 1 and answers[0][1] > 0
    finally:
        presenter.engine.close()


def test_a_sound_prepared_after_the_output_closed_pauses_instead_of_raising(qtbot, tmp_path, jack_server):
    """The output is closed (the window let go of it, or the device went away) while a trial is
    prepared on a worker: the screen neither plays nor raises inside the event loop; it says the
    sound cannot be played (the window then pauses the session). After release() it stays silent."""
    from gui.common.bridge import EngineBridge
    from gui.participant.question import Question
    from gui.participant.trial_screen import TrialScreen

    ctx = lab_context(tmp_path, tmp_path / "lab.sqlite3", "test-station")
    presenter = ctx.audio.presenter
    rate = presenter.choice.sample_rate_hz
    clip = [0.01 * np.random.default_rng(0).standard_normal((int(0.1 * rate), 1))]
    bridge = EngineBridge(presenter.engine.events)
    screen = TrialScreen(presenter, bridge)
    qtbot.addWidget(screen)
    failures = []
    screen.prepare_failed.connect(failures.append)
    q = Question(title="t", question="Which?", options=["a", "b"], clip_labels=["clip"],
                 prepare=lambda: presenter.prepare_samples(clip, rate, ["clip"], 0.2), max_replays=1)
    presenter.engine.close()
    screen.show_question(q, auto_play=True)
    qtbot.waitUntil(lambda: bool(failures), timeout=10000)
    assert "not open" in failures[0] and screen.current_playback is None and screen.replays_used == 0
    screen.release()
    screen.show_question(q, auto_play=True)
    qtbot.waitUntil(lambda: screen.worker.isFinished(), timeout=10000)
    from PySide6.QtCore import QCoreApplication
    QCoreApplication.processEvents()  # deliver the worker's queued result
    assert len(failures) == 1 and screen.current_playback is None and screen.prepared is None
