"""Tables of the report: each one written as CSV (the numbers, full precision) and as a LaTeX
``tabular`` (formatted for a paper; no package beyond plain LaTeX needed)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


@dataclass
class Table:
    name: str  # file stem, e.g. "leaderboard"
    title: str
    data: pd.DataFrame  # the numbers, written to CSV
    display: pd.DataFrame | None = None  # formatted cells for LaTeX and HTML (default: data, formatted)
    note: str = ""
    header_groups: tuple[tuple[str, int], ...] = ()  # a row above the headers: (label, columns spanned)

    def shown(self) -> pd.DataFrame:
        return self.display if self.display is not None else formatted(self.data)


def cell(value, digits: int = 2) -> str:
    """A value as printed in the LaTeX and HTML tables: numbers to `digits` decimals, missing as --."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "--"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != 0 and abs(value) < 10 ** -digits:
            return f"{value:.1e}"
        return f"{value:.{digits}f}"
    return str(value)


def formatted(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.astype(object).copy()
    for col in out.columns:
        out[col] = [cell(v) for v in frame[col].tolist()]
    return out


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))


def latex_tabular(frame: pd.DataFrame, header_groups: tuple[tuple[str, int], ...] = ()) -> str:
    """A booktabs-free tabular (\\hline rules): text columns left-aligned, the others right;
    header_groups, when given, is a row of \\multicolumn labels above the column headers."""
    def numeric(col) -> bool:
        values = [v for v in frame[col].tolist() if v not in ("--", "", None)]
        return bool(values) and all(_looks_numeric(str(v)) for v in values)
    spec = "".join("r" if numeric(c) else "l" for c in frame.columns)
    lines = [f"\\begin{{tabular}}{{{spec}}}", "\\hline"]
    if header_groups:
        lines.append(" & ".join(f"\\multicolumn{{{n}}}{{c}}{{{latex_escape(label)}}}" if n > 1 else latex_escape(label)
                                for label, n in header_groups) + " \\\\")
    lines += [" & ".join(latex_escape(c) for c in frame.columns) + " \\\\", "\\hline"]
    for row in frame.itertuples(index=False):
        lines.append(" & ".join(latex_escape(v) for v in row) + " \\\\")
    lines += ["\\hline", "\\end{tabular}"]
    return "\n".join(lines) + "\n"


def _looks_numeric(text: str) -> bool:
    head = text.split(" ")[0].lstrip("+-[").rstrip(",]")
    return head.replace(".", "", 1).replace("e-", "", 1).replace("e+", "", 1).isdigit()


def write_table(table: Table, out_dir: Path) -> list[Path]:
    csv_path = Path(out_dir) / f"{table.name}.csv"
    tex_path = Path(out_dir) / f"{table.name}.tex"
    table.data.to_csv(csv_path, index=False, lineterminator="\n")
    tex_path.write_text(latex_tabular(table.shown(), table.header_groups), encoding="utf-8")
    return [csv_path, tex_path]
