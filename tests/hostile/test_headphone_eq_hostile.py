"""Headphone measurements no headphone gives (the Audio page's *Headphone response...* and the
station setting read at start-up, both through tasks.presentation.headphone_setting): a sampling
rate of 1 Hz or 2,147,483,647 Hz (resampling allocated gigabytes: a MemoryError outside the
page's handler), values of 1e300 (NaN taps). Each is refused with the limit named, before the
samples are read where the header says enough, and no filter with a non-finite tap is made."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile

from audio.headphone_eq import HeadphoneEqError, HeadphoneFilter, load_headphone_filter
from tasks.presentation.headphone_setting import filter_for, load_for_station
from tests.hostile.test_hrtf_hostile import write_sofa


def measurement(path, rate_hz: int = 48_000, value: float = 0.5, frames: int = 512, subtype: str = "FLOAT"):
    x = np.zeros((frames, 2))
    x[3] = value
    x[10] = -value / 3
    soundfile.write(str(path), x, rate_hz, subtype=subtype)
    return path


CASES = {
    "1 Hz": (dict(rate_hz=1), "sampling rate 1 Hz; a headphone measurement must be made at 8,000 to 384,000 Hz"),
    "2**31-1 Hz": (dict(rate_hz=2_147_483_647), "sampling rate 2,147,483,647 Hz; a headphone measurement"),
    "1e300": (dict(value=1e300, subtype="DOUBLE"), "a sample of the impulse response is 1e+300; values within +-1e+06"),
    "10 minutes": (dict(frames=48_000 * 600, subtype="PCM_16"),
                   "28,800,000 samples per impulse response; 1 to 262,144 are accepted"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_an_impossible_measurement_is_refused_with_the_limit(tmp_path, case):
    kwargs, text = CASES[case]
    path = measurement(tmp_path / "hp.wav", **kwargs)
    with pytest.raises(HeadphoneEqError) as refused:
        load_for_station(str(path), 48_000)
    assert str(refused.value).startswith(f"{path}: ") and text in str(refused.value)
    # what the station does with it at start-up and on the Audio page: no filter, the reason named
    kept = load_headphone_filter(measurement(tmp_path / "good.wav"), 48_000)
    chosen, why = filter_for({"HD 650": str(path)}, "HD 650", 48_000, kept)
    assert chosen is None and text in why


def test_a_rate_of_2_to_the_31_is_refused_before_the_samples_are_read(tmp_path, monkeypatch):
    path = measurement(tmp_path / "hp.wav", rate_hz=2_147_483_647)
    monkeypatch.setattr(soundfile, "read", lambda *a, **k: pytest.fail("the samples were read"))
    with pytest.raises(HeadphoneEqError, match="2,147,483,647 Hz"):
        load_for_station(str(path), 48_000)


@pytest.mark.parametrize("kwargs, text", [
    (dict(rate_hz=1), "sampling rate 1 Hz"),
    (dict(measurements=2, taps=2_000_000), "2,000,000 samples per impulse response"),
])
def test_a_sofa_measurement_is_checked_from_its_dimensions(tmp_path, monkeypatch, kwargs, text):
    import sofar

    path = write_sofa(tmp_path / "hp.sofa", **kwargs)
    monkeypatch.setattr(sofar, "read_sofa", lambda *a, **k: pytest.fail("the data was read"))
    with pytest.raises(HeadphoneEqError, match=text):
        load_for_station(str(path), 48_000)


def test_measurements_near_the_limits_give_finite_filters(tmp_path):
    for kwargs in (dict(rate_hz=8_000), dict(rate_hz=384_000), dict(value=1e6, subtype="DOUBLE"),
                   dict(value=1e-30, subtype="DOUBLE")):
        f = load_headphone_filter(measurement(tmp_path / "hp.wav", **kwargs), 48_000)
        assert np.all(np.isfinite(f.taps)) and f.taps.shape == (2048, 2)


def test_no_filter_with_a_non_finite_tap_can_exist():
    taps = np.zeros((2048, 2))
    taps[5, 1] = np.nan
    with pytest.raises(HeadphoneEqError, match="the filter designed from it is not finite"):
        HeadphoneFilter("hp.wav", "0" * 64, 48_000, (100.0, 16_000.0), taps)
