"""Schema 2 -> 3: a file as schema 2 made it (the DDL of the first release plus the session
cursor, in the column order schema 2 created) is backed up, gains response.paused_ms,
response.rt_interrupted and planned_trial.withheld_reason, keeps every stored response, and
then takes answers and withheld trials."""
import sqlite3

from sqlmodel import Session as DbSession, select

from db.engine import open_database
from db.models import SCHEMA_VERSION, Response
from tasks.study.runner import SessionRunner
from tests.db.test_migration import NOW, V1_DDL

V2_DDL = V1_DDL.replace("status VARCHAR NOT NULL,\n  started_at DATETIME",
                        "status VARCHAR NOT NULL, next_position INTEGER NOT NULL,\n  started_at DATETIME")


def make_v2_file(path) -> None:
    """One session of four trials: positions 0 and 1 answered, the cursor on 2."""
    assert V2_DDL != V1_DDL
    con = sqlite3.connect(path)
    con.executescript(V2_DDL)
    con.execute("INSERT INTO schema_info VALUES (1, 2)")
    con.execute("INSERT INTO study VALUES (1, 'old', '/d', 'f', '{}', ?)", (NOW,))
    con.execute("INSERT INTO participant VALUES (1, 'P001', NULL, NULL, NULL, ?)", (NOW,))
    con.execute("INSERT INTO session VALUES (1, 1, 1, 0, 0, NULL, NULL, '[]', 1, 0, 'uncalibrated default', "
                "NULL, '0.2.0', 'paused', 2, NULL, NULL, ?)", (NOW,))
    for pos in range(4):
        con.execute("INSERT INTO planned_trial VALUES (?, 1, ?, 0, 'test', NULL, 0, 'sr', ?, 0, ?, 'spatial', "
                    "'Multi-source Spatial Relation', NULL, '[\"left\", \"right\"]', 'left', '<A>', NULL)",
                    (pos + 1, pos, f"sr_{pos}", f"sr_{pos}@0"))
        if pos < 2:
            con.execute("INSERT INTO response (planned_trial_id, session_id, chosen_letter, chosen_text, "
                        "is_correct, rt_ms, n_replays, answered_at, uncalibrated, attenuation_db) "
                        "VALUES (?, 1, '<A>', 'left', 1, 348204.0, 0, ?, 1, 0.0)", (pos + 1, NOW))
    con.commit()
    con.close()


def test_v2_file_gains_the_pause_columns_and_the_withheld_reason(tmp_path):
    path = tmp_path / "lab.sqlite3"
    make_v2_file(path)
    engine = open_database(path)
    assert SCHEMA_VERSION >= 3
    con = sqlite3.connect(path)
    assert con.execute("SELECT version FROM schema_info").fetchone() == (SCHEMA_VERSION,)
    assert con.execute("SELECT rt_ms, paused_ms, rt_interrupted FROM response ORDER BY id").fetchall() == \
        [(348204.0, 0.0, 0), (348204.0, 0.0, 0)]
    assert con.execute("SELECT COUNT(*) FROM planned_trial WHERE withheld_reason IS NULL").fetchone() == (4,)
    con.close()
    (backup,) = tmp_path.glob("lab.v2.*.bak.sqlite3")
    old = sqlite3.connect(backup)
    assert old.execute("SELECT version FROM schema_info").fetchone() == (2,)
    assert "paused_ms" not in {r[1] for r in old.execute("PRAGMA table_info(response)")}
    old.close()

    runner = SessionRunner(engine, 1)
    t = runner.next_trial()
    assert t.position == 2
    runner.answer(t, "<A>", rt_ms=900.0, paused_ms=1200.0, rt_interrupted=True)
    t = runner.next_trial()
    assert runner.withhold(t, "over the safety ceiling") is None
    assert runner.session().status == "completed"
    p = runner.progress()
    assert (p.answered, p.withheld, p.total, p.done) == (3, 1, 4, 4)
    with DbSession(engine) as s:
        last = s.exec(select(Response).where(Response.planned_trial_id == 3)).one()
    assert (last.paused_ms, last.rt_interrupted) == (1200.0, True)
    open_database(path)  # again: nothing more to do
    assert len(list(tmp_path.glob("lab.v2.*.bak.sqlite3"))) == 1
