"""One infer_results.jsonl: every line checked, the runs that can be used, and what was wrong."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Mapping

from tasks.dataset.items import VARIANT_SOURCE, Item, family_of
from tasks.dataset.paths import NotRegularFileError, open_regular_file
from tasks.model_results.key import against_key
from tasks.model_results.text import LineProblems, describe, quoted, safe
from tasks.dataset.runs import REASONING_RUNS
from tasks.scoring.metrics import RunResult

MAX_LINE_BYTES = 1 << 20  # one run is a few hundred bytes; a longer line is not a run
MAX_RESULTS_BYTES = 1 << 30  # a file larger than this is refused before it is read
MAX_ROTATE_ID = 10_000  # sanity bound when the number of runs of an item is not known


@dataclass(frozen=True)
class _Line:
    result: RunResult
    n_options: int | None
    note: str | None  # used, but with something to say
    prediction: str | None = None
    answer_letter: str | None = None


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
    texts = {}
    for key in ("category", "sub-category", "prediction", "answer_letter"):
        texts[key], why = _text_or_null(rec, key)
        if why:
            return why
    category, sub_category = texts["category"], texts["sub-category"]
    prediction, answer_letter = texts["prediction"], texts["answer_letter"]
    options = rec.get("options")
    if options is not None and not (isinstance(options, list) and all(isinstance(o, str) for o in options)):
        return f"options must be a list of strings, found {describe(options)}"
    can_score = prediction is not None and answer_letter is not None
    ok = rec.get("is_correct")
    note = None
    if isinstance(ok, bool):
        if can_score and ok != (prediction == answer_letter):
            return (f"is_correct is {describe(ok)}, but prediction {quoted(prediction)} "
                    f"{'differs from' if ok else 'equals'} answer_letter {quoted(answer_letter)}")
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
                 None if options is None else len(options), note, prediction, answer_letter)


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


def read_results_file(path: Path, alias: str, display: str, known: Mapping[str, int | None] | None,
                      answer_key: Mapping[str, Item] | None = None) -> AliasResults:
    """Every usable run of one infer_results.jsonl, in file order, and what was wrong. With the
    dataset's items (``answer_key``), each run is scored against the dataset's answer letter and grouped
    by its categories, and every line that says otherwise is named (tasks.model_results.key)."""
    out = AliasResults()
    problems = LineProblems(display)
    disagree = LineProblems(display)
    first_line: dict[tuple[str, int], int] = {}
    n_options: dict[str, int | None] = {}
    notes = 0
    try:
        with open_regular_file(path, MAX_RESULTS_BYTES) as f:
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
                    problems.add(line_no, f"item {quoted(r.item_id)}: {line.note}")
                item = answer_key.get(r.item_id) if answer_key is not None else None
                if item is not None:
                    r, said = against_key(r, line.prediction, line.answer_letter, item)
                    if said:
                        disagree.add(line_no, "; ".join(said))
                out.results.append(r)
    except NotRegularFileError as exc:
        out.refused = f"{display}: {exc.reason}"
        return out
    except OSError as exc:
        out.refused = f"{display}: cannot be read ({exc.strerror or exc})"
        return out
    out.warnings += problems.messages() + disagree.messages()
    if disagree.count:
        out.warnings.append(f"{display}: {disagree.count} line{'s' if disagree.count != 1 else ''} disagree with the "
                            "dataset; they are scored against the dataset's answer key and categories")
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
        ids = "1 id does" if len(short) == 1 else f"{len(short)} ids do"
        out.append(f"{display}: {ids} not have the kit's number of runs, so the kit's own evaluation "
                   f"would refuse this file: {listed}{', …' if len(short) > 10 else ''}")
    unknown_runs = sorted(i for i in present if expected.get(i) is None)
    if unknown_runs and known is None:
        out.append(f"{display}: {len(unknown_runs)} of the ids have no options listed, so their number of "
                   "runs cannot be checked")
    if known is not None:
        missing = [i for i in known if i not in present]
        if missing:
            out.append(f"{display}: {len(missing)} of the dataset's {len(known)} {VARIANT_SOURCE[alias]} items have no "
                       "runs here; the scores cover the others only")
    return out
