"""Loading and validating a local STAR-Bench v1.0 folder (STARBENCH.md section 1).

Loading never raises on bad content: every problem is collected with its file, item id (or
array index) and field, and the invalid item is set aside with its reasons. Only a path that is
not a dataset at all raises :class:`NotADatasetError`.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from audio.files import DEFAULT_MAX_CLIP_DURATION_S, AudioFileError, AudioInfo, check_header, probe, verify
from tasks.dataset.items import (
    ALIAS_FALLBACK_FILES,
    ALIAS_FILES,
    STANDARD_ALIASES,
    Item,
    Problem,
    family_of,
    parse_temporal_id,
    printable,
)
from tasks.dataset.paths import NotRegularFileError, PathGuard, UnsafePathError, read_regular_file
from tasks.dataset.item_checks import channel_problem, family_problem, reference_problem, surrogate_field
from tasks.dataset.paths import relative_form_problem
from tasks.dataset.runs import MAX_OPTIONS, REASONING_RUNS, RunError, make_run

META_DIR = "meta_info"
AUDIO_HEADER = "header"  # check_audio modes of load_dataset
AUDIO_FULL = "full"

Progress = Callable[[int, int, str], None]


class NotADatasetError(Exception):
    """The path is not a STAR-Bench folder (no meta_info/ with any known file)."""


class Cancelled(Exception):
    """Loading was cancelled by the caller."""


@dataclass
class SetAside:
    alias: str
    index: int
    item_id: str | None
    reasons: list[Problem]


@dataclass
class Dataset:
    root: Path
    items: dict[str, list[Item]] = field(default_factory=dict)
    set_aside: list[SetAside] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    meta_files: dict[str, Path] = field(default_factory=dict)  # alias -> file read
    audio_info: dict[str, AudioInfo] = field(default_factory=dict)  # relative path -> format
    audio_checked: bool = True
    audio_errors: dict[str, str] = field(default_factory=dict)  # relative path -> why it was refused
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def aliases(self) -> list[str]:
        return [a for a in ALIAS_FILES if a in self.items]

    def item(self, alias: str, item_id: str) -> Item:
        if alias not in self._index:
            self._index[alias] = {it.id: it for it in self.items.get(alias, [])}
        found = self._index[alias].get(item_id)
        if found is not None:
            return found
        raise KeyError(f"no valid {alias} item with id {item_id!r} in {self.root}")

    def audio_formats(self) -> Counter:
        """(sample_rate_hz, channels) -> number of files."""
        return Counter((i.sample_rate_hz, i.channels) for i in self.audio_info.values())

    def counts(self) -> dict[str, dict[str, Counter]]:
        """alias -> {"category": Counter, "sub-category": Counter} over valid items."""
        out: dict[str, dict[str, Counter]] = {}
        for alias, items in self.items.items():
            out[alias] = {
                "category": Counter(i.category for i in items),
                "sub-category": Counter(i.sub_category for i in items if i.sub_category),
            }
        return out


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


MAX_META_BYTES = 1 << 30  # a meta file larger than this is refused before it is read


def _read_json(path: Path, rel: str, problems: list[Problem]) -> list | None:
    try:
        raw = read_regular_file(path, MAX_META_BYTES)
        text = raw.decode("utf-8")
    except NotRegularFileError as exc:
        problems.append(Problem(rel, exc.reason))
        return None
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return None
    except OSError as exc:
        problems.append(Problem(rel, f"cannot be read: {exc.strerror or exc}"))
        return None
    except MemoryError:
        problems.append(Problem(rel, "too large to read into memory"))
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(Problem(rel, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"))
        return None
    except RecursionError:
        problems.append(Problem(rel, "JSON nested too deeply to read (arrays or objects inside each other "
                                     "hundreds of levels deep)"))
        return None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        problems.append(Problem(rel, f"JSON value cannot be read: {exc}"))
        return None
    if not isinstance(data, list):
        problems.append(Problem(rel, f"must hold a JSON array of items, found {type(data).__name__}"))
        return None
    return data


def _validate_entry(alias: str, rel: str, index: int, raw: Any, root: Path) -> tuple[Item | None, list[Problem]]:
    """One array entry -> (Item or None, problems). Pure: no file system access."""
    if not isinstance(raw, dict):
        return None, [Problem(rel, f"must be a JSON object, found {type(raw).__name__}", index=index)]
    family = family_of(alias)
    raw_id = raw.get("id")
    item_id = str(raw_id) if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) else None
    problems: list[Problem] = []

    def bad(fld: str, msg: str) -> None:
        problems.append(Problem(rel, msg, item_id=item_id, index=index, field=fld))

    if "id" not in raw:
        bad("id", "missing")
    elif item_id is None or item_id == "":
        bad("id", f"must be a non-empty string, found {type(raw_id).__name__}")
    elif printable(item_id) != item_id:
        bad("id", "contains control or format characters or a lone surrogate; ids must be plain text")
        item_id = None
    surrogate_in = surrogate_field(raw)
    if surrogate_in is not None and surrogate_in != "id":
        bad(printable(surrogate_in), "contains a lone surrogate (e.g. \\ud800): not valid Unicode text")

    def text_field(name: str, required: bool) -> str | None:
        if name not in raw or raw[name] is None:
            if required:
                bad(name, "missing")
            return None
        if not isinstance(raw[name], str):
            bad(name, f"must be a string, found {type(raw[name]).__name__}")
            return None
        return raw[name]

    task = text_field("task", True)
    category = text_field("category", True)
    sub_category = text_field("sub-category", family == "pc")
    question = text_field("question", True)
    source = text_field("source", False)
    answer = text_field("answer", family != "tr")
    caption = text_field("global_caption", family == "tr")
    uncut = text_field("uncut_audio_path", family == "tr")

    options = raw.get("options")
    if "options" not in raw:
        bad("options", "missing")
        options = None
    elif not _is_str_list(options):
        bad("options", "must be a list of strings")
        options = None
    elif len(options) < 2:
        bad("options", f"needs at least 2 options, found {len(options)}")
        options = None
    elif len(options) > MAX_OPTIONS:
        bad("options", f"has {len(options)} options; at most {MAX_OPTIONS} can be lettered A-Z")
        options = None
    elif len(set(options)) != len(options):
        dupes = sorted({o for o in options if options.count(o) > 1})
        bad("options", f"duplicate options: {', '.join(repr(d) for d in dupes)}")
        options = None

    audio_paths = raw.get("audio_paths")
    if "audio_paths" not in raw:
        bad("audio_paths", "missing")
        audio_paths = None
    elif not _is_str_list(audio_paths) or not audio_paths:
        bad("audio_paths", "must be a non-empty list of strings")
        audio_paths = None
    else:
        for p in audio_paths:
            msg = relative_form_problem(p)
            if msg:
                bad("audio_paths", msg)
                audio_paths = None
                break
    if uncut is not None and relative_form_problem(uncut):
        bad("uncut_audio_path", relative_form_problem(uncut))
        uncut = None

    if family != "tr" and answer is not None and options is not None and answer not in options:
        bad("answer", f"answer {answer!r} is not among the options")

    if family == "tr" and item_id:
        try:
            parse_temporal_id(item_id)
        except ValueError as exc:
            bad("id", str(exc))
        if audio_paths is not None and len(audio_paths) != 3:
            bad("audio_paths", f"a temporal item needs exactly 3 clips, found {len(audio_paths)}")

    for fld, msg in (("category", family_problem(family, raw)), ("params", reference_problem(raw))):
        if msg:
            bad(fld, msg)
    if problems:
        return None, problems
    extra = {k: v for k, v in raw.items() if k not in _KNOWN_FIELDS}
    item = Item(
        alias=alias, id=item_id, task=task, category=category, sub_category=sub_category,
        question=question, options=tuple(options), answer=answer, audio_paths=tuple(audio_paths),
        root=root, index=index, source=source, global_caption=caption, uncut_audio_path=uncut,
        extra=extra,
    )
    if family == "tr":
        for r in range(REASONING_RUNS):
            try:
                make_run(item, alias, r)
            except RunError as exc:
                return None, [Problem(rel, str(exc), item_id=item_id, index=index, field="options")]
    return item, []


_KNOWN_FIELDS = {
    "id", "task", "category", "sub-category", "question", "options", "answer", "audio_paths",
    "source", "global_caption", "uncut_audio_path",
}


def find_meta_file(root: Path, alias: str) -> Path | None:
    meta = root / META_DIR
    primary = meta / ALIAS_FILES[alias]
    if primary.is_file():
        return primary
    fallback = ALIAS_FALLBACK_FILES.get(alias)
    if fallback and (meta / fallback).is_file():
        return meta / fallback
    return None


def load_dataset(
    root: Path | str,
    aliases: list[str] | None = None,
    check_audio: bool | str = True,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
    max_clip_duration_s: float = DEFAULT_MAX_CLIP_DURATION_S,
) -> Dataset:
    """Read and validate the meta files and, by default, every audio file they name.

    ``check_audio``: False (JSON only); True or "header" (each file's header: readable, not
    empty, not truncated, not longer than ``max_clip_duration_s``; no sample is read); "full"
    (the header checks, then every sample, block by block: also NaN/inf samples and files that
    decode short - what `validate` does)."""
    if check_audio not in (False, True, AUDIO_HEADER, AUDIO_FULL):
        raise ValueError(f"check_audio must be False, True, {AUDIO_HEADER!r} or {AUDIO_FULL!r}")
    root = Path(root).expanduser()
    if not root.is_dir():
        raise NotADatasetError(f"{root} is not a folder")
    found = {a: find_meta_file(root, a) for a in ALIAS_FILES}
    if not any(found.values()):
        expected = ", ".join(f"{META_DIR}/{ALIAS_FILES[a]}" for a in STANDARD_ALIASES)
        raise NotADatasetError(f"{root} is not a STAR-Bench folder: none of {expected} exists")
    ds = Dataset(root=root, audio_checked=bool(check_audio))
    audio_mode = AUDIO_HEADER if check_audio is True else check_audio
    guard = PathGuard(root)
    wanted = aliases or list(ALIAS_FILES)
    for alias in STANDARD_ALIASES:
        if alias in wanted and not found[alias]:
            ds.problems.append(Problem(f"{META_DIR}/{ALIAS_FILES[alias]}", "missing (a standard file of the dataset)"))

    entries: list[tuple[str, str, list]] = []
    for alias in wanted:
        path = found.get(alias)
        if path is None:
            continue
        rel = path.relative_to(root).as_posix()
        if path.name != ALIAS_FILES[alias]:
            ds.notes.append(f"{alias}: read {rel} (the evaluation kit's name) because {ALIAS_FILES[alias]} is absent")
        try:
            guard.inside(rel)
        except UnsafePathError as exc:
            ds.problems.append(Problem(rel, f"meta file not read: {exc}"))
            continue
        ds.meta_files[alias] = path
        data = _read_json(path, rel, ds.problems)
        if data is not None:
            entries.append((alias, rel, data))

    total_steps = sum(len(d) for _, _, d in entries)
    step = 0
    for alias, rel, data in entries:
        valid: list[Item] = []
        first_index: dict[str, int] = {}
        for index, raw in enumerate(data):
            item, item_problems = _validate_entry(alias, rel, index, raw, root)
            if item is not None and item.id in first_index:
                item_problems = [Problem(rel, f"duplicate id (first at index {first_index[item.id]})",
                                         item_id=item.id, index=index, field="id")]
                item = None
            if item is not None:
                item_problems = _check_item_paths(guard, rel, item)
                if item_problems:
                    item = None
            if item is not None and check_audio:
                item_problems = _check_item_audio(ds, rel, item, audio_mode, max_clip_duration_s)
                if item_problems:
                    item = None
            if item is None:
                ds.problems.extend(item_problems)
                raw_id = raw.get("id") if isinstance(raw, dict) else None
                ok_id = isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool)
                ds.set_aside.append(SetAside(alias, index, str(raw_id) if ok_id else None, item_problems))
            else:
                first_index[item.id] = index
                valid.append(item)
            step += 1
            if progress and (step % 25 == 0 or step == total_steps):
                progress(step, total_steps, f"{alias}: {index + 1}/{len(data)} items")
            if should_cancel and should_cancel():
                raise Cancelled(f"validation of {root} cancelled")
        ds.items[alias] = valid
    return ds


def _check_item_paths(guard: PathGuard, rel: str, item: Item) -> list[Problem]:
    """Every path of the item, symbolic links followed, must lie inside the dataset root."""
    problems = []
    fields = [("audio_paths", p) for p in item.audio_paths]
    if item.uncut_audio_path:
        fields.append(("uncut_audio_path", item.uncut_audio_path))
    for fld, audio_rel in fields:
        try:
            guard.inside(audio_rel)
        except UnsafePathError as exc:
            problems.append(Problem(rel, str(exc), item_id=item.id, index=item.index, field=fld))
    return problems


def _check_item_audio(ds: Dataset, rel: str, item: Item, mode: str, max_clip_duration_s: float) -> list[Problem]:
    problems = []
    fields = [("audio_paths", p) for p in item.audio_paths]
    if item.uncut_audio_path:
        fields.append(("uncut_audio_path", item.uncut_audio_path))
    for fld, audio_rel in fields:
        if audio_rel not in ds.audio_info and audio_rel not in ds.audio_errors:  # a shared file is checked once
            path = ds.root / audio_rel
            try:
                if mode == AUDIO_FULL:
                    ds.audio_info[audio_rel] = verify(path, max_clip_duration_s)
                else:
                    info = probe(path)
                    check_header(path, info, max_clip_duration_s)
                    ds.audio_info[audio_rel] = info
            except AudioFileError as exc:
                ds.audio_errors[audio_rel] = str(exc).replace(str(path), audio_rel)
        if audio_rel in ds.audio_info:  # the file is fine; is it what this item's family plays?
            wrong = channel_problem(item.family, ds.audio_info[audio_rel].channels)
            if wrong:
                problems.append(Problem(rel, f"{audio_rel}: {wrong}", item_id=item.id, index=item.index, field=fld))
            continue
        problems.append(Problem(rel, ds.audio_errors[audio_rel], item_id=item.id, index=item.index, field=fld))
    return problems


def format_report(ds: Dataset) -> str:
    """Human-readable validation report: counts, audio formats, notes and every problem. Text
    from the dataset is printed with control characters escaped (see tasks.dataset.items.printable)."""
    lines = [f"Dataset: {ds.root}"]
    for alias in ds.aliases:
        items = ds.items[alias]
        aside = sum(1 for s in ds.set_aside if s.alias == alias)
        lines.append(f"\n[{alias}] {ds.meta_files[alias].relative_to(ds.root).as_posix()}: "
                     f"{len(items)} valid items, {aside} set aside")
        by_cat: dict[str, Counter] = defaultdict(Counter)
        for it in items:
            by_cat[it.category][it.sub_category or "-"] += 1
        for cat in sorted(by_cat):
            lines.append(f"  {cat}: {sum(by_cat[cat].values())}")
            for sub in sorted(by_cat[cat]):
                if sub != "-":
                    lines.append(f"    {sub}: {by_cat[cat][sub]}")
    lines.append("\nAudio formats:" if ds.audio_checked else "\nAudio files not checked.")
    for (rate, channels), count in sorted(ds.audio_formats().items()):
        lines.append(f"  {rate} Hz, {channels} channel{'s' if channels != 1 else ''}: {count} files")
    for note in ds.notes:
        lines.append(f"Note: {note}")
    if ds.problems:
        lines.append(f"\n{len(ds.problems)} problem{'s' if len(ds.problems) != 1 else ''}:")
        lines.extend(f"  {p}" for p in ds.problems)
    else:
        lines.append("\nNo problems.")
    return "\n".join(printable(line) if line[:1] != "\n" else "\n" + printable(line[1:]) for line in lines)


def dataset_fingerprint(root: Path | str) -> str:
    """SHA-256 over the meta files that exist (name and bytes), in a fixed order. A study
    records it; a different value later means the dataset changed under the study."""
    import hashlib

    root = Path(root)
    guard = PathGuard(root)
    digest = hashlib.sha256()
    for alias in ALIAS_FILES:
        path = find_meta_file(root, alias)
        if path is not None:
            try:
                guard.inside(path.relative_to(root).as_posix())
            except UnsafePathError:
                continue  # a meta file outside the dataset is never read
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
