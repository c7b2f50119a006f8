"""A station's console on a lab server: the window is up, says "Connecting to the lab server…"
and keeps its pages disabled while the connection is still under way; the pages are enabled once
connected. The server here is slow on purpose: a relay in front of its socket takes no connection
until the test has seen the window (tests/support/held_socket.py). An unreachable server still
gives its one clear message."""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

import main as app_main
from db.engine import open_database
from db.settings import STATION_SETTINGS_FILE, Settings
from tests.gui.conftest import save_screenshot
from tests.support.factories import write_dataset
from tests.support.held_socket import HeldSocket


def socket_of(url: str) -> tuple[Path, str]:
    host = re.search(r"host=([^&]+)", url).group(1)
    port = re.search(r"port=(\d+)", url).group(1)
    return Path(host) / f".s.PGSQL.{port}", host


def run_console(qapp, argv: list[str], on_tick) -> int:
    """main.main(argv) as `python main.py` runs it, with ``on_tick(console or None)`` called every 5 ms."""
    def tick() -> None:
        consoles = [w for w in qapp.topLevelWidgets() if type(w).__name__ == "ConsoleWindow" and w.isVisible()]
        on_tick(consoles[0] if consoles else None)

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(5)
    try:
        return app_main.main(argv)
    finally:
        timer.stop()


def station_data(tmp_path, monkeypatch) -> None:
    """This computer's data folder, with station settings that open a small dataset (not the built-in bank)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings_db = open_database(app_main.data_dir() / STATION_SETTINGS_FILE)
    Settings(settings_db).set("dataset_root", str(write_dataset(tmp_path / "ds")))
    settings_db.dispose()


def test_the_console_is_shown_before_the_lab_server_answers(qapp, tmp_path, monkeypatch, pg_url):
    open_database(pg_url).dispose()  # the schema exists: the station only connects
    station_data(tmp_path, monkeypatch)
    real_socket, real_host = socket_of(pg_url)
    relay_dir = tmp_path / "relay"
    relay_dir.mkdir()
    relay = HeldSocket(real_socket, relay_dir)
    seen: dict[str, object] = {}

    def on_tick(console) -> None:
        if console is None:
            return
        status = console.statusBar().currentMessage()
        if "connecting" not in seen:
            if not console.statusBar().isVisible() or "ticks" not in seen:
                seen["ticks"] = True  # once more: the window's first paint comes first
                return
            # nothing has reached the server yet: the relay holds every connection
            assert relay.accepted == 0
            seen["connecting"] = (status, console.nav.isEnabled(), console.pages.isEnabled(), console.ctx)
            save_screenshot(console, "console-connecting")
            relay.release()
        elif console.ctx is not None and console.state.audio_state != "starting" and "connected" not in seen:
            seen["connected"] = (status, console.nav.isEnabled(), console.pages.isEnabled())
            console.close()

    try:
        code = run_console(qapp, ["--db", pg_url.replace(real_host, str(relay_dir)), "--station", "booth1"], on_tick)
    finally:
        relay.close()
    assert code == 0
    assert seen["connecting"] == ("Connecting to the lab server…", False, False, None)
    status, nav_enabled, pages_enabled = seen["connected"]
    assert status.startswith("Database: ") and nav_enabled and pages_enabled
    assert relay.accepted >= 1  # the connection went through the relay


def test_an_unreachable_lab_server_is_reported_in_the_window(qapp, tmp_path, monkeypatch, capsys):
    station_data(tmp_path, monkeypatch)
    nowhere = tmp_path / "no-server"
    nowhere.mkdir()
    boxes: list[str] = []
    said: list[str] = []

    def on_tick(console) -> None:
        if console is not None and not said:
            said.append(console.statusBar().currentMessage())
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMessageBox) and w.isVisible():
                boxes.append(w.text())
                w.done(0)

    code = run_console(qapp, ["--db", f"postgresql://lab@/labdb?host={nowhere}&port=5999", "--station", "booth1"],
                       on_tick)
    err = capsys.readouterr().err
    assert code == 1
    assert said == ["Connecting to the lab server…"]
    assert len(boxes) == 1 and "lab server" in boxes[0]
    assert f"error: {boxes[0]}" in err and "Traceback" not in err
