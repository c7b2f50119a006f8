"""The psychometric core (tasks.psychometrics): the functions and their inverses, the one
dimension registry and its units, and the grids the simulated observers read from the bank."""
from __future__ import annotations

import math

import pytest

from tasks.psychometrics import functions as pf
from tasks.psychometrics.dimensions import (
    ADAPTIVE_DIMENSIONS, DIMENSIONS, DURATION_REFERENCE_MS, DimensionError, adaptive_scale,
)


def test_the_weibull_level_at_inverts_the_weibull():
    for p in (0.55, 0.7, 0.803, 0.95):
        level = pf.weibull_level_at(p, 12.0, 3.0)
        assert float(pf.weibull_p_correct(level, 12.0, 3.0)) == pytest.approx(p)
    with pytest.raises(ValueError):
        pf.weibull_level_at(0.99, 12.0, 3.0)  # above 1 - lapse


def test_the_adaptive_threshold_stands_for_80_percent_correct():
    assert pf.p_correct_at_alpha() == pytest.approx(0.5 + 0.48 * (1 - math.exp(-1)))
    assert round(100 * pf.p_correct_at_alpha(), 1) == 80.3


@pytest.mark.parametrize("form, beta", [(pf.WEIBULL, 3.0), (pf.LOGISTIC, 0.3)])
@pytest.mark.parametrize("chance", [1 / 2, 1 / 3, 1 / 4])
def test_alpha_for_threshold_inverts_threshold_of(form, beta, chance):
    alpha = pf.alpha_for_threshold(form, 40.0, beta, 0.02, chance)
    assert pf.threshold_of(form, alpha, beta, 0.02, chance) == pytest.approx(40.0)


def test_one_registry_one_canonical_unit_and_the_adaptive_edge():
    assert list(DIMENSIONS) == ["pitch", "loudness", "duration", "azimuth", "elevation", "distance",
                                "hearing_level"]
    assert list(ADAPTIVE_DIMENSIONS) == list(DIMENSIONS)[:6]  # no adaptive block of hearing level
    units = {name: d.unit for name, d in DIMENSIONS.items()}
    assert units == {"pitch": "cents", "loudness": "dB", "duration": "%", "azimuth": "deg", "elevation": "deg",
                     "distance": "m", "hearing_level": "dB HL"}
    for name, d in ADAPTIVE_DIMENSIONS.items():
        scale = adaptive_scale(name)
        assert scale.name == name and scale.min_level < scale.start_level < scale.max_level
        if name != "duration":
            assert scale.unit == d.unit and scale.to_canonical(7.0) == 7.0
    # the one dimension whose block has a unit of its own: ms added to the reference tone
    duration = adaptive_scale("duration")
    assert duration.unit == "ms" and duration.to_canonical(DURATION_REFERENCE_MS) == 100.0
    assert duration.to_canonical(30.0) == pytest.approx(10.0)
    with pytest.raises(DimensionError, match="unknown adaptive dimension 'hearing_level'"):
        adaptive_scale("hearing_level")


def _bank_values(dimension: str) -> list[float]:
    """Every difference (or tone level) the bank's full grid presents for a dimension."""
    from tasks.bank import PC_GRIDS

    dim = DIMENSIONS[dimension]
    key = dim.param if dimension != "hearing_level" else "requested_" + dim.param
    return sorted({p[key] for p in PC_GRIDS[dim.sub_category][1]() if p.get(key) is not None})


def _run(sub_category: str, params: dict):
    from types import SimpleNamespace

    return SimpleNamespace(item=SimpleNamespace(sub_category=sub_category, extra={"params": params}, family="pc"))


@pytest.mark.parametrize("dimension", list(DIMENSIONS))
def test_the_observers_grid_of_every_dimension_is_the_banks(dimension):
    """No hand copy: the grid the observers place an item on is the one the bank presents."""
    from tasks.psychometrics.grids import bank_grid
    from tasks.simulation.observers import difference_level

    values, grid = _bank_values(dimension), bank_grid(dimension)
    if dimension == "distance":  # four levels, each the centre of a group of three differences
        assert grid == tuple(values[1::3]) and len(values) == 12
    elif dimension == "hearing_level":  # evenly spaced levels: their ends place every level
        assert grid == (values[0], values[-1]) and len(set(b - a for a, b in zip(values, values[1:]))) == 1
    else:
        assert grid == tuple(values)
    # the observer's difference level runs from 0 at the bank's first level to 1 at its last
    sub, param = DIMENSIONS[dimension].sub_category, DIMENSIONS[dimension].param
    levels = [difference_level(_run(sub, {param: v})) for v in grid]
    assert levels[0] == 0.0 and levels[-1] == 1.0 and levels == sorted(set(levels))


def test_elevation_items_are_placed_on_the_elevation_grid_not_the_azimuth_grid():
    from tasks.bank import AZIMUTH_DIFFERENCES_DEG, ELEVATION_DIFFERENCES_DEG
    from tasks.simulation.observers import difference_level

    assert ELEVATION_DIFFERENCES_DEG == (15, 90, 120, 150) and AZIMUTH_DIFFERENCES_DEG[0] == 30
    elevation = [difference_level(_run("sensitivity_elevation", {"difference_deg": d})) for d in (15, 90, 120, 150)]
    assert elevation == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])
    # the same difference in degrees is a different step on the azimuth grid
    assert difference_level(_run("sensitivity_azimuth", {"difference_deg": 90})) == pytest.approx(0.4)
