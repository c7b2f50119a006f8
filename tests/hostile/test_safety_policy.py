"""Refuse is the default policy; an attenuated trial stores its attenuation (real SQLite file,
the real participant window on the JACK dummy server); the study's clip-length limit reaches
the file reader and is decided from the header."""
from __future__ import annotations

import json
import struct
import tracemalloc

import numpy as np
import pytest
import soundfile
from PySide6.QtCore import Qt
from sqlmodel import Session as DbSession, select

from audio.devices import DeviceChoice
from audio.files import AudioFileError
from audio.safety import ATTENUATE, REFUSE, OverCeilingError
from db.engine import open_database
from db.exposure import exposure_records
from db.models import Response
from db.settings import DEFAULTS, Settings
from tasks.dataset.loader import load_dataset
from tasks.study.plan import PlanError, Protocol
from tasks.presentation.presenter import AudioServices, Presenter
from tasks.dataset.runs import make_run
from tasks.study.studies import open_study
from tasks.study.enrolment import start_or_resume
from tests.support.factories import sr_items, write_dataset

JACK = "JACK Audio Connection Kit"
STEREO = DeviceChoice(JACK, "system", 48000, (0, 1))


def loud_dataset(root, amplitude=0.9):
    """The small test dataset with every WAV a full-scale-ish tone (over an 85 dB SPL ceiling
    under the uncalibrated assumption)."""
    write_dataset(root, sr=sr_items(1)[:1])  # one sr item: a one-trial session
    rate = 16000
    tone = amplitude * np.sin(2 * np.pi * 1000 * np.arange(int(0.3 * rate)) / rate)
    for wav in root.rglob("*.wav"):
        channels = soundfile.info(str(wav)).channels
        soundfile.write(str(wav), np.tile(tone[:, None], (1, channels)), rate, subtype="PCM_16")
    return load_dataset(root)


def sr_run(dataset):
    return make_run(dataset.items["sr"][0], "sr", 0)


def test_a_fresh_station_refuses_a_stimulus_over_the_ceiling(tmp_path):
    assert DEFAULTS["allow_attenuation"] is False
    db = open_database(tmp_path / "lab.sqlite3")
    services = AudioServices(db, Settings(db), Presenter(None, STEREO), [], device_id=0)
    services.reconfigure()
    assert services.presenter.guard.policy == REFUSE
    dataset = loud_dataset(tmp_path / "loud")
    with pytest.raises(OverCeilingError, match="dB over the limit"):
        services.presenter.prepare(dataset.root, sr_run(dataset))
    Settings(db).set("allow_attenuation", True)
    services.reconfigure()
    assert services.presenter.guard.policy == ATTENUATE
    prepared = services.presenter.prepare(dataset.root, sr_run(dataset))
    assert prepared.attenuation_db > 0


def test_old_protocol_json_loads_with_the_default_clip_limit_and_bad_limits_are_refused():
    old = json.loads(Protocol().to_json())
    del old["max_clip_duration_s"]
    assert Protocol.from_json(json.dumps(old)).max_clip_duration_s == 600.0
    assert Protocol.from_json(Protocol(max_clip_duration_s=12.5).to_json()).max_clip_duration_s == 12.5
    for bad in (0, -1.0, float("inf"), float("nan"), "600", True, None):
        with pytest.raises(PlanError, match="max_clip_duration_s must be a positive number"):
            Protocol(max_clip_duration_s=bad)


def promise_huge_data_chunk(path, data_bytes=2_000_000_000):
    """Rewrite the WAV's data chunk size: the header now promises ~2 GB; the file stays small."""
    raw = bytearray(path.read_bytes())
    at = raw.index(b"data")
    raw[at + 4:at + 8] = struct.pack("<I", data_bytes)
    path.write_bytes(bytes(raw))


def test_a_header_promising_2_gb_is_refused_before_reading(tmp_path):
    dataset = write_dataset(tmp_path / "ds")
    dataset = load_dataset(dataset)
    run = sr_run(dataset)
    wav = dataset.root / run.clips[0].path
    promise_huge_data_chunk(wav)  # 16-bit stereo at 16 kHz: 500 M frames, 31250 s
    presenter = Presenter(None, STEREO)
    tracemalloc.start()
    try:
        with pytest.raises(AudioFileError) as err:
            presenter.prepare(dataset.root, run)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(err.value) == (f"{wav}: 31250.0 s (500000000 frames, 2 channels at 16000 Hz) is longer than "
                              f"the limit of 600 s per clip")
    assert peak < 50_000_000  # nothing near the 8 GB the header asks for


def test_the_study_limit_reaches_the_reader(tmp_path):
    dataset = load_dataset(write_dataset(tmp_path / "ds"))  # clips of 0.05 s
    run = sr_run(dataset)
    presenter = Presenter(None, STEREO)
    presenter.prepare(dataset.root, run)
    presenter.max_clip_duration_s = Protocol(max_clip_duration_s=0.04).max_clip_duration_s
    with pytest.raises(AudioFileError, match=r"0\.1 s \(800 frames.*longer than the limit of 0\.04 s per clip"):
        presenter.prepare(dataset.root, run)


@pytest.mark.jack
def test_an_attenuated_trial_is_stored_with_its_attenuation(qtbot, tmp_path, jack_server):
    from gui.common.bridge import EngineBridge
    from gui.participant.window import ParticipantWindow
    from tests.support.gui_harness import lab_context

    db_path = tmp_path / "lab.sqlite3"
    ctx = lab_context(tmp_path, db_path, "test-station")
    ctx.settings.set("allow_attenuation", True)
    ctx.audio.reconfigure()
    presenter = ctx.audio.presenter
    dataset = loud_dataset(tmp_path / "loud")
    study = open_study(ctx.db, dataset, "loud", Protocol(variants=["sr"], items_per_group=1, practice_per_block=0))
    session = start_or_resume(ctx.db, dataset, study, "P001", "test")
    try:
        bridge = EngineBridge(presenter.engine.events)
        window = ParticipantWindow(ctx.db, session.id, dataset, presenter, bridge, "0000", screening=None)
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        window.start()
        expected_db = None
        for _ in range(20):
            if window.stack.currentWidget() is window.message:
                assert window.message.button.isVisible(), window.message.title.text()
                qtbot.keyClick(window, Qt.Key_Return)
                continue
            trial = window.trial
            qtbot.waitUntil(lambda: bool(trial.option_buttons) and trial.option_buttons[0].isEnabled(), timeout=30000)
            expected_db = trial.prepared.attenuation_db
            qtbot.keyClick(window, "A")
            qtbot.keyClick(window, Qt.Key_Return)
            break
        assert expected_db is not None and expected_db > 0
        qtbot.waitUntil(lambda: window.finished, timeout=10000)  # the only trial: the session ends
        window.close()
    finally:
        presenter.engine.close()
    reopened = open_database(db_path)
    with DbSession(reopened) as s:
        (response,) = s.exec(select(Response).where(Response.session_id == session.id)).all()
    assert response.attenuation_db == expected_db
    (record,) = exposure_records(reopened, session.id)
    assert record.trials >= 1 and record.played_s > 0
