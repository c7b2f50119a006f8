"""Imports point one way: gui -> tasks -> (audio, db); audio and db never import gui or each
other; only gui/ imports PySide6."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gui", "tasks", "audio", "db")
FORBIDDEN = {
    "tasks": {"gui"},
    "audio": {"gui", "db", "tasks"},
    "db": {"gui", "audio", "tasks"},
    "gui": set(),
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_packages_import_in_one_direction_only():
    violations = []
    files = 0
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            files += 1
            roots = imported_roots(path)
            for bad in sorted(FORBIDDEN[pkg] & roots):
                violations.append(f"{path.relative_to(ROOT)} imports {bad}")
            if pkg != "gui" and "PySide6" in roots:
                violations.append(f"{path.relative_to(ROOT)} imports PySide6 (only gui/ may)")
    assert files > 5
    assert violations == []


def test_the_checker_sees_a_violation(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("import PySide6.QtCore\nfrom gui.common.bridge import Bridge\n")
    assert {"PySide6", "gui"} <= imported_roots(bad)
