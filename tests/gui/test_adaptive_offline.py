"""An adaptive block on a lab station whose server goes away (offscreen Qt, audio on the JACK dummy
server, a real PostgreSQL server stopped and started again): stopped during the planned trials,
the block runs on without a word (no wait, no message), its answers in the station's journal;
started again inside the block, the app's delivery timer brings everything to the server; stopped
again inside the block, its last answers go into the journal; after the restart every answer is
on the server once and in order, each level the one the procedure asks after the answers before
it, the block completed and the session with it."""
import json

import pytest
from PySide6.QtCore import Qt
from sqlmodel import Session as DbSession, select

from db import repo
from db.models import AdaptiveBlock, AdaptiveTrial, Response, Session
from tasks.adaptive.blocks import AdaptiveBlockRunner
from tasks.dataset.loader import load_dataset
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.studies import open_study
from tests.gui.test_participant_offline import app, station_window  # noqa: F401 (app: the fixture, the app on a private server)
from tests.support.factories import sr_items, write_dataset

pytestmark = pytest.mark.jack


def test_the_adaptive_block_runs_on_through_server_stops_and_every_answer_arrives_once_in_order(
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

    window = station_window(qtbot, app, session.id, dataset)
    link = ctx.station_link
    seen: list[str] = []
    for _ in range(40):
        if window.finished:
            break
        if window.stack.currentWidget() is window.message:
            seen.append(window.message.title.text())
            assert window.message.button.isVisible()  # a step to go on with, never a wait or an error
            qtbot.keyClick(window, Qt.Key_Return)
            continue
        trial = window.trial
        qtbot.waitUntil(lambda: bool(trial.option_buttons) and trial.option_buttons[0].isEnabled(), timeout=30000)
        title = trial.title.text()
        seen.append(title)
        if title in ("Question 2 of 3", "Loudness: question 3 of at most 4"):
            server.stop(keep=True)  # the next answers (planned, then adaptive) meet no server
        if title == "Loudness: question 2 of at most 4":
            assert link.outbox.count() == 4  # two planned answers, the first adaptive one and the block as known
            server.start()
            qtbot.waitUntil(lambda: link.outbox.count() == 0 and link.state == "online",
                            timeout=3 * app.delivery.interval() + 5000)  # the app's timer delivers
        qtbot.keyClick(window, "A")
        qtbot.keyClick(window, Qt.Key_Return)
    assert window.finished and window.message.title.text() == "Thank you!", seen
    assert seen == ["Part 1", "Question 1 of 3", "Question 2 of 3", "Question 3 of 3", "Part: Loudness",
                    *[f"Loudness: question {k} of at most 4" for k in range(1, 5)]]
    assert link.outbox.count() == 3 and link.state == "offline"  # the block as known, its questions 3 and 4
    window.close()

    server.start()
    qtbot.waitUntil(lambda: link.outbox.count() == 0 and link.state == "online",
                    timeout=3 * app.delivery.interval() + 5000)
    with DbSession(ctx.db) as s:
        answered = [r.planned_trial_id for r in s.exec(select(Response).where(Response.session_id == session.id))]
        block = s.exec(select(AdaptiveBlock).where(AdaptiveBlock.session_id == session.id)).one()
        trials = s.exec(select(AdaptiveTrial).where(AdaptiveTrial.block_id == block.id)
                        .order_by(AdaptiveTrial.id)).all()
        row = s.get(Session, session.id)
    assert sorted(answered) == sorted(t.id for t in plan) and len(set(answered)) == len(answered)
    assert [t.trial_index for t in trials] == list(range(4)) and block.n_trials == 4 and block.status == "completed"
    for before, after in zip(trials, trials[1:]):  # each level the one the procedure asked after the answers before
        assert after.level_asked == json.loads(before.state_json)["next_level"]
    replayed = AdaptiveBlockRunner(ctx.db, block.id).procedure.estimate()
    assert (block.threshold, block.ci_low, block.ci_high) == (replayed.threshold, replayed.ci_low, replayed.ci_high)
    assert row.status == "completed"
    # the three journalled trials (the second went straight to the server) and the block as last known
    assert link.outbox.adaptive_count("delivered") == 3 + 1
