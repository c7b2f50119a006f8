"""What a station's journal entry must be before it is delivered, and how a journal file that
cannot be used as it is gets opened anyway (docs/lab-server.md, "A damaged journal").

An entry is checked on this computer first (its ids whole numbers in the server's range, its
answer a JSON object of known response columns (or, for a trial withheld over the safety ceiling,
its reason and time only), each of its column's type, finite, of a sane
size, a known state) and then against the server, in the delivery's transaction (the planned
trial exists, belongs to the entry's session, that session is this station's, the trial is not
withheld). An adaptive entry (db.adaptive_journal) is checked the same way: its keys, its trial's
columns and letters, the block's estimate after it (``adaptive_entry_problem``; on the server in
db.adaptive_delivery). An entry failing either is quarantined with the reason: moved into the journal's
``quarantine`` table, never deleted, listed by ``lab-journal`` and counted on the console.

A journal file that is not a SQLite database, is damaged, or whose ``journal`` table is not
the one this version writes is renamed aside (``<name>.damaged-<time>``, kept), a new journal is
made in its place, and every row that can still be read from the old file is carried over:
into the journal when it can be delivered, into quarantine with its reason otherwise.
"""
from __future__ import annotations

import json
import math
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy import Boolean, DateTime, Float, Integer

from db.models import AdaptiveBlock, AdaptiveTrial, Response, utc_now

STATES = ("pending", "delivered", "conflict")
JOURNAL_COLUMNS = ("planned_trial_id", "session_id", "values_json", "queued_at", "state", "note")
JOURNAL_DDL = ("CREATE TABLE IF NOT EXISTS journal (planned_trial_id INTEGER PRIMARY KEY, "
               "session_id INTEGER NOT NULL, values_json TEXT NOT NULL, queued_at TEXT NOT NULL, "
               "state TEXT NOT NULL DEFAULT 'pending', note TEXT NOT NULL DEFAULT '')")
QUARANTINE_DDL = ("CREATE TABLE IF NOT EXISTS quarantine (id INTEGER PRIMARY KEY, quarantined_at TEXT NOT NULL, "
                  "reason TEXT NOT NULL, planned_trial_id, session_id, values_json, queued_at, state, note)")
MAX_ID = 2**31 - 1  # the server's INTEGER
MAX_VALUES_CHARS = 65_536
MAX_TEXT_CHARS = 10_000
MAX_NUMBER = 1e12
_COLUMNS = {c.name: c for c in Response.__table__.columns if c.name not in ("id", "session_id")}
# a journalled withheld trial (over the safety ceiling while the server was away): these keys
# only, instead of an answer's columns (none of them is a response column)
WITHHELD_KEYS = ("withheld_reason", "withheld_at")


def is_withheld(values: dict) -> bool:
    """True when a journal entry's decoded values record a withheld trial, not an answer."""
    return "withheld_reason" in values


def _withheld_problem(values: dict) -> str | None:
    unknown = sorted(k for k in values if k not in WITHHELD_KEYS)
    if unknown:
        return f"unknown key {_shown(unknown[0])} in a withheld trial"
    reason = values["withheld_reason"]
    if not isinstance(reason, str) or not reason or len(reason) > MAX_TEXT_CHARS or "\x00" in reason:
        return f"withheld_reason = {_shown(reason)} is not text of 1 to {MAX_TEXT_CHARS} characters"
    try:
        datetime.fromisoformat(values.get("withheld_at"))
    except (TypeError, ValueError):
        return f"withheld_at = {_shown(values.get('withheld_at'))} is not a date and time"
    return None


def _shown(value, n: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= n else text[:n] + "..."


def id_problem(what: str, value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{what} {_shown(value)} is not a whole number"
    if not 1 <= value <= MAX_ID:
        return f"{what} {_shown(value)} is out of range"
    return None


def _value_problem(name: str, value, columns=None):
    column = (columns or _COLUMNS)[name]
    if value is None:
        return None if column.nullable else f"column {name} is NULL"
    kind = getattr(column.type, "impl", column.type)  # a TypeDecorator (UTCDateTime) by what it stores
    if isinstance(kind, Boolean):
        return None if isinstance(value, bool) else f"column {name} = {_shown(value)} is not true/false"
    if isinstance(kind, Integer):
        if isinstance(value, bool) or not isinstance(value, int) or not -MAX_ID <= value <= MAX_ID:
            return f"column {name} = {_shown(value)} is not a whole number in range"
        return None
    if isinstance(kind, Float):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or abs(value) > MAX_NUMBER:
            return f"column {name} = {_shown(value)} is not a finite number in range"
        return None
    if isinstance(kind, DateTime):
        try:
            datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return f"column {name} = {_shown(value)} is not a date and time"
        return None
    # String (and any other type): text
    if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS or "\x00" in value:
        return f"column {name} = {_shown(value)} is not text of at most {MAX_TEXT_CHARS} characters"
    return None


def _json_object(what: str, text, max_chars: int) -> tuple[dict | None, str | None]:
    """(the JSON object a journal row's text holds, None), or (None, why it holds none)."""
    if not isinstance(text, str):
        return None, f"{what} is {type(text).__name__}, not JSON text"
    if len(text) > max_chars:
        return None, f"{what} is {len(text)} characters long (at most {max_chars})"
    try:
        values = json.loads(text)
    except ValueError as exc:
        return None, f"{what} is not valid JSON ({exc})"
    if not isinstance(values, dict):
        return None, f"{what} is a JSON {type(values).__name__}, not an object"
    return values, None


def entry_problem(planned_trial_id, session_id, values_json, state="pending") -> str | None:
    """Why this journal row cannot be delivered as it stands (checked here, before the server), or None."""
    if state not in STATES:
        return f"unknown state {_shown(state)}"
    problem = id_problem("planned trial id", planned_trial_id) or id_problem("session id", session_id)
    if problem:
        return problem
    values, problem = _json_object("the answer", values_json, MAX_VALUES_CHARS)
    if problem:
        return problem
    if is_withheld(values):
        return _withheld_problem(values)
    unknown = sorted(k for k in values if k not in _COLUMNS)
    if unknown:
        return f"unknown column {_shown(unknown[0])}" + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
    if values.get("planned_trial_id", planned_trial_id) != planned_trial_id:
        return (f"the answer names planned trial {_shown(values['planned_trial_id'])}, the entry "
                f"{planned_trial_id}")
    for name, column in _COLUMNS.items():
        if name not in values:
            if not column.nullable and column.default is None and column.server_default is None \
                    and name not in ("planned_trial_id", "answered_at"):
                return f"column {name} is missing"
            continue
        problem = _value_problem(name, values[name])
        if problem:
            return problem
    return None


def server_problem(entry_session_id: int, found, station: str | None, withheld_entry: bool = False) -> str | None:
    """Why the server's facts about the entry's planned trial (``found``: (session_id, station,
    withheld_reason) or None) forbid delivering it, or None. A withheld entry
    (``withheld_entry``) may find its trial withheld already (then it is delivered as it was)."""
    if found is None:
        return "its planned trial does not exist on the server"
    session_id, owner, withheld = found
    if session_id != entry_session_id:
        return f"its planned trial belongs to session {session_id}, not to the entry's session {entry_session_id}"
    if station is not None and owner != station:
        return f"session {session_id} is station {owner!r}'s, not this station's ({station!r})"
    if withheld is not None and not withheld_entry:
        return f"its planned trial was withheld ({withheld}); no answer is stored for it"
    return None


def _columns(con: sqlite3.Connection, table: str) -> list[tuple]:
    return con.execute(f"PRAGMA table_info({table})").fetchall()


def layout_problem(con: sqlite3.Connection) -> str | None:
    """Why the file open on ``con`` is not a journal this version can use as it is (None: it is,
    or it is new and empty)."""
    check = con.execute("PRAGMA quick_check").fetchall()
    if check != [("ok",)]:
        return f"damaged ({'; '.join(str(r[0]) for r in check[:3])})"
    journal = _columns(con, "journal")
    if not journal:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return None if set(tables) <= {"quarantine", "adaptive_journal"} else f"not a journal (tables {', '.join(tables)})"
    names = tuple(c[1] for c in journal)
    pk = [c[1] for c in journal if c[5]]
    if names != JOURNAL_COLUMNS or pk != ["planned_trial_id"]:
        return f"a journal table of another layout (columns {', '.join(names)})"
    adaptive = _columns(con, "adaptive_journal")
    if adaptive and tuple(c[1] for c in adaptive) != ADAPTIVE_COLUMNS:
        return "an adaptive journal table of another layout"
    quarantine = _columns(con, "quarantine")
    if quarantine and [c[1] for c in quarantine][:3] != ["id", "quarantined_at", "reason"]:
        return "a quarantine table of another layout"
    return None


def salvage_rows(path: Path) -> tuple[list[dict], str]:
    """The rows that can still be read from the journal (and quarantine) of a file put aside,
    as dicts of whatever columns they have; and a note on what could not be read."""
    rows: list[dict] = []
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error as exc:
        return rows, f"nothing could be read ({exc})"
    note = ""
    try:
        for table in ("journal", "adaptive_journal", "quarantine"):
            try:
                cursor = con.execute(f"SELECT * FROM {table}")
                names = [d[0] for d in cursor.description]
                for row in cursor:
                    rows.append({"_table": table, **dict(zip(names, row))})
            except sqlite3.Error as exc:
                if table == "journal" or (table == "adaptive_journal" and "no such table" not in str(exc)):
                    note = f"its {table.replace('_', ' ')} could not be read ({exc})"
    finally:
        con.close()
    return rows, note


def storable(value):
    """A value read from a damaged file as SQLite can store it again (blobs and the like as text)."""
    return value if value is None or isinstance(value, (int, float, str)) else repr(value)


def put_aside(path: Path) -> Path:
    """Rename the journal file (and its -wal and -shm) aside; returns the new name of the file."""
    stamp = utc_now().strftime("%Y%m%dT%H%M%S%f")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("-wal", "-shm", ""):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.rename(aside.with_name(aside.name + suffix))
    return aside


# The adaptive blocks' entries (db/adaptive_journal.py), keyed by (session, dimension, trial
# index): a trial's answer with the block's estimate after it, or (trial index -1) what the
# station knew of the block when its first entry was journalled.
ADAPTIVE_COLUMNS = ("id", "session_id", "dimension", "trial_index", "values_json", "queued_at", "state", "note")
ADAPTIVE_DDL = ("CREATE TABLE IF NOT EXISTS adaptive_journal (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL, "
                "dimension TEXT NOT NULL, trial_index INTEGER NOT NULL, values_json TEXT NOT NULL, "
                "queued_at TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', note TEXT NOT NULL DEFAULT '', "
                "UNIQUE (session_id, dimension, trial_index))")
MAX_ADAPTIVE_TRIALS = 10_000
MAX_BLOCKS = 64
LETTERS = ("<A>", "<B>")
BLOCK_STATUSES = ("running", "completed")
TRIAL_COLUMNS = {c.name: c for c in AdaptiveTrial.__table__.columns if c.name not in ("id", "block_id", "trial_index")}
_TRIAL_REQUIRED = ("level_asked", "level_played", "stimulus_json", "options_json", "answer_letter", "is_correct",
                   "state_json", "answered_at")
BLOCK_UPDATE = {c.name: c for c in AdaptiveBlock.__table__.columns
                if c.name in ("n_trials", "threshold", "ci_low", "ci_high", "target_p_correct", "status", "updated_at")}
BLOCK_KEYS = ("block_index", "unit", "procedure", "settings_json", "study_seed", "before")


def _json_text_problem(name: str, value, kind=None) -> str | None:
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return f"{name} = {_shown(value)} is not JSON text"
    if kind is not None and not isinstance(parsed, kind):
        return f"{name} = {_shown(value)} is not a JSON {kind.__name__}"
    return None


def _word_problem(name: str, value, n: int = 32) -> str | None:
    if not isinstance(value, str) or not 1 <= len(value) <= n or not all(c.isalnum() or c in "_+-" for c in value):
        return f"{name} {_shown(value)} is not a name of 1 to {n} letters"
    return None


def _block_problem(values: dict) -> str | None:
    unknown = sorted(set(values) - set(BLOCK_KEYS))
    missing = [k for k in BLOCK_KEYS if k not in values]
    if unknown or missing:
        return f"unknown key {_shown(unknown[0])} in a block entry" if unknown else f"the block entry lacks {missing[0]}"
    index, seed, before = values["block_index"], values["study_seed"], values["before"]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < MAX_BLOCKS:
        return f"block_index = {_shown(index)} is not a whole number from 0 to {MAX_BLOCKS - 1}"
    if isinstance(seed, bool) or not isinstance(seed, int) or abs(seed) >= 2**63:
        return f"study_seed = {_shown(seed)} is not a whole number in range"
    problem = (_word_problem("unit", values["unit"]) or _word_problem("procedure", values["procedure"])
               or _json_text_problem("settings_json", values["settings_json"], dict))
    if problem:
        return problem
    if not isinstance(before, list) or len(before) > MAX_ADAPTIVE_TRIALS:
        return f"before = {_shown(before)} is not a list of at most {MAX_ADAPTIVE_TRIALS} trials"
    for pair in before:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], bool)
                and not isinstance(pair[0], bool) and isinstance(pair[0], (int, float))
                and math.isfinite(pair[0]) and abs(pair[0]) <= MAX_NUMBER):
            return f"before holds {_shown(pair)}, not [level, true/false]"
    return None


def _trial_problem(values: dict, trial_index: int) -> str | None:
    unknown = sorted(k for k in values if k not in TRIAL_COLUMNS and k != "block")
    if unknown:
        return f"unknown column {_shown(unknown[0])} in an adaptive trial"
    for name in (*_TRIAL_REQUIRED, "block"):
        if values.get(name) is None:
            return f"column {name} is missing"
    for name in values:
        problem = None if name == "block" else _value_problem(name, values[name], TRIAL_COLUMNS)
        if problem:
            return problem
    if values["answer_letter"] not in LETTERS or values.get("chosen_letter") not in (None, *LETTERS):
        return f"the letters {_shown(values['answer_letter'])}/{_shown(values.get('chosen_letter'))} are not <A>/<B>"
    if values["is_correct"] != (values.get("chosen_letter") == values["answer_letter"]):
        return "is_correct does not follow from the letters"
    problem = (_json_text_problem("stimulus_json", values["stimulus_json"], dict)
               or _json_text_problem("options_json", values["options_json"], list)
               or _json_text_problem("state_json", values["state_json"], dict))
    if problem:
        return problem
    block = values["block"]
    if not isinstance(block, dict) or sorted(block) != sorted(BLOCK_UPDATE):
        return f"block = {_shown(block)} is not the block's {', '.join(sorted(BLOCK_UPDATE))}"
    for name, value in block.items():
        problem = _value_problem(name, value, BLOCK_UPDATE)
        if problem:
            return "block's " + problem
    if block["n_trials"] != trial_index + 1 or block["status"] not in BLOCK_STATUSES:
        return f"block's n_trials {_shown(block['n_trials'])} / status {_shown(block['status'])} do not fit trial " \
               f"{trial_index}"
    return None


def adaptive_entry_problem(session_id, dimension, trial_index, values_json, state="pending") -> str | None:
    """Why this adaptive journal row cannot be delivered as it stands (checked here), or None."""
    if state not in STATES:
        return f"unknown state {_shown(state)}"
    problem = id_problem("session id", session_id) or _word_problem("dimension", dimension)
    if problem:
        return problem
    if isinstance(trial_index, bool) or not isinstance(trial_index, int) \
            or not -1 <= trial_index < MAX_ADAPTIVE_TRIALS:
        return f"trial index {_shown(trial_index)} is not a whole number from -1 to {MAX_ADAPTIVE_TRIALS - 1}"
    values, problem = _json_object("the entry", values_json, 8 * MAX_VALUES_CHARS)
    if problem:
        return problem
    return _block_problem(values) if trial_index == -1 else _trial_problem(values, trial_index)
