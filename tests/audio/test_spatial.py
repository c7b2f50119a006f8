"""Spatial rendering: interaural cues point the right way and have plausible sizes."""
from __future__ import annotations

import numpy as np
import pytest

from audio.spatial import (
    ResponseCache,
    ShoeboxRoom,
    SourcePosition,
    SphericalHead,
    binaural_room_impulse_response,
    pan_gains,
    render_free_field_moving,
    render_loudspeakers,
)

SR = 48_000


def itd_s(left: np.ndarray, right: np.ndarray, max_lag: int = 60) -> float:
    """Positive when the left ear lags (sound from the right)."""
    xc = np.correlate(left, right, "full")  # xc[k + n - 1] = sum left[i + k] * right[i]
    centre = right.size - 1
    window = xc[centre - max_lag: centre + max_lag + 1]
    return float(int(np.argmax(window)) - max_lag) / SR


def ild_db(left: np.ndarray, right: np.ndarray) -> float:
    """Right minus left energy in dB."""
    return float(10 * np.log10(np.sum(right ** 2) / np.sum(left ** 2)))


def direct_part(brir: np.ndarray, samples: int = 200) -> np.ndarray:
    onset = int(np.argmax(np.abs(brir).max(axis=1) > 0.05 * np.abs(brir).max()))
    return brir[max(0, onset - 40): onset + samples]


@pytest.mark.parametrize("azimuth_deg", [30, 60, 90, 120, 150])
def test_right_side_leads_and_is_louder(azimuth_deg):
    cache = ResponseCache()
    right = direct_part(binaural_room_impulse_response(SourcePosition(azimuth_deg, 0, 1.5), cache=cache))
    left_src = direct_part(binaural_room_impulse_response(SourcePosition(360 - azimuth_deg, 0, 1.5), cache=cache))
    assert itd_s(right[:, 0], right[:, 1]) > 0 and ild_db(right[:, 0], right[:, 1]) > 3
    assert itd_s(left_src[:, 0], left_src[:, 1]) < 0 and ild_db(left_src[:, 0], left_src[:, 1]) < -3
    # mirror symmetry of the head
    assert itd_s(right[:, 0], right[:, 1]) == pytest.approx(-itd_s(left_src[:, 0], left_src[:, 1]))


def test_lateral_itd_is_woodworths():
    brir = binaural_room_impulse_response(SourcePosition(90, 0, 2.0))
    d = direct_part(brir)
    head = SphericalHead()
    expected = head.radius_m / head.speed_of_sound_m_s * (1 + np.pi / 2)  # ~0.66 ms
    assert abs(itd_s(d[:, 0], d[:, 1]) - expected) < 1.5 / SR


def test_front_source_has_no_interaural_difference():
    d = direct_part(binaural_room_impulse_response(SourcePosition(0, 0, 2.0)))
    assert np.allclose(d[:, 0], d[:, 1], atol=1e-12)


def test_level_falls_with_distance_and_direct_path_is_unit_at_1m():
    room = ShoeboxRoom(max_order=0)  # anechoic: the direct path alone
    near = binaural_room_impulse_response(SourcePosition(0, 0, 1.0), room)
    far = binaural_room_impulse_response(SourcePosition(0, 0, 4.0), room)
    assert abs(near[:, 0].sum() - 1.0) < 1e-3  # DC gain of the direct path at 1 m
    assert abs(20 * np.log10(near[:, 0].sum() / far[:, 0].sum()) - 20 * np.log10(4)) < 0.01


def test_cache_returns_same_response_and_counts():
    cache = ResponseCache(max_entries=2)
    a = binaural_room_impulse_response(SourcePosition(10, 0, 1.0), cache=cache)
    b = binaural_room_impulse_response(SourcePosition(10.0001, 0, 1.0), cache=cache)  # rounds to the same key
    assert a is b and cache.hits == 1 and cache.misses == 1
    assert not a.flags.writeable
    binaural_room_impulse_response(SourcePosition(20, 0, 1.0), cache=cache)
    binaural_room_impulse_response(SourcePosition(30, 0, 1.0), cache=cache)
    assert binaural_room_impulse_response(SourcePosition(10, 0, 1.0), cache=cache) is not a  # evicted


def test_source_outside_room_is_refused():
    with pytest.raises(ValueError, match="outside the room"):
        binaural_room_impulse_response(SourcePosition(0, 0, 20.0))


def test_moving_source_has_doppler_and_crosses_sides():
    t = np.arange(SR * 2) / SR
    x = np.sin(2 * np.pi * 500 * t)
    positions = np.column_stack([np.full_like(t, 2.0), 20.0 * (1.0 - t), np.zeros_like(t)])  # left -> right at 20 m/s
    y = render_free_field_moving(x, positions)
    first, last = y[: SR // 2], y[-SR // 2:]
    assert ild_db(first[:, 0], first[:, 1]) < 0 < ild_db(last[:, 0], last[:, 1])

    def peak_hz(seg):
        spec = np.abs(np.fft.rfft(seg * np.hanning(seg.size), 8 * seg.size))
        return np.argmax(spec) * SR / (8 * seg.size)

    assert peak_hz(first[:, 0]) > 500 > peak_hz(last[:, 0])  # approaching higher, receding lower


@pytest.mark.parametrize("azimuth_deg", [0, 10, 45, 100, 200, 359])
def test_pan_gains_constant_power(azimuth_deg):
    for speakers in ([0, 90, 180, 270], [-30, 30], [0, 120, 240], [30, 110, 250, 330]):
        g = pan_gains(azimuth_deg, speakers)
        assert np.all(g >= 0) and abs(np.sum(g ** 2) - 1) < 1e-12
        assert np.count_nonzero(g) <= 2


def test_pan_on_a_loudspeaker_uses_only_it_and_midpoint_is_equal():
    assert np.allclose(pan_gains(90, [0, 90, 180, 270]), [0, 1, 0, 0])
    g = pan_gains(45, [0, 90, 180, 270])
    assert np.allclose(g[:2], np.sqrt(0.5))
    out = render_loudspeakers(np.ones(4), 45, [0, 90, 180, 270])
    assert out.shape == (4, 4)
