"""The difference grid of each perception dimension, read from the bank's own definitions
(tasks.bank.perception, STARBENCH.md section 7), and an item's position on it.

- pitch, loudness, duration, azimuth, elevation: the bank's difference levels;
- distance: the bank's four difference levels, each the centre of its group of three
  differences (1.5, 4.5, 6.5, 8.5 m);
- hearing level: the first and last of the bank's tone levels (-10 and 110 dB HL): the levels
  are evenly spaced, so the position on these two is the position on all of them.
"""
from __future__ import annotations

import numpy as np


def bank_grid(dimension: str) -> tuple[float, ...]:
    """The grid of a dimension of tasks.psychometrics.dimensions, from the lowest level to the
    highest."""
    # lazy: importing tasks.bank loads the spatial renderer (~0.7 s), which the command line
    # and the observers do not need until they read a grid
    from tasks.bank import perception as bank

    grids = {
        "pitch": bank.PITCH_CENTS,
        "loudness": bank.LOUDNESS_DB,
        "duration": bank.DURATION_PERCENT,
        "azimuth": bank.AZIMUTH_DIFFERENCES_DEG,
        "elevation": bank.ELEVATION_DIFFERENCES_DEG,
        "distance": tuple(group[len(group) // 2] for group in bank.DISTANCE_DIFFERENCES_M),
        "hearing_level": (bank.HL_LEVELS_DB[0], bank.HL_LEVELS_DB[-1]),
    }
    return tuple(grids[dimension])


def grid_position(dimension: str, value: float) -> float:
    """Where ``value`` lies on the dimension's grid: 0 at the first level (the control), 1 at
    the last, linear between neighbouring levels, clipped outside."""
    grid = bank_grid(dimension)
    steps = np.interp(value, grid, np.arange(len(grid)))
    return float(steps / (len(grid) - 1))
