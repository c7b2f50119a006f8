"""The console of a lab station on a real PostgreSQL server that is stopped and started again:
the Sessions page's periodic reads fail quietly (no dialog, one status line naming when the
server went away and the answers waiting in the station's journal) and recover by themselves."""
import pytest

from db.outbox import Outbox
from tasks.labserver.station import StationLink
from tests.gui.conftest import save_screenshot
from tests.support.gui_harness import lab_context, visible_boxes
from tests.support.waiting import wait_until

pytestmark = pytest.mark.pg


def test_a_stopped_server_gives_one_status_line_and_no_dialog_and_the_page_recovers(qtbot, tmp_path, own_pg_server):
    from gui.console.window import ConsoleWindow

    server = own_pg_server
    ctx = lab_context(tmp_path, server.create_database("lab"), "booth1", with_audio=False)
    # the station's journal holds two answers the server has not had yet
    ctx.station_link = StationLink(ctx.db, Outbox(tmp_path / "outbox-booth1.sqlite3"), "booth1")
    ctx.station_link.outbox.add(1, [{"planned_trial_id": 1, "chosen_letter": "A"},
                                    {"planned_trial_id": 2, "chosen_letter": "B"}])
    console = ConsoleWindow(ctx)
    qtbot.addWidget(console)
    console.show()
    page = console.sessions_page
    pause = lambda s: qtbot.wait(int(s * 1000))  # noqa: E731 - the event loop runs while waiting
    wait_until(lambda: not page.job.busy, 20, what="the first read", pause=pause)
    assert page.server_timer.isActive()
    page.server_timer.setInterval(100)  # the 5 s refresh, faster for the test
    status = console.server_status
    assert status.isHidden()

    failures: list[str] = []
    page.job.unreachable.connect(failures.append)
    crashes: list[str] = []
    page.job.crashed.connect(crashes.append)
    server.stop(keep=True)
    wait_until(lambda: len(failures) >= 3, 60, what="three refreshes against the stopped server", pause=pause)
    page.refresh()  # a change elsewhere (a participant window closing) reads the chooser too
    wait_until(lambda: len(failures) >= 4, 60, what="a fourth refresh", pause=pause)
    assert crashes == [] and visible_boxes() == []
    assert not status.isHidden()
    text = status.text()
    assert text.startswith("Lab server unreachable since ")
    assert "2 entries (answers, withheld and adaptive trials) waiting in this station's journal" in text
    assert console.state.server_lost_at is not None
    assert text.count("\n") == 0 and "Traceback" not in text
    console.show_page("sessions")
    console.resize(1280, 720)
    page.server_timer.stop()  # the picture between two refreshes
    wait_until(lambda: not page.job.busy, 30, what="a refresh to end", pause=pause)
    assert page.progress.bar.format() == "server unreachable"
    save_screenshot(console, "console-sessions-server-unreachable")
    page.server_timer.start()

    results = console.results_page  # its leaderboard is read in a child process: the same line, no dialog
    results.refresh()
    wait_until(lambda: "lab server cannot be reached" in results.status.text(), 120,
               what="the Results page's read to fail", pause=pause)
    assert visible_boxes() == [] and not status.isHidden()

    server.start()
    wait_until(lambda: status.isHidden(), 60, what="the status line to go after the restart", pause=pause)
    assert console.state.server_lost_at is None and visible_boxes() == [] and crashes == []
    seen_ok: list = []
    page.job.succeeded.connect(seen_ok.append)
    wait_until(lambda: seen_ok, 30, what="a refresh after the restart", pause=pause)
    page.server_timer.stop()
    console.close()
