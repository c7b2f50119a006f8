"""The optional binaural playback check: sounds from the left, right, front and back rendered
through the measured HRTF, and a pass rule that catches swapped or mono playback."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import welch

from audio.hrtf import load_kemar
from audio.screening import LOCALIZATION_OPTIONS, lateral_and_front_back, localization_test, score

RATE_HZ = 48_000


@pytest.fixture(scope="module")
def test():
    return localization_test(seed=5, hrirs=load_kemar(RATE_HZ))


def high_band_ild_db(stereo: np.ndarray) -> float:
    f, psd = welch(stereo, fs=RATE_HZ, nperseg=1024, axis=0)
    band = (f >= 4000) & (f < 8000)
    left, right = 10 * np.log10(psd[band].sum(axis=0))
    return float(right - left)


def test_each_direction_twice_with_its_cues(test):
    assert test.options == LOCALIZATION_OPTIONS and len(test.trials) == 8
    assert sorted(t.correct_index for t in test.trials) == [0, 0, 1, 1, 2, 2, 3, 3]
    for trial in test.trials:
        (sound,) = trial.intervals
        assert sound.shape[1] == 2
        rms_dbfs = 20 * np.log10(np.sqrt(np.mean(sound ** 2)) * np.sqrt(2.0))
        assert rms_dbfs == pytest.approx(-20.0, abs=0.01)
        ild = high_band_ild_db(sound)
        if LOCALIZATION_OPTIONS[trial.correct_index] == "Left":
            assert ild < -8.0
        elif LOCALIZATION_OPTIONS[trial.correct_index] == "Right":
            assert ild > 8.0
        else:
            assert abs(ild) < 6.0  # front and back: within the jitter's small lateral offset
    assert "MIT KEMAR" in test.reference


def test_front_and_back_sounds_differ_in_spectrum(test):
    def shape(sound):
        f, psd = welch(sound.mean(axis=1), fs=RATE_HZ, nperseg=1024)
        band = (f >= 1000) & (f <= 12000)
        level = 10 * np.log10(psd[band])
        return level - level.mean()

    front = [shape(t.intervals[0]) for t in test.trials if t.correct_index == 2]
    back = [shape(t.intervals[0]) for t in test.trials if t.correct_index == 3]
    between = np.sqrt(np.mean((np.mean(front, axis=0) - np.mean(back, axis=0)) ** 2))
    assert between > 2.0


def test_swapped_channels_fail_and_front_back_confusions_pass(test):
    right_answers = [t.correct_index for t in test.trials]
    swap = {0: 1, 1: 0, 2: 2, 3: 3}
    swapped = [swap[r] for r in right_answers]
    assert not score(test, swapped).passed
    assert lateral_and_front_back(test, swapped) == (0, 4)
    confused = list(right_answers)
    for i in [i for i, r in enumerate(right_answers) if r >= 2][:2]:
        confused[i] = 5 - confused[i]  # front <-> back
    assert score(test, confused).passed
    assert lateral_and_front_back(test, confused) == (4, 2)
    assert not score(test, [None] * 8).passed


def test_same_seed_same_sounds():
    hrirs = load_kemar(RATE_HZ)
    a, b = localization_test(9, hrirs), localization_test(9, hrirs)
    assert all(np.array_equal(x.intervals[0], y.intervals[0]) for x, y in zip(a.trials, b.trials))
