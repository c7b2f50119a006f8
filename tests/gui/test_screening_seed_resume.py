"""A participant window's screening is seeded from the session's stored seed (real JACK output,
real SQLite file, offscreen Qt): the window asks for the seed before the first sound, the same
seed comes back when the session is opened again after a pause in the middle of the screening
(the same sequence is replayed), and the screening record carries it."""
import json

import pytest
from sqlmodel import Session as DbSession

from db import repo
from tasks.dataset.loader import load_dataset
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.screening_records import read_screening, stored_seed
from tasks.study.studies import open_study
from tests.gui.test_session_jack import short_screening
from tests.support.factories import pc_items, write_dataset
from tests.support.gui_harness import answer_a, lab_context, start_participant_window

pytestmark = pytest.mark.jack


@pytest.fixture
def app(qtbot, tmp_path, jack_server):
    from gui.app import Application

    ctx = lab_context(tmp_path, tmp_path / "lab.sqlite3", "test-station")
    app = Application(ctx, None)
    qtbot.addWidget(app.console)
    yield app
    ctx.audio.presenter.engine.close()


def open_window(qtbot, app, session_id, dataset, seeds: list, orders: list):
    class State:
        pass

    State.dataset = dataset

    def screening(seed):
        tests = short_screening(seed)
        seeds.append(seed)
        orders.append([[t.correct_index for t in test.trials] for test in tests])
        return tests

    window = app.participant_window(session_id, State)
    window.screening = screening
    return start_participant_window(qtbot, window)


def answer_screening_trials(qtbot, window, n: int) -> None:
    """Through the messages, answering ``n`` screening trials with A."""
    answered = 0
    for _ in range(4 * n + 10):
        if answered == n:
            return
        answered += answer_a(qtbot, window)
    raise AssertionError(f"answered {answered} of {n} screening trials")


def test_a_screening_resumed_after_a_pause_replays_the_same_sequence(qtbot, app, tmp_path):
    db = app.ctx.db
    dataset = load_dataset(write_dataset(tmp_path / "ds", pc=pc_items(per_sub=1), tr=[], sr=[]))
    study = open_study(db, dataset, "seeded", Protocol(variants=["pc"], practice_per_block=0))
    session = start_or_resume(db, dataset, study, "P001", "test")
    seeds, orders = [], []
    window = open_window(qtbot, app, session.id, dataset, seeds, orders)
    answer_screening_trials(qtbot, window, 3)  # halfway through the antiphase check
    assert len(seeds) == 1 and seeds[0] == stored_seed(db, session.id) and seeds[0] != session.id
    window.request_exit()  # the experimenter leaves with the PIN: the session pauses
    window.pin_dialog.setTextValue(window.exit_pin)
    window.pin_dialog.accept()
    assert window.finished
    with DbSession(db) as s:
        assert s.get(repo.Session, session.id).status == "paused"
        assert not any(a.event == "screening" for a in repo.audit_log(s, session.id))

    again = open_window(qtbot, app, session.id, dataset, seeds, orders)  # resumed: the screening again
    answer_screening_trials(qtbot, again, 12)  # both checks, whole
    assert seeds == [seeds[0], seeds[0]] and orders[0] == orders[1]
    qtbot.waitUntil(lambda: bool(read_screening(db)), timeout=10000)
    assert {o.seed for o in read_screening(db)} == {seeds[0]}
    with DbSession(db) as s:
        record = [a for a in repo.audit_log(s, session.id) if a.event == "screening"][-1]
    assert all(r["seed"] == seeds[0] for r in json.loads(record.detail))
    again._leave("test over")
