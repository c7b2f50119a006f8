"""The program's version: the installed distribution's metadata, else pyproject.toml.

pyproject.toml is the one place the version is written. A source checkout without an install,
and the PyInstaller build (packaging/star-lab.spec ships pyproject.toml beside the program's
packages), read it from the file."""
from __future__ import annotations

import re
from pathlib import Path

DISTRIBUTION = "star-listening-lab"
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"  # in a build: beside tasks/


def app_version() -> str:
    """E.g. "0.1.0"; "unknown" when neither the metadata nor pyproject.toml can be found."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return version_in_pyproject(PYPROJECT) or "unknown"


def version_in_pyproject(path: Path) -> str | None:
    """The ``[project]`` version written in ``path``; None when the file is missing or has none."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the [project] table's first version line
        project = re.search(r"(?ms)^\[project\]\s*$(.*?)(?=^\[|\Z)", text)
        found = project and re.search(r'(?m)^version\s*=\s*"([^"]+)"', project.group(1))
        return found.group(1) if found else None
    return tomllib.loads(text).get("project", {}).get("version")
