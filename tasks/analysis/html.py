"""report.html: one self-contained file (figures embedded as base64 PNG, styles inline), readable
in any browser and printable (figures and table rows are not split across pages)."""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass

import pandas as pd

from tasks.analysis.tables import Table

STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.8em; margin: 0.6em 0; }
th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: right; }
th { background: #eef2f7; } td.text { text-align: left; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #444; }
.note { font-size: 0.85em; color: #444; } .warning { color: #8a4b00; }
.scroll { overflow-x: auto; }
@page { size: A4 portrait; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 9pt; }
  figure, tr { page-break-inside: avoid; break-inside: avoid; }
  h2 { page-break-after: avoid; break-after: avoid; }
  .scroll { overflow: visible; }
  /* every table fits the page's width: columns share it, long cells wrap (a wide table would
     otherwise run past the right margin and be cut off) */
  table { width: 100%; table-layout: fixed; font-size: 6.5pt; }
  th, td { padding: 1px 2px; overflow-wrap: anywhere; word-break: break-word; hyphens: auto; }
}
"""


@dataclass
class FigureBlock:
    name: str  # file stem; the <img> carries it as data-figure
    caption: str
    png: bytes


def table_html(frame: pd.DataFrame, header_groups: tuple[tuple[str, int], ...] = ()) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    if header_groups:
        groups = "".join(f"<th colspan=\"{n}\">{html.escape(label)}</th>" for label, n in header_groups)
        head = f"{groups}</tr><tr>{head}"
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for v in row:
            text = str(v)
            numeric = text.replace(".", "", 1).lstrip("+-").split(" ")[0].isdigit() or text == "--"
            cls = "" if numeric else ' class="text"'
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<div class=\"scroll\"><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"


def render(title: str, intro: list[str], sections: list[tuple[str, list]], warnings: list[str]) -> str:
    """sections: (heading, parts); a part is a Table, a FigureBlock or a paragraph of text."""
    out = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
           f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>",
           f"<h1>{html.escape(title)}</h1>"]
    out += [f"<p>{html.escape(p)}</p>" for p in intro]
    for heading, parts in sections:
        out.append(f"<h2>{html.escape(heading)}</h2>")
        for part in parts:
            if isinstance(part, Table):
                out.append(f"<h3>{html.escape(part.title)}</h3>")
                if part.note:
                    out.append(f"<p class=\"note\">{html.escape(part.note)}</p>")
                out.append(table_html(part.shown(), part.header_groups))
            elif isinstance(part, FigureBlock):
                data = base64.b64encode(part.png).decode("ascii")
                out.append(f"<figure><img data-figure=\"{html.escape(part.name)}\" alt=\"{html.escape(part.caption)}\" "
                           f"src=\"data:image/png;base64,{data}\"><figcaption>{html.escape(part.caption)}"
                           "</figcaption></figure>")
            else:
                out.append(f"<p class=\"note\">{html.escape(str(part))}</p>")
    if warnings:
        out.append("<h2>Warnings</h2><ul>")
        out += [f"<li class=\"warning\">{html.escape(w)}</li>" for w in warnings]
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
