"""The Audio page on a real JACK device: calibration wizard, ceiling, test tone and meter."""
import pytest

from tests.gui.harness import lab_context

pytestmark = pytest.mark.jack


def test_calibration_wizard_ceiling_and_test_tone(qtbot, tmp_path, jack_server):
    from gui.pages.audio_page import AudioPage

    ctx = lab_context(tmp_path, tmp_path / "lab.sqlite3", "test-station")
    try:
        page = AudioPage(ctx)
        qtbot.addWidget(page)
        page.show()
        assert "UNCALIBRATED" in page.cal_state.text()
        assert page.ceiling.maximum() == 100.0  # the hard maximum cannot be set higher
        page.play_reference()
        page.save()
        assert "Name the transducer" in page.cal_message.text()
        page.transducer.setText("HD 650")
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
        fields = ctx.audio.session_fields()
        assert fields["uncalibrated"] is False and fields["level_procedure"] == "calibrated"
        page.tone_level.setValue(65.0)
        page.play_test_tone()
        assert page.meter_note.text() == "test tone: 65.0 dB SPL" and page.meter.value() == 65
        page.ceiling.setValue(60.0)
        page.attenuate.setChecked(False)
        page.play_test_tone()  # 65 dB SPL over a 60 dB ceiling with "refuse"
        assert "over the limit" in page.meter_note.text()
        page.attenuate.setChecked(True)
        page.play_test_tone()
        assert "attenuated by 5.0 dB" in page.meter_note.text()
        page.left.setValue(1)
        page.right.setValue(1)
        assert "different outputs" in page.restart_note.text()
        page.right.setValue(0)
        assert ctx.settings.get("device")["channel_map"] == [1, 0]
    finally:
        ctx.audio.presenter.engine.close()
