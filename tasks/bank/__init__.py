"""A synthetic STAR-Bench-shaped item bank: the perception grid, plus temporal and spatial demos.

Why: the real dataset is a large download; people running a pilot, a screening block or the
test suite need items *now*, with known physical parameters. ``generate_bank`` writes a folder
in the v1.0 layout (STARBENCH.md section 1) that :func:`tasks.dataset.loader.load_dataset` accepts with
no problems:

- ``meta_info/foundation_perception.json``: the section-7 grid (small: 6 items per
  sub-category; full: ~96 per sub-category, 964 items - the paper's size).
- ``meta_info/holistic_reasoning_temporal.json``: 12 demo items (synthetic processes and event
  sequences), 3 clips in true chronological order + the uncut file, no ``answer`` (derived
  per run, as in v1.0).
- ``meta_info/holistic_reasoning_spatial.json``: 12 binaural demo items.

Every item carries ``params`` with what generated it (levels in dBFS and dB SPL, the digital
reference, the RETSPL table for dB HL items, geometry). Answers are option text.

Determinism: each item draws its randomness from ``default_rng([seed, crc32(item id)])``, so
the same seed gives byte-identical files, and a small bank's perception items are identical to
the same-id items of the full bank (the small grid is a subset of the full one). WAVs are
PCM_24 (mono: WAV, multichannel: WAVEX); nothing time-dependent is written.

Levels: a tone at ``L`` dB HL is ``L + RETSPL(f)`` dB SPL (audio.levels, TDH-39 by default),
then dBFS through the bank's DigitalReference (-30 dBFS = 70 dB SPL: full scale is 100 dB SPL,
the project's hard maximum). No file may peak above ``max_peak_dbfs`` (-1 dBFS): a grid point
that would is attenuated to fit, ``params.capped`` is true and the params give the level
actually written (``level_db_hl`` vs ``requested_level_db_hl``).

Layout: :mod:`tasks.bank.common` (configuration, render context, WAV writing),
:mod:`tasks.bank.perception` (the section-7 grid and the tone items), :mod:`tasks.bank.spatial`
(spatial perception items and the spatial demos), :mod:`tasks.bank.temporal` (temporal demos),
:mod:`tasks.bank.build` (planning, rendering and writing the folder). Every name stays
importable from ``tasks.bank``.
"""
from __future__ import annotations

from audio.levels import DEFAULT_RETSPL_TABLE, DigitalReference, load_retspl_tables  # noqa: F401
from audio.spatial import ResponseCache, ShoeboxRoom, SourcePosition, SphericalHead  # noqa: F401
from tasks.bank.common import (  # noqa: F401
    _answer_for_pair,
    _beeps,
    _fit_peak,
    _jsonable,
    _noise_burst,
    _round,
    AUDIO_DIR,
    BANK_VERSION,
    BankConfig,
    BankSummary,
    item_rng,
    ItemOutput,
    PlannedItem,
    RENDERER_HRTF,
    RENDERER_SPHERICAL,
    SPATIAL_RENDERERS,
    Progress,
    RenderContext,
    SCALES,
    SMALL_PER_SUBCATEGORY,
    SOURCE,
    write_wav,
)
from tasks.bank.perception import (  # noqa: F401
    _comparison_options,
    _grid_pairs,
    _grid_range_azimuth,
    _grid_range_distance,
    _grid_range_elevation,
    _grid_range_pitch_loudness,
    _grid_sensitivity_azimuth,
    _grid_sensitivity_distance,
    _grid_sensitivity_duration,
    _grid_sensitivity_elevation,
    _render_range_pitch_loudness,
    _render_sensitivity_duration,
    _render_sensitivity_loudness,
    _render_sensitivity_pitch,
    _small_selection,
    _tone_pair_output,
    _tone_record,
    angular_difference_deg,
    AZIMUTH_DIFFERENCES_DEG,
    AZIMUTH_PAIR_OPTIONS,
    AZIMUTH_SAME_DEG,
    distance_class,
    DISTANCE_DIFFERENCES_M,
    DISTANCE_OPTIONS,
    DISTANCE_PAIR_OPTIONS,
    DISTANCE_SAME_M,
    DURATION_OPTIONS,
    DURATION_PERCENT,
    elevation_class,
    ELEVATION_DIFFERENCES_DEG,
    ELEVATION_OPTIONS,
    ELEVATION_PAIR_OPTIONS,
    ELEVATION_SAME_DEG,
    HALF_OPTIONS,
    HL_FREQUENCIES_HZ,
    HL_LEVELS_DB,
    LOUDNESS_DB,
    LOUDNESS_OPTIONS,
    PAIR_FREQUENCIES_HZ,
    PC_GRIDS,
    PC_OPTIONS,
    PC_QUESTIONS,
    PITCH_CENTS,
    PITCH_OPTIONS,
    plan_perception,
    quadrant_of,
    QUADRANTS,
    RANGE,
    SENSITIVITY,
    spread_indices,
)
from tasks.bank.spatial import (  # noqa: F401
    _pulsed_noise,
    _render_range_azimuth,
    _render_range_distance,
    _render_range_elevation,
    _render_range_spatial,
    _render_sensitivity_azimuth,
    _render_sensitivity_distance,
    _render_sensitivity_elevation,
    _render_spatial_pair,
    _render_sr_relation,
    _render_sr_static,
    _render_sr_trajectory,
    _renderer_record,
    _spatial_params,
    _spatial_sequence,
    LOCALIZATION,
    plan_spatial,
    RELATION,
    RELATION_OPTIONS,
    TRAJECTORY,
    TRAJECTORY_OPTIONS,
)
from tasks.bank.temporal import (  # noqa: F401
    _babble,
    _cut_in_thirds,
    _discrete_events,
    _events,
    _render_temporal,
    CONTINUOUS,
    DISCRETE,
    plan_temporal,
    TR_DEMOS,
    TR_OPTIONS,
    TR_QUESTION,
)
from tasks.bank.build import (  # noqa: F401
    _render_planned,
    builtin_bank_for,
    builtin_bank_path,
    ensure_builtin_bank,
    generate_bank,
    make_head,
    plan_bank,
    RENDERERS,
)
