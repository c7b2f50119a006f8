"""The Audio page before and between calibrations, on a real JACK device: the uncalibrated test
tone's meter shows its level in dBFS for as long as it plays, and a calibration of one ear only
is said as such (which ear is calibrated, which is not)."""
import pytest

from audio.calibration import UNCALIBRATED_FULL_SCALE_DB_SPL
from tests.gui.conftest import save_screenshot
from tests.gui.test_audio_page import audio_console  # noqa: F401 (a fixture)
from tests.support.gui_harness import settle_layouts

pytestmark = pytest.mark.jack


def test_uncalibrated_tone_shows_dbfs_and_one_calibrated_ear_is_named(qtbot, audio_console):  # noqa: F811
    ctx, page = audio_console
    window = page.window()
    assert page.cal_state.text().startswith("UNCALIBRATED: ")
    page.tone_level.setValue(70.0)
    page.play_test_tone()
    # uncalibrated the tone's -20 dBFS = 70 dB SPL gets the default gain: it plays at 70 dB
    # below the default full scale, a level known in dBFS only
    dbfs = 70.0 - UNCALIBRATED_FULL_SCALE_DB_SPL
    assert page.meter.format() == f"{dbfs:.1f} dBFS (uncalibrated: dB SPL unknown)", page.meter_note.text()
    assert page.meter_note.text() == f"test tone: {dbfs:.1f} dBFS, uncalibrated"
    assert not page.meter.idle  # shown while the 2 s tone plays ...
    qtbot.waitUntil(lambda: page.meter.idle, timeout=5000)
    assert page.meter.format() == "-"  # ... and not after

    page.transducer.setText("HD 650")
    page.cal_channel.setCurrentIndex(0)
    page.measured.setValue(72.0)  # left ear: -30 dBFS reads 72 dB SPL
    page.save()
    assert page.cal_message.text().startswith("Saved")
    text = page.cal_state.text()
    assert text.startswith("Left calibrated (102.0 dB SPL full-scale sine), right UNCALIBRATED: "), text
    assert "flagged uncalibrated until both ears are calibrated" in text
    assert ctx.audio.session_fields()["uncalibrated"] is True
    window.resize(1280, 720)

    def state_fits() -> bool:  # the layout gives the longer state its height (a picture of it, unclipped)
        settle_layouts()
        return page.cal_state.height() >= page.cal_state.heightForWidth(page.cal_state.width())

    qtbot.waitUntil(state_fits, timeout=2000)
    save_screenshot(window, "console-audio-one-ear")
    page.cal_channel.setCurrentIndex(1)
    page.measured.setValue(71.5)
    page.save()
    assert page.cal_state.text().startswith("Calibrated: full-scale sine = 102.0 / 101.5 dB SPL")
    page.play_test_tone()  # calibrated now: dB SPL
    assert page.meter.format() == "70.0 dB SPL"
    page.stop()
