"""Measured-HRTF rendering: cues measured from rendered WAV files (ITD, ILD, front/back,
elevation notch), the direction look-up, and the two ways of reading HRIRs."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile
from scipy.signal import butter, sosfiltfilt, welch

from audio.hrtf import HrtfError, load_kemar, load_sofa, read_kemar_raw
from audio.spatial import HrtfHead, ShoeboxRoom, SourcePosition, SphericalHead, render_binaural
from tasks.bank.common import write_wav

RATE_HZ = 48_000
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def kemar():
    return load_kemar(RATE_HZ)


@pytest.fixture(scope="module")
def noise():
    return 0.05 * np.random.default_rng(7).standard_normal(2 * RATE_HZ)


def rendered_wav(tmp_path: Path, name: str, signal: np.ndarray, position: SourcePosition, head,
                 room: ShoeboxRoom = ShoeboxRoom()) -> np.ndarray:
    """Render, write a PCM_24 WAV as the bank does, and read it back: the measurements below
    are made on the file."""
    path = tmp_path / f"{name}.wav"
    write_wav(path, render_binaural(signal, position, room, head, RATE_HZ), RATE_HZ)
    data, rate = soundfile.read(str(path), dtype="float64")
    assert rate == RATE_HZ and data.shape[1] == 2
    return data


def itd_ms(stereo: np.ndarray) -> float:
    """Interaural time difference below 1.5 kHz by cross-correlation, with parabolic
    interpolation of the peak; positive when the left ear lags (source on the right)."""
    sos = butter(4, 1500.0, fs=RATE_HZ, output="sos")
    left, right = sosfiltfilt(sos, stereo[:, 0]), sosfiltfilt(sos, stereo[:, 1])
    max_lag = int(0.0012 * RATE_HZ)
    n = left.size
    lags = np.arange(-max_lag, max_lag + 1)
    corr = np.array([np.dot(left[max_lag + lag:n - max_lag + lag], right[max_lag:n - max_lag]) for lag in lags])
    k = int(np.argmax(corr))
    y0, y1, y2 = corr[k - 1], corr[k], corr[k + 1]
    offset = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
    return 1000.0 * (lags[k] + offset) / RATE_HZ


def band_levels_db(stereo: np.ndarray, low_hz: float, high_hz: float) -> np.ndarray:
    f, psd = welch(stereo, fs=RATE_HZ, nperseg=2048, axis=0)
    band = (f >= low_hz) & (f < high_hz)
    return 10 * np.log10(psd[band].sum(axis=0))


def ild_db(stereo: np.ndarray) -> float:
    """Level of the right ear minus the left ear at 4-8 kHz."""
    left, right = band_levels_db(stereo, 4000.0, 8000.0)
    return float(right - left)


def test_itd_grows_with_azimuth_to_about_0_65_ms_with_the_sign_of_the_side(tmp_path, kemar, noise):
    head = HrtfHead(kemar)
    itds = {az: itd_ms(rendered_wav(tmp_path, f"az{az}", noise, SourcePosition(az, 0.0, 1.5), head))
            for az in (0, 30, 60, 90, 270)}
    assert abs(itds[0]) < 0.03
    assert 0 < itds[30] < itds[60] < itds[90]
    assert 0.6 <= itds[90] <= 0.75
    assert itds[270] == pytest.approx(-itds[90], abs=0.03)


def test_ild_at_4_to_8_khz_grows_toward_the_side(tmp_path, kemar, noise):
    head = HrtfHead(kemar)
    ilds = {az: ild_db(rendered_wav(tmp_path, f"az{az}", noise, SourcePosition(az, 0.0, 1.5), head))
            for az in (0, 30, 60, 90, 300)}
    assert abs(ilds[0]) < 1.0
    assert 3.0 < ilds[30] < ilds[60]
    assert ilds[90] > ilds[30] + 0.5  # KEMAR's bright spot makes 90 deg a little below 60 deg
    assert ilds[300] < -3.0  # on the left, the left ear is louder


def _spectral_shape_db(stereo: np.ndarray) -> np.ndarray:
    """Levels in third-octave bands 1-12 kHz, both ears, minus their mean (level removed)."""
    centres = 1000.0 * 2 ** (np.arange(0, 11) / 3)
    levels = np.concatenate([band_levels_db(stereo, c / 2 ** (1 / 6), c * 2 ** (1 / 6)) for c in centres])
    return levels - levels.mean()


def test_front_and_back_at_the_same_lateral_angle_differ_in_spectrum(tmp_path, kemar, noise):
    anechoic = ShoeboxRoom(max_order=0)
    hrtf_front = rendered_wav(tmp_path, "f", noise, SourcePosition(30, 0, 1.5), HrtfHead(kemar), anechoic)
    hrtf_back = rendered_wav(tmp_path, "b", noise, SourcePosition(150, 0, 1.5), HrtfHead(kemar), anechoic)
    sphere_front = rendered_wav(tmp_path, "sf", noise, SourcePosition(30, 0, 1.5), SphericalHead(), anechoic)
    sphere_back = rendered_wav(tmp_path, "sb", noise, SourcePosition(150, 0, 1.5), SphericalHead(), anechoic)
    hrtf_difference = np.sqrt(np.mean((_spectral_shape_db(hrtf_front) - _spectral_shape_db(hrtf_back)) ** 2))
    sphere_difference = np.sqrt(np.mean((_spectral_shape_db(sphere_front) - _spectral_shape_db(sphere_back)) ** 2))
    assert hrtf_difference > 2.0  # dB rms over the bands, level removed
    assert sphere_difference < 0.5  # the fallback cannot tell them apart: why the HRTF is the default


def _notch_hz(spectrum: np.ndarray, f: np.ndarray) -> float:
    band = (f >= 5000.0) & (f <= 10000.0)
    return float(f[band][np.argmin(spectrum[band])])


def test_elevation_moves_the_notch_between_5_and_10_khz_as_the_hrtf_does(tmp_path, kemar):
    anechoic = ShoeboxRoom(max_order=0)
    noise = 0.05 * np.random.default_rng(3).standard_normal(8 * RATE_HZ)
    notches = {}
    for elevation in (-30.0, 0.0, 30.0):
        position = SourcePosition(0.0, elevation, 1.5)
        wav = rendered_wav(tmp_path, f"el{elevation}", noise, position, HrtfHead(kemar), anechoic)
        f, psd = welch(wav[:, 0], fs=RATE_HZ, nperseg=1024)
        notches[elevation] = _notch_hz(psd, f)
        hrir = kemar.hrirs[kemar.nearest_index(position.unit_vector())[0], :, 0]
        f_h = np.fft.rfftfreq(1024, 1 / RATE_HZ)
        assert notches[elevation] == pytest.approx(_notch_hz(np.abs(np.fft.rfft(hrir, 1024)), f_h), abs=150.0)
    assert notches[-30.0] < notches[0.0] < notches[30.0]
    assert notches[30.0] - notches[-30.0] > 1500.0


def test_directions_between_measurements_take_the_nearest_one(tmp_path, kemar, noise):
    # KEMAR measures every 5 deg at ear level: 2.4 deg is nearest to 0, 2.6 deg to 5
    assert kemar.nearest_direction(2.4, 0.0) == (0.0, 0.0)
    assert kemar.nearest_direction(2.6, 0.0) == (5.0, 0.0)
    assert kemar.nearest_direction(0.0, -70.0)[1] == -40.0  # below the measured range
    anechoic = ShoeboxRoom(max_order=0)
    at_0 = rendered_wav(tmp_path, "a", noise, SourcePosition(0.0, 0, 1.5), HrtfHead(kemar), anechoic)
    at_2_4 = rendered_wav(tmp_path, "b", noise, SourcePosition(2.4, 0, 1.5), HrtfHead(kemar), anechoic)
    at_5 = rendered_wav(tmp_path, "c", noise, SourcePosition(5.0, 0, 1.5), HrtfHead(kemar), anechoic)
    # not interpolated: the same HRIR (what remains is the image model's float32 positions)
    assert np.max(np.abs(at_0 - at_2_4)) < 0.01 * np.max(np.abs(at_0 - at_5))


@pytest.mark.subprocess
def test_the_kemar_reader_matches_slab_and_loads_without_importing_it():
    import slab  # only the test imports slab: to compare with its own loader

    reference = slab.HRTF.kemar()
    hrirs, sources, rate = read_kemar_raw()
    assert rate == reference.samplerate
    assert np.allclose(sources[:, :2], reference.sources.vertical_polar[:, :2], atol=0.3)  # slab keeps float16
    assert np.array_equal(hrirs[123], reference.data[123].data)
    code = ("import sys; from audio.hrtf import load_kemar; load_kemar(48000); "
            "print(sorted(m for m in ('slab', 'matplotlib', 'sofar', 'netCDF4') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_sofa_file_gives_the_same_hrirs_as_the_data_it_holds(tmp_path, kemar):
    import sofar

    hrirs, sources, rate = read_kemar_raw()
    keep = sources[:, 1] == 0.0  # the horizontal plane
    sofa = sofar.Sofa("SimpleFreeFieldHRIR")
    sofa.Data_IR = np.transpose(hrirs[keep], (0, 2, 1))
    sofa.Data_SamplingRate = rate
    sofa.SourcePosition = sources[keep]
    path = tmp_path / "kemar-horizontal.sofa"
    sofar.write_sofa(str(path), sofa)
    loaded = load_sofa(path, RATE_HZ)
    assert loaded.directions.shape[0] == int(keep.sum())
    assert loaded.record()["sha256"] != kemar.sha256 and len(loaded.record()["sha256"]) == 64
    for azimuth in (0.0, 40.0, 90.0, 235.0):
        v = SourcePosition(azimuth, 0.0).unit_vector()
        a = loaded.hrirs[loaded.nearest_index(v)[0]]
        b = kemar.hrirs[kemar.nearest_index(v)[0]]
        # same data; each set is scaled and trimmed by its own frontal response
        n = min(a.shape[0], b.shape[0])
        assert np.corrcoef(a[:n].ravel(), b[:n].ravel())[0, 1] > 0.999


def test_files_that_are_not_usable_hrtfs_are_named_in_the_error(tmp_path):
    not_sofa = tmp_path / "headphones.sofa"
    not_sofa.write_bytes(b"this is not a netCDF file")
    with pytest.raises(HrtfError, match="headphones.sofa: not a readable SOFA file"):
        load_sofa(not_sofa)
    with pytest.raises(HrtfError, match="missing.sofa: HRTF file not found"):
        load_sofa(tmp_path / "missing.sofa")
    wav = tmp_path / "kemar.wav"
    wav.write_bytes(b"RIFF")
    with pytest.raises(HrtfError, match="kemar.wav: an HRTF file must be a SOFA file"):
        load_sofa(wav)
    import sofar

    other = sofar.Sofa("GeneralFIR")
    other.Data_IR = np.zeros((1, 2, 16))
    other.Data_IR[0, :, 0] = 1.0
    other.Data_Delay = np.zeros((1, 2))
    path = tmp_path / "general.sofa"
    sofar.write_sofa(str(path), other)
    with pytest.raises(HrtfError, match="general.sofa: GLOBAL_SOFAConventions is 'GeneralFIR'"):
        load_sofa(path)
