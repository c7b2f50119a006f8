"""The shape of package.json and results.json, checked before anything is used or stored.

A package or a bundle passed its SHA-256 and HMAC checks can still be wrong in shape (an older
or newer app, or a participant who rewrote and re-sealed it: the key travels with the package).
Every field that reaches the database is checked here against the table it goes into, so bad
content is a named problem ("results.json: trials[3].response.rt_ms: must be a number") and
never a TypeError halfway through an import.
"""
from __future__ import annotations

import json
import math
import re
import types
import typing
from datetime import datetime, timezone

from sqlmodel import SQLModel

from db.models import AdaptiveBlock, AdaptiveTrial, AuditLog, ExposureRecord, PlannedTrial, Response
from tasks.study.codes import PARTICIPANT_CODE
from tasks.dataset.items import VARIANT_SOURCE

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_INT = 2 ** 63 - 1
# times a bundle may carry, in UTC: a computer whose clock was reset (1970) still counts; the
# bounds keep every later step (durations, the plausibility report, pandas in the report) in range
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)
# package.json "texts": what the lab wrote for the participant, shown as written
PACKAGE_TEXTS = ("information", "consent", "return_instructions")
PACKAGE_TEXT_FORMATS = ("markdown", "plain")
PACKAGE_TEXT_MAX_CHARS = 100_000


class ShapeError(ValueError):
    """Content of the wrong shape; the message names the field."""


def parse_json(data: bytes, name: str):
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ShapeError(f"{name} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except RecursionError:
        raise ShapeError(f"{name} is nested too deeply to read") from None
    except ValueError as exc:
        raise ShapeError(f"{name} is not readable JSON ({exc})") from None


def _base_types(annotation) -> tuple[tuple[type, ...], bool]:
    """(accepted Python types, None allowed) for a model field annotation."""
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        optional = type(None) in args
        annotation = next(a for a in args if a is not type(None))
    return (annotation,), optional


def _check_value(where: str, value, accepted: tuple[type, ...], optional: bool):
    if value is None:
        if optional:
            return None
        raise ShapeError(f"{where}: must not be null")
    kind = accepted[0]
    if kind is bool:
        if not isinstance(value, bool):
            raise ShapeError(f"{where}: must be true or false")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INT:
            raise ShapeError(f"{where}: must be a whole number")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ShapeError(f"{where}: must be a finite number")
        return float(value)
    if kind is str:
        if not isinstance(value, str) or _SURROGATE.search(value):
            raise ShapeError(f"{where}: must be text")
        return value
    if kind is datetime:
        if not isinstance(value, str):
            raise ShapeError(f"{where}: must be an ISO date and time")
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ShapeError(f"{where}: {value[:40]!r} is not an ISO date and time") from None
        if parsed.utcoffset() is None:
            # the app writes UTC times with their offset; a time without one is not ours
            raise ShapeError(f"{where}: {value[:40]!r} has no UTC offset")
        try:
            utc = parsed.astimezone(timezone.utc)
        except OverflowError:  # 0001-01-01T00:00:00+14:00 is in year 0 in UTC
            utc = None
        if utc is None or not EARLIEST <= utc < LATEST:
            raise ShapeError(f"{where}: {value[:40]!r} is outside {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d} (UTC)")
        return parsed
    raise ShapeError(f"{where}: unsupported field type")  # pragma: no cover - our models only


def check_row(model: type[SQLModel], data, where: str, exclude: set[str]) -> dict:
    """``data`` as keyword arguments for ``model``: known fields only, each of the right type,
    required ones present. Dates become datetime objects."""
    if not isinstance(data, dict):
        raise ShapeError(f"{where}: must be an object")
    fields = {n: f for n, f in model.model_fields.items() if n not in exclude}
    out = {}
    for key, value in data.items():
        if key not in fields:
            raise ShapeError(f"{where}: unknown field {str(key)[:40]!r}")
        accepted, optional = _base_types(fields[key].annotation)
        out[key] = _check_value(f"{where}.{key}", value, accepted, optional)
    for name, f in fields.items():
        if name not in out and f.is_required():
            raise ShapeError(f"{where}: {name} is missing")
    return out


# What happened to a planned trial is not part of the plan: a package's plan and a bundle's
# "planned" entries leave these out (a bundle carries withheld_reason beside them).
PLAN_OUTCOME_FIELDS = {"withheld_reason"}


def check_planned(data, where: str) -> dict:
    row = check_row(PlannedTrial, data, where, {"id", "session_id"} | PLAN_OUTCOME_FIELDS)
    if row["variant"] not in VARIANT_SOURCE:
        raise ShapeError(f"{where}.variant: {row['variant'][:40]!r} is not a variant of this app")
    return row


def _obj(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise ShapeError(f"{where}: must be an object")
    return value


def _text(parent: dict, key: str, where: str, optional: bool = False) -> str | None:
    return _check_value(f"{where}.{key}", parent.get(key), (str,), optional)


def check_package_info(info) -> dict:
    """package.json: identity, key, study and plan, all of the expected types."""
    info = _obj(info, "package.json")
    package_id = _text(info, "package_id", "package.json")
    if not UUID4.match(package_id):
        raise ShapeError(f"package.json.package_id: {package_id[:60]!r} is not a package id (a UUID)")
    if not HEX64.match(_text(info, "key_hex", "package.json")):
        raise ShapeError("package.json.key_hex: must be 64 hexadecimal digits")
    _check_value("package.json.cohort_index", info.get("cohort_index"), (int,), False)
    code = _text(_obj(info.get("participant"), "package.json.participant"), "code", "package.json.participant")
    if not PARTICIPANT_CODE.match(code):
        raise ShapeError(f"package.json.participant.code: {code[:40]!r} is not a participant code (letters, digits, "
                         "'_', '.', '-')")
    study = _obj(info.get("study"), "package.json.study")
    for key in ("name", "protocol_json", "dataset_fingerprint"):
        _text(study, key, "package.json.study")
    try:
        protocol = json.loads(study["protocol_json"])
    except (ValueError, RecursionError):
        raise ShapeError("package.json.study.protocol_json: not readable JSON") from None
    if not isinstance(protocol, dict):
        raise ShapeError("package.json.study.protocol_json: must be an object")
    check_package_texts(info.get("texts"))
    screening = info.get("screening", {})
    if not isinstance(screening, dict) or not all(isinstance(v, bool) for v in screening.values()):
        raise ShapeError("package.json.screening: must be an object of true/false settings")
    plan = info.get("plan")
    if not isinstance(plan, list):
        raise ShapeError("package.json.plan: must be a list")
    info = dict(info)
    info["plan"] = [check_planned(row, f"package.json.plan[{i}]") for i, row in enumerate(plan)]
    return info


def check_package_texts(texts) -> None:
    """package.json.texts (optional): {name: {"format": "markdown" | "plain", "text": ...}}."""
    if texts is None:
        return
    texts = _obj(texts, "package.json.texts")
    for name, entry in texts.items():
        where = f"package.json.texts.{str(name)[:40]}"
        if name not in PACKAGE_TEXTS:
            raise ShapeError(f"{where}: unknown text (known: {', '.join(PACKAGE_TEXTS)})")
        entry = _obj(entry, where)
        if entry.get("format") not in PACKAGE_TEXT_FORMATS:
            raise ShapeError(f"{where}.format: must be one of {', '.join(PACKAGE_TEXT_FORMATS)}")
        text = _text(entry, "text", where)
        if not text.strip() or len(text) > PACKAGE_TEXT_MAX_CHARS:
            raise ShapeError(f"{where}.text: must be 1 to {PACKAGE_TEXT_MAX_CHARS} characters")


def check_results(results) -> dict:
    """results.json: every part that is stored, checked; returns rows ready for the tables."""
    where = "results.json"
    results = _obj(results, where)
    _text(results, "package_id", where)
    _text(_obj(results.get("study"), f"{where}.study"), "name", f"{where}.study")
    _text(results["study"], "dataset_fingerprint", f"{where}.study")
    _text(_obj(results.get("participant"), f"{where}.participant"), "code", f"{where}.participant")
    sess = _obj(results.get("session"), f"{where}.session")
    session = {
        "status": _text(sess, "status", f"{where}.session"),
        "started_at": _check_value(f"{where}.session.started_at", sess.get("started_at"), (datetime,), True),
        "ended_at": _check_value(f"{where}.session.ended_at", sess.get("ended_at"), (datetime,), True),
        "level_procedure": _text(sess, "level_procedure", f"{where}.session"),
        "uncalibrated": _check_value(f"{where}.session.uncalibrated", sess.get("uncalibrated"), (bool,), False),
        "app_version": _text(sess, "app_version", f"{where}.session"),
    }
    trials = []
    if not isinstance(results.get("trials"), list):
        raise ShapeError(f"{where}.trials: must be a list")
    for i, t in enumerate(results["trials"]):
        t = _obj(t, f"{where}.trials[{i}]")
        planned = check_planned(t.get("planned"), f"{where}.trials[{i}].planned")
        response = t.get("response")
        if response is not None:
            response = check_row(Response, response, f"{where}.trials[{i}].response",
                                 {"id", "planned_trial_id", "session_id"})
        # withheld_reason: absent from bundles of the first format (nothing was withheld then)
        withheld = _check_value(f"{where}.trials[{i}].withheld_reason", t.get("withheld_reason"), (str,), True)
        if withheld is not None and response is not None:
            raise ShapeError(f"{where}.trials[{i}]: a withheld trial cannot have a response")
        trials.append({"planned": planned, "response": response, "raw_planned": t.get("planned"),
                       "withheld_reason": withheld})
    positions = [t["planned"]["position"] for t in trials]
    if len(set(positions)) != len(positions):
        raise ShapeError(f"{where}.trials: a position appears twice")
    out = {"package_id": results["package_id"], "study": results["study"], "participant": results["participant"],
           "session": session, "trials": trials}
    for key, model in (("audit", AuditLog), ("exposure", ExposureRecord)):
        rows = results.get(key, [])
        if not isinstance(rows, list):
            raise ShapeError(f"{where}.{key}: must be a list")
        out[key] = [check_row(model, r, f"{where}.{key}[{i}]", {"id", "session_id"}) for i, r in enumerate(rows)]
    out["adaptive"] = check_adaptive(results.get("adaptive", []), f"{where}.adaptive")
    return out


def check_adaptive(blocks, where: str) -> list[dict]:
    """results.json "adaptive" (absent from older bundles): blocks of distinct dimensions, each
    with its trials numbered 0, 1, 2, ... as the block stores them."""
    if not isinstance(blocks, list):
        raise ShapeError(f"{where}: must be a list")
    out, seen = [], set()
    for i, b in enumerate(blocks):
        b = _obj(b, f"{where}[{i}]")
        trials = b.get("trials", [])
        if not isinstance(trials, list):
            raise ShapeError(f"{where}[{i}].trials: must be a list")
        row = check_row(AdaptiveBlock, {k: v for k, v in b.items() if k != "trials"}, f"{where}[{i}]",
                        {"id", "session_id"})
        if row["dimension"] in seen:
            raise ShapeError(f"{where}[{i}].dimension: {row['dimension'][:40]!r} appears twice")
        seen.add(row["dimension"])
        row["trials"] = [check_row(AdaptiveTrial, t, f"{where}[{i}].trials[{k}]", {"id", "block_id"})
                         for k, t in enumerate(trials)]
        if [t["trial_index"] for t in row["trials"]] != list(range(len(row["trials"]))):
            raise ShapeError(f"{where}[{i}].trials: trial_index must run 0, 1, 2, ... in order")
        out.append(row)
    return out
