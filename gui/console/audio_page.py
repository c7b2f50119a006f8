"""Audio page: output device and channel map, the calibration wizard, the safety ceiling, and a
test tone with a level meter."""
from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from audio.calibration import DEFAULT_REFERENCE_DBFS, CalibrationError, reference_tone
from audio.headphone_eq import HeadphoneEqError
from audio.levels import DigitalReference, load_retspl_tables
from audio.render import RenderError
from audio.safety import HARD_MAXIMUM_DB_SPL, OverCeilingError
from gui.common.context import AppContext
from gui.common.widgets import CheckedDoubleSpinBox, CheckedSpinBox, LevelMeter, with_note
from tasks.presentation.headphone_setting import load_for_station, with_file
from tasks.presentation.presenter import calibrations_for, save_calibration


class AudioPage(QWidget):
    """Works on the session's presenter (its engine is open for the whole app)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        services = ctx.audio
        self.presenter = services.presenter
        choice = self.presenter.choice

        dev_box = QGroupBox(self.tr("Output"))
        form = QFormLayout(dev_box)
        self.device = QComboBox()
        for dev in services.devices:
            self.device.addItem(f"{dev.name} ({dev.host_api}, {dev.max_output_channels} outputs)")
        self.device.setCurrentIndex(next((i for i, d in enumerate(services.devices)
                                          if (d.name, d.host_api) == (choice.name, choice.host_api)), 0))
        self.device.setToolTip(self.tr("A new device or channel map takes effect when the app restarts."))
        self.device.currentIndexChanged.connect(self._device_chosen)
        self.left = CheckedSpinBox()
        self.right = CheckedSpinBox()
        for spin, value in ((self.left, choice.channel_map[0]), (self.right, choice.channel_map[1]
                                                                   if len(choice.channel_map) > 1 else 1)):
            spin.setRange(0, 63)
            spin.setValue(value)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("left ear → output")))
        row.addWidget(with_note(self.left))
        row.addWidget(QLabel(self.tr("right ear → output")))
        row.addWidget(with_note(self.right))
        self.transducer = QLineEdit(self.presenter.transducer)
        self.transducer.setPlaceholderText(self.tr("headphone model, e.g. Sennheiser HD 650"))
        self.transducer.editingFinished.connect(lambda: self._setting("transducer", self.transducer.text().strip()))
        form.addRow(self.tr("Device"), self.device)
        form.addRow(self.tr("Channel map"), row)
        form.addRow(self.tr("Transducer"), self.transducer)
        self.eq_name = QLabel()
        self.eq_name.setObjectName("headphoneEq")
        self.eq_name.setWordWrap(True)
        choose_eq = QPushButton(self.tr("&Headphone response…"))
        choose_eq.setObjectName("chooseHeadphoneEq")
        choose_eq.setToolTip(self.tr("A measured headphone impulse response (WAV, one channel per ear, or SOFA) "
                                     "of this transducer: its inverse filter flattens the headphone (docs/hrtf.md)"))
        choose_eq.clicked.connect(lambda: self.choose_headphone_file())
        no_eq = QPushButton(self.tr("None"))
        no_eq.setObjectName("noHeadphoneEq")
        no_eq.clicked.connect(lambda: self.set_headphone_file(None))
        eq_row = QHBoxLayout()
        eq_row.addWidget(choose_eq)
        eq_row.addWidget(no_eq)
        eq_row.addStretch(1)
        form.addRow(self.tr("Equalization"), eq_row)
        form.addRow(self.eq_name)
        self.eq_message = QLabel()
        self.eq_message.setObjectName("headphoneEqMessage")
        self.eq_message.setWordWrap(True)
        form.addRow(self.eq_message)
        for spin in (self.left, self.right):
            spin.valueChanged.connect(lambda _v: self._device_chosen(self.device.currentIndex()))
        self.restart_note = QLabel()
        self.restart_note.setObjectName("restartNote")
        form.addRow(QLabel(self.tr("Sample rate: {rate} Hz").format(rate=choice.sample_rate_hz)))
        form.addRow(self.restart_note)

        safety_box = QGroupBox(self.tr("Safety"))
        sform = QFormLayout(safety_box)
        self.ceiling = CheckedDoubleSpinBox()
        self.ceiling.setRange(40.0, HARD_MAXIMUM_DB_SPL)
        self.ceiling.setSuffix(" dB SPL")
        self.ceiling.limit_note = self.tr("hard maximum {m:g} dB SPL, for hearing safety").format(m=HARD_MAXIMUM_DB_SPL)
        self.ceiling.setValue(self.presenter.ceiling_db_spl)
        self.ceiling.valueChanged.connect(lambda v: self._setting("ceiling_db_spl", float(v)))
        self.attenuate = QCheckBox(self.tr("Attenuate stimuli over the ceiling (otherwise refuse them)"))
        self.attenuate.setChecked(self.presenter.allow_attenuation)
        self.attenuate.setToolTip(self.tr("Off (the default): a stimulus over the ceiling is not played. On: it is "
                                          "played quieter and the trial stores by how many dB; a loudness item "
                                          "played quieter may no longer mean what it asks."))
        self.attenuate.toggled.connect(lambda on: self._setting("allow_attenuation", bool(on)))
        sform.addRow(self.tr("Ceiling (hard maximum {m:g})").format(m=HARD_MAXIMUM_DB_SPL), with_note(self.ceiling))
        sform.addRow(self.attenuate)
        self.cal_state = QLabel()
        self.cal_state.setWordWrap(True)
        sform.addRow(self.cal_state)

        cal_box = QGroupBox(self.tr("Calibration wizard"))
        cform = QFormLayout(cal_box)
        steps = QLabel(self.tr(
            "1. Fix the amplifier volume.  2. Put the headphone on the coupler or artificial ear.\n"
            "3. Play the 1 kHz reference tone on one output.  4. Read the sound level meter (flat/Z, slow).\n"
            "5. Enter the reading and save.  6. Repeat for the other ear."))
        steps.setWordWrap(True)
        self.cal_channel = QComboBox()
        self.cal_channel.addItems([self.tr("left ear"), self.tr("right ear")])
        self.ref_dbfs = CheckedDoubleSpinBox()
        self.ref_dbfs.setRange(-60.0, -6.0)
        self.ref_dbfs.setValue(DEFAULT_REFERENCE_DBFS)
        self.ref_dbfs.setSuffix(" dBFS")
        self.measured = CheckedDoubleSpinBox()
        self.measured.setRange(0.0, 150.0)
        self.measured.setDecimals(1)
        self.measured.setSuffix(" dB SPL")
        self.equipment = QLineEdit()
        self.equipment.setPlaceholderText(self.tr("sound level meter and coupler"))
        self.measured_by = QLineEdit()
        self.measured_by.setPlaceholderText(self.tr("initials"))
        self.retspl = QComboBox()
        self.retspl.addItems(list(load_retspl_tables()))
        play_ref = QPushButton(self.tr("Play &reference tone"))
        play_ref.clicked.connect(self.play_reference)
        stop = QPushButton(self.tr("S&top"))
        stop.clicked.connect(self.stop)
        save = QPushButton(self.tr("&Save calibration"))
        save.setObjectName("saveCalibration")
        save.clicked.connect(self.save)
        self.cal_message = QLabel()
        self.cal_message.setWordWrap(True)
        self.cal_message.setObjectName("calibrationMessage")
        buttons = QHBoxLayout()
        for b in (play_ref, stop, save):
            buttons.addWidget(b)
        cform.addRow(steps)
        cform.addRow(self.tr("Output"), self.cal_channel)
        cform.addRow(self.tr("Reference tone"), with_note(self.ref_dbfs))
        cform.addRow(self.tr("Measured level"), with_note(self.measured))
        cform.addRow(self.tr("Equipment"), self.equipment)
        cform.addRow(self.tr("Measured by"), self.measured_by)
        cform.addRow(self.tr("RETSPL table"), self.retspl)
        cform.addRow(buttons)
        cform.addRow(self.cal_message)

        tone_box = QGroupBox(self.tr("Test tone"))
        tform = QFormLayout(tone_box)
        self.tone_level = CheckedDoubleSpinBox()
        self.tone_level.setRange(20.0, HARD_MAXIMUM_DB_SPL)
        self.tone_level.limit_note = self.ceiling.limit_note
        self.tone_level.setValue(65.0)
        self.tone_level.setSuffix(" dB SPL")
        play_tone = QPushButton(self.tr("Play test &tone"))
        play_tone.setObjectName("playTestTone")
        play_tone.clicked.connect(self.play_test_tone)
        self.meter = LevelMeter(HARD_MAXIMUM_DB_SPL)
        self.meter.setObjectName("levelMeter")
        self.meter_note = QLabel()
        self.meter_note.setWordWrap(True)
        tform.addRow(self.tr("Level"), with_note(self.tone_level))
        tform.addRow(play_tone)
        tform.addRow(self.tr("Meter"), self.meter)
        tform.addRow(self.meter_note)

        left = QVBoxLayout()
        left.addWidget(dev_box)
        left.addWidget(safety_box)
        left.addWidget(tone_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(cal_box)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)
        self.refresh_calibration_state()

    def _setting(self, key: str, value) -> None:
        self.ctx.settings.set(key, value)
        self.ctx.audio.reconfigure()
        self.refresh_calibration_state()

    def _device_chosen(self, index: int) -> None:
        """Saved for this station; the one stream of the app opens it at the next start."""
        dev = self.ctx.audio.devices[index]
        if self.left.value() == self.right.value():
            self.restart_note.setText(self.tr("Left and right need different outputs."))
            return
        if max(self.left.value(), self.right.value()) >= dev.max_output_channels:
            self.restart_note.setText(self.tr("{name} has only {n} outputs.").format(name=dev.name,
                                                                                  n=dev.max_output_channels))
            return
        self.ctx.settings.set("device", {"host_api": dev.host_api, "name": dev.name,
                                         "sample_rate_hz": int(dev.default_sample_rate_hz),
                                         "channel_map": [self.left.value(), self.right.value()]})
        self.restart_note.setText(self.tr("Saved: {name}, outputs {l} and {r}; restart the app to use it.").format(
            name=dev.name, l=self.left.value(), r=self.right.value()))

    def choose_headphone_file(self) -> None:
        path, _kind = QFileDialog.getOpenFileName(self, self.tr("Measured headphone response"), "",
                                                  self.tr("Headphone measurements (*.wav *.sofa);;All files (*)"))
        if path:
            self.set_headphone_file(path)

    def set_headphone_file(self, path: str | None) -> None:
        """Equalize the current transducer with the inverse filter of ``path`` (None: no filter),
        stored per transducer as a station setting; a file that gives no filter is named and the
        previous choice stays."""
        transducer = self.transducer.text().strip()
        if not transducer:
            self.eq_message.setText(self.tr("Name the transducer (headphone model) first: the equalization "
                                            "belongs to it."))
            return
        if transducer != self.presenter.transducer:
            self._setting("transducer", transducer)
        if path:
            try:
                # designed here once; reconfigure below keeps it (same file, same rate)
                self.presenter.headphone_filter = load_for_station(path, self.presenter.choice.sample_rate_hz)
            except HeadphoneEqError as exc:
                self.eq_message.setText(self.tr("Not used: {why}").format(why=exc))
                return
        self._setting("headphone_eq_files", with_file(self.ctx.settings.get("headphone_eq_files"), transducer, path))
        self.eq_message.setText(self.tr("Saved for {t}: {what}.").format(
            t=transducer, what=self.presenter.headphone_filter.label() if self.presenter.headphone_filter
            else self.tr("no equalization")))

    def _output(self) -> int:
        return self.presenter.choice.channel_map[self.cal_channel.currentIndex()]

    def refresh_calibration_state(self) -> None:
        cal, _ids = calibrations_for(self.ctx.db, self.presenter.choice, self.presenter.transducer)
        ears = self.presenter.choice.channel_map[:2]
        if cal.is_calibrated(ears):
            text = self.tr("Calibrated: full-scale sine = {l:.1f} / {r:.1f} dB SPL (left / right).").format(
                l=cal.for_channel(ears[0]).full_scale_db_spl, r=cal.for_channel(ears[-1]).full_scale_db_spl)
            warnings = cal.age_warnings(int(self.ctx.settings.get("calibration_max_age_days")))
            if warnings:
                text += "\n" + "\n".join(warnings)
        elif any(cal.is_calibrated([ear]) for ear in ears):  # one ear done: say which, and which is not
            left, right = (self.tr("calibrated ({spl:.1f} dB SPL full-scale sine)").format(
                spl=cal.for_channel(ear).full_scale_db_spl) if cal.is_calibrated([ear]) else "UNCALIBRATED"
                for ear in (ears[0], ears[-1]))
            text = self.tr("Left {left}, right {right}: stimuli play at a conservative default level and every "
                           "response is flagged uncalibrated until both ears are calibrated.").format(
                left=left, right=right)
        else:
            text = self.tr("UNCALIBRATED: stimuli play at a conservative default level and every response "
                           "is flagged uncalibrated. Calibrate both ears for levels in dB SPL.")
        eq = self.presenter.headphone_filter
        if eq is not None:
            lo, hi = eq.band_hz
            self.eq_name.setText(self.tr("{name}: inverse filter, design band {lo:g}–{hi:g} Hz").format(
                name=eq.label().split(" (", 1)[0], lo=lo, hi=hi))
            text += "\n" + self.tr("Headphone equalization: {label}, applied before the calibration gain and the "
                                   "safety check.").format(label=eq.label())
        else:
            why = self.ctx.audio.headphone_eq_error
            self.eq_name.setText(self.tr("none (the headphone plays unequalized)") if not why
                                 else self.tr("none: {why}").format(why=why))
            text += "\n" + self.tr("No headphone equalization.")
        self.cal_state.setText(text)

    def play_reference(self) -> None:
        rate = self.presenter.choice.sample_rate_hz
        tone = reference_tone(rate, self.ref_dbfs.value())
        stereo = np.zeros((tone.shape[0], 2), dtype=np.float32)
        stereo[:, self.cal_channel.currentIndex()] = tone[:, 0]
        self._play([stereo], rate, "1 kHz reference", None, self.ref_dbfs.value())

    def play_test_tone(self) -> None:
        rate = self.presenter.choice.sample_rate_hz
        tone = reference_tone(rate, -20.0, duration_s=2.0)
        level = self.tone_level.value()
        self._play([np.repeat(tone, 2, axis=1)], rate, "test tone", DigitalReference(-20.0, level), None)

    def stop(self) -> None:
        self.presenter.stop()
        self.meter.show_idle()

    def _play(self, arrays, rate, label, reference: DigitalReference | None, level_dbfs: float | None) -> None:
        """``reference`` None: the calibration tone, played as it is (no calibration gain)."""
        try:
            prepared = self.presenter.prepare_samples(arrays, rate, [label], 0.0, reference,
                                                      calibrated_gain=reference is not None)
        except (OverCeilingError, RenderError) as exc:
            self.meter_note.setText(str(exc))
            self.cal_message.setText(str(exc))
            return
        if level_dbfs is None and prepared.level_db_spl is None:  # uncalibrated: the level it plays at, in dBFS
            # as a sine's peak re full scale: the channel's SPL as audio.safety states it, less its full scale
            level_dbfs = round(max(c.level_db_spl - c.full_scale_db_spl for c in prepared.rendered.safety.channels), 1)
        note = self.tr("{label}: {level}").format(
            label=label, level=(f"{prepared.level_db_spl:.1f} dB SPL" if prepared.level_db_spl is not None
                                else self.tr("{dbfs:.1f} dBFS, uncalibrated").format(dbfs=level_dbfs)))
        if prepared.attenuation_db:
            note += self.tr(", attenuated by {db:.1f} dB by the ceiling").format(db=prepared.attenuation_db)
        self.meter_note.setText(note)
        self.presenter.play(prepared)
        # the meter shows the nominal level of the sound (after any attenuation) while it plays
        self.meter.show_playing(prepared.rendered.n_frames / rate, prepared.level_db_spl, level_dbfs)

    def save(self) -> None:
        transducer = self.transducer.text().strip()
        if not transducer:
            self.cal_message.setText(self.tr("Name the transducer (headphone model) first."))
            return
        try:
            eq = self.presenter.headphone_filter if transducer == self.presenter.transducer else None
            row = save_calibration(self.ctx.db, self.ctx.audio.device_id, transducer, self._output(),
                                   self.ref_dbfs.value(), self.measured.value(), self.equipment.text().strip(),
                                   self.measured_by.text().strip(), self.retspl.currentText(),
                                   headphone_filter=eq.label() if eq is not None else "")
        except CalibrationError as exc:
            self.cal_message.setText(str(exc))
            return
        self._setting("transducer", transducer)
        self.cal_message.setText(self.tr("Saved: output {ch}, {spl:.1f} dB SPL at {ref:.1f} dBFS.").format(
            ch=row.channel, spl=row.measured_db_spl, ref=row.reference_dbfs))
        self.refresh_calibration_state()
