"""How long the bank takes to generate (small and full), against an I/O peer.

Run: ``python -m bench.bank_timing [--scales small full] [--seed 0] [--renderers hrtf spherical]``.

The peer, measured in the same run on the same files, is the cost of merely re-writing every
WAV of the bank with soundfile (read + PCM_24 write): the floor any generator pays. The ratio
generation / peer says how much of the time is synthesis and rendering rather than disk.
With both renderers, the spherical-head bank is a second peer: the ratio hrtf / spherical is
what the measured HRIRs cost (loading the HRTF file is inside the hrtf time).
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import soundfile

from tasks.bank.common import BankConfig
from tasks.bank.build import generate_bank


def rewrite_all_wavs(src: Path, dst: Path) -> tuple[float, int, int]:
    """(seconds, files, bytes) to read every WAV under src and write it again under dst."""
    paths = sorted(src.rglob("*.wav"))
    total_bytes = sum(p.stat().st_size for p in paths)
    t0 = time.perf_counter()
    for p in paths:
        data, sr = soundfile.read(str(p), dtype="float64")
        out = dst / p.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        soundfile.write(str(out), data, sr, subtype="PCM_24", format="WAVEX" if data.ndim == 2 else "WAV")
    return time.perf_counter() - t0, len(paths), total_bytes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["small", "full"], choices=["small", "full"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--renderers", nargs="+", default=["hrtf", "spherical"], choices=["hrtf", "spherical"])
    args = parser.parse_args(argv)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"bank timing: {cores} cores available (the generator uses one process)")
    with tempfile.TemporaryDirectory(prefix="bank-bench-") as tmp:
        for scale in args.scales:
            times: dict[str, float] = {}
            for renderer in args.renderers:
                root = Path(tmp) / f"{scale}-{renderer}"
                t0 = time.perf_counter()
                summary = generate_bank(root, args.seed, scale, config=BankConfig(renderer=renderer))
                gen_s = times[renderer] = time.perf_counter() - t0
                peer_s, n_files, n_bytes = rewrite_all_wavs(root, Path(tmp) / f"{scale}-peer")
                items = sum(summary.counts.values())
                print(f"  {scale:5s} {renderer:9s}: {gen_s:6.2f} s for {items} items ({summary.counts}), {n_files} WAVs, "
                      f"{n_bytes / 1e6:.0f} MB, {summary.n_capped} capped | peer (re-write the WAVs) {peer_s:5.2f} s "
                      f"| ratio {gen_s / peer_s:4.1f}x | {1000 * gen_s / items:5.1f} ms/item")
                shutil.rmtree(root)
                shutil.rmtree(Path(tmp) / f"{scale}-peer")
            if {"hrtf", "spherical"} <= set(times):
                print(f"  {scale:5s} hrtf / spherical: {times['hrtf'] / times['spherical']:4.2f}x")

if __name__ == "__main__":
    main()
