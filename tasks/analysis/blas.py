"""One BLAS thread for the analysis processes.

The bootstrap's matrix products are small ((2,000 x items) by (items x participants)); OpenBLAS
splits each over as many threads as there are cores, and on a shared 2-core machine the second
thread waits for a core far longer than it works: measured on the paper-shaped 40-participant
study under load 5, the report's resampled participant scores took 0.29 s with the default
threads and 0.06 s with one. Counts are whole numbers, exact in any order of summation, so the
numbers do not change.

``one_blas_thread()`` asks every OpenBLAS the process has loaded (numpy's and scipy's own copy)
for one thread; call it at the start of a process that computes a report (the report command,
the Results page's child processes). Without OpenBLAS (another BLAS, or a system where the
loaded libraries cannot be listed) it does nothing.
"""
from __future__ import annotations

import ctypes

_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
            "openblas_set_num_threads")


def loaded_openblas() -> list[str]:
    """Paths of the OpenBLAS libraries loaded in this process (Linux: /proc/self/maps)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            return sorted({line.split()[-1] for line in f if "openblas" in line.rsplit("/", 1)[-1].lower()})
    except OSError:
        return []


def one_blas_thread() -> int:
    """Set one thread in every loaded OpenBLAS; returns how many libraries were set."""
    import numpy  # noqa: F401 - loads numpy's OpenBLAS
    import scipy.linalg  # noqa: F401 - and scipy's own

    done = 0
    for path in loaded_openblas():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(lib, name, None)
            if setter is not None:
                setter.argtypes = [ctypes.c_int]
                setter(1)
                done += 1
                break
    return done
