"""Station settings on a lab server stay with the station: two booths on one PostgreSQL
database keep their own output device and transducer; on SQLite they live in the file itself."""
from __future__ import annotations

import sqlite3

from db.engine import open_database
from db.settings import STATION_SETTINGS_FILE, Settings


def test_on_a_server_each_station_keeps_its_own_settings(pg_url, tmp_path):
    server = open_database(pg_url)
    booth_a = Settings.for_station(server, tmp_path / "booth-a")
    booth_b = Settings.for_station(server, tmp_path / "booth-b")
    booth_a.set("transducer", "Sennheiser HD 650")
    booth_b.set("transducer", "Beyerdynamic DT 990")
    booth_a.set("participant_exit_pin", "4321")
    assert Settings.for_station(server, tmp_path / "booth-a").get("transducer") == "Sennheiser HD 650"
    assert Settings.for_station(server, tmp_path / "booth-b").get("transducer") == "Beyerdynamic DT 990"
    assert booth_b.get("participant_exit_pin") == "0000"
    # nothing of either booth on the server
    with server.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM setting").scalar() == 0
    local = sqlite3.connect(tmp_path / "booth-a" / STATION_SETTINGS_FILE)
    assert local.execute("SELECT value_json FROM setting WHERE key = 'transducer'").fetchone() == ('"Sennheiser HD 650"',)
    local.close()
    server.dispose()


def test_on_sqlite_the_settings_live_in_the_database_file(tmp_path):
    engine = open_database(tmp_path / "lab.sqlite3")
    Settings.for_station(engine, tmp_path / "data").set("transducer", "HD 650")
    assert not (tmp_path / "data" / STATION_SETTINGS_FILE).exists()
    assert Settings(engine).get("transducer") == "HD 650"
    engine.dispose()
