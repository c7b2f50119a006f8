"""The sounds of adaptive trials, rendered through the presenter's calibrated path and safety
guard as any trial: the differences they carry, measured in the buffer, are the levels stated
in the dimension's unit, and the ceiling holds."""
import datetime as dt
import math

import numpy as np
import pytest

from audio.calibration import Calibration, CalibrationSet
from audio.devices import DeviceChoice
from audio.safety import OverCeilingError
from tasks.adaptive.stimuli import synthesize
from tasks.bank.common import BankConfig
from tasks.presentation.presenter import Presenter

JACK = "JACK Audio Connection Kit"
CHOICE = DeviceChoice(JACK, "system", 48000)
REFERENCE = BankConfig().reference


def presenter(ceiling_db_spl: float = 85.0, attenuate: bool = False) -> Presenter:
    # full scale = 110 dB SPL on both ears: the bank's 60 dB SPL tone plays 50 dB below it
    cals = [Calibration(device_name="system", host_api=JACK, transducer="HP", output_channel=ch, reference_dbfs=-20.0,
                        measured_db_spl=90.0, measured_on=dt.date(2026, 1, 1)) for ch in (0, 1)]
    return Presenter(None, CHOICE, calibrations=CalibrationSet.for_output(cals, "system", JACK, "HP"),
                     ceiling_db_spl=ceiling_db_spl, allow_attenuation=attenuate)


def prepare(p: Presenter, stim):
    return p.prepare_samples(list(stim.intervals), stim.sample_rate_hz, ["Sound 1", "Sound 2"], stim.params["gap_s"],
                             level_reference=REFERENCE)


def segments(prepared):
    buf = prepared.rendered.buffer
    return [buf[c.onset_frame:c.end_frame] for c in prepared.rendered.clips]


def peak_db_spl(segment) -> float:
    return 110.0 + 20 * math.log10(float(np.max(np.abs(segment))))


def frequency_hz(segment, sr=48000) -> float:
    x = segment[:, 0] * np.hanning(segment.shape[0])
    spectrum = np.abs(np.fft.rfft(x, 16 * x.size))
    k = int(np.argmax(spectrum))
    a, b, c = np.log(spectrum[k - 1:k + 2])
    return (k + 0.5 * (a - c) / (a - 2 * b + c)) * sr / (16 * x.size)


@pytest.mark.parametrize("first", [True, False])
def test_pitch_pair_differs_by_the_stated_cents(first):
    stim = synthesize("pitch", 35.0, first, np.random.default_rng(0))
    f1, f2 = (frequency_hz(s) for s in segments(prepare(presenter(), stim)))
    cents = 1200 * math.log2(f1 / f2) if first else 1200 * math.log2(f2 / f1)
    assert cents == pytest.approx(stim.level_played, abs=0.5)
    assert stim.level_played == pytest.approx(35.0)


def test_loudness_pair_at_calibrated_levels():
    stim = synthesize("loudness", 4.0, False, np.random.default_rng(0))
    prepared = prepare(presenter(), stim)
    quiet, loud = (peak_db_spl(s) for s in segments(prepared))
    assert loud - quiet == pytest.approx(4.0, abs=0.05)
    assert (quiet, loud) == pytest.approx((58.0, 62.0), abs=0.05)  # centred on the bank's 60 dB SPL tone
    assert prepared.calibrated and prepared.level_db_spl == pytest.approx(62.0, abs=0.1)


def test_duration_pair_differs_by_the_stated_ms():
    stim = synthesize("duration", 23.0, True, np.random.default_rng(0))
    first, second = prepare(presenter(), stim).rendered.clips
    assert (first.n_frames - second.n_frames) / 48.0 == pytest.approx(stim.level_played)
    assert stim.level_played == pytest.approx(23.0, abs=1 / 48)


def ear_lead_ms(segment) -> float:
    """Positive when the right ear leads."""
    left, right = segment[:, 0], segment[:, 1]
    lags = np.arange(-48, 49)
    corr = [np.dot(left[48:-48], np.roll(right, -k)[48:-48]) for k in lags]
    return -lags[int(np.argmax(corr))] / 48.0


def test_azimuth_pair_sits_either_side_of_the_front():
    stim = synthesize("azimuth", 40.0, False, np.random.default_rng(1))  # second to the right
    assert stim.level_played == pytest.approx(40.0)
    assert [p["azimuth_deg"] for p in stim.params["positions"]] == pytest.approx([340.0, 20.0])
    first, second = segments(prepare(presenter(), stim))
    assert ear_lead_ms(first) < 0 < ear_lead_ms(second)  # left ear leads, then the right
    rms = [np.sqrt(np.mean(s ** 2, axis=0)) for s in (first, second)]
    assert rms[0][0] > rms[0][1] and rms[1][1] > rms[1][0]


def test_distance_pair_farther_is_quieter():
    stim = synthesize("distance", 2.0, True, np.random.default_rng(2))  # first closer
    assert [p["distance_m"] for p in stim.params["positions"]] == pytest.approx([1.0, 3.0])
    near, far = segments(prepare(presenter(), stim))
    assert np.sqrt(np.mean(near ** 2)) > 1.5 * np.sqrt(np.mean(far ** 2))
    assert stim.level_played == pytest.approx(2.0)


def test_elevation_pair_positions():
    stim = synthesize("elevation", 30.0, True, np.random.default_rng(3))  # first higher
    assert [p["elevation_deg"] for p in stim.params["positions"]] == pytest.approx([15.0, -15.0])
    assert stim.level_played == pytest.approx(30.0)


def test_levels_beyond_the_range_are_clipped_and_say_so():
    stim = synthesize("loudness", 50.0, True, np.random.default_rng(0))
    assert (stim.level_asked, stim.level_played) == (50.0, 12.0)


def test_the_safety_ceiling_holds():
    stim = synthesize("loudness", 12.0, True, np.random.default_rng(0))  # 66 dB SPL and 54 dB SPL
    with pytest.raises(OverCeilingError):
        prepare(presenter(ceiling_db_spl=60.0), stim)
    prepared = prepare(presenter(ceiling_db_spl=60.0, attenuate=True), stim)
    loud, quiet = (peak_db_spl(s) for s in segments(prepared))
    assert prepared.attenuation_db > 0
    assert prepared.level_db_spl <= 60.0 + 1e-6 and loud <= 60.0 + 1e-6
    assert loud - quiet == pytest.approx(12.0, abs=0.05)  # the difference survives the attenuation
