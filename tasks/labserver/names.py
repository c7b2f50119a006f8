"""Station names, checked before anything heavy is imported (``main.py --station`` runs this
before the console's window is shown: tasks.labserver.station imports the database layer and
numpy, 0.5 s on an idle machine and several seconds on a loaded one)."""
from __future__ import annotations

import re


def station_problem(name: str) -> str | None:
    """Why ``name`` cannot name a station (it names its journal file too), or None."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", name or ""):
        return (f"station name {name!r}: use 1 to 40 letters, digits, '-', '_' or '.', starting with a letter "
                "or digit (e.g. booth2)")
    return None
