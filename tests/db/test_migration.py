"""Schema 1 -> 2 (-> 3): a database written by the first release (its DDL below, as that release
created it) is backed up, gains the session cursor, and resumes on the first unanswered trial."""
import sqlite3

from sqlmodel import Session as DbSession, select

from db.engine import open_database
from db.models import SCHEMA_VERSION, AuditLog
from tasks.study.runner import SessionRunner

V1_DDL = """
CREATE TABLE schema_info (id INTEGER NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (id));
CREATE TABLE study (id INTEGER NOT NULL, name VARCHAR NOT NULL, dataset_root VARCHAR NOT NULL,
  dataset_fingerprint VARCHAR NOT NULL, protocol_json VARCHAR NOT NULL, created_at DATETIME NOT NULL, PRIMARY KEY (id));
CREATE UNIQUE INDEX ix_study_name ON study (name);
CREATE TABLE participant (id INTEGER NOT NULL, code VARCHAR NOT NULL, age_band VARCHAR, hearing_self_report VARCHAR,
  consent_confirmed_at DATETIME, created_at DATETIME NOT NULL, PRIMARY KEY (id));
CREATE UNIQUE INDEX ix_participant_code ON participant (code);
CREATE TABLE session (id INTEGER NOT NULL, study_id INTEGER NOT NULL, participant_id INTEGER NOT NULL,
  cohort_index INTEGER NOT NULL, plan_seed INTEGER NOT NULL, device_id INTEGER, transducer VARCHAR,
  calibration_ids VARCHAR NOT NULL, uncalibrated BOOLEAN NOT NULL, take_home BOOLEAN NOT NULL,
  level_procedure VARCHAR NOT NULL, import_key VARCHAR, app_version VARCHAR NOT NULL, status VARCHAR NOT NULL,
  started_at DATETIME, ended_at DATETIME, created_at DATETIME NOT NULL, PRIMARY KEY (id),
  FOREIGN KEY(study_id) REFERENCES study (id), FOREIGN KEY(participant_id) REFERENCES participant (id),
  UNIQUE (import_key));
CREATE INDEX ix_session_participant_id ON session (participant_id);
CREATE INDEX ix_session_study_id ON session (study_id);
CREATE TABLE planned_trial (id INTEGER NOT NULL, session_id INTEGER NOT NULL, position INTEGER NOT NULL,
  block INTEGER NOT NULL, kind VARCHAR NOT NULL, catch_of INTEGER, break_before BOOLEAN NOT NULL,
  variant VARCHAR NOT NULL, item_id VARCHAR NOT NULL, rotate_id INTEGER NOT NULL, unique_id VARCHAR NOT NULL,
  task VARCHAR NOT NULL, category VARCHAR NOT NULL, sub_category VARCHAR, options_json VARCHAR NOT NULL,
  answer VARCHAR NOT NULL, answer_letter VARCHAR NOT NULL, shuffled_seg_order VARCHAR, PRIMARY KEY (id),
  UNIQUE (session_id, position), FOREIGN KEY(session_id) REFERENCES session (id));
CREATE INDEX ix_planned_trial_session_id ON planned_trial (session_id);
CREATE TABLE audit_log (id INTEGER NOT NULL, session_id INTEGER, at DATETIME NOT NULL, event VARCHAR NOT NULL,
  detail VARCHAR NOT NULL, PRIMARY KEY (id), FOREIGN KEY(session_id) REFERENCES session (id));
CREATE INDEX ix_audit_log_session_id ON audit_log (session_id);
CREATE TABLE response (id INTEGER NOT NULL, planned_trial_id INTEGER NOT NULL, session_id INTEGER NOT NULL,
  chosen_letter VARCHAR, chosen_text VARCHAR, is_correct BOOLEAN NOT NULL, rt_ms FLOAT, n_replays INTEGER NOT NULL,
  presented_at DATETIME, answered_at DATETIME NOT NULL, uncalibrated BOOLEAN NOT NULL, attenuation_db FLOAT NOT NULL,
  level_db_spl FLOAT, PRIMARY KEY (id), UNIQUE (planned_trial_id),
  FOREIGN KEY(planned_trial_id) REFERENCES planned_trial (id), FOREIGN KEY(session_id) REFERENCES session (id));
CREATE INDEX ix_response_session_id ON response (session_id);
"""
NOW = "2026-01-01 10:00:00.000000"


def make_v1_file(path, answered: dict[int, list[int]], n_trials: int = 5) -> None:
    """Sessions 1..3, each with n_trials planned trials; answered: session id -> answered positions."""
    con = sqlite3.connect(path)
    con.executescript(V1_DDL)
    con.execute("INSERT INTO schema_info VALUES (1, 1)")
    con.execute("INSERT INTO study VALUES (1, 'old', '/d', 'f', '{}', ?)", (NOW,))
    con.execute("INSERT INTO participant VALUES (1, 'P001', NULL, NULL, NULL, ?)", (NOW,))
    trial_id = 0
    for sid in (1, 2, 3):
        con.execute("INSERT INTO session VALUES (?, 1, 1, ?, 0, NULL, NULL, '[]', 1, 0, 'uncalibrated default', "
                    "NULL, '0.1.0', 'paused', NULL, NULL, ?)", (sid, sid - 1, NOW))
        for pos in range(n_trials):
            trial_id += 1
            con.execute("INSERT INTO planned_trial VALUES (?, ?, ?, 0, 'test', NULL, 0, 'sr', ?, 0, ?, 'spatial', "
                        "'Multi-source Spatial Relation', NULL, '[\"left\", \"right\"]', 'left', '<A>', NULL)",
                        (trial_id, sid, pos, f"sr_{pos}", f"sr_{pos}@0"))
            if pos in answered.get(sid, []):
                con.execute("INSERT INTO response (planned_trial_id, session_id, chosen_letter, chosen_text, "
                            "is_correct, rt_ms, n_replays, answered_at, uncalibrated, attenuation_db) "
                            "VALUES (?, ?, '<A>', 'left', 1, 700.0, 0, ?, 1, 0.0)", (trial_id, sid, NOW))
    con.commit()
    con.close()


def test_v1_file_is_backed_up_and_migrated_to_a_cursor_on_the_first_unanswered_trial(tmp_path):
    path = tmp_path / "lab.sqlite3"
    # session 1 has answers out of order (as an imported take-home session may), 2 is complete, 3 untouched
    make_v1_file(path, {1: [0, 1, 3], 2: [0, 1, 2, 3, 4]})
    engine = open_database(path)
    assert SCHEMA_VERSION >= 3
    con = sqlite3.connect(path)
    assert con.execute("SELECT version FROM schema_info").fetchone() == (SCHEMA_VERSION,)
    assert con.execute("SELECT id, next_position FROM session ORDER BY id").fetchall() == [(1, 2), (2, 5), (3, 0)]
    assert con.execute("SELECT COUNT(*) FROM response").fetchone() == (8,)
    con.close()
    backups = list(tmp_path.glob("lab.v1.*.bak.sqlite3"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("SELECT version FROM schema_info").fetchone() == (1,)
    assert "next_position" not in {r[1] for r in old.execute("PRAGMA table_info(session)")}
    old.close()
    with DbSession(engine) as s:
        assert any(a.event == "migrated" for a in s.exec(select(AuditLog)).all())

    runner = SessionRunner(engine, 1)
    t = runner.next_trial()
    assert t.position == 2
    runner.answer(t, "<A>")
    # position 3 was answered already: the cursor skips it
    assert runner.next_trial().position == 4
    runner.answer(runner.next_trial(), "<B>")
    assert runner.next_trial() is None and runner.session().status == "completed"
    assert runner.progress().answered == 5 and runner.progress().total == 5
    assert SessionRunner(engine, 2).next_trial() is None
    assert SessionRunner(engine, 3).next_trial().position == 0
    # opening it again does nothing more
    open_database(path)
    assert len(list(tmp_path.glob("lab.v1.*.bak.sqlite3"))) == 1
