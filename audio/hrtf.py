"""Measured head-related impulse responses (HRIRs): loading, resampling, direction look-up.

Two sources:

- the MIT KEMAR "normal pinna" set (Gardner & Martin 1994: 710 directions, elevation -40 to
  +90 deg, 512 taps at 44.1 kHz, measured at 1.4 m) that the ``slab`` package ships inside its
  wheel as ``slab/data/mit_kemar_normal_pinna.bz2``. That file is a bz2-compressed pickle of
  slab's own ``HRTF``/``Filter`` objects. ``import slab`` costs seconds and pulls matplotlib,
  so the file is located without importing slab and read with a restricted unpickler that
  accepts only those two classes (as plain attribute holders) and numpy arrays - no other
  code can run from it. tests/audio/test_hrtf.py checks the result against
  ``slab.HRTF.kemar()``.
- any SOFA file of the SimpleFreeFieldHRIR convention, read with ``sofar`` (imported only
  when such a file is loaded).

Every set is resampled to the rendering rate (``scipy.signal.resample_poly``), given one
scalar gain so that the frontal HRIR has unit gain at 200-1000 Hz averaged over both ears
(directions keep their relative levels), and its common lead-in (the measurement distance's
propagation delay) is removed: ``lead_samples`` is the onset of the frontal response, so a
frontal source starts at sample 0 like the head-centre reference of the spherical model.

Directions between measured ones: NEAREST NEIGHBOUR on the sphere (largest dot product of unit
vectors). No interpolation: interpolating HRIRs in time mixes two ITDs into a double onset and
interpolating magnitudes needs a minimum-phase split; with the KEMAR grid (5 deg steps at ear
level) the largest error is 2.5-3.2 deg in azimuth and 5 deg in elevation, below human
localization blur for noise (~1 deg in front, 10-20 deg at the sides and in elevation).
Directions outside the measured range (KEMAR: below -40 deg) get the nearest measured one: a
source at -70 deg is rendered at -40 deg (still below ear level); ``nearest_direction``
says which measurement was used, and the bank records it.

Coordinates: listener frame x = front, y = left, z = up (as audio.spatial); SOFA's spherical
positions (azimuth counter-clockwise, 90 = left) map onto it directly.
"""
from __future__ import annotations

import bz2
import hashlib
import importlib.util
import math
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from audio.response_limits import ResponseLimits

KEMAR_NAME = "MIT KEMAR normal pinna (slab)"
KEMAR_FILE = "mit_kemar_normal_pinna.bz2"
NORMALISATION_BAND_HZ = (200.0, 1000.0)
# What an HRTF file may hold: the sampling rates of real measurements, responses of up to 32,768
# taps (0.68 s at 48 kHz; anechoic HRIRs have 128 to 2,048), up to 100,000 directions, and at most
# 2**26 samples (512 MiB) once resampled to the rendering rate.
MAX_SAMPLES = 1 << 26
LIMITS = ResponseLimits("an HRTF must be measured at", "taps", "measured directions", max_taps=32_768,
                        max_measurements=100_000, max_resampled=MAX_SAMPLES)


class HrtfError(OSError):
    """An HRTF file that cannot be used; the message names the file and what is wrong. An
    OSError: like a missing file, it is the environment's fault, and the places that load a
    dataset already turn OSError into a message for the user."""


@dataclass(frozen=True, eq=False)
class HrirSet:
    """HRIRs at one sample rate: ``hrirs`` (directions, taps, 2 = left, right) and the unit
    vectors of their directions (directions, 3) in the listener frame."""

    name: str
    path: str
    sha256: str
    sample_rate_hz: int
    directions: np.ndarray = field(repr=False)
    hrirs: np.ndarray = field(repr=False)

    @property
    def n_taps(self) -> int:
        return int(self.hrirs.shape[1])

    def nearest_index(self, unit_vectors: np.ndarray) -> np.ndarray:
        """Index of the measured direction nearest to each unit vector (n, 3) -> (n,)."""
        return np.argmax(np.atleast_2d(unit_vectors) @ self.directions.T, axis=1)

    def nearest_direction(self, azimuth_deg: float, elevation_deg: float) -> tuple[float, float]:
        """The measured direction used for a direction, in the project's convention
        (azimuth clockwise, 0 = front, 90 = right; elevation + up), rounded to 0.01 deg."""
        az, el = math.radians(azimuth_deg), math.radians(elevation_deg)
        v = np.array([math.cos(el) * math.cos(az), -math.cos(el) * math.sin(az), math.sin(el)])
        x, y, z = self.directions[int(self.nearest_index(v)[0])]
        return (round(math.degrees(math.atan2(-y, x)) % 360.0, 2),
                round(math.degrees(math.asin(max(-1.0, min(1.0, z)))), 2))

    def record(self) -> dict:
        """What item params say about the set."""
        return {"name": self.name, "file": Path(self.path).name, "sha256": self.sha256,
                "n_directions": int(self.directions.shape[0]), "lookup": "nearest neighbour"}


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def kemar_path() -> Path:
    """Where slab's wheel keeps the KEMAR file (found without importing slab); in the built
    program, the copy packaging/star-lab.spec puts beside the program's packages."""
    spec = importlib.util.find_spec("slab")
    if spec is not None and spec.submodule_search_locations:
        path = Path(list(spec.submodule_search_locations)[0]) / "data" / KEMAR_FILE
    else:
        path = Path(__file__).resolve().parents[1] / "slab" / "data" / KEMAR_FILE
        if not path.is_file():
            raise HrtfError("the default HRTF (MIT KEMAR) comes with the 'slab' package, which is not installed; "
                            "install it or choose a SOFA file (--hrtf FILE.sofa)")
    if not path.is_file():
        raise HrtfError(f"{path}: the KEMAR data file of the 'slab' package is missing")
    return path


class _Attributes:
    """Stand-in for slab's HRTF and Filter objects: holds their attributes, runs no code."""

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)


def _numpy_reconstruct():
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


class _SlabUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in {("slab.hrtf", "HRTF"), ("slab.filter", "Filter")}:
            return _Attributes
        if name == "_reconstruct" and module in ("numpy.core.multiarray", "numpy._core.multiarray"):
            return _numpy_reconstruct()
        if module == "numpy" and name in ("ndarray", "dtype"):
            return getattr(np, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in an HRTF data file")


def read_kemar_raw(path: Path | str | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """(hrirs (n, taps, 2), sources (n, 3) as azimuth ccw deg / elevation deg / distance m,
    sample rate) from slab's KEMAR file."""
    path = Path(path) if path is not None else kemar_path()
    try:
        with bz2.open(path, "rb") as f:
            obj = _SlabUnpickler(f).load()
        hrirs = np.stack([np.asarray(flt.data, dtype=np.float64) for flt in obj.data])
        sources = np.asarray(obj.sources, dtype=np.float64)
        rate = float(obj.samplerate)
    except (OSError, EOFError, AttributeError, TypeError, ValueError, pickle.UnpicklingError) as exc:
        raise HrtfError(f"{path}: not a readable KEMAR data file ({exc})") from None
    if hrirs.ndim != 3 or hrirs.shape[2] != 2 or sources.shape != (hrirs.shape[0], 3):
        raise HrtfError(f"{path}: unexpected shapes {hrirs.shape} / {sources.shape} in the KEMAR data")
    return hrirs, sources, rate


def _unit_vectors(azimuth_ccw_deg: np.ndarray, elevation_deg: np.ndarray) -> np.ndarray:
    az, el = np.radians(azimuth_ccw_deg), np.radians(elevation_deg)
    return np.column_stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)])


def check_size(path: Path, n_measurements: int, n_taps: int, rate_in_hz: float, sample_rate_hz: int) -> None:
    """HrtfError, with the limits, for a set too large or at a rate no measurement has."""
    problem = LIMITS.problem(n_measurements, n_taps, rate_in_hz, sample_rate_hz)
    if problem is not None:
        raise HrtfError(f"{path}: {problem}")


def _check_directions(path: Path, positions: np.ndarray) -> None:
    bad = np.flatnonzero(~np.all(np.isfinite(positions), axis=1))
    if bad.size:
        raise HrtfError(f"{path}: SourcePosition of measurement {int(bad[0])} is {positions[bad[0]].tolist()} "
                        f"({bad.size:,} measurement(s) with a position that is not finite)")


def _prepare(name: str, path: Path, hrirs: np.ndarray, directions: np.ndarray, rate_in_hz: float,
             sample_rate_hz: int) -> HrirSet:
    check_size(path, hrirs.shape[0], hrirs.shape[1], rate_in_hz, sample_rate_hz)
    _check_directions(path, directions)
    if not np.all(np.isfinite(hrirs)):
        raise HrtfError(f"{path}: the impulse responses hold non-finite values")
    rate_in = int(round(rate_in_hz))
    if rate_in != sample_rate_hz:
        g = math.gcd(rate_in, sample_rate_hz)
        hrirs = resample_poly(hrirs, sample_rate_hz // g, rate_in // g, axis=1)
    front = int(np.argmax(directions @ np.array([1.0, 0.0, 0.0])))
    h_front = hrirs[front]
    spectrum = np.abs(np.fft.rfft(h_front, n=max(4096, h_front.shape[0]), axis=0))
    freqs = np.fft.rfftfreq(max(4096, h_front.shape[0]), 1.0 / sample_rate_hz)
    band = (freqs >= NORMALISATION_BAND_HZ[0]) & (freqs <= NORMALISATION_BAND_HZ[1])
    gain = float(np.mean(spectrum[band]))
    if not gain > 0:
        raise HrtfError(f"{path}: the frontal impulse response is silent")
    envelope = np.max(np.abs(h_front), axis=1)
    lead = max(int(np.argmax(envelope > 0.2 * envelope.max())) - 4, 0)  # a few samples of pre-ringing kept
    trimmed = np.ascontiguousarray(hrirs[:, lead:, :] / gain)
    trimmed.setflags(write=False)
    directions = np.ascontiguousarray(directions)
    directions.setflags(write=False)
    return HrirSet(name, str(path), file_sha256(path), sample_rate_hz, directions, trimmed)


def load_kemar(sample_rate_hz: int = 48_000, path: Path | str | None = None) -> HrirSet:
    """The MIT KEMAR set from slab's wheel at ``sample_rate_hz``."""
    path = Path(path) if path is not None else kemar_path()
    hrirs, sources, rate = read_kemar_raw(path)
    return _prepare(KEMAR_NAME, path, hrirs, _unit_vectors(sources[:, 0], sources[:, 1]), rate, sample_rate_hz)


def load_sofa(path: Path | str, sample_rate_hz: int = 48_000) -> HrirSet:
    """A SimpleFreeFieldHRIR SOFA file at ``sample_rate_hz``; clear HrtfError otherwise."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise HrtfError(f"{path}: HRTF file not found")
    if path.suffix.lower() != ".sofa":  # sofar would look for "<path>.sofa" instead
        raise HrtfError(f"{path}: an HRTF file must be a SOFA file (name ending in .sofa)")
    _check_declared_size(path, sample_rate_hz)
    import sofar  # here, not at start-up: it pulls netCDF4

    try:
        sofa = sofar.read_sofa(str(path), verify=False, verbose=False)
    except Exception as exc:  # sofar/netCDF4 raise many kinds for a file that is not SOFA
        raise HrtfError(f"{path}: not a readable SOFA file ({type(exc).__name__}: {exc})") from None
    convention = str(getattr(sofa, "GLOBAL_SOFAConventions", ""))
    if convention != "SimpleFreeFieldHRIR":
        raise HrtfError(f"{path}: GLOBAL_SOFAConventions is {convention!r}; only SimpleFreeFieldHRIR is supported")
    ir = np.asarray(sofa.Data_IR, dtype=np.float64)
    if ir.ndim != 3 or ir.shape[1] != 2:
        raise HrtfError(f"{path}: Data.IR has shape {ir.shape}; expected (measurements, 2 receivers, samples)")
    positions = np.atleast_2d(np.asarray(sofa.SourcePosition, dtype=np.float64))
    if positions.shape[0] == 1 and ir.shape[0] > 1:
        positions = np.repeat(positions, ir.shape[0], axis=0)
    if positions.shape != (ir.shape[0], 3):
        raise HrtfError(f"{path}: SourcePosition has shape {positions.shape}; expected ({ir.shape[0]}, 3)")
    _check_directions(path, positions)
    kind = str(getattr(sofa, "SourcePosition_Type", "spherical")).lower()
    if kind.startswith("cartesian"):
        norms = np.linalg.norm(positions, axis=1, keepdims=True)
        if not np.all(norms > 0):
            raise HrtfError(f"{path}: SourcePosition of measurement {int(np.argmin(norms))} is the listener's own "
                            "position (0, 0, 0): it has no direction")
        directions = positions / norms
    else:
        directions = _unit_vectors(positions[:, 0], positions[:, 1])
    receivers = np.atleast_2d(np.asarray(getattr(sofa, "ReceiverPosition", [[0, 0.09, 0], [0, -0.09, 0]]), dtype=np.float64))
    if receivers.shape[0] >= 2 and receivers[0, 1] < receivers[1, 1]:  # receiver 0 on the right: swap to left, right
        ir = ir[:, ::-1, :]
    rate = float(np.ravel(np.asarray(sofa.Data_SamplingRate, dtype=np.float64))[0])
    return _prepare(path.name, path, np.transpose(ir, (0, 2, 1)), directions, rate, sample_rate_hz)


def sofa_dimensions(path: Path) -> tuple[int, int, float] | None:
    """(measurements M, taps N, Data.SamplingRate) of a SOFA file, read without its data; None
    for a file netCDF4 cannot open this way (left to sofar's reader and its error)."""
    try:
        import netCDF4

        with netCDF4.Dataset(str(path)) as nc:
            n_measurements, n_taps = len(nc.dimensions["M"]), len(nc.dimensions["N"])
            rate = float(np.ravel(np.ma.filled(nc.variables["Data.SamplingRate"][:], np.nan))[0])
    except Exception:  # noqa: BLE001 - not a netCDF file, or not SOFA's layout: sofar says what
        return None
    return n_measurements, n_taps, rate


def _check_declared_size(path: Path, sample_rate_hz: int) -> None:
    declared = sofa_dimensions(path)
    if declared is not None:
        check_size(path, *declared, sample_rate_hz)


def load_hrtf(path: Path | str | None, sample_rate_hz: int = 48_000) -> HrirSet:
    """``None`` (or empty) -> the KEMAR default; a path -> that SOFA file."""
    if path is None or str(path) == "":
        return load_kemar(sample_rate_hz)
    return load_sofa(path, sample_rate_hz)
