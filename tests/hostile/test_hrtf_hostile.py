"""`generate-bank --hrtf FILE` with a SOFA file no measurement could have made: a sampling rate of
1 Hz (resampled to 48 kHz, a MemoryError after minutes), 2 million taps (a 175 KB compressed
file), non-finite or empty source positions. Refused up front with the limits, in one line,
exit 1, and no bank folder."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audio.hrtf import MAX_SAMPLES, HrtfError, load_sofa

ROOT = Path(__file__).resolve().parents[2]


def write_sofa(path: Path, measurements: int = 10, taps: int = 256, rate_hz: float = 48_000, positions=None,
               cartesian: bool = False) -> Path:
    import sofar

    sofa = sofar.Sofa("SimpleFreeFieldHRIR")
    ir = np.zeros((measurements, 2, taps))
    ir[:, :, 3] = 1.0
    sofa.Data_IR = ir
    sofa.Data_SamplingRate = rate_hz
    if positions is None:
        positions = np.column_stack([np.linspace(0, 350, measurements), np.zeros(measurements),
                                     np.full(measurements, 1.4)])
    sofa.SourcePosition = positions
    if cartesian:
        sofa.SourcePosition_Type, sofa.SourcePosition_Units = "cartesian", "metre"
    sofar.write_sofa(str(path), sofa)
    return path


def with_position(row: int, column: int, value: float) -> np.ndarray:
    positions = np.column_stack([np.linspace(0, 350, 10), np.zeros(10), np.full(10, 1.4)])
    positions[row, column] = value
    return positions


CASES = {
    "1 Hz": (dict(rate_hz=1), "sampling rate 1 Hz; an HRTF must be measured at 8,000 to 384,000 Hz"),
    "2 million taps": (dict(measurements=2, taps=2_000_000),
                       "2,000,000 taps per impulse response; 1 to 32,768 are accepted"),
    "NaN azimuth": (dict(positions=with_position(3, 0, np.nan)), "SourcePosition of measurement 3 is [nan, 0.0, 1.4]"),
    "inf elevation": (dict(positions=with_position(0, 1, np.inf)), "SourcePosition of measurement 0 is [0.0, inf, 1.4]"),
}


@pytest.mark.subprocess
@pytest.mark.parametrize("case", list(CASES))
def test_generate_bank_refuses_the_file_in_one_line_and_writes_no_folder(tmp_path, case):
    kwargs, text = CASES[case]
    sofa = write_sofa(tmp_path / "head.sofa", **kwargs)
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "generate-bank", "--out", str(tmp_path / "bank"),
                           "--hrtf", str(sofa)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"error: generate-bank: {sofa}: ") and text in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["head.sofa"]


def test_the_limits_are_checked_before_the_data_is_read(tmp_path, monkeypatch):
    import sofar

    sofa = write_sofa(tmp_path / "head.sofa", measurements=2, taps=2_000_000)
    monkeypatch.setattr(sofar, "read_sofa", lambda *a, **k: pytest.fail("the data was read"))
    with pytest.raises(HrtfError, match="2,000,000 taps"):
        load_sofa(sofa)


@pytest.mark.parametrize("kwargs, text", [
    (dict(rate_hz=400_000), "sampling rate 400,000 Hz"),
    (dict(rate_hz=float("nan")), "is not a positive whole number"),
    (dict(measurements=2100, taps=8000, rate_hz=8000), f"at most {MAX_SAMPLES:,} are accepted"),
    (dict(positions=np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]), measurements=2, cartesian=True),
     "SourcePosition of measurement 0 is the listener's own position"),
])
def test_other_impossible_sets_are_named(tmp_path, kwargs, text):
    with pytest.raises(HrtfError, match=text.replace("(", r"\(")):
        load_sofa(write_sofa(tmp_path / "head.sofa", **kwargs))


def test_a_set_at_the_limits_still_loads(tmp_path):
    loaded = load_sofa(write_sofa(tmp_path / "head.sofa", rate_hz=8_000, taps=4096), 48_000)
    assert loaded.hrirs.shape[0] == 10 and np.all(np.isfinite(loaded.hrirs))
