"""Child process for the start-up tests: `python main.py ARGS` with a watcher that prints what
the console's status bar says about the audio (each change) and the text of any message box,
and closes the console once the audio is settled."""
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox


def main(argv: list[str]) -> int:
    import main as app_main  # the app's own entry point, as `python main.py` runs it

    qapp = QApplication(sys.argv[:1])  # run_gui takes this instance
    said: list[str] = []

    def watch() -> None:
        for w in qapp.topLevelWidgets():
            if isinstance(w, QMessageBox) and w.isVisible():
                print(f"BOX {w.objectName()}: {w.text()}", flush=True)
                w.done(0)
            if type(w).__name__ == "ConsoleWindow" and w.isVisible():
                text = w.audio_status.text()
                if not said or said[-1] != text:
                    said.append(text)
                    print(f"AUDIO {text}", flush=True)
                if w.state.audio_state != "starting" and w.ctx is not None:
                    w.close()

    timer = QTimer()
    timer.timeout.connect(watch)
    timer.start(5)
    return app_main.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
