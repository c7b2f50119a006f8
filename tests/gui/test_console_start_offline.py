"""Starting a session on a lab station whose server is away (offscreen Qt, a real PostgreSQL server
stopped under the console): refused in one calm line on the Sessions page saying what needs the
server and why, the console's status line naming the outage, no dialog, no participant window,
no traceback; with the server back the same button starts the session."""
import pytest
from sqlmodel import Session as DbSession, select

from db.models import Participant, Session
from db.outbox import Outbox
from tasks.dataset.loader import load_dataset
from tasks.labserver.needs_server import START_NEEDS_SERVER
from tasks.labserver.station import StationLink
from tasks.study.plan import Protocol
from tasks.study.studies import open_study
from tests.support.factories import sr_items, write_dataset
from tests.support.gui_harness import lab_context, visible_boxes
from tests.support.waiting import wait_until

pytestmark = pytest.mark.pg


def test_starting_a_session_without_the_server_says_in_one_line_what_needs_it(qtbot, tmp_path, own_pg_server):
    from gui.console.window import ConsoleWindow

    server = own_pg_server
    ctx = lab_context(tmp_path, server.create_database("lab"), "booth1", with_audio=False)
    ctx.station = "booth1"
    ctx.station_link = StationLink(ctx.db, Outbox(tmp_path / "outbox-booth1.sqlite3"), "booth1")
    dataset = load_dataset(write_dataset(tmp_path / "ds", sr=sr_items(2)))
    study = open_study(ctx.db, dataset, "pilot", Protocol(variants=["sr"], items_per_group=1, practice_per_block=0))
    with DbSession(ctx.db) as s:
        s.add(Participant(code="P001"))
        s.commit()
    console = ConsoleWindow(ctx)
    qtbot.addWidget(console)
    console.show()
    console.state.dataset = dataset
    console.state.set_study(study)
    page = console.sessions_page
    pause = lambda s: qtbot.wait(int(s * 1000))  # noqa: E731 - the event loop runs while waiting
    wait_until(lambda: page.participant.findText("P001") >= 0 and not page.job.busy, 30, what="the chooser",
               pause=pause)
    page.participant.setCurrentText("P001")
    page.server_timer.stop()  # only the start's own reads here
    opened: list[int] = []
    page.open_participant_window = opened.append

    server.stop(keep=True)
    page.start()  # raises nothing
    assert page.message.text() == START_NEEDS_SERVER and "\n" not in page.message.text()
    assert "Traceback" not in page.message.text()
    assert opened == [] and visible_boxes() == []
    status = console.server_status
    assert not status.isHidden() and status.text().startswith("Lab server unreachable since ")

    server.start()
    page.start()  # the same button, with the server back
    assert len(opened) == 1
    with DbSession(ctx.db) as s:
        (session,) = s.exec(select(Session)).all()
    assert opened == [session.id] and session.station == "booth1"
    console.close()
