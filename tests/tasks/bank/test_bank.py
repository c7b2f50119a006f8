"""The bank, checked on the WAV files it WRITES (read back from disk) against its own params."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from audio.levels import load_retspl_tables
from audio.spatial import ResponseCache
from tasks.bank.build import builtin_bank_path, ensure_builtin_bank, generate_bank, plan_bank
from tasks.bank.common import AUDIO_DIR, BANK_VERSION, BankConfig, RenderContext
from tasks.bank.perception import (
    AZIMUTH_DIFFERENCES_DEG, DISTANCE_OPTIONS, ELEVATION_OPTIONS, PC_GRIDS, QUADRANTS, _grid_sensitivity_azimuth,
    _render_range_pitch_loudness, distance_class, elevation_class, plan_perception, quadrant_of,
)
from tasks.bank.spatial import LOCALIZATION, RELATION, RELATION_OPTIONS, TRAJECTORY
from tasks.bank.temporal import DISCRETE, TR_OPTIONS
from tasks.dataset.items import ALIAS_FILES
from tasks.dataset.loader import Cancelled, load_dataset
from tasks.dataset.runs import expand_runs
from tests.audio.test_synthesis import cents_between, estimate_sine, nonzero_runs

SEED = 11
LSB = 2.0 ** -23  # PCM_24


@pytest.fixture(scope="module")
def small_bank(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bank") / "small"
    summary = generate_bank(root, SEED, "small")
    assert summary.counts == {"pc": 60, "tr": 12, "sr": 12}
    return root


@pytest.fixture(scope="module")
def meta(small_bank) -> dict[str, list[dict]]:
    return {a: json.loads((small_bank / "meta_info" / ALIAS_FILES[a]).read_text()) for a in ("pc", "tr", "sr")}


def read(root: Path, rel: str) -> tuple[np.ndarray, int]:
    x, sr = soundfile.read(str(root / rel), dtype="float64", always_2d=False)
    return x, sr


def pc_items(meta, sub: str) -> list[dict]:
    items = [m for m in meta["pc"] if m["sub-category"] == sub]
    assert items, sub
    return items


def tone_segments(x: np.ndarray, sr: int) -> list[np.ndarray]:
    return [x[a:b] for a, b in nonzero_runs(x, int(0.1 * sr))]


def test_validates_with_zero_problems_and_every_run_expands(small_bank):
    ds = load_dataset(small_bank)
    assert ds.problems == []
    assert {a: len(v) for a, v in ds.items.items() if a in ("pc", "tr", "sr")} == {"pc": 60, "tr": 12, "sr": 12}
    subs = {i.sub_category for i in ds.items["pc"]}
    assert subs == set(PC_GRIDS)
    for alias in ("pc", "tr", "sr"):
        for item in ds.items[alias]:
            runs = expand_runs(item)
            assert all(r.answer in r.options for r in runs)


def test_pitch_pairs_within_a_tenth_of_a_cent(small_bank, meta):
    for item in pc_items(meta, "sensitivity_pitch"):
        x, sr = read(small_bank, item["audio_paths"][0])
        segments = tone_segments(x, sr)
        assert len(segments) == 2
        p = item["params"]
        for seg, spec in zip(segments, (p["first"], p["second"])):
            f_hz, _ = estimate_sine(seg, sr)
            assert abs(cents_between(f_hz, spec["frequency_hz"])) < 0.1, item["id"]
        f1, _ = estimate_sine(segments[0], sr)
        f2, _ = estimate_sine(segments[1], sr)
        signed = p["difference_cents"] if p["second_higher"] else -p["difference_cents"]
        assert abs(cents_between(f2, f1) - signed) < 0.1


def test_loudness_pairs_within_five_hundredths_of_a_db(small_bank, meta):
    for item in pc_items(meta, "sensitivity_loudness"):
        x, sr = read(small_bank, item["audio_paths"][0])
        (_, a1), (_, a2) = (estimate_sine(s, sr) for s in tone_segments(x, sr))
        p = item["params"]
        signed = p["difference_db"] if p["second_louder"] else -p["difference_db"]
        assert abs(20 * np.log10(a2 / a1) - signed) < 0.05, item["id"]
        assert abs(20 * np.log10(a1) - p["first"]["level_dbfs"]) < 0.05


def test_durations_within_one_millisecond(small_bank, meta):
    for item in pc_items(meta, "sensitivity_duration"):
        x, sr = read(small_bank, item["audio_paths"][0])
        runs = nonzero_runs(x, int(0.1 * sr))
        assert len(runs) == 2
        p = item["params"]
        for (a, b), spec in zip(runs, (p["first"], p["second"])):
            assert abs((b - a) / sr - spec["duration_s"]) < 0.001, item["id"]
        gap_s = (runs[1][0] - runs[0][1]) / sr
        assert abs(gap_s - p["gap_s"]) < 0.001


def test_zero_difference_controls_are_identical(small_bank, meta):
    controls = [m for m in meta["pc"] if m["sub-category"] in ("sensitivity_pitch", "sensitivity_loudness", "sensitivity_duration")
                and m["params"].get("difference_cents", m["params"].get("difference_db", m["params"].get("difference_percent"))) == 0]
    assert len(controls) == 3
    for item in controls:
        x, sr = read(small_bank, item["audio_paths"][0])
        a, b = tone_segments(x, sr)
        assert np.array_equal(a, b), item["id"]
        assert item["answer"] == item["options"][2]


def test_range_tone_level_and_half(small_bank, meta):
    table = load_retspl_tables()["TDH-39"]
    for item in pc_items(meta, "range_pitch_loudness"):
        x, sr = read(small_bank, item["audio_paths"][0])
        p = item["params"]
        assert p["retspl_table"] == "TDH-39" and p["digital_reference"] == {"reference_dbfs": -30.0, "reference_db_spl": 70.0}
        if not p["present"]:
            assert not x.any() and item["answer"] == "Not at all"
            continue
        (start, stop), = nonzero_runs(x, int(0.1 * sr))
        half = "first" if stop <= x.size // 2 else "second"
        assert start >= x.size // 2 or stop <= x.size // 2
        assert item["answer"] == ("The first half" if half == "first" else "The second half")
        f_hz, amp = estimate_sine(x[start:stop], sr)
        assert abs(cents_between(f_hz, p["frequency_hz"])) < 0.1
        level_dbfs = 20 * np.log10(amp)
        assert abs(level_dbfs - p["level_dbfs"]) < 0.05
        # the recorded HL level is what was written: dBFS -> SPL via the reference, minus RETSPL
        assert abs(level_dbfs + 30.0 + 70.0 - table.at(p["frequency_hz"]) - p["level_db_hl"]) < 0.05
        if p["capped"]:
            assert p["level_db_hl"] < p["requested_level_db_hl"] and p["level_dbfs"] == -1.0
        else:
            assert abs(p["level_db_hl"] - p["requested_level_db_hl"]) < 1e-6


def test_capping_happens_on_the_full_grid():
    """A 110 dB HL, 125 Hz tone (155 dB SPL) cannot be written: the item says so."""
    config = BankConfig()
    ctx = RenderContext(config, ResponseCache(), load_retspl_tables()[config.retspl_table])
    answer, files, params = _render_range_pitch_loudness(
        {"frequency_hz": 125, "requested_level_db_hl": 110, "present": True, "half": "first"}, np.random.default_rng(0), ctx)
    assert params["capped"] and params["level_dbfs"] == -1.0 and params["level_db_spl"] == 99.0
    assert params["level_db_hl"] == pytest.approx(99.0 - 45.0)
    assert 20 * np.log10(np.abs(files["audio"]).max()) <= -1.0 + 1e-9


def itd_samples(left: np.ndarray, right: np.ndarray, max_lag: int = 48) -> int:
    """Positive when the left ear lags (sound on the right)."""
    xc = np.correlate(left, right, "full")
    centre = right.size - 1
    return int(np.argmax(xc[centre - max_lag: centre + max_lag + 1])) - max_lag


def direct_window(x: np.ndarray, sr: int) -> np.ndarray:
    onset = int(np.argmax(np.abs(x).max(axis=1) > 1e-4))
    return x[onset: onset + int(0.02 * sr)]


def lateral_sign(azimuth_deg: float) -> int:
    a = azimuth_deg % 360
    return 0 if a in (0, 180) else (1 if a < 180 else -1)


def test_itd_and_ild_signs_follow_azimuth(small_bank, meta):
    checked = 0
    items = [m for m in meta["pc"] if m["sub-category"] in ("range_azimuth", "range_distance")]
    items += [m for m in meta["sr"] if m["category"] == LOCALIZATION]
    for item in items:
        az = item["params"]["positions"][0]["azimuth_deg"]
        if lateral_sign(az) == 0 or min(az % 180, 180 - az % 180) < 5:
            continue
        x, sr = read(small_bank, item["audio_paths"][0])
        assert x.ndim == 2 and x.shape[1] == 2
        d = direct_window(x, sr)
        lag = itd_samples(d[:, 0], d[:, 1])
        ild = 10 * np.log10(np.sum(d[:, 1] ** 2) / np.sum(d[:, 0] ** 2))
        assert np.sign(lag) == lateral_sign(az), (item["id"], az, lag)
        assert np.sign(ild) == lateral_sign(az), (item["id"], az, ild)
        checked += 1
    assert checked >= 8


def test_relation_and_trajectory_sides(small_bank, meta):
    for item in meta["sr"]:
        x, sr = read(small_bank, item["audio_paths"][0])
        if item["category"] == RELATION:
            spec_l, spec_r = (np.abs(np.fft.rfft(x[:, ch])) for ch in (0, 1))
            f = np.fft.rfftfreq(x.shape[0], 1 / sr)
            # the hum's upper harmonics (450-1200 Hz): at 150 Hz itself the head casts no shadow
            hum = np.any([np.abs(f - 150 * k) < 5 for k in range(3, 9)], axis=0)
            beep = np.abs(f - 2000) < 20
            hum_left = spec_l[hum].sum() > spec_r[hum].sum()
            beep_left = spec_l[beep].sum() > spec_r[beep].sum()
            assert hum_left != beep_left
            assert item["answer"] == RELATION_OPTIONS[0 if hum_left else 1]
        elif item["category"] == TRAJECTORY:
            quarter = x.shape[0] // 4
            start = 10 * np.log10(np.sum(x[:quarter, 1] ** 2) / np.sum(x[:quarter, 0] ** 2))
            end = 10 * np.log10(np.sum(x[-2 * quarter:-quarter, 1] ** 2) / np.sum(x[-2 * quarter:-quarter, 0] ** 2))
            expected = "It moves from left to right" if start < 0 < end else "It moves from right to left"
            assert start * end < 0 and item["answer"] == expected


def test_temporal_clips_are_chronological_segments(small_bank, meta):
    for item in meta["tr"]:
        clips = [read(small_bank, p)[0] for p in item["audio_paths"]]
        uncut, _ = read(small_bank, item["uncut_audio_path"])
        assert sum(c.shape[0] for c in clips) == uncut.shape[0]
        if item["category"] == DISCRETE:
            assert np.array_equal(np.concatenate(clips), uncut)
        assert item["options"] == list(TR_OPTIONS) and "answer" not in item
    bouncing = next(m for m in meta["tr"] if m["params"]["scene"] == "bouncing")
    peaks = [np.abs(read(small_bank, p)[0]).max() for p in bouncing["audio_paths"]]
    assert peaks[0] > peaks[1] > peaks[2]  # the bounces fade: chronology is audible


def test_no_clipping_and_no_clicks(small_bank):
    wavs = sorted((small_bank / AUDIO_DIR).rglob("*.wav"))
    assert len(wavs) == 60 + 12 * 4 + 12
    for path in wavs:
        x, sr = soundfile.read(str(path), dtype="float64", always_2d=True)
        info = soundfile.info(str(path))
        assert info.subtype == "PCM_24" and (info.format == "WAVEX") == (x.shape[1] > 1)
        peak = np.abs(x).max()
        if peak == 0:
            continue
        assert 20 * np.log10(peak) <= -1.0 + 1e-3, path.name
        assert np.all(np.abs(x[0]) <= 4 * LSB) and np.all(np.abs(x[-1]) <= 4 * LSB), path.name
        edge = int(0.001 * sr)
        assert np.abs(x[:edge]).max() < 0.05 * peak and np.abs(x[-edge:]).max() < 0.05 * peak, path.name


def test_tone_files_have_no_sample_jumps(small_bank, meta):
    """A click is a jump larger than a sine can make: |x[n+1]-x[n]| <= 2*A*sin(pi*f/fs)."""
    for item in meta["pc"]:
        p = item["params"]
        specs = [p["first"], p["second"]] if "first" in p else ([p] if p.get("present") else [])
        if not specs:
            continue
        x, sr = read(small_bank, item["audio_paths"][0])
        bound = max(2 * 10 ** (s["level_dbfs"] / 20) * np.sin(np.pi * s["frequency_hz"] / sr) for s in specs)
        assert np.abs(np.diff(x)).max() <= bound * 1.001 + 4 * LSB, item["id"]


def test_same_seed_is_byte_identical_and_builtin_bank_is_cached(small_bank, tmp_path):
    path = ensure_builtin_bank(tmp_path, seed=SEED)
    assert path.name == f"builtin-bank-v{BANK_VERSION}-seed{SEED}"
    a = sorted(p.relative_to(small_bank) for p in small_bank.rglob("*") if p.is_file())
    b = sorted(p.relative_to(path) for p in path.rglob("*") if p.is_file())
    assert a == b
    for rel in a:
        assert (small_bank / rel).read_bytes() == (path / rel).read_bytes(), rel
    stamp = (path / "meta_info" / ALIAS_FILES["pc"]).stat().st_mtime_ns
    assert ensure_builtin_bank(tmp_path, seed=SEED) == path
    assert (path / "meta_info" / ALIAS_FILES["pc"]).stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary folder left


def test_small_perception_items_are_a_subset_of_the_full_grid():
    small = plan_perception("small")
    full = {p.meta["id"]: p for p in plan_perception("full")}
    assert 940 <= len(full) <= 980
    for p in small:
        assert full[p.meta["id"]].params == p.params


def test_cancel_leaves_nothing(tmp_path):
    calls = []

    def should_cancel():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        generate_bank(tmp_path / "x", 0, "small", should_cancel=should_cancel)
    assert list(tmp_path.iterdir()) == []


def test_refuses_non_empty_target(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        generate_bank(tmp_path / "x", 0, "small")
    with pytest.raises(ValueError):
        plan_bank("huge")


def test_answers_follow_the_section7_rules():
    assert quadrant_of(7.5) == QUADRANTS[0] and quadrant_of(277.5) == QUADRANTS[3]
    assert distance_class(2.5) == DISTANCE_OPTIONS[0] and distance_class(9.0) == DISTANCE_OPTIONS[2]
    assert elevation_class(0) == ELEVATION_OPTIONS[1] and elevation_class(-45) == ELEVATION_OPTIONS[2]
    grid = _grid_sensitivity_azimuth()
    assert {g["difference_deg"] for g in grid} == set(AZIMUTH_DIFFERENCES_DEG)


def test_spatial_params_name_the_renderer_and_the_hrtf_file(small_bank, meta):
    from audio.hrtf import file_sha256, kemar_path

    spatial = [m for m in meta["pc"] if "renderer" in m["params"]] + meta["sr"]
    assert len(spatial) > 20
    for item in spatial:
        renderer = item["params"]["renderer"]
        assert renderer["name"] == "hrtf", item["id"]
        assert renderer["hrtf"]["file"] == "mit_kemar_normal_pinna.bz2"
        assert renderer["hrtf"]["sha256"] == file_sha256(kemar_path())
        assert len(renderer["hrir_directions_deg"]) == len(item["params"]["positions"])
    low = next(m for m in pc_items(meta, "range_elevation") if m["params"]["elevation_deg"] < -40)
    assert low["params"]["renderer"]["hrir_directions_deg"][0][1] == -40.0  # KEMAR's lowest: said, not hidden


def test_spherical_renderer_stays_available_and_bad_choices_are_named(tmp_path):
    root = tmp_path / "sphere"
    generate_bank(root, SEED, "small", config=BankConfig(renderer="spherical"))
    items = json.loads((root / "meta_info" / ALIAS_FILES["sr"]).read_text())
    assert {i["params"]["renderer"]["name"] for i in items} == {"spherical"}
    with pytest.raises(ValueError, match="renderer must be one of hrtf, spherical, got 'sofa'"):
        BankConfig(renderer="sofa")
    broken = tmp_path / "broken.sofa"
    broken.write_text("not a SOFA file")
    from audio.hrtf import HrtfError

    with pytest.raises(HrtfError, match="broken.sofa: not a readable SOFA file"):
        generate_bank(tmp_path / "never", SEED, "small", config=BankConfig(hrtf_path=str(broken)))
    assert not (tmp_path / "never").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.sofa", "sphere"]  # no partial folder left


def test_builtin_bank_folder_depends_on_the_renderer_setting(tmp_path):
    from audio.hrtf import file_sha256

    sofa = tmp_path / "subject.sofa"
    sofa.write_bytes(b"any bytes: the folder name only hashes the file")
    default = builtin_bank_path(tmp_path, 0)
    spherical = builtin_bank_path(tmp_path, 0, BankConfig(renderer="spherical"))
    own = builtin_bank_path(tmp_path, 0, BankConfig(hrtf_path=str(sofa)))
    assert default.name == f"builtin-bank-v{BANK_VERSION}-seed0"
    assert spherical.name == default.name + "-spherical"
    assert own.name == default.name + "-hrtf" + file_sha256(sofa)[:12]
