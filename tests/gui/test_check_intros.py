"""Each headphone check's introduction says how many sounds its trials play (one for the
localization check, three for antiphase and Huggins), read against the check's own trials and
what the participant window then prepares and plays. JACK dummy server, real SQLite file,
offscreen Qt."""
import pytest
from PySide6.QtCore import Qt

from tests.gui.test_participant_flow import lab, make_session  # noqa: F401 (lab: a fixture)
from tests.gui.test_session_jack import short_screening
from tests.support.gui_harness import start_participant_window

pytestmark = pytest.mark.jack

WORDS = {1: "one", 2: "two", 3: "three", 4: "four"}


def test_each_check_introduces_as_many_sounds_as_its_trials_play(qtbot, lab, tmp_path):  # noqa: F811
    from audio.hrtf import load_hrtf
    from gui.participant.screening import with_localization
    from gui.participant.window import ParticipantWindow

    made: list = []
    all_checks = with_localization(short_screening, load_hrtf(None, 48_000))

    def screening(seed):
        checks = all_checks(seed)
        made.extend(checks)
        return checks

    dataset, session, _ = make_session(lab, tmp_path)
    window = ParticipantWindow(lab.db, session.id, dataset, lab.audio.presenter, lab.bridge, "0000",
                               screening=screening)
    start_participant_window(qtbot, window)
    assert window.message.title.text() == "Headphone check"
    general = window.message.body.text()
    assert "three" not in general and "each one starts by telling what you will hear" in general
    qtbot.keyClick(window, Qt.Key_Return)

    intros, played = [], []
    for _ in range(200):
        if window.stack.currentWidget() is window.message:
            title = window.message.title.text()
            assert title.startswith("Headphone check "), title
            intros.append(window.message.body.text())
            played.append([])
            qtbot.keyClick(window, Qt.Key_Return)
            continue
        trial = window.trial
        if trial.title.text() == "Sound level":
            break  # the level check: the checks are over
        qtbot.waitUntil(lambda: bool(trial.option_buttons) and trial.option_buttons[0].isEnabled(), timeout=30000)
        assert trial.last_onset is not None  # heard
        played[-1].append(len(trial.prepared.labels))
        qtbot.keyClick(window, "A")
        qtbot.keyClick(window, Qt.Key_Return)
    assert [t.name for t in made] == ["antiphase", "huggins", "localization"]
    assert len(intros) == len(made)

    for check, intro, sounds in zip(made, intros, played):
        per_trial = {len(t.intervals) for t in check.trials}  # the check's own definition
        assert len(per_trial) == 1, check.name
        n = per_trial.pop()
        assert sounds == [n] * len(check.trials), check.name  # what each of its trials played
        assert f"You will hear {WORDS[n]} " in intro, (check.name, intro)
        assert not any(f"hear {w} " in intro for k, w in WORDS.items() if k != n), (check.name, intro)
        if check.options:  # its own answers, all named
            assert all(o in intro for o in check.options), (check.name, intro)
        else:  # one of its sounds, all named
            numbers = [str(k) for k in range(1, n + 1)]
            assert f"Sound {', '.join(numbers[:-1])} or {numbers[-1]}." in intro, (check.name, intro)
        assert f"There are {len(check.trials)} questions in this check." in intro
    assert [n for n in (len(made[0].trials[0].intervals), len(made[2].trials[0].intervals))] == [3, 1]
