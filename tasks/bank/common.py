"""What every part of the bank shares: its configuration, the planned-item record, the render
context, per-item randomness, peak fitting and the WAV writer."""
from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import soundfile

from audio import synthesis as syn
from audio.levels import DEFAULT_RETSPL_TABLE, DigitalReference
from audio.spatial import ResponseCache, ShoeboxRoom, SphericalHead

BANK_VERSION = 2  # 2: spatial items rendered with a measured HRTF by default
AUDIO_DIR = "starbench_audios"
SOURCE = f"star-listening-lab synthetic bank v{BANK_VERSION}"
SCALES = ("small", "full")
SMALL_PER_SUBCATEGORY = 6
RENDERER_HRTF = "hrtf"  # measured HRIRs (default: MIT KEMAR from slab; or a SOFA file)
RENDERER_SPHERICAL = "spherical"  # the rigid-sphere fallback
SPATIAL_RENDERERS = (RENDERER_HRTF, RENDERER_SPHERICAL)

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class BankConfig:
    sample_rate_hz: int = 48_000
    reference: DigitalReference = DigitalReference(reference_dbfs=-30.0, reference_db_spl=70.0)
    retspl_table: str = DEFAULT_RETSPL_TABLE
    max_peak_dbfs: float = -1.0
    room: ShoeboxRoom = ShoeboxRoom()
    head: SphericalHead = SphericalHead()
    tone_level_db_spl: float = 60.0  # sensitivity tones (the quieter/reference tone sits near it)
    source_level_db_spl_at_1m: float = 65.0  # spatial noise bursts, free-field level at 1 m
    renderer: str = RENDERER_HRTF  # how spatial items are rendered: "hrtf" or "spherical"
    hrtf_path: str = ""  # SOFA file (SimpleFreeFieldHRIR) for the hrtf renderer; "" = MIT KEMAR
    hrtf_early_order: int = 2  # image sources up to this reflection order get their own HRIR

    def __post_init__(self) -> None:
        if self.renderer not in SPATIAL_RENDERERS:
            raise ValueError(f"renderer must be one of {', '.join(SPATIAL_RENDERERS)}, got {self.renderer!r}")
        if self.hrtf_path and self.renderer != RENDERER_HRTF:
            raise ValueError(f"an HRTF file ({self.hrtf_path}) needs the {RENDERER_HRTF!r} renderer, not {self.renderer!r}")


@dataclass(frozen=True)
class PlannedItem:
    """An item before rendering: its JSON fields (without audio paths) and what to render."""

    alias: str
    meta: dict[str, Any]
    kind: str  # name of the renderer
    params: dict[str, Any]


@dataclass
class BankSummary:
    root: Path
    seed: int
    scale: str
    counts: dict[str, int] = field(default_factory=dict)
    n_audio_files: int = 0
    n_capped: int = 0


@dataclass
class RenderContext:
    config: BankConfig
    cache: ResponseCache
    retspl: Any  # RetsplTable
    head: Any = None  # what spatial items render with: SphericalHead or HrtfHead (build.make_head)

    def __post_init__(self) -> None:
        if self.head is None:  # a context built by hand renders with the configured spherical head
            self.head = self.config.head

    @property
    def sample_rate_hz(self) -> int:
        return self.config.sample_rate_hz

    def reference_record(self) -> dict[str, float]:
        return asdict(self.config.reference)

    def spl_to_dbfs(self, level_db_spl: float) -> float:
        return self.config.reference.spl_to_dbfs(level_db_spl)


def _round(x: float, digits: int = 4) -> float:
    return float(round(float(x), digits))


def _fit_peak(signal: np.ndarray, max_peak_dbfs: float) -> tuple[np.ndarray, float]:
    """Attenuate a rendered signal whose peak exceeds the ceiling; returns (signal, gain_db)."""
    peak = float(np.max(np.abs(signal))) if signal.size else 0.0
    ceiling = 10 ** (max_peak_dbfs / 20)
    if peak <= ceiling:
        return signal, 0.0
    return signal * (ceiling / peak), 20 * np.log10(ceiling / peak)


def _answer_for_pair(options: tuple[str, str, str], same: bool, second: bool) -> str:
    if same:
        return options[2]
    return options[1] if second else options[0]


ItemOutput = tuple[str, dict[str, np.ndarray], dict[str, Any]]  # answer, files by role, params



def item_rng(seed: int, item_id: str) -> np.random.Generator:
    """Per-item randomness, independent of which other items are generated or in what order."""
    return np.random.default_rng([seed, zlib.crc32(item_id.encode("utf-8"))])


def write_wav(path: Path, samples: np.ndarray, sample_rate_hz: int) -> None:
    """PCM_24, deterministic; multichannel as WAVEX (soundfile writes no timestamps for PCM)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = np.asarray(samples, dtype=np.float64)
    if float(np.max(np.abs(data), initial=0.0)) >= 1.0:
        raise ValueError(f"{path.name}: peak at or above full scale - the bank must cap levels first")
    fmt = "WAVEX" if data.ndim == 2 and data.shape[1] >= 2 else "WAV"
    soundfile.write(str(path), data, sample_rate_hz, subtype="PCM_24", format=fmt)



def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return float(round(float(value), 6))
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value



def _noise_burst(rng: np.random.Generator, ctx: RenderContext, duration_s: float = 0.4) -> np.ndarray:
    level_dbfs = ctx.spl_to_dbfs(ctx.config.source_level_db_spl_at_1m)
    return syn.noise(duration_s, level_dbfs, rng, ctx.sample_rate_hz, band_hz=(100.0, 16000.0), ramp_s=0.02)


def _beeps(frequency_hz: float, n: int, on_s: float, off_s: float, level_dbfs: float, sr: int, speedup: float = 1.0) -> np.ndarray:
    parts, off = [], off_s
    for _ in range(n):
        parts += [syn.sine_tone(frequency_hz, level_dbfs, on_s, 0.005, sr), np.zeros(syn.seconds_to_samples(off, sr))]
        off *= speedup
    return np.concatenate(parts[:-1])
