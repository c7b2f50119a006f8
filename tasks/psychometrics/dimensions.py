"""The perception dimensions: one registry for the grid's psychometric fits, the adaptive
blocks and the simulated observers, each dimension with one canonical unit.

The canonical unit is the unit of the bank's item parameters and of the fits' tables: cents
(pitch), dB (loudness), % of the shorter tone (duration), degrees (azimuth, elevation), m
(distance), dB HL (hearing level).

An adaptive block (``Dimension.adaptive``) is a two-alternative forced choice whose level is
the difference between its two sounds, in ``AdaptiveScale.unit``: the canonical unit for every
dimension but duration, whose adaptive level is the ms added to a ``DURATION_REFERENCE_MS``
reference tone (a threshold in ms is the natural one for a block; thresholds.csv and the trial
records state "ms"). ``AdaptiveScale.to_canonical`` converts at that edge (for duration:
percent = ms / DURATION_REFERENCE_MS * 100). Hearing level has no adaptive block.

The reference sounds of the adaptive blocks: pitch, cents above/below a 1 kHz tone; loudness,
dB between two tones centred on the bank's tone level; duration, a longer tone after the
reference; azimuth, degrees between two bursts either side of straight ahead (left/right);
elevation, degrees between two bursts centred on ear level (which one is higher); distance,
metres added to a 1 m reference burst straight ahead (which one is closer).

A *control* item of the grid presents no difference worth hearing (the grid's level 0, a
spatial difference the benchmark counts as "the same", or no tone at all): its right answer is
"the same" / "not at all", so it does not lie on the rising curve.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

from tasks.psychometrics.functions import LOGISTIC, WEIBULL

DURATION_REFERENCE_MS = 300.0  # the adaptive duration block's reference tone


@dataclass(frozen=True)
class AdaptiveScale:
    """How an adaptive block presents a dimension (every trial has two options, chance 1/2)."""
    name: str  # the dimension's
    unit: str  # of its levels, as written in thresholds.csv and the trial records
    question: str
    options: tuple[str, str]  # the first option is right when the first sound carries the attribute
    min_level: float  # the procedures never ask below / above these
    max_level: float
    start_level: float  # a staircase starts here, clearly audible
    per_canonical_unit: float = 1.0  # levels in ``unit`` per one canonical unit of the dimension

    def grid(self, n: int = 41) -> np.ndarray:
        """Log-spaced candidate levels (QUEST+'s stimulus domain; staircase levels are clipped
        to [min_level, max_level])."""
        return np.geomspace(self.min_level, self.max_level, n)

    def to_canonical(self, level: float) -> float:
        """A level of the block in the dimension's canonical unit."""
        return level / self.per_canonical_unit


@dataclass(frozen=True)
class Dimension:
    name: str
    unit: str  # canonical: the bank's params, the item-params CSV and the fits' tables
    label: str  # axis label
    form: str  # the psychometric function fitted: weibull (magnitudes >= 0) or logistic (levels)
    sub_category: str  # the bank's sub-category that presents it
    param: str  # key in the bank's params
    is_control: Callable[[float], bool]
    adaptive: AdaptiveScale | None = None

    def __post_init__(self) -> None:
        if self.adaptive is not None and self.adaptive.name != self.name:
            raise ValueError(f"the adaptive scale of {self.name} is named {self.adaptive.name}")


def _pair(attribute: str) -> tuple[str, str]:
    return (f"The first sound is {attribute}", f"The second sound is {attribute}")


DIMENSIONS: Mapping[str, Dimension] = MappingProxyType({d.name: d for d in (
    Dimension("pitch", "cents", "pitch difference (cents)", WEIBULL, "sensitivity_pitch", "difference_cents",
              lambda v: v <= 0,
              AdaptiveScale("pitch", "cents", "You will hear two tones. Which one is higher in pitch?",
                            _pair("higher in pitch"), 1.0, 400.0, 100.0)),
    Dimension("loudness", "dB", "level difference (dB)", WEIBULL, "sensitivity_loudness", "difference_db",
              lambda v: v <= 0,
              AdaptiveScale("loudness", "dB", "You will hear two tones. Which one is louder?", _pair("louder"),
                            0.1, 12.0, 6.0)),
    Dimension("duration", "%", "duration difference (% of the shorter tone)", WEIBULL, "sensitivity_duration",
              "difference_percent", lambda v: v <= 0,
              AdaptiveScale("duration", "ms", "You will hear two tones. Which one lasts longer?", _pair("longer"),
                            2.0, 300.0, 150.0, per_canonical_unit=DURATION_REFERENCE_MS / 100.0)),
    # below 45 deg the benchmark counts two directions as "the same"
    Dimension("azimuth", "deg", "azimuth difference (degrees)", WEIBULL, "sensitivity_azimuth", "difference_deg",
              lambda v: v < 45.0,
              AdaptiveScale("azimuth", "deg", "You will hear two sounds. Is the second one to the left or to the "
                            "right of the first?",
                            ("The second sound is to the left", "The second sound is to the right"),
                            0.5, 90.0, 40.0)),
    # the 15 deg level is the benchmark's sub-threshold control
    Dimension("elevation", "deg", "elevation difference (degrees)", WEIBULL, "sensitivity_elevation",
              "difference_deg", lambda v: v <= 15.0,
              AdaptiveScale("elevation", "deg", "You will hear two sounds. Which one is higher up?",
                            _pair("higher"), 1.0, 150.0, 60.0)),
    # below 3 m the benchmark counts two distances as "the same"
    Dimension("distance", "m", "distance difference (m)", WEIBULL, "sensitivity_distance", "difference_m",
              lambda v: v < 3.0,
              AdaptiveScale("distance", "m", "You will hear two sounds. Which one is closer to you?",
                            _pair("closer"), 0.05, 8.0, 3.0)),
    Dimension("hearing_level", "dB HL", "tone level (dB HL)", LOGISTIC, "range_pitch_loudness", "level_db_hl",
              lambda v: False),
)})
ADAPTIVE_DIMENSIONS: Mapping[str, Dimension] = MappingProxyType(
    {name: d for name, d in DIMENSIONS.items() if d.adaptive is not None})
BY_SUB_CATEGORY: Mapping[str, Dimension] = MappingProxyType({d.sub_category: d for d in DIMENSIONS.values()})


class DimensionError(ValueError):
    """An unknown dimension name; the message lists the known ones."""


def adaptive_scale(name: str) -> AdaptiveScale:
    """The scale of a dimension an adaptive block can measure."""
    try:
        return ADAPTIVE_DIMENSIONS[name].adaptive
    except KeyError:
        raise DimensionError(f"unknown adaptive dimension {name!r}; known: {', '.join(ADAPTIVE_DIMENSIONS)}") from None


@dataclass(frozen=True)
class Stimulus:
    dimension: str
    value: float | None  # in the dimension's canonical unit; None: no stimulus (a silent detection item)
    unit: str
    control: bool


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def stimulus_from_params(sub_category: str | None, params: Any) -> Stimulus | None:
    """The stimulus of a bank item (its sub-category and ``params``), or None when unknown."""
    dim = BY_SUB_CATEGORY.get(sub_category or "")
    if dim is None or not isinstance(params, dict):
        return None
    if dim.name == "hearing_level" and params.get("present") is False:
        return Stimulus(dim.name, None, dim.unit, True)
    # a planned item (not yet rendered) states the level asked for, a rendered one the level written
    value = _number(params[dim.param] if dim.param in params else params.get("requested_" + dim.param))
    if value is None:
        return None
    return Stimulus(dim.name, value, dim.unit, dim.is_control(value))
