"""One performance.json: the Total AA and By Category AA values, each checked."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tasks.dataset.paths import NotRegularFileError, read_regular_file
from tasks.model_results.text import describe, safe

MAX_PERFORMANCE_BYTES = 16 << 20
PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)%")


def read_performance_file(path: Path, display: str) -> tuple[dict[str, float] | None, list[str]]:
    """The Total AA and the By Category AA values of a performance.json, each checked:
    {"Total": 79.42, "<category>": ...}, or None with the reason."""
    try:
        if path.stat().st_size > MAX_PERFORMANCE_BYTES:
            return None, [f"{display}: larger than {MAX_PERFORMANCE_BYTES >> 20} MiB, not a performance file; ignored"]
        data = read_regular_file(path, MAX_PERFORMANCE_BYTES)
    except NotRegularFileError as exc:
        return None, [f"{display}: {exc.reason}; ignored"]
    except OSError as exc:
        return None, [f"{display}: cannot be read ({exc.strerror or exc}); ignored"]
    try:
        perf = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return None, [f"{display}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); ignored"]
    except json.JSONDecodeError as exc:
        return None, [f"{display}:{exc.lineno}: not valid JSON ({exc.msg} at column {exc.colno}); ignored"]
    except (ValueError, RecursionError) as exc:
        return None, [f"{display}: not valid JSON ({safe(str(exc))}); ignored"]
    if not isinstance(perf, dict):
        return None, [f"{display}: must be a JSON object with \"Total\", found {describe(perf)}; ignored"]
    total = perf.get("Total")
    if not isinstance(total, dict):
        return None, [f"{display}: \"Total\" must be an object with \"AA\", found "
                      f"{'nothing' if 'Total' not in perf else describe(total)}; ignored"]
    aa, why = _percent(total.get("AA"))
    if why:
        return None, [f"{display}: Total AA {why}; ignored"]
    values = {"Total": aa}
    warnings = []
    by_cat = perf.get("By Category", {})
    if not isinstance(by_cat, dict):
        warnings.append(f"{display}: \"By Category\" must be an object, found {describe(by_cat)}; ignored")
        by_cat = {}
    for cat, m in by_cat.items():
        cat_aa, why = _percent(m.get("AA") if isinstance(m, dict) else m)
        if why or not isinstance(m, dict):
            warnings.append(f"{display}: By Category {safe(json.dumps(cat, ensure_ascii=True))} AA "
                            f"{why or 'must sit in an object'}; ignored")
        elif cat != "Total":
            values[cat] = cat_aa
    return values, warnings


def _percent(value: Any) -> tuple[float, str | None]:
    """'79.42%' -> 79.42. The kit writes strings; a bare number could be a share or a percentage."""
    if not isinstance(value, str):
        return 0.0, f"must be a percentage string like \"79.42%\", found {describe(value)}"
    m = PERCENT.fullmatch(value.strip())
    if m is None or float(m.group(1)) > 100:
        return 0.0, f"must be a percentage from \"0.00%\" to \"100.00%\", found {describe(value)}"
    return float(m.group(1)), None
