"""Schema 5 -> 6 (_v5_to_v6): calibrations gain the headphone_filter column; a schema-5 file is
backed up first, keeps its calibrations (read as "no equalization") and stores filters after."""
import sqlite3

from sqlmodel import Session as DbSession, select

from db.engine import open_database
from db.models import SCHEMA_VERSION, Calibration, Device


def make_v5_file(path) -> None:
    engine = open_database(path)
    with DbSession(engine) as s:
        s.add(Device(station="booth", host_api="JACK", name="system", sample_rate_hz=48000))
        s.commit()
        s.add(Calibration(device_id=1, transducer="HD 650", channel=0, reference_dbfs=-30.0, measured_db_spl=72.0,
                          equipment="B&K 2250"))
        s.commit()
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("ALTER TABLE calibration DROP COLUMN headphone_filter")
    con.execute("UPDATE schema_info SET version = 5")
    con.commit()
    con.close()


def test_v5_file_gains_the_headphone_filter_column(tmp_path):
    path = tmp_path / "lab.sqlite3"
    make_v5_file(path)
    engine = open_database(path)
    (backup,) = tmp_path.glob("lab.v5.*.bak.sqlite3")
    old = sqlite3.connect(backup)
    assert "headphone_filter" not in {r[1] for r in old.execute("PRAGMA table_info(calibration)")}
    old.close()
    with DbSession(engine) as s:
        (kept,) = s.exec(select(Calibration)).all()
        assert (kept.equipment, kept.headphone_filter, kept.measured_db_spl) == ("B&K 2250", "", 72.0)
        s.add(Calibration(device_id=1, transducer="HD 650", channel=1, reference_dbfs=-30.0, measured_db_spl=71.5,
                          equipment="B&K 2250", headphone_filter="hp.wav (inverse, 100-16000 Hz)"))
        s.commit()
    con = sqlite3.connect(path)
    assert con.execute("SELECT version FROM schema_info").fetchone() == (SCHEMA_VERSION,)
    assert con.execute("SELECT headphone_filter FROM calibration ORDER BY id").fetchall() == \
        [("",), ("hp.wav (inverse, 100-16000 Hz)",)]
    con.close()
    engine.dispose()
    open_database(path).dispose()  # again: nothing more to do, no second backup
    assert len(list(tmp_path.glob("lab.v5.*.bak.sqlite3"))) == 1
