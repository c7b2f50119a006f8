"""``python -m bench``: list the benchmarks; ``python -m bench NAME [args]``: run one.

A benchmark is any module in bench/ with a ``main(argv)`` function."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                  if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    names = available()
    if not argv or argv[0] in ("-h", "--help", "list"):
        print("benchmarks: " + ", ".join(names))
        print("run one with: python -m bench NAME [its options]")
        return 0
    name = argv[0].removeprefix("bench.").removesuffix(".py")
    if name not in names:
        print(f"no benchmark {name!r}; available: {', '.join(names)}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"bench.{name}")
    module.main(argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
