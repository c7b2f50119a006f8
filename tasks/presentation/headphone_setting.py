"""Which measured headphone response equalizes each transducer of a station, and the filter it
gives. The station setting ``headphone_eq_files`` maps a transducer name (the Audio page's
"Transducer") to a WAV or SOFA file; audio.headphone_eq designs the inverse filter."""
from __future__ import annotations

from pathlib import Path

from audio.headphone_eq import HeadphoneEqError, HeadphoneFilter, load_headphone_filter


def load_for_station(path: str, sample_rate_hz: int) -> HeadphoneFilter:
    """The filter of one file; raises HeadphoneEqError with a message that names the file."""
    try:
        return load_headphone_filter(path, sample_rate_hz)
    except OSError as exc:  # unreadable (permissions, a folder): say which file
        raise HeadphoneEqError(f"{Path(path)}: {exc.strerror or exc}") from None


def filter_for(files: dict | None, transducer: str, sample_rate_hz: int,
               current: HeadphoneFilter | None) -> tuple[HeadphoneFilter | None, str]:
    """(the transducer's filter or None, why it could not be made or ""). ``current`` is reused
    when it was made from the same file at the same rate (no redesign on every settings change)."""
    path = (files or {}).get(transducer) if transducer else None
    if not path:
        return None, ""
    if current is not None and current.source_file == path and current.sample_rate_hz == sample_rate_hz:
        return current, ""
    try:
        return load_for_station(path, sample_rate_hz), ""
    except HeadphoneEqError as exc:
        return None, str(exc)


def with_file(files: dict | None, transducer: str, path: str | None) -> dict:
    """The setting's new value: ``transducer`` equalized by ``path`` (None: no filter)."""
    out = dict(files or {})
    if path:
        out[transducer] = str(path)
    else:
        out.pop(transducer, None)
    return out
