"""Exposure is saved after every playback: a killed program keeps what was played."""
from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session as DbSession

from audio.devices import DeviceChoice
from audio.safety import ExposureLog, SafetyGuard
from audio.render import Clip, render_trial
from db import repo
from db.engine import open_database
from db.exposure import exposure_records
from tasks.bank.build import ensure_builtin_bank
from tasks.presentation.presenter import SessionExposure

ROOT = Path(__file__).resolve().parents[2]
RATE = 48000
STEREO = DeviceChoice("JACK Audio Connection Kit", "system", RATE, (0, 1))


def reports(n):
    guard = SafetyGuard()
    tone = 0.01 * np.sin(np.arange(RATE // 2) * 0.1)[:, None]
    return [render_trial([Clip(tone * (k + 1), RATE, f"t{k}")], 0.0, STEREO, guard).safety for k in range(n)]


def a_session(db):
    from db.models import Participant, Session, Study

    with DbSession(db) as s:
        study = repo.add_study(s, Study(name="s", dataset_root="/x", dataset_fingerprint="f", protocol_json="{}"))
        participant = repo.add_participant(s, Participant(code="P1"))
        return repo.add_session(s, Session(study_id=study.id, participant_id=participant.id, cohort_index=0,
                                           plan_seed=0, app_version="t"), [])


def test_each_playback_is_committed_to_the_sittings_row(tmp_path):
    db_path = tmp_path / "lab.sqlite3"
    db = open_database(db_path)
    session = a_session(db)
    expected = ExposureLog()
    sitting = SessionExposure(db, session.id)
    for k, report in enumerate(reports(3)):
        sitting.add(report, 0.5 if k == 1 else 1.0)
        expected.add(report, 0.5 if k == 1 else 1.0)
        (row,) = exposure_records(open_database(db_path), session.id)  # another connection sees it at once
        assert row.trials == k + 1
        assert row.played_s == pytest.approx(expected.played_s)
        assert row.dose_pa2h == pytest.approx(expected.dose_pa2h)
        assert row.leq_db_a == pytest.approx(expected.leq_db_a)
        assert row.uncalibrated_trials == k + 1
    second = SessionExposure(db, session.id)  # a resumed session: a new sitting, a new row
    second.add(reports(1)[0])
    rows = exposure_records(db, session.id)
    assert [r.trials for r in rows] == [3, 1]
    assert not sitting.unsaved and not second.unsaved


def test_a_refused_write_is_made_good_by_the_next_one(tmp_path):
    db_path = tmp_path / "lab.sqlite3"
    db = open_database(db_path)
    session = a_session(db)
    first, second = reports(2)
    sitting = SessionExposure(db, session.id)
    sitting.add(first)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        sitting.add(second)  # the database is locked: kept in memory, no exception
        assert sitting.unsaved and "locked" in sitting.last_error
        (row,) = exposure_records(db, session.id)
        assert row.trials == 1
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert sitting.save() and not sitting.unsaved
    (row,) = exposure_records(db, session.id)
    assert row.trials == 2 and row.played_s == pytest.approx(first.duration_s + second.duration_s)


@pytest.mark.subprocess
@pytest.mark.jack
def test_a_killed_session_keeps_the_exposure_of_what_it_played(tmp_path, jack_server):
    db_path = tmp_path / "lab.sqlite3"
    ensure_builtin_bank(tmp_path)  # generated once, shared with the child
    env = dict(os.environ, JACK_DEFAULT_SERVER=jack_server.name, QT_QPA_PLATFORM="offscreen")
    answer_n = 3
    child = subprocess.Popen([sys.executable, "-m", "tests.support.app_child", str(db_path), str(tmp_path), str(answer_n)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    incoming: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [incoming.put(x) for x in child.stdout] + [incoming.put(None)], daemon=True).start()
    lines, playing = [], False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not playing:
        try:
            line = incoming.get(timeout=1.0)
        except queue.Empty:
            continue
        if line is None:
            break
        lines.append(line.strip())
        playing = line.startswith("AT ")
    if not playing:
        child.kill()
        _out, err = child.communicate(timeout=10)
        raise AssertionError(f"the app never reached the trial: {lines} {err[-2000:]}")
    os.kill(child.pid, signal.SIGKILL)  # while trial 4 plays; the window never closes
    child.wait(timeout=10)

    db = open_database(db_path)
    with DbSession(db) as s:
        (session,) = repo.unfinished_sessions(s)
        assert repo.count_answered(s, session.id) == answer_n
    (record,) = exposure_records(db, session.id)
    # every trial plays once by itself; the three answered ones and the one playing when killed
    assert record.trials >= answer_n + 1
    assert record.played_s > 0 and record.dose_pa2h > 0
