"""Model results from the evaluation kit's work_dir, read for the comparison with humans.

Layout (STARBENCH.md section 5): <work_dir>/<model>/<alias>/infer_results.jsonl, one run per
line, and performance.json. These files come from outside and are read defensively: every line
is checked; a bad line is named (file:line: why) and skipped; a run given twice is counted once
and reported; ids the dataset does not have (when the dataset is known) are reported and left
out; ids without the kit's number of runs are reported. A model with nothing usable is refused
with the reason. Bad content never raises: it becomes a warning.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, Mapping

from tasks.items import VARIANT_SOURCE, VARIANTS, family_of
from tasks.runs import REASONING_RUNS
from tasks.scoring import LEADERBOARD_COLUMNS, LEADERBOARD_KEYS, RunResult, final_ma, leaderboard_row, score_all

Row = dict[str, float | None]

RESULTS_FILE = "infer_results.jsonl"
PERFORMANCE_FILE = "performance.json"
MAX_LINE_BYTES = 1 << 20  # one run is a few hundred bytes; a longer line is not a run
MAX_PERFORMANCE_BYTES = 16 << 20
MAX_NAMED_LINES = 50  # per file; further bad lines are counted and listed by number
MAX_ROTATE_ID = 10_000  # sanity bound when the number of runs of an item is not known
PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)%")
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

    @classmethod
    def from_dataset(cls, dataset: Any) -> "KnownItems":
        from tasks.runs import n_runs

        runs: dict[str, dict[str, int | None]] = {}
        for alias, items in dataset.items.items():
            runs.setdefault(alias, {}).update({it.id: n_runs(it) for it in items})
        for aside in dataset.set_aside:
            if aside.item_id is not None:
                runs.setdefault(aside.alias, {}).setdefault(aside.item_id, None)
        return cls(runs)

    def for_alias(self, alias: str) -> Mapping[str, int | None] | None:
        return self.runs.get(VARIANT_SOURCE[alias])


def known_items_of(dataset_roots: Iterable[str]) -> tuple[KnownItems | None, str | None]:
    """The ids of the dataset the compared studies ran on, when there is exactly one and it can
    be read; otherwise None and why model results cannot be checked against it."""
    from tasks.loader import NotADatasetError, load_dataset

    roots = sorted(set(dataset_roots))
    if len(roots) != 1:
        return None, ("model result ids are not checked against a dataset: "
                      + ("no study" if not roots else f"the studies use {len(roots)} datasets"))
    try:
        return KnownItems.from_dataset(load_dataset(roots[0], check_audio=False)), None
    except (NotADatasetError, OSError) as exc:
        return None, f"model result ids are not checked against the dataset: {safe(str(exc), 200)}"


# ---------------------------------------------------------------- display ----------------------

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def safe(text: str, limit: int = 80) -> str:
    """Text from a file, fit to print: control, direction and lone surrogate characters escaped,
    long texts cut."""
    shown = _UNSAFE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def quoted(text: str) -> str:
    """A string from a file in JSON quotes, fit to print."""
    return safe(json.dumps(text, ensure_ascii=True), 60)


def describe(value: Any) -> str:
    """A JSON value as a message shows it: scalars as written, containers by kind."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, str):
        return "the string " + quoted(value)
    if isinstance(value, int):
        digits = str(abs(value)) if value.bit_length() < 200 else None
        return ("-" if value < 0 else "") + digits if digits is not None else f"a {value.bit_length()}-bit integer"
    return repr(value)  # float, including inf and nan


def _line_ranges(numbers: list[int], limit: int = 20) -> str:
    ranges: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        ranges.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(ranges[:limit]) + (", …" if len(ranges) > limit else "")


class _LineProblems:
    """Bad lines of one file: the first ones named one by one, the rest counted."""

    def __init__(self, display: str):
        self.display = display
        self.named: list[str] = []
        self.unnamed: list[int] = []
        self.count = 0

    def add(self, line_no: int, why: str) -> None:
        self.count += 1
        if len(self.named) < MAX_NAMED_LINES:
            self.named.append(f"{self.display}:{line_no}: {why}")
        else:
            self.unnamed.append(line_no)

    def messages(self) -> list[str]:
        if not self.unnamed:
            return list(self.named)
        return self.named + [f"{self.display}: {len(self.unnamed)} more lines with problems, not listed one by one: "
                             f"lines {_line_ranges(self.unnamed)}"]


# ---------------------------------------------------------------- one line ---------------------

@dataclass(frozen=True)
class _Line:
    result: RunResult
    n_options: int | None
    note: str | None  # used, but with something to say


def _text_or_null(rec: dict, key: str) -> tuple[str | None, str | None]:
    value = rec.get(key)
    if value is None or isinstance(value, str):
        return value, None
    return None, f"{key} must be a string or null, found {describe(value)}"


def _parse_run(rec: Any, alias: str) -> _Line | str:
    """One decoded JSON line as a run, or the reason it is not one (naming the item when the
    line has a usable id)."""
    line = _parse_fields(rec, alias)
    if isinstance(line, str) and isinstance(rec, dict) and isinstance(rec.get("id"), (str, int)) \
            and not isinstance(rec["id"], bool) and rec["id"] != "" and not line.startswith("id "):
        return f"item {quoted(str(rec['id']))}: {line}"
    return line


def _parse_fields(rec: Any, alias: str) -> _Line | str:
    if not isinstance(rec, dict):
        return f"must be a JSON object (one run), found {describe(rec)}"
    if "id" not in rec:
        return "no id"
    raw_id = rec["id"]
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or raw_id == "":
        return f"id must be a non-empty string, found {describe(raw_id)}"
    if isinstance(raw_id, int) and raw_id.bit_length() > 64:
        return f"id is {describe(raw_id)}, not an item id"
    if "rotate_id" not in rec:
        return "no rotate_id (the run number)"
    rotate_id = rec["rotate_id"]
    if isinstance(rotate_id, bool) or not isinstance(rotate_id, int) or not 0 <= rotate_id < MAX_ROTATE_ID:
        return f"rotate_id must be a whole number from 0 to {MAX_ROTATE_ID - 1}, found {describe(rotate_id)}"
    category, why = _text_or_null(rec, "category")
    if why:
        return why
    sub_category, why = _text_or_null(rec, "sub-category")
    if why:
        return why
    options = rec.get("options")
    if options is not None and not (isinstance(options, list) and all(isinstance(o, str) for o in options)):
        return f"options must be a list of strings, found {describe(options)}"
    prediction, why = _text_or_null(rec, "prediction")
    if why:
        return why
    answer_letter, why = _text_or_null(rec, "answer_letter")
    if why:
        return why
    can_score = prediction is not None and answer_letter is not None
    ok = rec.get("is_correct")
    note = None
    if isinstance(ok, bool):
        if can_score and ok != (prediction == answer_letter):
            return (f"is_correct is {describe(ok)} but prediction {describe(prediction)} and answer_letter "
                    f"{describe(answer_letter)} say otherwise")
    elif not can_score:
        return (f"is_correct must be true or false, found {describe(ok)}, and there is no prediction and "
                "answer_letter to score the run from")
    else:
        recomputed = prediction == answer_letter
        if "is_correct" in rec:
            note = (f"is_correct must be true or false, found {describe(ok)}; scored from prediction vs "
                    f"answer_letter instead ({'right' if recomputed else 'wrong'})")
        ok = recomputed
    return _Line(RunResult(alias, str(raw_id), rotate_id, category, sub_category, ok),
                 None if options is None else len(options), note)


# ---------------------------------------------------------------- one file ---------------------

def _physical_lines(f: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line; None for a line longer than MAX_LINE_BYTES, which is
    skipped without holding it in memory."""
    line_no = 0
    while chunk := f.readline(MAX_LINE_BYTES + 1):
        line_no += 1
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while (more := f.readline(MAX_LINE_BYTES)) and not more.endswith(b"\n"):
                pass
            yield line_no, None
        else:
            yield line_no, chunk


@dataclass
class AliasResults:
    results: list[RunResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refused: str | None = None  # the whole file is set aside


def read_results_file(path: Path, alias: str, display: str, known: Mapping[str, int | None] | None) -> AliasResults:
    """Every usable run of one infer_results.jsonl, in file order, and what was wrong."""
    out = AliasResults()
    problems = _LineProblems(display)
    first_line: dict[tuple[str, int], int] = {}
    n_options: dict[str, int | None] = {}
    notes = 0
    try:
        with open(path, "rb") as f:
            for line_no, raw in _physical_lines(f):
                if raw is None:
                    problems.add(line_no, f"longer than {MAX_LINE_BYTES} bytes, not a run; skipped")
                    continue
                if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    out.refused = (f"{display}:{line_no}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at column "
                                   f"{exc.start + 1}); the kit writes UTF-8: convert the file (from Latin-1, perhaps) "
                                   "and compare again. The whole file is set aside")
                    return out
                if not text.strip():
                    continue
                try:
                    rec = json.loads(text)
                except json.JSONDecodeError as exc:
                    problems.add(line_no, f"not valid JSON ({exc.msg} at column {exc.colno}); skipped")
                    continue
                except (ValueError, RecursionError) as exc:
                    problems.add(line_no, f"not valid JSON ({safe(str(exc))}); skipped")
                    continue
                line = _parse_run(rec, alias)
                if isinstance(line, str):
                    problems.add(line_no, line + "; skipped")
                    continue
                r = line.result
                run = f"{safe(r.item_id)}@{r.rotate_id}"
                if known is not None and r.item_id not in known:
                    problems.add(line_no, f"item {quoted(r.item_id)} is not in the dataset's "
                                          f"{VARIANT_SOURCE[alias]} items; left out")
                    continue
                expected = known.get(r.item_id) if known is not None else (
                    line.n_options if family_of(alias) == "pc" else REASONING_RUNS)
                if expected is not None and r.rotate_id >= expected:
                    problems.add(line_no, f"run {run}: the kit gives this item {expected} runs (rotate_id 0 to "
                                          f"{expected - 1}); left out")
                    continue
                key = (r.item_id, r.rotate_id)
                if key in first_line:
                    problems.add(line_no, f"run {run} again (first on line {first_line[key]}); counted once")
                    continue
                first_line[key] = line_no
                n_options.setdefault(r.item_id, expected)
                if line.note:
                    notes += 1
                    problems.add(line_no, line.note)
                out.results.append(r)
    except OSError as exc:
        out.refused = f"{display}: cannot be read ({exc.strerror or exc})"
        return out
    out.warnings += problems.messages()
    skipped = problems.count - notes
    if skipped:
        out.warnings.append(f"{display}: {skipped} line{'s' if skipped != 1 else ''} not counted; the scores use "
                            f"the {len(out.results)} runs that are")
    out.warnings += _completeness(display, alias, out.results, n_options, known)
    return out


def _completeness(display: str, alias: str, results: list[RunResult], expected: Mapping[str, int | None],
                  known: Mapping[str, int | None] | None) -> list[str]:
    """The kit's evaluate() insists on exactly the expected runs per id (pc: len(options), tr and
    sr: 3); say where this file does not have them."""
    present = Counter(r.item_id for r in results)
    short = [(i, n, expected[i]) for i, n in present.items() if expected.get(i) is not None and n != expected[i]]
    out = []
    if short:
        listed = ", ".join(f"{safe(i, 40)} ({n} of {e})" for i, n, e in sorted(short)[:10])
        out.append(f"{display}: {len(short)} ids do not have the kit's number of runs, so the kit's own evaluation "
                   f"would refuse this file: {listed}{', …' if len(short) > 10 else ''}")
    unknown_runs = sorted(i for i in present if expected.get(i) is None)
    if unknown_runs and known is None:
        out.append(f"{display}: {len(unknown_runs)} ids have no options listed, so their number of runs "
                   "cannot be checked")
    if known is not None:
        missing = [i for i in known if i not in present]
        if missing:
            out.append(f"{display}: {len(missing)} of the dataset's {len(known)} {VARIANT_SOURCE[alias]} items have no "
                       "runs here; the scores cover the others only")
    return out


def read_performance_file(path: Path, display: str) -> tuple[dict[str, float] | None, list[str]]:
    """The Total AA and the By Category AA values of a performance.json, each checked:
    {"Total": 79.42, "<category>": ...}, or None with the reason."""
    try:
        if path.stat().st_size > MAX_PERFORMANCE_BYTES:
            return None, [f"{display}: larger than {MAX_PERFORMANCE_BYTES >> 20} MiB, not a performance file; ignored"]
        data = path.read_bytes()
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


# ---------------------------------------------------------------- a model, all models ----------

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
                                known.for_alias(alias) if known is not None else None)
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
