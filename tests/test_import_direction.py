"""The shape of the code, checked: imports point one way (gui -> tasks -> (audio, db); audio and
db never import gui or each other; only gui/ imports PySide6), no module imports one that imports
it back (directly or through others, counting imports inside functions and under TYPE_CHECKING),
no module over MAX_MODULE_LINES lines, and tasks/ keeps its code in packages named by domain."""
from __future__ import annotations

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
MAX_MODULE_LINES = 450
MAX_TASKS_TOP_MODULES = 6  # besides __init__.py; the rest lives in tasks/<domain>/


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def module_files(root: Path, packages=PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the product's packages."""
    modules = {}
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of a dotted name that is one of ours (``a.b.func`` -> ``a.b``)."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in modules:
            return ".".join(parts)
        parts.pop()
    return None


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the modules it imports anywhere in its file: at the top, inside functions,
    under ``if TYPE_CHECKING:`` (ast.walk visits every import statement)."""
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        deps = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[:len(base) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                # `from pkg import mod` imports the module pkg.mod; `from mod import name`, mod
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module for a in node.names]
            else:
                continue
            deps.update(t for t in (_known(x, modules) for x in targets) if t)
        deps.discard(name)
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            advanced = False
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


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


def test_no_module_imports_one_that_imports_it_back():
    modules = module_files(ROOT)
    assert len(modules) > 100
    assert cycles(import_graph(modules)) == []


def test_the_cycle_checker_sees_imports_inside_functions_and_type_checking(tmp_path):
    pkg = tmp_path / "tasks"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from tasks.sub.b import g\n    return g\n")
    (pkg / "sub" / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tasks import c\n")
    (pkg / "c.py").write_text("import tasks.a as a_module\n")
    (pkg / "d.py").write_text("from . import c\n")  # relative, and outside the cycle
    graph = import_graph(module_files(tmp_path, ("tasks",)))
    assert graph["tasks.d"] == {"tasks.c"}
    assert cycles(graph) == [["tasks.a", "tasks.c", "tasks.sub.b"]]


def test_no_module_is_longer_than_the_limit():
    long = {str(p.relative_to(ROOT)): n for p in [*module_files(ROOT).values(), ROOT / "main.py"]
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_tasks_keeps_its_code_in_domain_packages():
    top = sorted(p.name for p in (ROOT / "tasks").glob("*.py") if p.name != "__init__.py")
    assert len(top) <= MAX_TASKS_TOP_MODULES, top
    packages = sorted(p.name for p in (ROOT / "tasks").iterdir() if (p / "__init__.py").exists())
    assert {"dataset", "study", "scoring", "results", "takehome"} <= set(packages)


def test_every_module_imports():
    """A module left behind by a move (importing one that no longer exists) fails here, not in
    the one command that happens to reach it."""
    import importlib

    failed = {}
    for name in module_files(ROOT):
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - every failure is reported with its module
            failed[name] = f"{type(exc).__name__}: {exc}"
    assert failed == {}
