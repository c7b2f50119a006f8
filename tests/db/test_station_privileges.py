"""The station role's least privilege on a real PostgreSQL server (docs/lab-server.md, "What a
station may do"): everything a station does works under its own login role (enrolment, plans,
answers, cursor, pause and resume, withheld trials, exposure, audit, adaptive blocks, its device,
its heartbeat, journal delivery; station processes filling a study), and each thing it must not
do is refused by the server with a permission error, the data left as it was. lab-grants is
idempotent and upgrades an existing lab server first."""
from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import ProgrammingError
from sqlmodel import Session as DbSession, select

from db import repo
from db.engine import describe_db_error, open_database
from db.exposure import save_exposure
from db.models import AdaptiveTrial, Response, Session
from db.outbox import Outbox, touch_station
from tasks.adaptive.blocks import AdaptiveBlockRunner, ensure_blocks
from tasks.dataset.loader import load_dataset
from tasks.labserver.station import StationLink, station_name
from tasks.presentation.presenter import station_device
from tasks.study.enrolment import start_or_resume
from tasks.study.plan import Protocol
from tasks.study.runner import SessionRunner
from tasks.study.studies import open_study
from tests.support.factories import write_dataset
from tests.support.pg_roles import make_lab
from tests.support.station_runs import STUDY, finish, station_cmd, study_facts, ROOT

PROTOCOL = Protocol(practice_per_block=0, variants=["pc"], items_per_group=1, adaptive_dimensions=["azimuth"],
                    adaptive_max_trials=3, adaptive_min_trials=3)


@pytest.fixture
def lab(pg_server):
    lab = make_lab(pg_server)
    yield lab
    lab.drop()


def station_engine(lab, station):
    return open_database(lab.station_url(station))


def refused(engine, sql: str, params: dict | None = None) -> str:
    """Run ``sql`` as ``engine``'s role; the server's refusal (a permission error) as one line."""
    with pytest.raises(ProgrammingError) as caught:
        with engine.begin() as conn:
            conn.execute(text(sql), params or {})
    reason = str(caught.value.orig)
    assert "permission denied" in reason or "row-level security" in reason, reason
    line = describe_db_error(engine, caught.value)
    assert "refused this for the role" in line and "\n" not in line
    return reason


def run_session(engine, ds, study, code, station, answers: int):
    session = start_or_resume(engine, ds, study, code, "test", station=station)
    runner = SessionRunner(engine, session.id)
    runner.begin()
    for _ in range(answers):
        trial = runner.next_trial()
        runner.answer(trial, trial.answer_letter, rt_ms=600.0)
    return session, runner


def test_everything_a_station_does_works_under_its_own_role(lab, tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "ds"))
    owner = open_database(lab.owner_url())
    open_study(owner, ds, STUDY, PROTOCOL)  # the experimenter creates the study
    booth = station_engine(lab, "booth1")
    asked = []

    def note(conn, cursor, statement, *rest):
        asked.append(statement)

    event.listen(booth, "before_cursor_execute", note)
    assert station_name(booth) == "booth1"  # the name its login role is bound to
    assert station_name(booth, "booth1") == "booth1"  # --station naming it too
    event.remove(booth, "before_cursor_execute", note)
    assert sum("lab_station" in q for q in asked) == 1  # the server is asked once per engine
    study = open_study(booth, ds, STUDY, PROTOCOL)
    session, runner = run_session(booth, ds, study, "P001", "booth1", answers=2)
    with DbSession(booth) as s:  # pause and resume, as the participant window does
        repo.set_status(s, s.get(Session, session.id), "paused", "level check: too loud")
        repo.set_status(s, s.get(Session, session.id), "running", "resumed")
        repo.audit(s, "note", "a station's own audit entry", session_id=session.id)
    trial = runner.next_trial()
    following = runner.withhold(trial, "over the ceiling")  # marked withheld, cursor moved past it
    assert following is not None and runner.progress().withheld == 1
    record = save_exposure(booth, session.id, None, played_s=3.0, leq_db_a=60.0, dose_pa2h=0.001,
                           daily_dose_percent=0.1, trials=2, uncalibrated_trials=2)
    assert save_exposure(booth, session.id, record, played_s=6.0, leq_db_a=61.0, dose_pa2h=0.002,
                         daily_dose_percent=0.2, trials=4, uncalibrated_trials=4) == record
    (block,) = ensure_blocks(booth, session.id, PROTOCOL)
    adaptive = AdaptiveBlockRunner(booth, block.id)
    plan = adaptive.next_trial()
    adaptive.record(plan, plan.level_asked, plan.answer_letter, rt_ms=500.0)
    from audio.devices import DeviceChoice

    assert station_device(booth, "booth1", DeviceChoice("JACK Audio Connection Kit", "system", 48000, (0, 1))) > 0
    with booth.begin() as conn:
        touch_station(conn, "booth1", 0)
    # an answer journalled while the server was away, delivered under the role
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    nxt = runner.next_trial()
    outbox.add(session.id, [dict(planned_trial_id=nxt.id, chosen_letter=nxt.answer_letter, is_correct=True,
                                 rt_ms=700.0, n_replays=0)])
    link = StationLink(booth, outbox, "booth1")
    assert link.try_deliver() and outbox.count() == 0
    runner = SessionRunner(booth, session.id)  # the session resumed after the delivery
    while (trial := runner.next_trial()) is not None:
        runner.answer(trial, trial.answer_letter, rt_ms=650.0)
    while (plan := adaptive.next_trial()) is not None:  # completed only after its adaptive block
        adaptive.record(plan, plan.level_asked, plan.answer_letter, rt_ms=500.0)
    with DbSession(owner) as s:
        done = s.get(Session, session.id)
        assert done.status == "completed" and done.station == "booth1"
        assert len(s.exec(select(Response).where(Response.session_id == session.id)).all()) == runner.progress().total - 1
        assert len(s.exec(select(AdaptiveTrial)).all()) == 3
    outbox.close()
    for engine in (booth, owner):
        engine.dispose()


@pytest.mark.slow
@pytest.mark.subprocess
def test_two_station_processes_fill_a_study_each_under_its_own_role(lab, tmp_path):
    import subprocess

    dataset = write_dataset(tmp_path / "ds")
    owner = open_database(lab.owner_url())
    open_study(owner, load_dataset(dataset), STUDY, Protocol(seed=3))
    procs = [subprocess.Popen(station_cmd(dataset, lab.station_url(name), name, 3, tmp_path / f"outbox-{name}.sqlite3"),
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("booth1", "booth2")]
    finish(procs)
    facts = study_facts(owner)
    assert facts["positions"] == list(range(6)) and facts["stations"] == ["booth1", "booth2"]
    assert facts["statuses"] == {"completed"} and facts["answers_per_trial"] == [1]
    owner.dispose()


def test_what_a_station_must_not_do_is_refused_and_changes_nothing(lab, tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "ds"))
    owner = open_database(lab.owner_url())
    study = open_study(owner, ds, STUDY, PROTOCOL)
    with owner.begin() as conn:
        conn.execute(text("INSERT INTO participant (code, created_at) VALUES ('H001', now())"))
        conn.execute(text("INSERT INTO take_home_package (package_id, study_id, participant_id, cohort_index, key_hex, "
                          "created_at) SELECT 'pkg1', :s, id, 50, 'secretkey', now() FROM participant"), {"s": study.id})
        conn.execute(text("INSERT INTO setting (key, value_json) VALUES ('ceiling_db_spl', '85')"))
        conn.execute(text("INSERT INTO device (station, host_api, name, sample_rate_hz, channel_map_json, created_at) "
                          "VALUES ('booth1', 'JACK', 'system', 48000, '[0, 1]', now())"))
        conn.execute(text("INSERT INTO calibration (device_id, transducer, channel, reference_frequency_hz, "
                          "reference_dbfs, measured_db_spl, retspl_table, equipment, headphone_filter, measured_by, "
                          "measured_at) VALUES (1, 'hp', 0, 1000, -20, 80, 'x', 'meter', '', 'me', now())"))
    booth1, booth2 = station_engine(lab, "booth1"), station_engine(lab, "booth2")
    mine, _ = run_session(booth1, ds, study, "P001", "booth1", answers=1)
    theirs, _ = run_session(booth2, ds, study, "P002", "booth2", answers=1)
    with booth2.begin() as conn:
        touch_station(conn, "booth2", 0)
    with DbSession(owner) as s:
        answered_mine = s.exec(select(Response).where(Response.session_id == mine.id)).one().planned_trial_id
        theirs_plan = [t.id for t in repo.planned_trials(s, theirs.id)]
    ids = {"mine": mine.id, "theirs": theirs.id, "answered": answered_mine, "their_trial": theirs_plan[-1],
           "study": study.id}
    before = snapshot(owner)
    statements = [
        "SELECT key_hex FROM take_home_package",
        "SELECT * FROM take_home_package",
        "UPDATE planned_trial SET withheld_reason = 'x' WHERE id = :answered",
        "UPDATE planned_trial SET withheld_reason = 'x' WHERE id = :their_trial",
        "UPDATE planned_trial SET answer_letter = '<A>' WHERE session_id = :mine",
        "UPDATE session SET status = 'aborted' WHERE id = :theirs",
        "UPDATE session SET next_position = 0 WHERE id = :theirs",
        "UPDATE session SET station = 'booth1' WHERE id = :theirs",
        "UPDATE session SET cohort_index = 99 WHERE id = :mine",
        "UPDATE calibration SET measured_db_spl = 60",
        "INSERT INTO calibration (device_id, transducer, channel, reference_frequency_hz, reference_dbfs, "
        "measured_db_spl, retspl_table, equipment, headphone_filter, measured_by, measured_at) "
        "VALUES (1, 'hp', 1, 1000, -20, 99, 'x', 'meter', '', 'me', now())",
        "UPDATE setting SET value_json = '100'",
        "INSERT INTO setting (key, value_json) VALUES ('exit_pin', '0')",
        "DELETE FROM response",
        "UPDATE response SET is_correct = NOT is_correct",
        "INSERT INTO response (planned_trial_id, session_id, is_correct, n_replays, answered_at, uncalibrated, "
        "attenuation_db, paused_ms, rt_interrupted) VALUES (:their_trial, :theirs, true, 0, now(), true, 0, 0, false)",
        "INSERT INTO response (planned_trial_id, session_id, is_correct, n_replays, answered_at, uncalibrated, "
        "attenuation_db, paused_ms, rt_interrupted) VALUES (:their_trial, :mine, true, 0, now(), true, 0, 0, false)",
        "INSERT INTO planned_trial (session_id, position, block, kind, variant, item_id, rotate_id, unique_id, task, "
        "options_json, answer, answer_letter, break_before) SELECT :theirs, 999, block, kind, variant, item_id, "
        "rotate_id, unique_id, task, options_json, answer, answer_letter, false FROM planned_trial WHERE id = :their_trial",
        "INSERT INTO session (study_id, participant_id, cohort_index, plan_seed, calibration_ids, uncalibrated, "
        "take_home, level_procedure, app_version, status, next_position, station, created_at) SELECT study_id, "
        "participant_id, 77, plan_seed, calibration_ids, uncalibrated, take_home, level_procedure, app_version, "
        "'planned', 0, 'booth2', now() FROM session WHERE id = :mine",
        "INSERT INTO exposure_record (session_id, at, played_s, dose_pa2h, daily_dose_percent, trials, "
        "uncalibrated_trials) VALUES (:theirs, now(), 1, 0, 0, 1, 1)",
        "INSERT INTO audit_log (session_id, at, event, detail) VALUES (:theirs, now(), 'aborted', 'not mine')",
        "UPDATE audit_log SET detail = 'rewritten'",
        "DELETE FROM audit_log",
        "DELETE FROM session WHERE id = :mine",
        "UPDATE station SET last_error = 'spoofed' WHERE name = 'booth2'",
        "INSERT INTO station (name, seen_at, pending_answers, last_error) VALUES ('booth9', now(), 0, '')",
        "INSERT INTO device (station, host_api, name, sample_rate_hz, channel_map_json, created_at) "
        "VALUES ('booth2', 'JACK', 'x', 48000, '[0]', now())",
        "INSERT INTO study (name, dataset_root, dataset_fingerprint, protocol_json, created_at) "
        "VALUES ('mine', '/d', 'f', '{}', now())",
        "UPDATE study SET protocol_json = '{}'",
        "UPDATE participant SET code = 'X'",
        "SELECT * FROM lab_station_role",
        "INSERT INTO lab_station_role (role_name, station) VALUES (current_user, 'booth2')",
        "UPDATE schema_info SET version = 1",
        "CREATE TABLE mine (x int)",
    ]
    reasons = {sql: refused(booth1, sql, ids) for sql in statements}
    assert all(reasons.values())
    assert snapshot(owner) == before  # nothing changed
    for engine in (booth1, booth2, owner):
        engine.dispose()


def snapshot(engine) -> dict:
    with engine.connect() as conn:
        return {table: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {table}")).all()), key=repr)
                for table in ("session", "planned_trial", "response", "calibration", "setting", "audit_log",
                              "station", "take_home_package", "study", "participant", "exposure_record", "device")}


def test_a_station_started_under_another_stations_name_is_refused_in_one_line(lab, tmp_path, capsys):
    import main

    dataset = write_dataset(tmp_path / "ds")
    open_study(open_database(lab.owner_url()), load_dataset(dataset), STUDY, Protocol(seed=3))
    cmd = station_cmd(dataset, lab.station_url("booth1"), "booth2", 1, tmp_path / "outbox.sqlite3")
    assert main.main(cmd[2:]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is station 'booth1'" in err and "--station booth1" in err


def test_lab_grants_is_idempotent_and_upgrades_an_older_lab_server_first(pg_server, tmp_path, monkeypatch):
    lab = make_lab(pg_server, grant=False)
    try:
        engine = open_database(lab.owner_url())  # a lab server of an older version, with the old grants
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE session DROP CONSTRAINT uq_session_study_cohort")
            conn.exec_driver_sql("DROP INDEX ix_session_station")
            conn.exec_driver_sql("ALTER TABLE session DROP COLUMN station")
            conn.exec_driver_sql("UPDATE schema_info SET version = 3")
            conn.exec_driver_sql(f'GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO "{lab.station_role}"')
        engine.dispose()
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the backup goes to the data folder
        assert lab.grant() == 0  # migrated (backed up first), then granted
        assert list((tmp_path / "data").rglob("*.v3.*.dump"))
        assert lab.grant() == 0  # again: the same rights
        ds = load_dataset(write_dataset(tmp_path / "ds"))
        open_study(open_database(lab.owner_url()), ds, STUDY, PROTOCOL)
        booth = station_engine(lab, "booth1")
        session, runner = run_session(booth, ds, open_study(booth, ds, STUDY, PROTOCOL), "P001", "booth1", answers=1)
        assert runner.progress().answered == 1
        refused(booth, "SELECT key_hex FROM take_home_package")
        refused(booth, "DELETE FROM response")
        booth.dispose()
    finally:
        lab.drop()


def test_printed_grants_give_no_key_and_no_update_of_answers():
    from sqlmodel import SQLModel

    import db.models  # noqa: F401
    from db.pg import role_grants

    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    sql = role_grants("starlab", "starlab_station", "starlab_experimenter", tables, (("booth2_login", "booth2"),))
    station = [line for line in sql if '"starlab_station"' in line and line.startswith("GRANT")]
    assert not any("key_hex" in line for line in station)
    assert 'GRANT SELECT ("package_id", "study_id", "participant_id", "cohort_index", "created_at", "imported_at") ' \
           'ON "take_home_package" TO "starlab_station"' in sql
    assert not any("UPDATE" in line and ('"response"' in line or '"calibration"' in line or '"setting"' in line)
                   for line in station)
    assert not any("DELETE" in line for line in station)
    assert any(line.startswith("INSERT INTO lab_station_role") and "'booth2_login', 'booth2'" in line for line in sql)


def test_binding_a_role_that_is_no_station_member_is_refused_in_one_line(pg_server, capsys):
    lab = make_lab(pg_server, stations=("booth1",))
    try:
        pg_server.psql(f'CREATE ROLE "stranger_{lab.database}" LOGIN')
        import main

        args = ["lab-grants", "--db", lab.owner_url(), "--station-role", lab.station_role, "--experimenter-role",
                lab.experimenter, "--bind", f"stranger_{lab.database}=booth9"]
        assert main.main(args) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "createuser --pwprompt --role" in err
        assert main.main(args[:-2] + ["--bind", "booth9"]) == 2  # no '=': a usage error
        assert main.main(["lab-journal", "--outbox", str(pg_server.folder / "nothing.sqlite3")]) == 1
    finally:
        pg_server.psql(f'DROP ROLE IF EXISTS "stranger_{lab.database}"')
        lab.drop()
