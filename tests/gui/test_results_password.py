"""A lab-server password typed at the console's prompt reaches the Results page's computing
process (a fresh interpreter) in memory only: through the multiprocessing pipe, never on a
command line, in the environment or in a file. A private PostgreSQL server whose role must give
its password; the leaderboard is computed in the child process."""
from __future__ import annotations

import io

import pytest
from sqlmodel import Session as DbSession

import main as app_main
from db import repo
from db.engine import DatabaseFileError, connect_target, open_database
from db.settings import Settings
from gui.common.context import AppContext
from gui.common.processes import run_in_process
from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate
from tests.support.pg_password import password_role, probe
from tests.tasks.analysis.cohorts import robust, small_dataset


class Terminal(io.StringIO):
    def isatty(self) -> bool:  # the console started from a terminal: the prompt is offered
        return True


@pytest.fixture
def prompted_db(pg_server, monkeypatch):
    """(engine, role, password, url): the database opened as main.py opens it, the password
    typed at its prompt (getpass answered here) because the URL has none."""
    url, role, password = password_role(pg_server)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent/.pgpass")
    with pytest.raises(DatabaseFileError, match="refused the login"):
        open_database(url)  # the server wants the password
    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or password)
    monkeypatch.setattr("sys.stdin", Terminal())
    engine = app_main._open_db(url)
    assert asked == ["lab server password: "]
    assert password not in engine.url.render_as_string(hide_password=False)  # never in the URL
    yield engine, role, password, url
    engine.dispose()
    pg_server.psql(f'DROP DATABASE IF EXISTS "{role}" WITH (FORCE)')


def test_the_child_process_logs_in_with_the_typed_password_unseen_by_others(prompted_db):
    engine, role, password, url = prompted_db
    target = connect_target(engine)  # what the Results page hands its child
    assert password not in repr(target) and password not in str(target)  # as a message would show it
    user, cmdline, environ = run_in_process(probe, target, progress=lambda *a: None, should_cancel=lambda: False)
    assert user == role
    assert password.encode() not in cmdline and password.encode() not in environ


def test_the_results_page_computes_the_leaderboard_in_its_child_after_the_prompt(qtbot, prompted_db, tmp_path):
    from gui.console.window import ConsoleWindow

    engine, role, password, url = prompted_db
    ds = small_dataset(tmp_path / "ds")
    simulate(engine, ds, robust(seed=3), 2, Observer("psychometric"), "test", study_name="lab")
    ctx = AppContext(db=engine, settings=Settings(engine), data_dir=tmp_path, app_version="test",
                     builtin_bank=lambda progress=None, should_cancel=None: ds.root)
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    with DbSession(engine) as s:
        window.state.study = repo.get_study(s, "lab")
    page = window.results_page
    assert not list((tmp_path / "results-cache").glob("*.pickle"))  # nothing kept: computed in the child
    with qtbot.waitSignal(page.job.succeeded, timeout=120000):
        page.refresh()
    assert page.data is not None and len(page.data.people) == 2, page.status.text()
    assert "Not computed" not in page.status.text()
    # no file the computation wrote holds the password
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path
    window.close()
