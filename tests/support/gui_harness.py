"""Set-up shared by the GUI tests, the crash child process and bench/gui_stalls.py: a lab
context on a real database and audio device, a study opened through the Study page, a
participant added through the Participants page, and participant windows captured as they open."""
from __future__ import annotations

from pathlib import Path


def lab_context(workdir: Path, db_path: Path, station: str, with_audio: bool = True,
                allow_attenuation: bool | None = None):
    """``allow_attenuation``: set the station's over-ceiling policy (None keeps the default,
    refuse: a trial over the ceiling is withheld and the session goes on without it)."""
    from db.engine import open_database
    from db.settings import Settings
    from gui.common.context import AppContext
    from tasks.bank.build import ensure_builtin_bank
    from tasks.presentation.presenter import build_audio

    db = open_database(db_path)
    settings = Settings(db)
    if allow_attenuation is not None:
        settings.set("allow_attenuation", allow_attenuation)
    audio = build_audio(db, settings, station) if with_audio else None
    return AppContext(db=db, settings=settings, data_dir=workdir, app_version="test",
                      builtin_bank=lambda progress=None, should_cancel=None: ensure_builtin_bank(workdir), audio=audio)


def open_study_with_participant(app, variants, items_per_group: int = 1, practice: int = 0,
                                break_every: int = 40, name: str = "pilot") -> None:
    page = app.console.study_page
    for v, box in page.variant_boxes.items():
        box.setChecked(v in variants)
    page.items_per_group.setValue(items_per_group)
    page.practice.setValue(practice)
    page.break_every.setValue(break_every)
    page.study_name.setText(name)
    page.open_study()
    app.console.participants_page.consent.setChecked(True)
    app.console.participants_page.add()
    app.console.sessions_page.refresh()


def capture_participant_windows(app, screening, exit_pin: str = "0000") -> list:
    """Participant windows open through this factory (test screening, known PIN); returns the
    list they are appended to."""
    from gui.participant.window import ParticipantWindow

    made = []
    ctx = app.ctx

    def factory(session_id, state):
        w = ParticipantWindow(ctx.db, session_id, state.dataset, ctx.audio.presenter, app.bridge, exit_pin,
                              screening=screening)
        made.append(w)
        return w

    app.console.participant_window_factory = factory
    return made


def load_builtin(qtbot, window):
    """Load the built-in bank on the console's Study page and wait for it; the page."""
    page = window.study_page
    with qtbot.waitSignal(window.state.datasetChanged, timeout=20000):
        page.load(None)
    return page


def open_console(qtbot, ctx, dataset_root=None):
    """A console on ``ctx``, shown at 1280x720, with the dataset at ``dataset_root`` (None: the
    built-in bank) loaded on its Study page; the window."""
    from gui.console.window import ConsoleWindow

    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    with qtbot.waitSignal(window.state.datasetChanged, timeout=20000):
        window.study_page.load(None if dataset_root is None else str(dataset_root))
    return window


def start_participant_window(qtbot, window):
    """Show ``window`` (a ParticipantWindow), wait until it has the focus and start it; the window."""
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.start()
    return window


def answer_a(qtbot, window) -> bool:
    """One step of a participant window: a message is confirmed (False), a trial is answered with
    option A once its buttons are enabled (True)."""
    from PySide6.QtCore import Qt

    if window.stack.currentWidget() is window.message:
        qtbot.keyClick(window, Qt.Key_Return)
        return False
    trial = window.trial
    qtbot.waitUntil(lambda: bool(trial.option_buttons) and trial.option_buttons[0].isEnabled(), timeout=30000)
    qtbot.keyClick(window, "A")
    qtbot.keyClick(window, Qt.Key_Return)
    return True


def settle_layouts() -> None:
    """The layouts' next pass, now: deliver the layout requests posted so far instead of waiting
    for the event loop to reach them (a pass may post more; callers poll what they need)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def console_on_audio_page(qtbot, ctx):
    """A console window built on ``ctx`` with a real Audio page, shown on that page; the page."""
    from gui.console.audio_page import AudioPage
    from gui.console.window import ConsoleWindow

    window = ConsoleWindow(ctx, audio_page_factory=lambda _window: AudioPage(ctx))
    qtbot.addWidget(window)
    window.show()
    window.show_page("audio")
    return window.audio_page


def visible_boxes() -> list:
    """The message boxes open on screen (an outage must raise none over a participant's window)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
