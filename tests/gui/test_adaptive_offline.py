"""An adaptive block on a lab station whose server goes away (offscreen Qt, audio on the JACK dummy
server, a real PostgreSQL server stopped and started again): the planned trials go on into the
journal; the block then waits calmly (a message without a button, the console saying why) and
starts by itself when the server is back; an adaptive answer given while the server is away is
kept and stored once, in order, when it is back; the session completes with everything on the
server."""
import pytest
from PySide6.QtCore import Qt
from sqlmodel import Session as DbSession, select

from db import repo
from db.models import AdaptiveBlock, AdaptiveTrial, Response, Session
from gui.participant.adaptive_flow import SERVER_WAIT
from tasks.dataset.loader import load_dataset
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.studies import open_study
from tests.gui.test_participant_offline import app  # noqa: F401 (the fixture: the app on a private server)
from tests.support.factories import sr_items, write_dataset

pytestmark = pytest.mark.jack

WAIT = "Please wait a moment"


def test_the_adaptive_block_waits_for_the_server_and_goes_on_by_itself_without_losing_an_answer(
        qtbot, app, own_pg_server, tmp_path):  # noqa: F811
    server = own_pg_server
    ctx = app.ctx
    dataset = load_dataset(write_dataset(tmp_path / "ds", sr=sr_items(1)))
    protocol = Protocol(variants=["sr"], items_per_group=1, practice_per_block=0, adaptive_dimensions=["loudness"],
                        adaptive_procedure="2down1up", adaptive_max_trials=4)
    study = open_study(ctx.db, dataset, "adaptive", protocol)
    session = start_or_resume(ctx.db, dataset, study, "P001", "test", station="booth1")
    with DbSession(ctx.db) as s:
        plan = repo.planned_trials(s, session.id)

    class State:
        dataset = None

    State.dataset = dataset
    window = app.participant_window(session.id, State)
    window.screening = None
    qtbot.addWidget(window)
    link = ctx.station_link
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    window.start()
    seen: list[str] = []
    waits = 0
    for _ in range(40):
        if window.finished:
            break
        if window.stack.currentWidget() is window.message:
            title = window.message.title.text()
            if title == WAIT:
                waits += 1
                seen.append(title)
                assert not window.message.button.isVisible()  # nothing to press, no error
                assert link.waiting_note == SERVER_WAIT
                status = app.console.server_status
                qtbot.waitUntil(lambda: SERVER_WAIT in status.text(), timeout=3 * app.delivery.interval())
                assert "Traceback" not in status.text()
                server.start()
                qtbot.waitUntil(lambda: window.message.title.text() != WAIT or window.stack.currentWidget()
                                is not window.message, timeout=30000)
                assert link.waiting_note == ""
                continue
            seen.append(title)
            qtbot.keyClick(window, Qt.Key_Return)
            continue
        trial = window.trial
        qtbot.waitUntil(lambda: bool(trial.option_buttons) and trial.option_buttons[0].isEnabled(), timeout=30000)
        title = trial.title.text()
        seen.append(title)
        if title in ("Question 2 of 3", "Loudness: question 2 of at most 4"):
            server.stop(keep=True)  # the next answer (planned, then adaptive) meets no server
        qtbot.keyClick(window, "A")
        qtbot.keyClick(window, Qt.Key_Return)
    assert window.finished and window.message.title.text() == "Thank you!", seen
    assert waits == 2
    assert seen[:4] == ["Part 1", "Question 1 of 3", "Question 2 of 3", "Question 3 of 3"]
    assert seen[4] == WAIT and seen[5] == "Part: Loudness"  # the block begins once the server is back
    assert seen[6:9] == ["Loudness: question 1 of at most 4", "Loudness: question 2 of at most 4", WAIT]
    window.close()

    qtbot.waitUntil(lambda: link.outbox.count() == 0 and link.state == "online",
                    timeout=3 * app.delivery.interval() + 5000)  # the planned answers journalled meanwhile
    with DbSession(ctx.db) as s:
        answered = [r.planned_trial_id for r in s.exec(select(Response).where(Response.session_id == session.id))]
        block = s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == session.id)).one()
        trials = s.exec(select(AdaptiveTrial).where(AdaptiveTrial.block_id == block.id)
                        .order_by(AdaptiveTrial.id)).all()
        row = s.get(Session, session.id)
    assert sorted(answered) == sorted(t.id for t in plan) and len(set(answered)) == len(answered)
    assert [t.trial_index for t in trials] == list(range(block.n_trials)) and block.status == "completed"
    assert row.status == "completed"
