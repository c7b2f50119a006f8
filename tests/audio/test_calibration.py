"""Calibration arithmetic, ageing, and the RETSPL route to dB HL."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from audio.calibration import (
    UNCALIBRATED_FULL_SCALE_DB_SPL, Calibration, CalibrationError, CalibrationSet, reference_tone,
)
from audio.levels import load_retspl_tables, rms_dbfs


def make(channel=0, measured_db_spl=74.0, reference_dbfs=-30.0, on=dt.date(2024, 5, 1), transducer="HD 650"):
    return Calibration("system", "JACK Audio Connection Kit", transducer, channel, reference_dbfs, measured_db_spl,
                       on, "B&K 2250 + 4153 artificial ear", "ab", "HDA-200")


def test_spl_dbfs_mapping_is_linear_and_inverse():
    cal = make()
    assert cal.full_scale_db_spl == pytest.approx(104.0)
    assert cal.spl_of_dbfs(-30.0) == pytest.approx(74.0)
    assert cal.dbfs_for_spl(60.0) == pytest.approx(-44.0)
    for level in (20.0, 65.5, 90.0):
        assert cal.spl_of_dbfs(cal.dbfs_for_spl(level)) == pytest.approx(level)


def test_hearing_level_goes_through_the_named_retspl_table():
    cal = make()
    tables = load_retspl_tables()
    assert cal.dbfs_for_hl(0.0, 1000.0, tables) == pytest.approx(cal.dbfs_for_spl(5.5))  # HDA 200 at 1 kHz
    with pytest.raises(CalibrationError, match="not in"):
        Calibration(**{**make().__dict__, "retspl_table": "nope"}).dbfs_for_hl(0.0, 1000.0, tables)


def test_age_warning():
    cal = make(on=dt.date(2024, 5, 1))
    assert cal.age_warning(30, today=dt.date(2024, 5, 31)) is None
    warning = cal.age_warning(30, today=dt.date(2024, 6, 15))
    assert warning and "45 days old" in warning


def test_record_round_trip_and_validation():
    cal = make()
    assert Calibration.from_dict(cal.to_dict()) == cal
    with pytest.raises(CalibrationError):
        make(reference_dbfs=3.0)
    with pytest.raises(CalibrationError):
        make(measured_db_spl=0.0)


def test_set_picks_newest_matching_record_and_defaults_the_rest():
    records = [make(0, 70.0, on=dt.date(2024, 1, 1)), make(0, 72.0, on=dt.date(2024, 2, 1)),
               make(1, 80.0, transducer="other headphone")]
    cals = CalibrationSet.for_output(records, "system", "JACK Audio Connection Kit", "HD 650")
    assert cals.for_channel(0).full_scale_db_spl == pytest.approx(102.0)
    assert cals.for_channel(0).calibrated
    assert not cals.for_channel(1).calibrated
    assert cals.for_channel(1).full_scale_db_spl == UNCALIBRATED_FULL_SCALE_DB_SPL
    assert not cals.is_calibrated([0, 1]) and cals.is_calibrated([0])


def test_reference_tone_level():
    tone = reference_tone(48000, level_dbfs=-30.0, duration_s=1.0)
    assert tone.shape == (48000, 1) and tone.dtype == np.float32
    assert np.max(np.abs(tone)) == pytest.approx(10 ** (-30 / 20), rel=1e-4)
    assert rms_dbfs(tone[4800:-4800]) == pytest.approx(-30.0 - 3.0103, abs=0.01)


def test_an_implausible_reading_is_refused_with_a_clear_message():
    import datetime as dt

    import pytest

    from audio.calibration import Calibration, CalibrationError

    with pytest.raises(CalibrationError, match="full-scale sine would give 50.0 dB SPL.*Check the meter reading"):
        Calibration("system", "JACK Audio Connection Kit", "HD 650", 1, -30.0, 20.0, dt.date.today())
    ok = Calibration("system", "JACK Audio Connection Kit", "HD 650", 1, -30.0, 72.5, dt.date.today())
    assert ok.full_scale_db_spl == 102.5
