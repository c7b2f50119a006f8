"""The play indicator on real audio: while a sequence plays it names and lights the clip that is
sounding, one after the other; when everything has been heard it shows the answer state."""
import numpy as np
import pytest

from tests.gui.conftest import save_screenshot
from tests.support.gui_harness import lab_context

pytestmark = pytest.mark.jack


def test_indicator_follows_the_playing_clip_then_shows_the_answer_state(qtbot, tmp_path, jack_server):
    from gui.common.bridge import EngineBridge
    from gui.participant.question import Question
    from gui.participant.trial_screen import TrialScreen
    from gui.participant.play_indicator import ANSWER, PLAYING, READY
    from gui.common.theme import apply_participant_look

    ctx = lab_context(tmp_path, tmp_path / "lab.sqlite3", "test-station")
    presenter = ctx.audio.presenter
    rate = presenter.choice.sample_rate_hz
    clips = [0.01 * np.random.default_rng(k).standard_normal((int(0.6 * rate), 1)) for k in range(3)]
    labels = ["Clip 1", "Clip 2", "Clip 3"]
    try:
        bridge = EngineBridge(presenter.engine.events)
        screen = TrialScreen(presenter, bridge)
        apply_participant_look(screen)
        qtbot.addWidget(screen)
        screen.resize(1280, 720)
        screen.show()
        q = Question(title="Question 1 of 3", question="In which order did the events happen?",
                     options=["clip 1 -> clip 2 -> clip 3", "clip 2 -> clip 1 -> clip 3", "clip 3 -> clip 1 -> clip 2"],
                     clip_labels=labels, prepare=lambda: presenter.prepare_samples(clips, rate, labels, 0.3))
        screen.show_question(q, auto_play=False)
        qtbot.waitUntil(lambda: screen.prepared is not None, timeout=10000)
        indicator = screen.indicator
        indicator.sync()
        assert indicator.state == READY and [p.text() for p in indicator.pills] == labels
        assert not screen.option_buttons[0].isEnabled()

        seen = []

        def observe():
            indicator.sync()
            if indicator.state == PLAYING and indicator.playing_clip >= 0:
                if not seen or seen[-1] != indicator.playing_clip:
                    seen.append(indicator.playing_clip)
                    active = [p.property("active") for p in indicator.pills]
                    assert active == [i == indicator.playing_clip for i in range(3)]
                    assert indicator.caption.text() == f"Listen: {labels[indicator.playing_clip]}"
                    if indicator.playing_clip == 1:
                        save_screenshot(screen, "participant-trial-listening")
            return indicator.state == ANSWER

        screen.play(None)
        indicator.sync()
        assert indicator.state == PLAYING  # asked for: the listen state at once, before the first sample
        qtbot.waitUntil(observe, timeout=15000)
        assert seen == [0, 1, 2]
        # heard: the answer state, no clip lit, the options open
        assert indicator.glyph.property("state") == ANSWER and indicator.playing_clip == -1
        assert not any(p.property("active") for p in indicator.pills)
        assert screen.option_buttons[0].isEnabled()
        screen.select(0)
        save_screenshot(screen, "participant-trial-answer")
    finally:
        presenter.engine.close()
