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
:mod:`tasks.bank.build` (planning, rendering and writing the folder); the command that
writes a bank is :mod:`tasks.bank.commands`. Import names from the module that defines them.
"""
