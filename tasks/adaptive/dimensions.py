"""The six perception dimensions an adaptive block can measure, each in its own physical unit.

Every adaptive trial is a two-alternative forced choice (two sounds, "which one is ..."), so
chance is 1/2 for every dimension. The level an adaptive procedure sets is the *difference*
between the two sounds, in the unit below; the reference sound is fixed per dimension:

- pitch: cents (1200 cents = one octave) above/below a reference tone (the bank's pitch pairs)
- loudness: dB between two tones centred on the bank's tone level
- duration: ms added to a 300 ms reference tone (the bank records percent; an adaptive level
  in ms is more natural for a threshold, and the trial's stimulus record states both)
- azimuth: degrees between two noise bursts, either side of straight ahead (left/right)
- elevation: degrees between two bursts centred on ear level (which one is higher)
- distance: metres added to a 1 m reference burst straight ahead (which one is closer)
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np


@dataclass(frozen=True)
class Dimension:
    name: str
    unit: str  # as written in thresholds.csv and the trial records
    question: str
    options: tuple[str, str]  # the first option is right when the first sound carries the attribute
    min_level: float  # the procedures never ask below / above these
    max_level: float
    start_level: float  # a staircase starts here, clearly audible

    def grid(self, n: int = 41) -> np.ndarray:
        """Log-spaced candidate levels (QUEST+'s stimulus domain; staircase levels are clipped
        to [min_level, max_level])."""
        return np.geomspace(self.min_level, self.max_level, n)


def _pair(attribute: str) -> tuple[str, str]:
    return (f"The first sound is {attribute}", f"The second sound is {attribute}")


DIMENSIONS: Mapping[str, Dimension] = MappingProxyType({
    "pitch": Dimension("pitch", "cents", "You will hear two tones. Which one is higher in pitch?",
                       _pair("higher in pitch"), 1.0, 400.0, 100.0),
    "loudness": Dimension("loudness", "dB", "You will hear two tones. Which one is louder?",
                          _pair("louder"), 0.1, 12.0, 6.0),
    "duration": Dimension("duration", "ms", "You will hear two tones. Which one lasts longer?",
                          _pair("longer"), 2.0, 300.0, 150.0),
    "azimuth": Dimension("azimuth", "deg", "You will hear two sounds. Is the second one to the left or to the "
                         "right of the first?", ("The second sound is to the left", "The second sound is to the right"),
                         0.5, 90.0, 40.0),
    "elevation": Dimension("elevation", "deg", "You will hear two sounds. Which one is higher up?",
                           _pair("higher"), 1.0, 150.0, 60.0),
    "distance": Dimension("distance", "m", "You will hear two sounds. Which one is closer to you?",
                          _pair("closer"), 0.05, 8.0, 3.0),
})


class DimensionError(ValueError):
    """An unknown dimension name; the message lists the known ones."""


def dimension(name: str) -> Dimension:
    try:
        return DIMENSIONS[name]
    except KeyError:
        raise DimensionError(f"unknown adaptive dimension {name!r}; known: {', '.join(DIMENSIONS)}") from None
