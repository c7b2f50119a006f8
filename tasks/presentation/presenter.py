"""From a run to sound: which files, in which order, at which level, through which guard.

``Presenter`` is the non-GUI half of a trial: it renders a run into one buffer (context clip,
then the clips, with gaps), at the level the dataset means (its digital reference mapped
through the calibration of each output, or the conservative uncalibrated assumption), checked
by the safety guard; then plays all of it or one clip on the session's one engine.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession, select

from audio.calibration import Calibration as CalibrationRecord, CalibrationSet
from audio.devices import DeviceChoice
from audio.files import DEFAULT_MAX_CLIP_DURATION_S, AudioFileError
from audio.headphone_eq import HeadphoneFilter, procedure_with_filter
from audio.levels import DigitalReference
from audio.render import Clip, RenderedTrial, render_trial
from audio.safety import ExposureLog, SafetyCeiling, SafetyGuard, ATTENUATE, REFUSE
from db.engine import DatabaseFileError
from db.exposure import save_exposure
from db.models import Calibration as CalibrationRow, Device
from tasks.dataset.item_checks import ItemReferenceError, channel_problem, digital_reference
from tasks.dataset.items import family_of, printable
from tasks.dataset.paths import UnsafePathError, contained_path
from tasks.dataset.runs import Run

DEFAULT_GAP_S = 0.8  # between clips of one trial
CONTEXT_GAP_S = 1.5  # after the uncut recording (tr_uncut)


def _inside(root: Path, relative: str) -> Path:
    """The file a run names, refused unless it lies inside the dataset root (tasks.dataset.paths)."""
    try:
        return contained_path(root, relative)
    except UnsafePathError as exc:
        raise AudioFileError(f"refused to play {relative!r}: {exc}") from None


def item_reference(run: Run, default: DigitalReference) -> DigitalReference:
    """The digital reference an item states (the built-in bank records it), else the study's.
    One that is stated but unusable ("abc", a text for a number, NaN, above full scale) is
    refused (AudioFileError naming the item and field), never played by."""
    try:
        return digital_reference(run.item.extra.get("params")) or default
    except ItemReferenceError as exc:
        raise AudioFileError(f"refused to play item {printable(run.item.id)!r}: {exc}") from None


def check_channels(run: Run, clip: Clip) -> Clip:
    """A spatial reasoning item's file must be binaural; a mono file would play the same in both
    ears, without any of the spatial cues the question is about."""
    wrong = channel_problem(family_of(run.variant), clip.samples.shape[1])
    if wrong:
        raise AudioFileError(f"refused to play {clip.label} for item {printable(run.item.id)!r}: {wrong}")
    return clip


def output_gains_db(choice: DeviceChoice, calibrations: CalibrationSet, reference: DigitalReference,
                    outputs: tuple[int, ...] | None = None) -> dict[int, float]:
    """Gain per output so that a sine at the reference dBFS plays at the reference dB SPL."""
    return {ch: reference.reference_db_spl - calibrations.for_channel(ch).spl_of_dbfs(reference.reference_dbfs)
            for ch in (outputs or choice.channel_map)}


@dataclass(frozen=True)
class PreparedTrial:
    run: Run | None
    rendered: RenderedTrial
    labels: tuple[str, ...]  # one per clip of the rendered buffer
    n_context: int  # how many of the clips are context (played first, not counted as stimuli)

    @property
    def attenuation_db(self) -> float:
        return self.rendered.safety.attenuation_db

    @property
    def calibrated(self) -> bool:
        return self.rendered.safety.calibrated

    @property
    def level_db_spl(self) -> float | None:
        level = self.rendered.safety.level_db_spl
        return round(level, 2) if self.calibrated and np.isfinite(level) else None


class SessionExposure:
    """The exposure of one sitting of a session, saved to the database after every playback
    (db.exposure: one row per sitting, updated), so a killed program loses at most the
    playback that was starting. A failed write leaves the figures in memory; the next write
    (cumulative) or ``save`` at the end stores them, and ``unsaved`` says so meanwhile."""

    def __init__(self, db: Engine, session_id: int, log: ExposureLog | None = None):
        self.db, self.session_id = db, session_id
        self.log = log or ExposureLog()
        self.record_id: int | None = None
        self.unsaved = False
        self.last_error = ""

    def add(self, report, played_fraction: float = 1.0) -> None:
        self.log.add(report, played_fraction)
        self.save()

    def save(self) -> bool:
        """Write the cumulative figures now; False (and ``last_error``) if the database refused."""
        d = self.log.to_dict()
        try:
            self.record_id = save_exposure(
                self.db, self.session_id, self.record_id, played_s=float(d["played_s"]),
                leq_db_a=float(d["leq_db_a"]), dose_pa2h=float(d["dose_pa2h"]),
                daily_dose_percent=float(d["daily_dose_percent"]), trials=int(d["trials"]),
                uncalibrated_trials=int(d["uncalibrated_trials"]))
        except DatabaseFileError as exc:
            self.unsaved, self.last_error = True, str(exc)
            return False
        self.unsaved, self.last_error = False, ""
        return True

    def to_dict(self) -> dict:
        return self.log.to_dict()


@dataclass
class Presenter:
    """Renders and plays trials for one session on one open engine.

    Safety defaults: a stimulus over the ceiling is refused (``allow_attenuation`` False, the
    station setting of the same name turns attenuation on); a file longer than
    ``max_clip_duration_s`` (the study's Protocol sets it) is refused from its header before
    its samples are read."""

    engine: object  # audio.playback.engine.PlaybackEngine (opened by main.py)
    choice: DeviceChoice
    calibrations: CalibrationSet = field(default_factory=CalibrationSet.uncalibrated)
    ceiling_db_spl: float = 85.0
    allow_attenuation: bool = False
    reference: DigitalReference = field(default_factory=DigitalReference)
    transducer: str = ""
    device_id: int | None = None
    calibration_ids: tuple[int, ...] = ()
    exposure: ExposureLog | SessionExposure = field(default_factory=ExposureLog)
    max_clip_duration_s: float = DEFAULT_MAX_CLIP_DURATION_S
    headphone_filter: HeadphoneFilter | None = None  # equalization of this transducer (audio.headphone_eq)

    def __post_init__(self) -> None:
        self.rebuild_guard()

    def output_filters(self) -> dict | None:
        """FIR taps by output for render_trial: applied before the calibration gain and the check."""
        f = self.headphone_filter
        return None if f is None else f.output_filters(self.choice.left_output, self.choice.right_output)

    def rebuild_guard(self) -> None:
        """After a change of calibrations, ceiling or policy (SafetyCeiling refuses > 100 dB SPL)."""
        self.guard = SafetyGuard(self.calibrations, SafetyCeiling(self.ceiling_db_spl),
                                 ATTENUATE if self.allow_attenuation else REFUSE)

    def session_fields(self) -> dict:
        calibrated = self.calibrations.is_calibrated(self.choice.channel_map[:2])
        return {"device_id": self.device_id, "transducer": self.transducer,
                "calibration_ids": json.dumps(list(self.calibration_ids)), "uncalibrated": not calibrated,
                "level_procedure": procedure_with_filter("calibrated" if calibrated else "uncalibrated default",
                                                         self.headphone_filter)}

    def prepare(self, root: Path, run: Run, gap_s: float = DEFAULT_GAP_S) -> PreparedTrial:
        """Render a run: raises AudioFileError (also for a file outside the dataset root, over
        ``max_clip_duration_s``, truncated or with non-finite samples), RenderError or a
        SafetyError with clear text."""
        limit_s = self.max_clip_duration_s
        clips = [Clip.from_file(_inside(root, c.path), max_clip_duration_s=limit_s) for c in run.context_clips]
        clips += [check_channels(run, Clip.from_file(_inside(root, c.path), max_clip_duration_s=limit_s,
                                                     source_channel=c.channel)) for c in run.clips]
        gaps = [CONTEXT_GAP_S] * len(run.context_clips) + [gap_s] * (len(run.clips) - 1)
        gaps = gaps[:len(clips) - 1]
        labels = tuple(c.label for c in run.context_clips) + tuple(c.label for c in run.clips)
        rendered = render_trial(clips, gaps, self.choice, self.guard, label=run.unique_id,
                                output_gains_db=output_gains_db(self.choice, self.calibrations,
                                                                item_reference(run, self.reference)),
                                output_filters=self.output_filters())
        return PreparedTrial(run, rendered, labels, len(run.context_clips))

    def prepare_samples(self, intervals: list[np.ndarray], sample_rate_hz: int, labels: list[str],
                        gap_s: float, level_reference: DigitalReference | None = None,
                        calibrated_gain: bool = True) -> PreparedTrial:
        """Screening trials, level checks and test tones: arrays instead of files, at the level
        ``level_reference`` means (default: the study's). ``calibrated_gain=False`` plays the
        samples as they are (the calibration tone); the safety check applies either way."""
        clips = [Clip(np.asarray(x, dtype=np.float32), sample_rate_hz, lab) for x, lab in zip(intervals, labels)]
        gains = (output_gains_db(self.choice, self.calibrations, level_reference or self.reference)
                 if calibrated_gain else None)
        rendered = render_trial(clips, gap_s, self.choice, self.guard, label=" / ".join(labels), output_gains_db=gains,
                                output_filters=self.output_filters())
        return PreparedTrial(None, rendered, tuple(labels), 0)

    def play(self, prepared: PreparedTrial, clip_index: int | None = None):
        playback = self.engine.play(prepared.rendered, clip_index=clip_index)
        # counted when it starts: a playback stopped early still counts whole (the safe side);
        # a SessionExposure commits it now, while the sound plays on the audio thread
        played = 1.0 if clip_index is None else prepared.rendered.clips[clip_index].n_frames / prepared.rendered.n_frames
        self.exposure.add(prepared.rendered.safety, played)
        return playback

    def stop(self) -> None:
        self.engine.stop()


@dataclass
class AudioServices:
    """The app's audio: the output devices, this station's device row, and the presenter on the
    one open engine. ``reconfigure`` applies changed settings and new calibrations."""

    db: Engine
    settings: object  # db.settings.Settings
    presenter: Presenter
    devices: list
    device_id: int
    headphone_eq_error: str = ""  # why the transducer's headphone filter could not be made ("" if none)

    def reconfigure(self) -> None:
        from tasks.presentation.headphone_setting import filter_for

        p = self.presenter
        p.transducer = self.settings.get("transducer")
        p.headphone_filter, self.headphone_eq_error = filter_for(self.settings.get("headphone_eq_files"), p.transducer,
                                                                 p.choice.sample_rate_hz, p.headphone_filter)
        p.calibrations, p.calibration_ids = calibrations_for(self.db, p.choice, p.transducer)
        p.ceiling_db_spl = float(self.settings.get("ceiling_db_spl"))
        p.allow_attenuation = bool(self.settings.get("allow_attenuation"))
        p.device_id = self.device_id
        p.rebuild_guard()

    def session_fields(self) -> dict:
        self.reconfigure()
        return self.presenter.session_fields()


def calibrations_for(db: Engine, choice: DeviceChoice, transducer: str) -> tuple[CalibrationSet, tuple[int, ...]]:
    """The stored calibrations of this device + transducer, newest per channel, and their ids."""
    with DbSession(db) as s:
        rows = s.exec(select(CalibrationRow, Device).where(CalibrationRow.device_id == Device.id,
                                                          Device.name == choice.name,
                                                          Device.host_api == choice.host_api,
                                                          CalibrationRow.transducer == transducer)).all()
    records = {row.id: CalibrationRecord(device_name=dev.name, host_api=dev.host_api, transducer=row.transducer,
                                         output_channel=row.channel, reference_dbfs=row.reference_dbfs,
                                         measured_db_spl=row.measured_db_spl, measured_on=row.measured_at.date(),
                                         equipment=row.equipment, measured_by=row.measured_by,
                                         retspl_table=row.retspl_table, headphone_filter=row.headphone_filter)
               for row, dev in rows}
    chosen = CalibrationSet.for_output(records.values(), choice.name, choice.host_api, transducer)
    ids = tuple(i for i, rec in records.items() if chosen.calibrations.get(rec.output_channel) is rec)
    return chosen, ids


def station_device(db: Engine, station: str, choice: DeviceChoice) -> int:
    """The device row of this station's output, created on first use."""
    with DbSession(db) as s:
        row = s.exec(select(Device).where(Device.station == station, Device.name == choice.name,
                                          Device.host_api == choice.host_api)).first()
        if row is None:
            row = Device(station=station, host_api=choice.host_api, name=choice.name,
                         sample_rate_hz=choice.sample_rate_hz, channel_map_json=json.dumps(list(choice.channel_map)))
            s.add(row)
            s.commit()
            s.refresh(row)
        return row.id


def save_calibration(db: Engine, device_id: int, transducer: str, channel: int, reference_dbfs: float,
                     measured_db_spl: float, equipment: str, measured_by: str, retspl_table: str,
                     headphone_filter: str = "") -> CalibrationRow:
    """Store one calibration after checking it makes sense (audio.calibration validates)."""
    from datetime import date

    with DbSession(db) as s:
        dev = s.get(Device, device_id)
        record = CalibrationRecord(device_name=dev.name, host_api=dev.host_api, transducer=transducer,
                                   output_channel=channel, reference_dbfs=reference_dbfs,
                                   measured_db_spl=measured_db_spl, measured_on=date.today(), equipment=equipment,
                                   measured_by=measured_by, retspl_table=retspl_table, headphone_filter=headphone_filter)
        row = CalibrationRow(device_id=device_id, transducer=transducer, channel=channel, reference_dbfs=reference_dbfs,
                             measured_db_spl=measured_db_spl, equipment=record.equipment, measured_by=measured_by,
                             retspl_table=retspl_table, headphone_filter=record.headphone_filter)
        s.add(row)
        s.commit()
        s.refresh(row)
        return row


def choose_device(saved: dict | None, devices: list) -> DeviceChoice | None:
    """The station's saved device if it is present, else JACK's "system", else the first output."""
    from audio.devices import JACK_HOST_API

    if not devices:
        return None
    if saved:
        for d in devices:
            if (d.name, d.host_api) == (saved.get("name"), saved.get("host_api")):
                return DeviceChoice(d.host_api, d.name, int(saved.get("sample_rate_hz") or d.default_sample_rate_hz),
                                    tuple(saved.get("channel_map") or (0, 1)))
    preferred = [d for d in devices if d.host_api == JACK_HOST_API and d.name == "system"] or list(devices)
    d = preferred[0]
    channel_map = (0, 1) if d.max_output_channels >= 2 else (0,)
    return DeviceChoice(d.host_api, d.name, int(d.default_sample_rate_hz), channel_map)


def build_audio(db: Engine, settings, station: str) -> AudioServices | None:
    """Open the station's output for the whole app run; None when there is no output device.
    Raises audio.playback.events.EngineError / AudioBackendError with a clear message."""
    from audio.devices import list_output_devices
    from audio.playback.engine import PlaybackEngine

    devices = list_output_devices()
    choice = choose_device(settings.get("device"), devices)
    if choice is None:
        return None
    engine = PlaybackEngine(choice, devices=devices)
    engine.open()
    services = AudioServices(db, settings, Presenter(engine, choice), devices, station_device(db, station, choice))
    services.reconfigure()
    return services
