"""Child process for the SIGKILL tests: the real app on the JACK server named in the
environment answers ANSWER_N trials of a session, then, once the next trial's sound has
started, prints that trial's position and waits to be killed."""
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.support import waiting  # noqa: E402


def wait_until(condition, timeout_s=30.0):
    """Poll ``condition`` while the event loop runs."""
    return waiting.wait_until(condition, timeout_s, pause=lambda s: QTest.qWait(round(s * 1000)))


def main(db_path: str, bank_dir: str, answer_n: int) -> None:
    from gui.app import Application
    from tests.support.gui_harness import capture_participant_windows, lab_context, open_study_with_participant

    qapp = QApplication([])
    app = Application(lab_context(Path(bank_dir), Path(db_path), "child-station"), qapp)
    app.start()
    wait_until(lambda: app.console.state.dataset is not None, 60)
    open_study_with_participant(app, ["sr"], items_per_group=3)
    made = capture_participant_windows(app, screening=None)
    app.console.sessions_page.start()
    wait_until(lambda: bool(made))  # the session is stored on a worker, then its window opens
    window = made[0]
    window.activateWindow()
    answered = 0
    while True:
        if window.stack.currentWidget() is window.message:
            QTest.keyClick(window, Qt.Key_Return)
            QTest.qWait(20)
            continue
        trial = window.trial
        if answered == answer_n:
            # mid-playback: the engine has reported this trial's sound started (its first block out)
            wait_until(lambda: trial.current_playback is not None
                       and trial.indicator.started_id == trial.current_playback.playback_id)
            print(f"AT {window.runner.next_trial().position}", flush=True)
            while True:  # keep the event loop (and the sound) going until SIGKILL
                QTest.qWait(100)
        wait_until(lambda: bool(trial.option_buttons) and trial.option_buttons[0].isEnabled())
        QTest.keyClick(window, "B")
        QTest.keyClick(window, Qt.Key_Return)
        answered += 1
        print(f"ANSWERED {answered}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
