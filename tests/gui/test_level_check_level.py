"""The level check's sound plays at the study's reference level: on a calibrated output (JACK
dummy server, calibrations stored in the database) the rendered buffer, measured against the
calibration, sounds within 1 dB of the study's reference_db_spl, at the built-in bank's reference
(-30 dBFS = 70 dB SPL) and at a second one; the safety report of the buffer says the same."""
import math

import numpy as np
import pytest

from audio.levels import DEFAULT_RETSPL_TABLE, DigitalReference
from tests.support.gui_harness import lab_context

pytestmark = pytest.mark.jack

CAL_REFERENCE_DBFS, CAL_MEASURED_DB_SPL = -20.0, 88.0  # a full-scale sine gives 108 dB SPL here


def measured_db_spl(buffer: np.ndarray, channel: int, calibrations, rate: int) -> float:
    """The channel's level in dB SPL: its RMS (ramps left out) as the peak of a sine of the same
    RMS, through the channel's calibration."""
    steady = buffer[int(0.1 * rate):-int(0.1 * rate), channel].astype(np.float64)
    rms = math.sqrt(float(np.mean(steady * steady)))
    return calibrations.for_channel(channel).spl_of_dbfs(20 * math.log10(rms * math.sqrt(2)))


@pytest.mark.parametrize("reference", [DigitalReference(-30.0, 70.0), DigitalReference(-20.0, 62.0)],
                         ids=["builtin-bank-70", "second-62"])
def test_the_level_check_sounds_at_the_studys_reference_level(qtbot, tmp_path, jack_server, reference):
    from gui.participant.level_check import prepare_level_check
    from tasks.presentation.presenter import save_calibration

    ctx = lab_context(tmp_path, tmp_path / "lab.sqlite3", "test-station")
    audio = ctx.audio
    try:
        for channel in audio.presenter.choice.channel_map:
            save_calibration(ctx.db, audio.device_id, audio.presenter.transducer, channel, CAL_REFERENCE_DBFS,
                             CAL_MEASURED_DB_SPL, "class 1 meter", "lab", DEFAULT_RETSPL_TABLE)
        audio.reconfigure()
        presenter = audio.presenter
        assert presenter.calibrations.calibrations  # calibrated on every output
        presenter.reference = reference  # as the participant window sets it from the study
        prepared = prepare_level_check(presenter, ["Sound"])
        rendered = prepared.rendered
        rate = rendered.sample_rate_hz
        for channel in presenter.choice.channel_map:
            level = measured_db_spl(rendered.buffer, channel, presenter.calibrations, rate)
            assert abs(level - reference.reference_db_spl) < 1.0, (channel, level)
        assert rendered.safety.calibrated
        assert abs(rendered.safety.level_db_spl - reference.reference_db_spl) < 1.0
        assert prepared.attenuation_db == 0.0
    finally:
        audio.presenter.engine.close()
