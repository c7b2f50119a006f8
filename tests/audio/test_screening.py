"""Headphone screening stimuli verified numerically."""
from __future__ import annotations

import numpy as np

from audio import screening

SR = 48_000


def test_antiphase_stimuli():
    test = screening.antiphase_test(seed=3)
    assert len(test.trials) == 6
    assert sorted(t.correct_index for t in test.trials) == [0, 0, 1, 1, 2, 2]
    for trial in test.trials:
        assert sorted(trial.labels) == ["antiphase", "quieter", "standard"]
        kinds = dict(zip(trial.labels, trial.intervals))
        anti, std, quiet = kinds["antiphase"], kinds["standard"], kinds["quieter"]
        assert np.max(np.abs(anti[:, 0] + anti[:, 1])) < 1e-12  # cancels when summed (loudspeakers)
        assert np.array_equal(std[:, 0], std[:, 1]) and np.array_equal(quiet[:, 0], quiet[:, 1])
        assert np.allclose(anti[:, 0], std[:, 0])  # the same tone per ear as the standard
        rms = lambda v: np.sqrt(np.mean(v ** 2))  # noqa: E731
        assert abs(20 * np.log10(rms(quiet) / rms(std)) + 6.0) < 1e-9
        assert trial.labels[trial.correct_index] == "quieter"
        spectrum = np.abs(np.fft.rfft(std[:, 0]))
        assert abs(np.argmax(spectrum) * SR / std.shape[0] - 200.0) < 1.0


def test_huggins_stimuli_phase_band():
    test = screening.huggins_test(seed=5)
    assert len(test.trials) == 6
    for trial in test.trials:
        for i, interval in enumerate(trial.intervals):
            n = interval.shape[0]
            ramp = int(0.02 * SR)
            left = np.fft.rfft(interval[ramp:n - ramp, 0])  # ramps are identical per ear; keep the steady part
            right = np.fft.rfft(interval[ramp:n - ramp, 1])
            f = np.fft.rfftfreq(n - 2 * ramp, 1 / SR)
            ipd = np.abs(np.angle(right * np.conj(left)))
            strong = np.abs(left) > 0.1 * np.median(np.abs(left))
            inside = (np.abs(f - 600) < 600 * 0.06 * 0.8) & strong
            outside = ((f < 600 * 0.85) | (f > 600 * 1.15)) & strong & (f > 50)
            if i == trial.correct_index:
                assert np.median(ipd[inside]) > 0.9 * np.pi
                assert np.median(ipd[outside]) < 0.05
            else:
                assert np.array_equal(interval[:, 0], interval[:, 1])
    assert sorted(t.correct_index for t in test.trials) == [0, 0, 1, 1, 2, 2]


def test_huggins_exact_band_before_ramps():
    rng = np.random.default_rng(0)
    x = screening.huggins_noise(rng, 600.0, 0.06, -20.0, 1.0, 0.0, SR, shifted=True)
    left, right = np.fft.rfft(x[:, 0]), np.fft.rfft(x[:, 1])
    f = np.fft.rfftfreq(x.shape[0], 1 / SR)
    band = np.abs(f - 600) <= 36
    assert np.allclose(right[band], -left[band]) and np.allclose(right[~band], left[~band])


def test_scoring_passes_at_five_of_six():
    test = screening.antiphase_test(seed=1)
    right = [t.correct_index for t in test.trials]
    assert screening.score(test, right).passed
    one_wrong = [(r + 1) % 3 if i == 0 else r for i, r in enumerate(right)]
    assert screening.score(test, one_wrong).n_correct == 5 and screening.score(test, one_wrong).passed
    two_wrong = [None, None] + right[2:]
    assert not screening.score(test, two_wrong).passed


def test_same_seed_same_trials_and_buffer_layout():
    a, b = screening.huggins_test(seed=9), screening.huggins_test(seed=9)
    assert all(np.array_equal(x, y) for ta, tb in zip(a.trials, b.trials) for x, y in zip(ta.intervals, tb.intervals))
    buf = a.trials[0].buffer(a.gap_s)
    assert buf.shape == (3 * SR + 2 * SR // 2, 2)
