"""A model's folder and a whole work_dir of the kit: scores recomputed from the runs, with
every problem said, or the model refused with the reason."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from tasks.dataset.items import VARIANT_SOURCE, VARIANTS, Item
from tasks.dataset.loader import Dataset, NotADatasetError, load_dataset
from tasks.model_results.performance_file import read_performance_file
from tasks.model_results.runs_file import read_results_file
from tasks.model_results.text import safe
from tasks.dataset.runs import n_runs
from tasks.scoring.metrics import LEADERBOARD_COLUMNS, LEADERBOARD_KEYS, RunResult, final_ma, leaderboard_row, score_all

Row = dict[str, float | None]

RESULTS_FILE = "infer_results.jsonl"
PERFORMANCE_FILE = "performance.json"
TOTAL_COLUMN = {alias: key for key, _h, alias, category in LEADERBOARD_COLUMNS if category is None and alias}


@dataclass
class ModelResult:
    name: str
    row: Row
    warnings: list[str]
    refused: str | None = None  # why nothing of this model could be used
    runs_counted: dict[str, int] = field(default_factory=dict)  # alias -> runs scored


@dataclass(frozen=True)
class KnownItems:
    """The dataset's item ids per source alias ("pc", "tr", "sr", ...), each with the number of
    runs the kit expects (pc: len(options), tr and sr: 3), or None for an item the loader set
    aside (it is in the dataset, but its runs cannot be derived)."""

    runs: Mapping[str, Mapping[str, int | None]]
    items: Mapping[str, Mapping[str, Item]] = field(default_factory=dict)  # the valid items, the key

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> "KnownItems":
        runs: dict[str, dict[str, int | None]] = {}
        key: dict[str, dict[str, Item]] = {}
        for alias, items in dataset.items.items():
            runs.setdefault(alias, {}).update({it.id: n_runs(it) for it in items})
            key.setdefault(alias, {}).update({it.id: it for it in items})
        for aside in dataset.set_aside:
            if aside.item_id is not None:
                runs.setdefault(aside.alias, {}).setdefault(aside.item_id, None)
        return cls(runs, key)

    def for_alias(self, alias: str) -> Mapping[str, int | None] | None:
        return self.runs.get(VARIANT_SOURCE[alias])

    def key_for(self, alias: str) -> Mapping[str, Item] | None:
        """The dataset's items of the alias's source, to score runs against (None: not known)."""
        return self.items.get(VARIANT_SOURCE[alias]) if self.items else None


def known_items_of(dataset_roots: Iterable[str]) -> tuple[KnownItems | None, str | None]:
    """The ids of the dataset the compared studies ran on, when there is exactly one and it can
    be read; otherwise None and why model results cannot be checked against it."""
    roots = sorted(set(dataset_roots))
    if len(roots) != 1:
        return None, ("model result ids are not checked against a dataset: "
                      + ("no study" if not roots else f"the studies use {len(roots)} datasets"))
    try:
        return KnownItems.from_dataset(load_dataset(roots[0], check_audio=False)), None
    except (NotADatasetError, OSError) as exc:
        return None, f"model result ids are not checked against the dataset: {safe(str(exc), 200)}"


def read_model(model_dir: Path, known: KnownItems | None = None) -> ModelResult | None:
    """Recompute a model's scores from <model>/<alias>/infer_results.jsonl; warn where its own
    performance.json disagrees and about every line not counted. Without a results file, the
    alias's performance.json is used as it is (said in a warning). None: not a model folder."""
    name = safe(model_dir.name)
    try:
        alias_dirs = sorted(p for p in model_dir.iterdir() if p.is_dir())
    except OSError as exc:
        return ModelResult(name, _empty_row(), [f"{name}: refused: cannot be read ({exc.strerror or exc})"],
                           refused=f"cannot be read ({exc.strerror or exc})")
    results: list[RunResult] = []
    warnings: list[str] = []
    reasons: list[str] = []
    own: dict[str, dict[str, float]] = {}
    from_jsonl: set[str] = set()
    looked_at = False
    for alias_dir in alias_dirs:
        alias, display = alias_dir.name, f"{name}/{safe(alias_dir.name)}"
        try:
            got = _read_alias(alias_dir, alias, display, known)
        except OSError as exc:  # a folder that cannot be listed or looked into
            got = _AliasRead(True, [f"{display}: cannot be read ({exc.strerror or exc})"],
                             reason=f"{display}: cannot be read ({exc.strerror or exc})")
        looked_at |= got.looked_at
        warnings += got.warnings
        if got.reason:
            reasons.append(got.reason)
        if got.results:
            results += got.results
            from_jsonl.add(alias)
        if got.own is not None:
            own[alias] = got.own
    if not looked_at:
        return None
    perfs = score_all(results)
    for alias, perf in perfs.items():
        claimed = own.get(alias, {}).get("Total")
        if claimed is not None and f"{claimed:.2f}%" != f"{perf.total.aa:.2f}%":
            warnings.append(f"{name}/{alias}: its performance.json says Total AA {claimed:.2f}%, recomputed from "
                            f"{RESULTS_FILE} {perf.total.aa:.2f}% (the recomputed value is used)")
    row = leaderboard_row(perfs)
    for key, _header, alias, category in LEADERBOARD_COLUMNS:
        if alias in own and alias not in from_jsonl:
            value = own[alias].get("Total" if category is None else category)
            if value is not None:
                row[key] = value
    totals = [row[TOTAL_COLUMN[a]] for a in ("pc", "tr", "sr")]
    if row["ma"] is None and all(t is not None for t in totals):
        row["ma"] = final_ma(totals)
    counted = {alias: perf.total.total_runs for alias, perf in perfs.items()}
    if not counted and not own:
        reason = "nothing usable: " + "; ".join(reasons or ["no results file could be read"])
        return ModelResult(name, _empty_row(), warnings + [f"{name}: refused: {reason}"], refused=reason)
    return ModelResult(name, row, warnings, runs_counted=counted)


@dataclass
class _AliasRead:
    looked_at: bool
    warnings: list[str] = field(default_factory=list)
    results: list[RunResult] = field(default_factory=list)
    own: dict[str, float] | None = None  # values read from performance.json
    reason: str | None = None  # why nothing of this alias is used


def _read_alias(alias_dir: Path, alias: str, display: str, known: KnownItems | None) -> _AliasRead:
    jsonl, perf_file = alias_dir / RESULTS_FILE, alias_dir / PERFORMANCE_FILE
    if not (jsonl.exists() or perf_file.exists()):
        return _AliasRead(False)  # some other folder: not ours to judge
    if alias not in VARIANTS:
        return _AliasRead(True, [f"{display}: not an alias of the benchmark ({', '.join(VARIANTS)}); skipped"],
                          reason=f"{display}: not an alias of the benchmark")
    out = _AliasRead(True)
    perf_values = None
    if perf_file.exists():
        perf_values, perf_warnings = read_performance_file(perf_file, f"{display}/{PERFORMANCE_FILE}")
        out.warnings += perf_warnings
    if jsonl.exists():
        got = read_results_file(jsonl, alias, f"{display}/{RESULTS_FILE}",
                                known.for_alias(alias) if known is not None else None,
                                known.key_for(alias) if known is not None else None)
        out.warnings += got.warnings
        if got.refused or not got.results:
            out.reason = got.refused or f"{display}/{RESULTS_FILE}: no usable run"
            out.warnings.append(out.reason + (f"; its {PERFORMANCE_FILE} is not used unchecked" if perf_values else ""))
            return out
        out.results, out.own = got.results, perf_values
    elif perf_values is not None:
        out.warnings.append(f"{display}: no {RESULTS_FILE}; {PERFORMANCE_FILE} used as it is, unchecked")
        out.own = perf_values
    else:
        out.reason = f"{display}: no {RESULTS_FILE} and no usable {PERFORMANCE_FILE}"
    return out


def _empty_row() -> Row:
    return {k: None for k in LEADERBOARD_KEYS}


def read_models(work_dir: Path, known: KnownItems | None = None) -> list[ModelResult]:
    """Every model folder of a kit work_dir (our own human-* exports left out). A model that
    could not be used at all comes back refused, with the reason among its warnings."""
    work_dir = Path(work_dir)
    if not work_dir.is_dir():
        raise NotADirectoryError(20, "not a folder of model results (the kit's work_dir)", str(work_dir))
    out = []
    for d in sorted(p for p in work_dir.iterdir() if p.is_dir()):
        if d.name.startswith("human-"):
            continue
        m = read_model(d, known)
        if m is not None:
            out.append(m)
    return out
