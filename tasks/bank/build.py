"""Planning the whole bank, rendering each item, and writing the folder atomically."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

from audio.levels import load_retspl_tables
from audio.hrtf import HrtfError, file_sha256, load_hrtf
from audio.spatial import HrtfHead, ResponseCache, SphericalHead
from tasks.bank.common import (
    AUDIO_DIR,
    BANK_VERSION,
    SCALES,
    SOURCE,
    BankConfig,
    BankSummary,
    ItemOutput,
    RENDERER_HRTF,
    RENDERER_SPHERICAL,
    PlannedItem,
    Progress,
    RenderContext,
    _jsonable,
    item_rng,
    write_wav,
)
from tasks.bank.perception import (
    _render_range_pitch_loudness,
    _render_sensitivity_duration,
    _render_sensitivity_loudness,
    _render_sensitivity_pitch,
    plan_perception,
)
from tasks.bank.spatial import (
    _render_range_azimuth,
    _render_range_distance,
    _render_range_elevation,
    _render_sensitivity_azimuth,
    _render_sensitivity_distance,
    _render_sensitivity_elevation,
    _render_sr_relation,
    _render_sr_static,
    _render_sr_trajectory,
    plan_spatial,
)
from tasks.bank.temporal import _render_temporal, plan_temporal
from tasks.dataset.items import ALIAS_FILES
from tasks.dataset.loader import Cancelled

RENDERERS: Mapping[str, Callable[[dict, np.random.Generator, RenderContext], ItemOutput]] = MappingProxyType({
    "range_pitch_loudness": _render_range_pitch_loudness,
    "range_azimuth": _render_range_azimuth,
    "range_elevation": _render_range_elevation,
    "range_distance": _render_range_distance,
    "sensitivity_pitch": _render_sensitivity_pitch,
    "sensitivity_loudness": _render_sensitivity_loudness,
    "sensitivity_duration": _render_sensitivity_duration,
    "sensitivity_azimuth": _render_sensitivity_azimuth,
    "sensitivity_elevation": _render_sensitivity_elevation,
    "sensitivity_distance": _render_sensitivity_distance,
    "sr_static": _render_sr_static,
    "sr_relation": _render_sr_relation,
    "sr_trajectory": _render_sr_trajectory,
})



def _render_planned(item: PlannedItem, seed: int, ctx: RenderContext, root: Path) -> tuple[dict, int, bool]:
    """Render one item's audio, write it, return (JSON object, files written, capped)."""
    rng = item_rng(seed, item.meta["id"])
    meta = dict(item.meta)
    sr = ctx.sample_rate_hz
    if item.alias == "tr":
        clips, uncut, info = _render_temporal(item.params, rng, ctx)
        folder = f"{AUDIO_DIR}/holistic_reasoning_temporal/{meta['id']}"
        paths = [f"{folder}/clip_{k}.wav" for k in (1, 2, 3)]
        for rel, clip in zip(paths, clips):
            write_wav(root / rel, clip, sr)
        write_wav(root / f"{folder}/uncut.wav", uncut, sr)
        meta.update(audio_paths=paths, uncut_audio_path=f"{folder}/uncut.wav", source=SOURCE,
                    params=_jsonable({**item.params, **info, "sample_rate_hz": sr}))
        return meta, 4, False
    answer, files, params = RENDERERS[item.kind](dict(item.params), rng, ctx)
    family = "foundation_perception" if item.alias == "pc" else "holistic_reasoning_spatial"
    sub = f"/{item.kind}" if item.alias == "pc" else ""
    rel = f"{AUDIO_DIR}/{family}{sub}/{meta['id']}.wav"
    write_wav(root / rel, files["audio"], sr)
    params["sample_rate_hz"] = sr
    meta.update(answer=answer, audio_paths=[rel], source=SOURCE, params=_jsonable(params))
    return meta, 1, bool(params.get("capped"))



def make_head(config: BankConfig) -> SphericalHead | HrtfHead:
    """The head spatial items render with: the configured HRTF (audio.hrtf.HrtfError names a
    file that cannot be used), or the spherical model."""
    if config.renderer == RENDERER_HRTF:
        return HrtfHead(load_hrtf(config.hrtf_path or None, config.sample_rate_hz), config.hrtf_early_order, config.head)
    return config.head


def plan_bank(scale: str) -> list[PlannedItem]:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    return plan_perception(scale) + plan_temporal() + plan_spatial()


def generate_bank(
    out_dir: Path | str,
    seed: int = 0,
    scale: str = "small",
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
    config: BankConfig = BankConfig(),
) -> BankSummary:
    """Write a bank to ``out_dir`` (which must not exist or be empty). The bank is built in a
    temporary sibling folder and renamed into place at the end, so ``out_dir`` never holds a
    half-written bank; on cancel (:class:`tasks.dataset.loader.Cancelled`) or error nothing is left."""
    out_dir = Path(out_dir).expanduser()
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise FileExistsError(f"{out_dir} exists and is not an empty folder")
    planned = plan_bank(scale)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        ctx = RenderContext(config, ResponseCache(), load_retspl_tables()[config.retspl_table], make_head(config))
        summary = BankSummary(root=out_dir, seed=seed, scale=scale)
        entries: dict[str, list[dict]] = {"pc": [], "tr": [], "sr": []}
        for done, item in enumerate(planned, start=1):
            if should_cancel and should_cancel():
                raise Cancelled(f"bank generation into {out_dir} cancelled")
            meta, n_files, capped = _render_planned(item, seed, ctx, tmp)
            entries[item.alias].append(meta)
            summary.n_audio_files += n_files
            summary.n_capped += int(capped)
            if progress:
                progress(done, len(planned), meta["id"])
        (tmp / "meta_info").mkdir()
        for alias, objects in entries.items():
            text = json.dumps(objects, indent=2, ensure_ascii=False) + "\n"
            (tmp / "meta_info" / ALIAS_FILES[alias]).write_text(text, encoding="utf-8")
            summary.counts[alias] = len(objects)
        if out_dir.exists():
            out_dir.rmdir()
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return summary


def builtin_bank_path(data_dir: Path | str, seed: int = 0, config: BankConfig = BankConfig()) -> Path:
    """The folder of the built-in bank; a non-default renderer or HRTF file gets its own
    folder (the spherical renderer "-spherical", a SOFA file "-hrtf" + its SHA-256's first 12
    digits), so switching the setting never reuses a bank rendered another way."""
    tag = ""
    if config.renderer == RENDERER_SPHERICAL:
        tag = "-spherical"
    elif config.hrtf_path:
        tag = f"-hrtf{file_sha256(config.hrtf_path)[:12]}"
    return Path(data_dir).expanduser() / f"builtin-bank-v{BANK_VERSION}-seed{seed}{tag}"


def ensure_builtin_bank(data_dir: Path | str, seed: int = 0,
                        progress: Progress | None = None, config: BankConfig = BankConfig()) -> Path:
    """The small bank for ``seed`` (rendered as ``config`` says) under ``data_dir``, generated
    on first use. Generation is atomic (temporary folder, then rename), so a folder that
    exists is complete; if another process wins the race, its bank is used."""
    try:
        path = builtin_bank_path(data_dir, seed, config)
    except OSError as exc:
        raise HrtfError(f"{config.hrtf_path}: the HRTF file chosen for the bank cannot be read ({exc.strerror})") from None
    if (path / "meta_info").is_dir():
        return path
    try:
        generate_bank(path, seed, "small", progress=progress, config=config)
    except OSError:  # includes FileExistsError: another process may have finished first
        if not (path / "meta_info").is_dir():
            raise
    return path


def builtin_bank_for(data_dir: Path | str, settings=None, progress: Progress | None = None,
                     should_cancel=None) -> Path:
    """The built-in small bank (seed 0) under ``data_dir``, generated on first use; rendered as
    the station settings ``bank_renderer`` / ``bank_hrtf_file`` say when ``settings``
    (db.settings.Settings) is given, else with the defaults. ``should_cancel`` is accepted, as
    the console's workers pass it, and not used."""
    config = BankConfig()
    if settings is not None:
        config = BankConfig(renderer=settings.get("bank_renderer"), hrtf_path=settings.get("bank_hrtf_file") or "")
    return ensure_builtin_bank(data_dir, seed=0, progress=progress, config=config)
