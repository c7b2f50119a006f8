"""The Results and Sessions pages compute on worker threads: progress, superseded recomputes,
closing while a worker runs, and the safety ceiling's attenuations on the Results page."""
import sqlite3
import threading
import time

from PySide6.QtWidgets import QApplication
from sqlmodel import Session as DbSession

from db import repo
from gui.console.window import ConsoleWindow
from gui.console.results_data import results_data
from gui.common.workers import LatestJob
from tasks.results.compare import build_rows
from tasks.results.trial_records import load_records
from tasks.dataset.loader import Cancelled, load_dataset
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol
from tasks.simulation.simulate import simulate
from tests.support.factories import write_dataset
from tests.gui.conftest import save_screenshot


def simulated_study(ctx, tmp_path, name: str, participants: int, seed: int = 3):
    ds = load_dataset(write_dataset(tmp_path / f"ds-{name}"), check_audio=False)
    return simulate(ctx.db, ds, Protocol(mode="full-robust", practice_per_block=0, min_run_spacing=2, seed=seed),
                    participants, Observer("psychometric"), "test", study_name=name)


def attenuate(ctx, amounts_db: list[float]) -> None:
    """Mark the first responses as turned down by the safety ceiling (as the participant window
    stores it), straight in the database file."""
    con = sqlite3.connect(ctx.db.url.database)
    with con:
        ids = [r[0] for r in con.execute("SELECT id FROM response ORDER BY id LIMIT ?", (len(amounts_db),))]
        con.executemany("UPDATE response SET attenuation_db = ? WHERE id = ?", list(zip(amounts_db, ids)))
    con.close()


def console_on(qtbot, ctx, study_name: str | None):
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    if study_name:
        with DbSession(ctx.db) as s:
            window.state.study = repo.get_study(s, study_name)
    window.show()
    return window


def test_results_page_computes_on_a_worker_with_progress_and_attenuation(qtbot, ctx, tmp_path):
    simulated_study(ctx, tmp_path, "lab", participants=3)
    attenuate(ctx, [3.0, 6.0, 1.5, 9.5])
    window = console_on(qtbot, ctx, "lab")
    page = window.results_page
    steps = []
    page.job.progressed.connect(lambda done, total, label: steps.append((done, total)))
    with qtbot.waitSignal(page.job.succeeded, timeout=30000):
        window.show_page("results")  # showing the page starts the computation...
        # ...on a worker: nothing is on the page until its result comes back through the event loop
        assert page.job.busy and page.job.current.isRunning() and page.board.rowCount() == 0
        assert page.progress.isVisible()
    assert steps and steps[-1][0] == steps[-1][1]  # the bar reached its end
    assert page.progress.bar.value() == page.progress.bar.maximum()
    # then the report's figures, in a second child process (photographed once drawn)
    qtbot.waitUntil(lambda: page.figures is not None, timeout=180000)
    assert "people and items both sampled" in page.board_note.text()
    QApplication.processEvents()  # the layouts catch up with the strip hidden and the new note
    save_screenshot(window, "console-results-computed")

    # the same rows as the compare command, in the same order
    expected = build_rows(load_records(ctx.db, "lab"), [])
    assert [page.board.verticalHeaderItem(i).toolTip() for i in range(page.board.rowCount())] == \
        [r.name + (f" (n={r.n})" if r.n else "") for r in expected]
    human = expected[0]
    assert page.board.item(0, 0).text().startswith(f"{human.values['pc_range']:.1f}")
    assert page.people.rowCount() == 3
    assert [page.people.item(i, 0).text() for i in range(3)] == ["SIM001", "SIM002", "SIM003"]

    # attenuations: 4 trials, mean 5.0 dB, max 9.5 dB, all of the first participant's
    answered = sum(1 for r in load_records(ctx.db, "lab") if r.response is not None)
    text = page.attenuation.text()
    assert f"4 of {answered} answered trials attenuated" in text and "5.0 dB on average" in text
    assert "at most 9.5 dB" in text
    assert page.people.item(0, 5).text() == "4" and page.people.item(0, 6).text() == "9.5"
    assert page.people.item(1, 5).text() == "0" and page.people.item(1, 6).text() == "–"


def test_results_data_without_attenuation_and_without_responses(ctx, tmp_path):
    simulated_study(ctx, tmp_path, "lab", participants=1)
    data = results_data(ctx.db, "lab", None, progress=lambda *a: None, should_cancel=lambda: False)
    assert data.attenuation.attenuated == 0 and data.attenuation.answered > 0
    assert data.attenuation.max_attenuation_db == 0.0
    empty = results_data(ctx.db, "no such study", None, progress=lambda *a: None, should_cancel=lambda: False)
    assert empty.people == [] and empty.answered_test == 0 and empty.attenuation.answered == 0
    assert [r.kind for r in empty.rows] == ["paper"] * len(empty.rows)  # only the paper's reference rows


def test_a_newer_recompute_supersedes_the_running_one(qtbot, ctx, tmp_path):
    simulated_study(ctx, tmp_path, "first", participants=2, seed=1)
    simulated_study(ctx, tmp_path, "second", participants=1, seed=2)
    window = console_on(qtbot, ctx, "first")
    page = window.results_page  # built, not shown: nothing computed yet
    shown = []
    page.job.succeeded.connect(shown.append)
    page.refresh()
    with DbSession(ctx.db) as s:
        page.state.study = repo.get_study(s, "second")
    page.refresh()  # the first is still running: cancelled, its result dropped
    qtbot.waitUntil(lambda: not page.job.busy and not page.job.running, timeout=30000)
    assert page.job.superseded == 1
    assert len(shown) == 1
    assert page.board.verticalHeaderItem(0).text().startswith("Human (second)")
    assert page.people.rowCount() == 1


def test_closing_the_window_while_workers_run_stops_them(qtbot, ctx, tmp_path):
    simulated_study(ctx, tmp_path, "lab", participants=3)
    window = console_on(qtbot, ctx, "lab")
    window.show_page("sessions")
    window.show_page("results")
    jobs = [window.sessions_page.job, window.results_page.job]
    assert any(job.busy for job in jobs)
    window.close()  # waits for the workers; no signal reaches a page afterwards
    assert all(not job.running and not job.busy for job in jobs)
    # the workers are done, so any late queued event is posted by now: delivered here, it is
    # dropped without a warning
    QApplication.sendPostedEvents()
    QApplication.processEvents()


def test_latest_job_cancels_a_long_job(qtbot):
    job = LatestJob()
    entered = threading.Event()

    def wait_for_cancel(progress, should_cancel):
        entered.set()
        while not should_cancel():
            time.sleep(0.005)
        raise Cancelled("cancelled")

    failed = []
    job.failed.connect(failed.append)
    with qtbot.waitSignal(job.idle, timeout=10000):
        job.start("waiting", wait_for_cancel, user_errors=(Cancelled,))
        assert entered.wait(5.0)
        job.cancel()
    assert failed == ["cancelled"] and not job.running


def test_sessions_page_reads_its_table_on_a_worker(qtbot, ctx, tmp_path):
    simulated_study(ctx, tmp_path, "lab", participants=2)
    window = console_on(qtbot, ctx, "lab")
    with qtbot.waitSignal(window.sessions_page.job.succeeded, timeout=30000):
        window.show_page("sessions")
    page = window.sessions_page
    assert [page.participant.itemText(i) for i in range(page.participant.count())] == ["SIM001", "SIM002"]
    with DbSession(ctx.db) as s:
        expected = []
        for x in repo.sessions_of_study(s, repo.get_study(s, "lab").id):
            expected.append(f"{repo.count_answered(s, x.id)}/{len(repo.planned_trials(s, x.id))}")
    assert [page.table.item(i, 4).text() for i in range(page.table.rowCount())] == expected
    assert [page.table.item(i, 3).text() for i in range(page.table.rowCount())] == ["completed", "completed"]
    assert page.progress.bar.value() == page.progress.bar.maximum()
    save_screenshot(window, "console-sessions-computed")


def test_coming_back_to_the_results_page_recomputes_only_what_is_stale(qtbot, ctx, tmp_path):
    simulated_study(ctx, tmp_path, "lab", participants=1)
    window = console_on(qtbot, ctx, "lab")
    page = window.results_page
    started = []
    page.job.started.connect(started.append)
    with qtbot.waitSignal(page.job.succeeded, timeout=30000):
        window.show_page("results")
    qtbot.waitUntil(lambda: not page.job.busy)
    window.show_page("sessions")
    window.show_page("results")
    assert len(started) == 1  # same study, nothing changed: the numbers shown stay
    window.state.sessionsChanged.emit()  # a session ended somewhere
    window.show_page("sessions")
    with qtbot.waitSignal(page.job.succeeded, timeout=30000):
        window.show_page("results")
    assert len(started) == 2 and page.job.superseded == 0


def test_export_job_writes_the_compare_files_of_the_compare_command(ctx, tmp_path):
    from gui.console.results_data import export_job
    from tasks.results.compare import write_compare

    simulated_study(ctx, tmp_path, "lab", participants=2)
    out = tmp_path / "export"
    steps = []
    result = export_job(str(ctx.db.url), out, "test", None, lambda *a: steps.append(a), lambda: False)
    assert result.responses > 0 and steps[-1][:2] == (2, 2)
    reference = write_compare(tmp_path / "reference", load_records(ctx.db), [])
    for path in reference:
        assert (out / "compare" / path.name).read_bytes() == path.read_bytes(), path.name
