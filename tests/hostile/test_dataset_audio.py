"""The validator reads the audio a dataset names: a WAV with NaN samples, a truncated WAV and a
header promising hours are problems that name the file; `validate` reads every sample."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from tasks.dataset.loader import load_dataset

ROOT = Path(__file__).resolve().parents[2]


def first_pc_wav(dataset_dir: Path) -> Path:
    return sorted((dataset_dir / "starbench_audios" / "pc").glob("*.wav"))[0]


def write_nan_wav(path: Path) -> None:
    samples = np.zeros((800, 1), dtype=np.float32)
    samples[100, 0] = np.nan
    soundfile.write(str(path), samples, 16000, subtype="FLOAT")


def truncate(path: Path, n_bytes: int) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:-n_bytes])


def problems_about(ds, name: str) -> list[str]:
    return [str(p) for p in ds.problems if name in str(p)]


def test_full_check_finds_non_finite_samples_that_the_header_check_cannot(dataset_dir):
    wav = first_pc_wav(dataset_dir)
    write_nan_wav(wav)
    rel = wav.relative_to(dataset_dir).as_posix()
    assert problems_about(load_dataset(dataset_dir, check_audio="header"), rel) == []
    found = problems_about(load_dataset(dataset_dir, check_audio="full"), rel)
    assert found and "1 non-finite samples" in found[0]
    assert str(dataset_dir) not in found[0]  # named relative to the dataset root


def test_a_truncated_wav_is_a_problem_in_both_modes(dataset_dir):
    wav = first_pc_wav(dataset_dir)
    truncate(wav, 200)
    rel = wav.relative_to(dataset_dir).as_posix()
    for mode in ("header", "full"):
        found = problems_about(load_dataset(dataset_dir, check_audio=mode), rel)
        assert found and "truncated" in found[0], mode


def test_a_clip_over_the_duration_limit_is_a_problem(dataset_dir):
    wav = first_pc_wav(dataset_dir)
    rel = wav.relative_to(dataset_dir).as_posix()
    found = problems_about(load_dataset(dataset_dir, max_clip_duration_s=0.01), rel)
    assert found and "longer than the limit of 0.01 s" in found[0]


@pytest.mark.subprocess
def test_validate_command_reads_every_sample_and_exits_1(dataset_dir):
    wav = first_pc_wav(dataset_dir)
    write_nan_wav(wav)
    rel = wav.relative_to(dataset_dir).as_posix()
    done = subprocess.run([sys.executable, "main.py", "validate", str(dataset_dir)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert f"{rel}: 1 non-finite samples" in done.stdout
    assert "Traceback" not in done.stderr
