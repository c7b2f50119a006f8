"""Spatial rendering: binaural (a spherical head in a shoebox room) and loudspeaker panning.

The binaural model, and why
---------------------------
Two omnidirectional receivers at the ear positions of a pyroomacoustics room give an ITD from
the ear spacing but almost no ILD (only the 1/r difference between the ears), and no front/back
or elevation cue at all. People localise mostly by ILD above ~1.5 kHz, so we keep
pyroomacoustics for what it does well - the image-source model of the room (image positions,
reflection orders, wall damping) - and put a *spherical head* at the listening position:

- every image source (the direct path is image 0) reaches each ear with the Woodworth
  (ray-tracing on a rigid sphere) delay for its direction of arrival, and
- is filtered by the Brown & Duda (1998) one-pole/one-zero head-shadow filter
  ``H(w, theta) = (1 + j*alpha(theta)*w/(2*w0)) / (1 + j*w/(2*w0))``, ``w0 = c/a``,
  ``alpha(theta) = (1 + alpha_min/2) + (1 - alpha_min/2) * cos(theta/theta_min * 180 deg)``,
  theta the angle between the direction of arrival and the ear's axis (alpha_min = 0.1,
  theta_min = 150 deg): +6 dB on the near side, down to -20 dB on the far side at high
  frequencies, 0 dB at low frequencies.

Because ``H = LP + alpha * HP`` with fixed LP/HP (LP + HP = 1), each ear's response is two
impulse trains (gains, and gains times alpha) run through two first-order IIR filters: linear
in the number of images, so a 377-image response costs a few milliseconds.

Limits (say them when reporting results): no pinna and no torso, so elevation and front/back
are carried only by room reflections - the model is symmetric about the interaural axis for the
direct path; Woodworth's ITD is frequency independent (real low-frequency ITDs are ~1.5x larger);
the head-shadow filter is first order and far-field; walls are frequency-independent and the
image-source order is finite (no diffuse late tail). This model is the fallback renderer
(``--renderer spherical``).

The measured-HRTF renderer (:class:`HrtfHead`, the default of the bank): the direct sound and
every early image source (reflection order <= ``early_order``, 2 by default: the 25 images
that arrive first) are each convolved with the measured HRIR of their direction of arrival
(audio.hrtf: nearest neighbour), delayed by their path length and scaled by 1/r and wall
damping; later images keep the spherical-head treatment above (ITD and head shadow, no pinna),
which stands in for a diffuse late part. Pinna and torso cues (front/back, elevation) are
therefore carried by the direct sound and the first reflections.

Coordinates: listener frame x = front, y = left, z = up. Azimuth 0 = front, clockwise in
degrees (90 = right, 270 = left); elevation + up; distance from the head centre in metres.
The listener in the room faces +x.

Loudspeakers: pairwise constant-power amplitude panning (2-D VBAP, Pulkki 1997).
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Hashable, Protocol

from audio.hrtf import HrirSet

import numpy as np
import pyroomacoustics as pra
from scipy.signal import fftconvolve, lfilter

SPEED_OF_SOUND_M_S = 343.0
FRACTIONAL_DELAY_HALF_TAPS = 16  # Hann-windowed sinc of 33 taps; also the BRIR's fixed pre-delay


@dataclass(frozen=True)
class SourcePosition:
    azimuth_deg: float  # 0 = front, clockwise (90 = right)
    elevation_deg: float = 0.0  # + up
    distance_m: float = 1.5

    def unit_vector(self) -> np.ndarray:
        """Direction in the listener frame (x front, y left, z up)."""
        az, el = math.radians(self.azimuth_deg), math.radians(self.elevation_deg)
        return np.array([math.cos(el) * math.cos(az), -math.cos(el) * math.sin(az), math.sin(el)])

    def rounded(self, step_deg: float = 0.01, step_m: float = 0.001) -> "SourcePosition":
        """Geometry rounded for use as a cache key (1/100 degree, 1 mm)."""
        return SourcePosition(round(self.azimuth_deg / step_deg) * step_deg % 360.0,
                              round(self.elevation_deg / step_deg) * step_deg,
                              round(self.distance_m / step_m) * step_m)


@dataclass(frozen=True)
class ShoeboxRoom:
    """A rectangular room with frequency-independent walls. The default is a large, fairly
    damped hall (RT60 ~0.9 s by Sabine) so that sources up to 10 m fit with 2 m to spare and
    the direct-to-reverberant ratio still falls with distance."""

    dimensions_m: tuple[float, float, float] = (24.0, 24.0, 7.0)
    listener_m: tuple[float, float, float] = (12.0, 12.0, 3.5)
    energy_absorption: float = 0.4
    max_order: int = 6


@dataclass(frozen=True)
class SphericalHead:
    """Rigid-sphere head: Woodworth ITD and Brown-Duda head shadow. Ears at +-90 deg azimuth."""

    radius_m: float = 0.0875
    speed_of_sound_m_s: float = SPEED_OF_SOUND_M_S
    alpha_min: float = 0.1
    theta_min_deg: float = 150.0

    def ear_delay_s(self, incidence_rad: np.ndarray) -> np.ndarray:
        """Woodworth delay re the head centre for a far source at ``incidence_rad`` from the
        ear's axis: -a/c*cos(theta) on the lit side, a/c*(theta - pi/2) around the sphere."""
        a_c = self.radius_m / self.speed_of_sound_m_s
        theta = np.asarray(incidence_rad, dtype=np.float64)
        return np.where(theta < np.pi / 2, -a_c * np.cos(theta), a_c * (theta - np.pi / 2))

    def shadow_alpha(self, incidence_rad: np.ndarray) -> np.ndarray:
        theta = np.asarray(incidence_rad, dtype=np.float64)
        return (1 + self.alpha_min / 2) + (1 - self.alpha_min / 2) * np.cos(theta / math.radians(self.theta_min_deg) * np.pi)

    def shadow_filters(self, sample_rate_hz: int) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """(b, a) of the low-pass 1/(1+s/2w0) and high-pass (s/2w0)/(1+s/2w0) parts."""
        w2 = 2.0 * self.speed_of_sound_m_s / self.radius_m
        return _bilinear_first_order(0.0, 1.0, 1.0 / w2, 1.0, sample_rate_hz), \
            _bilinear_first_order(1.0 / w2, 0.0, 1.0 / w2, 1.0, sample_rate_hz)


def _bilinear_first_order(b1: float, b0: float, a1: float, a0: float, sample_rate_hz: int) -> tuple[np.ndarray, np.ndarray]:
    """Digital (b, a) of the analogue (b1*s + b0) / (a1*s + a0) by the bilinear transform,
    in closed form (scipy.signal.bilinear is general and ~1000x slower for this)."""
    k = 2.0 * sample_rate_hz
    norm = a1 * k + a0
    return (np.array([b1 * k + b0, b0 - b1 * k]) / norm, np.array([1.0, (a0 - a1 * k) / norm]))


class EarModel(Protocol):
    """What the spherical renderer needs of a head: per-ear delay and shadow weight for
    directions of arrival, and the two filters those weights blend."""

    def ear_delay_s(self, incidence_rad: np.ndarray) -> np.ndarray: ...
    def shadow_alpha(self, incidence_rad: np.ndarray) -> np.ndarray: ...
    def shadow_filters(self, sample_rate_hz: int): ...


@dataclass(frozen=True)
class HrtfHead:
    """Measured HRIRs for the direct sound and the image sources up to ``early_order``; the
    later images through ``tail`` (the spherical head). Compared and hashed by the HRIR file's
    SHA-256 and rate, so it can key a cache."""

    hrirs: HrirSet = field(compare=False)
    early_order: int = 2
    tail: SphericalHead = SphericalHead()
    hrtf_sha256: str = ""
    hrtf_sample_rate_hz: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "hrtf_sha256", self.hrirs.sha256)
        object.__setattr__(self, "hrtf_sample_rate_hz", self.hrirs.sample_rate_hz)


class ResponseCache:
    """A small LRU of impulse responses keyed by rounded geometry. The caller owns it and
    passes it in (no module-level state); one bank generation uses one cache."""

    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> np.ndarray | None:
        value = self._entries.get(key)
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: np.ndarray) -> None:
        value.setflags(write=False)  # shared between callers: never mutated
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


def image_sources(room: ShoeboxRoom, source_m: np.ndarray, sample_rate_hz: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Image positions (3, n), their amplitude damping (n,) and reflection orders (n,) from
    pyroomacoustics' ISM (order 0 is the direct path)."""
    pra_room = pra.ShoeBox(list(room.dimensions_m), fs=sample_rate_hz, materials=pra.Material(room.energy_absorption),
                           max_order=room.max_order, air_absorption=False)
    pra_room.add_source(list(map(float, source_m)))
    pra_room.add_microphone(list(room.listener_m))
    pra_room.image_source_model()
    src = pra_room.sources[0]
    visible = np.asarray(pra_room.visibility[0][0], dtype=bool)
    damping = np.asarray(src.damping, dtype=np.float64).mean(axis=0)
    orders = np.asarray(src.orders, dtype=np.int64)
    return np.asarray(src.images, dtype=np.float64)[:, visible], damping[visible], orders[visible]


def source_room_position(room: ShoeboxRoom, source: SourcePosition, margin_m: float = 0.25) -> np.ndarray:
    position = np.asarray(room.listener_m) + source.distance_m * source.unit_vector()
    dims = np.asarray(room.dimensions_m)
    if np.any(position < margin_m) or np.any(position > dims - margin_m):
        raise ValueError(f"{source} puts the source outside the room {room.dimensions_m} (listener at {room.listener_m})")
    return position


def _fractional_delay_trains(delays_samples: np.ndarray, weights: np.ndarray, n_samples: int) -> np.ndarray:
    """Sum of band-limited impulses (Hann-windowed sinc) at fractional delays; rows of
    ``weights`` give several trains that share the delays."""
    w = FRACTIONAL_DELAY_HALF_TAPS
    taps = np.arange(-w, w + 1)
    integer = np.floor(delays_samples).astype(np.int64)
    frac = delays_samples - integer
    t = taps[None, :] - frac[:, None]
    kernel = np.sinc(t) * (0.5 + 0.5 * np.cos(np.pi * t / (w + 1)))
    index = (integer[:, None] + taps[None, :]).ravel()
    out = np.zeros((weights.shape[0], n_samples))
    for row in range(weights.shape[0]):
        np.add.at(out[row], index, (kernel * weights[row][:, None]).ravel())
    return out


def _spherical_ears(head: EarModel, unit: np.ndarray, distance_m: np.ndarray, gains: np.ndarray,
                    n_samples: int, sample_rate_hz: int) -> np.ndarray:
    """(n_samples, 2) left/right: the images (unit (3, n)) through the spherical head."""
    (b_low, a_low), (b_high, a_high) = head.shadow_filters(sample_rate_hz)
    ears = []
    for ear_axis_y in (+1.0, -1.0):  # left ear points to +y, right ear to -y
        incidence = np.arccos(np.clip(ear_axis_y * unit[1], -1.0, 1.0))
        delays = (distance_m / SPEED_OF_SOUND_M_S + head.ear_delay_s(incidence)) * sample_rate_hz + FRACTIONAL_DELAY_HALF_TAPS
        plain, shadowed = _fractional_delay_trains(delays, np.vstack([gains, gains * head.shadow_alpha(incidence)]), n_samples)
        ears.append(lfilter(b_low, a_low, plain) + lfilter(b_high, a_high, shadowed))
    return np.stack(ears, axis=1)


def _hrir_ears(hrirs: HrirSet, unit: np.ndarray, distance_m: np.ndarray, gains: np.ndarray,
               n_samples: int, sample_rate_hz: int) -> np.ndarray:
    """(n_samples, 2): each image (unit (3, n)) as its nearest measured HRIR, at its
    fractional propagation delay (the same windowed-sinc kernel as the spherical path)."""
    w = FRACTIONAL_DELAY_HALF_TAPS
    taps = np.arange(-w, w + 1)
    out = np.zeros((n_samples, 2))
    delays = distance_m / SPEED_OF_SOUND_M_S * sample_rate_hz + w
    for delay, gain, index in zip(delays, gains, hrirs.nearest_index(unit.T)):
        start = int(math.floor(delay))
        t = taps - (delay - start)
        kernel = gain * np.sinc(t) * (0.5 + 0.5 * np.cos(np.pi * t / (w + 1)))
        h = hrirs.hrirs[index]
        block = np.stack([np.convolve(kernel, h[:, 0]), np.convolve(kernel, h[:, 1])], axis=1)
        out[start - w:start - w + block.shape[0]] += block
    return out


def binaural_room_impulse_response(
    source: SourcePosition,
    room: ShoeboxRoom = ShoeboxRoom(),
    head: EarModel | HrtfHead = SphericalHead(),
    sample_rate_hz: int = 48_000,
    cache: ResponseCache | None = None,
) -> np.ndarray:
    """(frames, 2) left/right response for a source; the direct path at 1 m has unit gain at
    low frequencies, so the signal's level is its level at 1 m in free field. A fixed
    pre-delay of FRACTIONAL_DELAY_HALF_TAPS samples precedes the propagation delay.
    ``head`` is the spherical model or an :class:`HrtfHead` (measured HRIRs for the direct
    sound and early reflections)."""
    source = source.rounded()
    key = ("brir", source, room, head, sample_rate_hz)
    if cache is not None and (hit := cache.get(key)) is not None:
        return hit
    images_m, damping, orders = image_sources(room, source_room_position(room, source), sample_rate_hz)
    vectors = images_m - np.asarray(room.listener_m)[:, None]
    distance_m = np.linalg.norm(vectors, axis=0)
    unit = vectors / distance_m
    gains = damping / distance_m
    n_samples = int(math.ceil(distance_m.max() / SPEED_OF_SOUND_M_S * sample_rate_hz)) + 4 * FRACTIONAL_DELAY_HALF_TAPS + 64
    if isinstance(head, HrtfHead):
        if head.hrirs.sample_rate_hz != sample_rate_hz:
            raise ValueError(f"HRIRs at {head.hrirs.sample_rate_hz} Hz cannot render at {sample_rate_hz} Hz")
        early = orders <= head.early_order
        n_samples += head.hrirs.n_taps
        brir = (_hrir_ears(head.hrirs, unit[:, early], distance_m[early], gains[early], n_samples, sample_rate_hz)
                + _spherical_ears(head.tail, unit[:, ~early], distance_m[~early], gains[~early], n_samples, sample_rate_hz))
    else:
        brir = _spherical_ears(head, unit, distance_m, gains, n_samples, sample_rate_hz)
    if cache is not None:
        cache.put(key, brir)
    return brir


def render_binaural(
    signal: np.ndarray,
    source: SourcePosition,
    room: ShoeboxRoom = ShoeboxRoom(),
    head: EarModel | HrtfHead = SphericalHead(),
    sample_rate_hz: int = 48_000,
    cache: ResponseCache | None = None,
) -> np.ndarray:
    """A mono signal at a static position -> (frames + response length - 1, 2)."""
    brir = binaural_room_impulse_response(source, room, head, sample_rate_hz, cache)
    return fftconvolve(np.asarray(signal, dtype=np.float64)[:, None], brir, axes=0)


def render_binaural_moving(
    signal: np.ndarray,
    path: list[SourcePosition],
    room: ShoeboxRoom = ShoeboxRoom(),
    head: EarModel | HrtfHead = SphericalHead(),
    sample_rate_hz: int = 48_000,
    cache: ResponseCache | None = None,
) -> np.ndarray:
    """A mono signal moving through ``path`` (positions evenly spaced in time from the first
    to the last sample): the signal is split by cos^2 cross-fade windows that sum to one, each
    part rendered at its position and overlap-added. No Doppler (the room model is static per
    block); use :func:`render_free_field_moving` when the Doppler shift matters."""
    x = np.asarray(signal, dtype=np.float64)
    if len(path) < 2:
        return render_binaural(x, path[0], room, head, sample_rate_hz, cache)
    n = x.size
    hop = (n - 1) / (len(path) - 1)
    index = np.arange(n)
    parts = []
    for k, position in enumerate(path):
        offset = (index - k * hop) / hop
        weight = np.where(np.abs(offset) < 1.0, np.cos(0.5 * np.pi * offset) ** 2, 0.0)
        nonzero = np.flatnonzero(weight)
        start, stop = int(nonzero[0]), int(nonzero[-1]) + 1
        brir = binaural_room_impulse_response(position, room, head, sample_rate_hz, cache)
        parts.append((start, fftconvolve((x[start:stop] * weight[start:stop])[:, None], brir, axes=0)))
    out = np.zeros((max(s + p.shape[0] for s, p in parts), 2))
    for start, part in parts:
        out[start:start + part.shape[0]] += part
    return out


def render_free_field_moving(
    signal: np.ndarray,
    positions_m: np.ndarray,
    head: SphericalHead = SphericalHead(),
    sample_rate_hz: int = 48_000,
    reference_distance_m: float = 1.0,
) -> np.ndarray:
    """A moving source in free field, no room: ``positions_m`` (frames, 3) in the listener
    frame, one per sample. Each ear reads the source signal through a time-varying delay
    (propagation + Woodworth), which yields the Doppler shift physically, with 1/r gain and a
    broadband head-shadow gain (alpha of the Brown-Duda filter at 3 kHz, where it has mostly
    taken effect). Output: (frames, 2)."""
    x = np.asarray(signal, dtype=np.float64)
    p = np.asarray(positions_m, dtype=np.float64)
    distance_m = np.linalg.norm(p, axis=1)
    unit = p / distance_m[:, None]
    t_s = np.arange(x.size) / sample_rate_hz
    w2 = 2.0 * head.speed_of_sound_m_s / head.radius_m
    jw = 1j * 2 * np.pi * 3000.0 / w2
    out = np.zeros((x.size, 2))
    for ch, ear_axis_y in enumerate((+1.0, -1.0)):
        incidence = np.arccos(np.clip(ear_axis_y * unit[:, 1], -1.0, 1.0))
        delay_s = distance_m / head.speed_of_sound_m_s + head.ear_delay_s(incidence)
        shadow = np.abs((1 + head.shadow_alpha(incidence) * jw) / (1 + jw))
        emitted = np.interp(t_s - delay_s, t_s, x, left=0.0, right=0.0)
        out[:, ch] = emitted * shadow * reference_distance_m / distance_m
    return out


# --- loudspeakers ------------------------------------------------------------------------


def pan_gains(azimuth_deg: float, speaker_azimuths_deg: list[float] | tuple[float, ...]) -> np.ndarray:
    """Constant-power gains for N loudspeakers on the horizontal plane (azimuths clockwise,
    0 = front). The source is panned between the two loudspeakers that enclose it (2-D VBAP:
    solve ``g1*l1 + g2*l2 = p`` and normalise ``g1**2 + g2**2 = 1``); where the enclosing pair
    spans 180 deg or more VBAP is ill-defined and the sine/cosine law on the angle is used."""
    speakers = np.asarray(speaker_azimuths_deg, dtype=np.float64) % 360.0
    gains = np.zeros(speakers.size)
    if speakers.size == 1:
        gains[0] = 1.0
        return gains
    az = azimuth_deg % 360.0
    order = np.argsort(speakers)
    sorted_az = speakers[order]
    for k in range(sorted_az.size):
        a, b = sorted_az[k], sorted_az[(k + 1) % sorted_az.size]
        span = (b - a) % 360.0 or 360.0
        offset = (az - a) % 360.0
        if offset <= span:
            break
    i, j = order[k], order[(k + 1) % sorted_az.size]
    if offset < 1e-9:
        gains[i] = 1.0
        return gains
    if span < 180.0:
        def vec(d):
            return np.array([math.cos(math.radians(d)), math.sin(math.radians(d))])
        g = np.linalg.solve(np.column_stack([vec(a), vec(b)]), vec(az))
        g = np.clip(g, 0.0, None)
        g /= np.linalg.norm(g)
    else:
        fraction = offset / span
        g = np.array([math.cos(fraction * math.pi / 2), math.sin(fraction * math.pi / 2)])
    gains[i] += g[0]
    gains[j] += g[1]
    return gains


def render_loudspeakers(signal: np.ndarray, azimuth_deg: float, speaker_azimuths_deg: list[float] | tuple[float, ...]) -> np.ndarray:
    """A mono signal panned to N loudspeakers -> (frames, N)."""
    return np.asarray(signal, dtype=np.float64)[:, None] * pan_gains(azimuth_deg, speaker_azimuths_deg)[None, :]
