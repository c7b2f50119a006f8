"""Headphone screening: is the participant really wearing headphones (both ears, separately)?

Two published three-interval tests, each 6 trials, pass at 5 or more correct:

- Antiphase test (Woods, Siegel, Traer & McDermott 2017, Atten. Percept. Psychophys. 79:2064).
  Three 200 Hz tones (1 s, 100 ms ramps). Two are diotic: the *standard* and one 6 dB
  *quieter*; the third is the standard level with the right channel phase-inverted
  (*antiphase*). Question: "which tone is the quietest?". The correct answer is the genuinely
  quieter in-phase tone. Over headphones the antiphase tone sounds as loud as the standard;
  over loudspeakers the two channels cancel in the air, the antiphase tone becomes the
  quietest, and the listener picks it - that is what the test catches. (Implemented exactly
  so; the target is the -6 dB in-phase tone, not the antiphase one.)
- Huggins-pitch test (Milne, Bianco, Poole, Zhao, Oxenham, Billig & Chait 2021, Behav. Res.
  Methods 53:1551). Three white-noise intervals (1 s); two are diotic, in one the right
  channel's noise has its phase inverted in a narrow band around 600 Hz (600 Hz +- 6%). Over
  headphones the binaural system hears a faint pitch at 600 Hz; over loudspeakers (or with
  one ear) nothing distinguishes the intervals. Question: "which noise holds a faint tone?".

Stimuli are stereo float64 arrays (frames, 2), left then right; each trial's correct interval
position is balanced (each position twice in 6 trials) and shuffled from the seed.

A third, optional check for binaural playback from the HRTF (``localization_test``): one
sound per trial, rendered through the measured HRIRs (free field, 1.5 m, ear level) from the
left, right, front or back (+-10 deg of jitter), and the question "where does the sound come
from?" with those four answers (``ScreeningTest.options``). 8 trials, each direction twice;
pass at 6. Why 6: a swapped or mono playback gets the four left/right trials wrong or at
chance and fails; front/back confusions are common with a non-individual HRTF and no head
movement (Wenzel et al. 1993: ~20-30 % of trials), so up to two of them are tolerated. The
result separates the two kinds (``lateral_and_front_back``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audio.synthesis import DEFAULT_SAMPLE_RATE_HZ, apply_ramps, concatenate_with_gaps, sine_tone

N_TRIALS = 6
PASS_AT = 5
INTERVALS = 3


@dataclass(frozen=True)
class ScreeningTrial:
    intervals: tuple[np.ndarray, ...]  # three (frames, 2) arrays
    correct_index: int  # 0-based position of the right answer
    sample_rate_hz: int
    labels: tuple[str, ...]  # what each interval is, for the record ("standard", "quieter", ...)

    def buffer(self, gap_s: float) -> np.ndarray:
        """The three intervals in one stereo buffer, separated by ``gap_s`` of silence."""
        return concatenate_with_gaps(list(self.intervals), gap_s, self.sample_rate_hz)


@dataclass(frozen=True)
class ScreeningTest:
    name: str
    question: str
    trials: tuple[ScreeningTrial, ...]
    gap_s: float
    pass_at: int = PASS_AT
    reference: str = ""
    options: tuple[str, ...] = ()  # answer texts; empty: the answer is an interval ("Sound 1", ...)


@dataclass(frozen=True)
class ScreeningResult:
    name: str
    n_correct: int
    n_trials: int
    pass_at: int

    @property
    def passed(self) -> bool:
        return self.n_correct >= self.pass_at


def balanced_positions(rng: np.random.Generator, n_trials: int = N_TRIALS) -> list[int]:
    """Correct positions 0, 1, 2 equally often (as far as n_trials allows), shuffled."""
    positions = [i % INTERVALS for i in range(n_trials)]
    rng.shuffle(positions)
    return positions


def antiphase_test(
    seed: int,
    level_dbfs: float = -20.0,
    frequency_hz: float = 200.0,
    duration_s: float = 1.0,
    ramp_s: float = 0.1,
    gap_s: float = 0.5,
    quieter_by_db: float = 6.0,
    n_trials: int = N_TRIALS,
    sample_rate_hz: int = DEFAULT_SAMPLE_RATE_HZ,
) -> ScreeningTest:
    """Woods et al. (2017): the -6 dB in-phase tone is the right answer."""
    rng = np.random.default_rng([seed, 2017])
    standard = sine_tone(frequency_hz, level_dbfs, duration_s, ramp_s, sample_rate_hz)
    quieter = sine_tone(frequency_hz, level_dbfs - quieter_by_db, duration_s, ramp_s, sample_rate_hz)
    kinds = {
        "standard": np.column_stack([standard, standard]),
        "quieter": np.column_stack([quieter, quieter]),
        "antiphase": np.column_stack([standard, -standard]),
    }
    trials = []
    for target in balanced_positions(rng, n_trials):
        others = ["standard", "antiphase"]
        rng.shuffle(others)
        labels = others[:target] + ["quieter"] + others[target:]
        trials.append(ScreeningTrial(tuple(kinds[k] for k in labels), target, sample_rate_hz, tuple(labels)))
    return ScreeningTest("antiphase", "Which of the three tones is the quietest?", tuple(trials), gap_s,
                         reference="Woods et al. 2017, Atten. Percept. Psychophys. 79:2064-2072")


def huggins_noise(
    rng: np.random.Generator,
    center_hz: float,
    relative_half_bandwidth: float,
    level_dbfs: float,
    duration_s: float,
    ramp_s: float,
    sample_rate_hz: int,
    shifted: bool,
) -> np.ndarray:
    """Stereo white noise, identical in both ears except (when ``shifted``) a band
    ``center_hz * (1 +- relative_half_bandwidth)`` whose right-ear phase is inverted (pi)."""
    n = int(round(duration_s * sample_rate_hz))
    spectrum = np.fft.rfft(rng.standard_normal(n))
    right = spectrum.copy()
    if shifted:
        f_hz = np.fft.rfftfreq(n, 1.0 / sample_rate_hz)
        band = np.abs(f_hz - center_hz) <= center_hz * relative_half_bandwidth
        right[band] *= -1.0
    left_x, right_x = np.fft.irfft(spectrum, n), np.fft.irfft(right, n)
    scale = 10 ** (level_dbfs / 20) / np.sqrt(2.0) / float(np.sqrt(np.mean(left_x ** 2)))
    return apply_ramps(np.column_stack([left_x, right_x]) * scale, ramp_s, sample_rate_hz)


def huggins_test(
    seed: int,
    level_dbfs: float = -25.0,
    center_hz: float = 600.0,
    relative_half_bandwidth: float = 0.06,
    duration_s: float = 1.0,
    ramp_s: float = 0.02,
    gap_s: float = 0.5,
    n_trials: int = N_TRIALS,
    sample_rate_hz: int = DEFAULT_SAMPLE_RATE_HZ,
) -> ScreeningTest:
    """Milne et al. (2021): the interval with the phase-inverted band is the right answer.
    Every interval is a fresh noise token so the answer cannot be found by memorising one."""
    rng = np.random.default_rng([seed, 2021])
    trials = []
    for target in balanced_positions(rng, n_trials):
        intervals = tuple(
            huggins_noise(rng, center_hz, relative_half_bandwidth, level_dbfs, duration_s, ramp_s, sample_rate_hz, i == target)
            for i in range(INTERVALS)
        )
        labels = tuple("huggins" if i == target else "diotic" for i in range(INTERVALS))
        trials.append(ScreeningTrial(intervals, target, sample_rate_hz, labels))
    return ScreeningTest("huggins", "Which of the three noises holds a faint tone?", tuple(trials), gap_s,
                         reference="Milne et al. 2021, Behav. Res. Methods 53:1551-1562")


def score(test: ScreeningTest, responses: list[int | None]) -> ScreeningResult:
    """Responses are 0-based interval positions (None = no answer, counted wrong)."""
    if len(responses) != len(test.trials):
        raise ValueError(f"{test.name}: {len(responses)} responses for {len(test.trials)} trials")
    n_correct = sum(1 for trial, r in zip(test.trials, responses) if r == trial.correct_index)
    return ScreeningResult(test.name, n_correct, len(test.trials), test.pass_at)


LOCALIZATION_OPTIONS = ("Left", "Right", "Front", "Back")
LOCALIZATION_AZIMUTHS_DEG = (270.0, 90.0, 0.0, 180.0)  # clockwise, 0 = front, in option order
LOCALIZATION_TRIALS = 8
LOCALIZATION_PASS_AT = 6


def localization_test(
    seed: int,
    hrirs,  # audio.hrtf.HrirSet at sample_rate_hz
    level_dbfs: float = -20.0,
    jitter_deg: float = 10.0,
    n_trials: int = LOCALIZATION_TRIALS,
    sample_rate_hz: int = DEFAULT_SAMPLE_RATE_HZ,
) -> ScreeningTest:
    """Binaural playback check: where does the sound come from (left, right, front, back)?
    Each sound is three 0.25 s noise bursts (200 Hz - 14 kHz, fresh tokens), rendered in free
    field through ``hrirs`` and scaled to an RMS of a sine at ``level_dbfs``."""
    from audio.spatial import HrtfHead, ShoeboxRoom, SourcePosition, render_binaural
    from audio.synthesis import noise

    if hrirs.sample_rate_hz != sample_rate_hz:
        raise ValueError(f"HRIRs at {hrirs.sample_rate_hz} Hz for a test at {sample_rate_hz} Hz")
    rng = np.random.default_rng([seed, 1993])
    directions = [i % len(LOCALIZATION_OPTIONS) for i in range(n_trials)]
    rng.shuffle(directions)
    head, free_field = HrtfHead(hrirs, early_order=0), ShoeboxRoom(max_order=0)
    trials = []
    for direction in directions:
        azimuth = (LOCALIZATION_AZIMUTHS_DEG[direction] + float(rng.uniform(-jitter_deg, jitter_deg))) % 360.0
        bursts = [noise(0.25, 0.0, rng, sample_rate_hz, band_hz=(200.0, 14000.0), ramp_s=0.01) for _ in range(3)]
        dry = concatenate_with_gaps(bursts, 0.1, sample_rate_hz)
        wet = render_binaural(dry, SourcePosition(azimuth, 0.0, 1.5), free_field, head, sample_rate_hz)
        wet *= 10 ** (level_dbfs / 20) / np.sqrt(2.0) / float(np.sqrt(np.mean(wet ** 2)))
        label = f"{LOCALIZATION_OPTIONS[direction].lower()} (azimuth {azimuth:.1f} deg)"
        trials.append(ScreeningTrial((wet,), direction, sample_rate_hz, (label,)))
    return ScreeningTest("localization", "Where does the sound come from?", tuple(trials), 0.0,
                         pass_at=LOCALIZATION_PASS_AT, options=LOCALIZATION_OPTIONS,
                         reference=f"binaural playback check through {hrirs.name} (sha256 {hrirs.sha256[:12]})")


def lateral_and_front_back(test: ScreeningTest, responses: list[int | None]) -> tuple[int, int]:
    """(correct left/right trials, correct front/back trials) of a localization test."""
    lateral = front_back = 0
    for trial, r in zip(test.trials, responses):
        if r == trial.correct_index:
            if trial.correct_index < 2:
                lateral += 1
            else:
                front_back += 1
    return lateral, front_back
