"""An app killed with SIGKILL during a trial resumes at the same trial with nothing lost."""
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlmodel import Session as DbSession

from db import repo
from db.engine import open_database
from tasks.bank.build import ensure_builtin_bank
from tests.gui.conftest import save_screenshot
from tests.support.gui_harness import lab_context

pytestmark = pytest.mark.jack
ROOT = Path(__file__).resolve().parents[2]


def test_sigkill_during_a_trial_resumes_at_the_same_trial(qtbot, tmp_path, jack_server):
    from gui.app import Application, crashed_sessions

    db_path = tmp_path / "lab.sqlite3"
    ensure_builtin_bank(tmp_path)  # generated once, shared with the child
    env = dict(os.environ, JACK_DEFAULT_SERVER=jack_server.name, QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen([sys.executable, "-m", "tests.support.app_child", str(db_path), str(tmp_path), "3"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    position = None
    deadline = time.monotonic() + 120
    lines = []
    incoming: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [incoming.put(x) for x in child.stdout] + [incoming.put(None)], daemon=True).start()
    while time.monotonic() < deadline and position is None:
        try:
            line = incoming.get(timeout=1.0)  # never block past the deadline
        except queue.Empty:
            continue
        if line is None:
            break
        lines.append(line.strip())
        if line.startswith("AT "):
            position = int(line.split()[1])
    if position is None:
        child.kill()
        _out, err = child.communicate(timeout=10)
        raise AssertionError(f"the app never reached the trial: {lines} {err[-2000:]}")
    os.kill(child.pid, signal.SIGKILL)  # mid-playback: "AT" comes once the trial's sound has started
    child.wait(timeout=10)
    assert lines.count("ANSWERED 3") == 1

    db = open_database(db_path)
    with DbSession(db) as s:
        (session,) = repo.unfinished_sessions(s)
        assert session.status == "running"
        answered_positions = sorted(t.position for t in repo.planned_trials(s, session.id)
                                    if t.id in {r.planned_trial_id for r in repo.responses(s, session.id)})
    assert len(answered_positions) == 3 and position not in answered_positions

    ctx = lab_context(tmp_path, db_path, "test-station")
    audio = ctx.audio
    try:
        assert [c[0].id for c in crashed_sessions(ctx)] == [session.id]
        app = Application(ctx, None)
        qtbot.addWidget(app.console)
        app.start()
        qtbot.waitUntil(lambda: getattr(app, "resume_box", None) is not None and app.resume_box.isVisible(),
                        timeout=60000)
        assert "interrupted after 3 answers" in app.resume_box.text()
        save_screenshot(app.console, "console-resume-offer")
        app.resume_box.done(QMessageBox.Yes)
        window = app.console.participant_window
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.trial or
                        window.runner.next_trial() is not None, timeout=10000)
        assert window.runner.next_trial().position == position
        with DbSession(db) as s:
            assert repo.count_answered(s, session.id) == 3
            events = [a.event for a in repo.audit_log(s, session.id)]
        assert "resumed" in events
        window.finished = True
        window.close()
        app.console.close()
    finally:
        audio.presenter.engine.close()
