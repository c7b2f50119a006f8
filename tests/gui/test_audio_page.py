"""The Audio page on a real JACK device: calibration wizard, ceiling, test tone and meter."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import save_screenshot
from tests.support.gui_harness import console_on_audio_page, lab_context

pytestmark = pytest.mark.jack


@pytest.fixture
def audio_console(qtbot, tmp_path, jack_server):
    """A console on a lab context with the JACK dummy output, shown on its real Audio page:
    (the context, the page); the output is closed afterwards."""
    ctx = lab_context(tmp_path, tmp_path / "lab.sqlite3", "test-station")
    try:
        yield ctx, console_on_audio_page(qtbot, ctx)
    finally:
        ctx.audio.presenter.engine.close()


def test_calibration_wizard_ceiling_and_test_tone(qtbot, audio_console):
    ctx, page = audio_console
    window = page.window()
    assert "UNCALIBRATED" in page.cal_state.text()
    assert page.ceiling.maximum() == 100.0  # the hard maximum cannot be set higher
    assert page.meter.format() == "-" and page.meter.value() == 0  # nothing plays
    page.ceiling.setValue(80.0)
    page.play_reference()  # uncalibrated, the -30 dBFS tone counts as 85 dB SPL: over an 80 dB ceiling
    assert "over the limit" in page.meter_note.text() and page.meter.format() == "-"
    page.ceiling.setValue(85.0)
    page.play_reference()  # exactly on the default ceiling: it plays
    # uncalibrated: the reference tone's level is known in dBFS only
    assert page.meter.format() == "-30.0 dBFS (uncalibrated: dB SPL unknown)" and not page.meter.idle, page.meter_note.text()
    page.stop()  # at once: a stop before the first audio block ends the playback too
    assert page.meter.format() == "-"
    page.save()
    assert "Name the transducer" in page.cal_message.text()
    page.transducer.setText("HD 650")
    page.save()  # the reading was not entered: 0 dB SPL
    assert page.cal_message.text().endswith("not plausible: a reading must be above 0 and below 160 dB SPL")
    page.measured.setValue(20.0)  # a misread meter: full scale would be 50 dB SPL
    page.save()
    assert "Check the meter reading" in page.cal_message.text()
    for ear, reading in ((0, 72.0), (1, 71.5)):
        page.cal_channel.setCurrentIndex(ear)
        page.measured.setValue(reading)
        page.equipment.setText("B&K 2250 + 4153")
        page.measured_by.setText("AB")
        page.save()
        assert page.cal_message.text().startswith("Saved")
    assert page.cal_state.text().startswith("Calibrated: full-scale sine = 102.0 / 101.5 dB SPL")
    page.cal_channel.setCurrentIndex(0)
    page.play_reference()  # -30 dBFS on the left ear, calibrated at 72 dB SPL
    assert page.meter.format() == "72.0 dB SPL" and page.meter.value() == 72
    page.stop()
    fields = ctx.audio.session_fields()
    assert fields["uncalibrated"] is False and fields["level_procedure"] == "calibrated"
    page.tone_level.setValue(65.0)
    page.play_test_tone()
    assert page.meter_note.text() == "test tone: 65.0 dB SPL" and page.meter.value() == 65
    assert page.meter.format() == "65.0 dB SPL"
    qtbot.waitUntil(lambda: page.meter.idle, timeout=5000)  # the 2 s tone is over
    assert page.meter.format() == "-"
    page.ceiling.setFocus()
    page.ceiling.lineEdit().selectAll()
    qtbot.keyClicks(page.ceiling, "150")
    qtbot.keyClick(page.ceiling, Qt.Key_Return)
    assert page.ceiling.value() == 85.0 and ctx.settings.get("ceiling_db_spl") == 85.0
    QApplication.processEvents()  # the note's new text laid out before the picture
    save_screenshot(window, "console-audio-refused-value")
    assert page.ceiling.note.text() == ("150 is above the maximum: allowed 40-100 dB SPL (hard maximum 100 dB SPL, "
                                        "for hearing safety). Kept 85 dB SPL.")
    page.ceiling.setValue(60.0)
    page.attenuate.setChecked(False)
    page.play_test_tone()  # 65 dB SPL over a 60 dB ceiling with "refuse"
    assert "over the limit" in page.meter_note.text()
    page.attenuate.setChecked(True)
    page.play_test_tone()
    assert "attenuated by 5.0 dB" in page.meter_note.text()
    assert page.meter.format() == "60.0 dB SPL"  # what plays: the attenuated level
    page.left.setValue(1)
    page.right.setValue(1)
    assert "different outputs" in page.restart_note.text()
    page.right.setValue(0)
    assert ctx.settings.get("device")["channel_map"] == [1, 0]
