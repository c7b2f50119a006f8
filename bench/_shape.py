"""The dataset with the shape of STAR-Bench v1.0 for the data-path benchmarks (no audio is played):
tests.support.cover_shape's folder at full size (951 pc, 900 tr and 502 sr items with the real
category and sub-category names, temporal ids ending in _<SUB>_<n>, a few shared silent WAVs with
the benchmark's clip durations), so that benches and the cover design's tests use one shape.

With 4 options per range item and 5 per sensitivity item, a full-robust session has 8,580
runs, the size of a real one (~8,500). Not a benchmark itself (the leading underscore keeps it
out of ``python -m bench``); ``python -m bench._shape DIR`` writes the folder only.
"""
from __future__ import annotations

import sys
from pathlib import Path

from tests.support.cover_shape import write_cover_shape


def write_starbench_shape(root: Path) -> Path:
    """Write the full-size folder (meta_info/*.json and the shared WAVs) and return its path."""
    return write_cover_shape(root)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print("usage: python -m bench._shape DIR   (writes the dataset only)")
        return
    print(write_starbench_shape(Path(argv[0])))


if __name__ == "__main__":
    main()
