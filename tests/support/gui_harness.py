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


def settle_layouts() -> None:
    """The layouts' next pass, now: deliver the layout requests posted so far instead of waiting
    for the event loop to reach them (a pass may post more; callers poll what they need)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
