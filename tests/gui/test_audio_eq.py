"""The Audio page's headphone equalization on a real JACK device: a measured headphone response
(WAV) per transducer, its filter named with its design band, applied by the presenter, named in
the calibration state and the calibration record, kept across a restart; a bad file is named."""
import numpy as np
import pytest
import soundfile
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import save_screenshot
from tests.support.gui_harness import lab_context

pytestmark = pytest.mark.jack


def write_measurement(path, rate_hz: int = 48_000):
    """A headphone impulse response with a comb ripple (+3.5 / -6 dB), one channel per ear."""
    ir = np.zeros((512, 2))
    ir[0, :] = 1.0
    ir[8, 0], ir[12, 1] = 0.5, 0.4
    soundfile.write(str(path), ir, rate_hz, subtype="FLOAT")
    return path


def test_headphone_response_per_transducer_is_applied_named_and_kept(qtbot, tmp_path, jack_server):
    from audio.headphone_eq import apply_output_filters
    from gui.console.window import ConsoleWindow
    from gui.console.audio_page import AudioPage
    from tasks.presentation.presenter import build_audio, calibrations_for

    measured = write_measurement(tmp_path / "hd650-hptf.wav")
    broken = tmp_path / "broken.wav"
    broken.write_text("not audio")
    ctx = lab_context(tmp_path, tmp_path / "lab.sqlite3", "test-station")
    presenter = ctx.audio.presenter
    try:
        window = ConsoleWindow(ctx, audio_page_factory=lambda _window: AudioPage(ctx))
        qtbot.addWidget(window)
        window.resize(1280, 720)
        window.show()
        window.show_page("audio")
        page = window.audio_page
        assert page.eq_name.text() == "none (the headphone plays unequalized)"
        assert "No headphone equalization." in page.cal_state.text()
        page.set_headphone_file(str(measured))
        assert "Name the transducer" in page.eq_message.text() and presenter.headphone_filter is None
        page.transducer.setText("HD 650")
        page.set_headphone_file(str(broken))
        assert page.eq_message.text().startswith(f"Not used: {broken}: not a readable audio file")
        assert presenter.headphone_filter is None and not ctx.settings.get("headphone_eq_files")
        page.set_headphone_file(str(measured))
        eq = presenter.headphone_filter
        assert eq is not None and eq.source_file == str(measured) and eq.sample_rate_hz == presenter.choice.sample_rate_hz
        assert page.eq_name.text() == "hd650-hptf.wav: inverse filter, design band 100–16000 Hz"
        assert f"Headphone equalization: {eq.label()}, applied before" in page.cal_state.text()
        assert ctx.settings.get("headphone_eq_files") == {"HD 650": str(measured)}
        # what plays is the stimulus through the filter (the test tone, uncalibrated gain 0 dB)
        tone = np.zeros((4800, 2), dtype=np.float32)
        tone[:, 0] = 0.001 * np.sin(2 * np.pi * 3000 * np.arange(4800) / 48_000)
        prepared = presenter.prepare_samples([tone], 48_000, ["eq"], 0.0, calibrated_gain=False)
        expected = apply_output_filters(np.pad(tone, ((0, 0), (0, prepared.rendered.buffer.shape[1] - 2))),
                                        eq.output_filters(*presenter.choice.channel_map[:2]))
        got = prepared.rendered.buffer[:4800]
        assert np.allclose(got, expected[:got.shape[0]], atol=1e-6)
        assert not np.allclose(got[:, 0], tone[:got.shape[0], 0], atol=1e-5)  # the filter changed the tone
        assert ctx.audio.session_fields()["level_procedure"].endswith(f"headphone EQ: {eq.label()}")
        # a bad file later keeps the filter in force and says why
        page.set_headphone_file(str(broken))
        assert "broken.wav" in page.eq_message.text() and presenter.headphone_filter is eq
        # the calibration record names the filter
        page.measured.setValue(72.0)
        page.save()
        cal, _ids = calibrations_for(ctx.db, presenter.choice, "HD 650")
        assert cal.calibrations[presenter.choice.channel_map[0]].headphone_filter == eq.label()
        # another transducer has its own (none)
        page.transducer.setText("DT 990")
        page.transducer.editingFinished.emit()
        assert presenter.headphone_filter is None and page.eq_name.text().startswith("none")
        page.transducer.setText("HD 650")
        page.transducer.editingFinished.emit()
        assert presenter.headphone_filter.label() == eq.label()
        page.eq_message.setText("")
        QApplication.processEvents()
        save_screenshot(window, "console-audio-headphone-eq")
    finally:
        presenter.engine.close()
    # a restart: the settings read afresh and a new output opened for the same station
    again = build_audio(ctx.db, type(ctx.settings)(ctx.db), "test-station")
    try:
        assert again.presenter.transducer == "HD 650" and again.presenter.headphone_filter.label() == eq.label()
        assert again.headphone_eq_error == ""
        measured.unlink()  # the file went away: no filter, and the reason names the file
        again.presenter.headphone_filter = None
        again.reconfigure()
        assert again.presenter.headphone_filter is None and str(measured) in again.headphone_eq_error
    finally:
        again.presenter.engine.close()
