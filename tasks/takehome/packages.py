"""Take-home sessions: a study package for one participant, and the results bundle that comes back.

Lab side: ``make_package`` plans the participant's session exactly as in the lab (same protocol,
seed and counterbalancing index) and writes a zip with the plan, the items it needs (in the
STAR-Bench layout) and their audio. ``import_results`` (tasks.takehome.importing) checks a
returned bundle and merges it.

Participant side: ``open_package`` checks and unpacks a package, ``start_session`` stores its
plan in the local database, ``write_results_bundle`` writes one zip to send back.

Integrity, and what it does not cover (docs/takehome-trust.md): every file of a package and of a
bundle is listed in ``manifest.json`` with its SHA-256, and a bundle's manifest carries an
integrity code (HMAC-SHA256) under the package's key, which the lab database keeps. This catches
damaged, truncated and casually edited bundles, and bundles of packages this database never
made. It is not a signature: the key travels inside the package, so a participant who reads
the package can rewrite answers and seal them again. What the lab sees against that is the
plausibility report of each import (tasks.takehome.plausibility), the plan checked against the one the
lab packaged, and every answer re-scored from its chosen letter.

Zips from outside are read with size limits and streamed (tasks.takehome.safezip); every path read from
the dataset is re-checked to lie inside its root when it is copied (tasks.dataset.paths).
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession, select

from db import repo
from db.models import AuditLog, ExposureRecord, Participant, PlannedTrial, Session, Study, TakeHomePackage, utc_now
from tasks.takehome.schema import (
    PACKAGE_TEXT_MAX_CHARS, PARTICIPANT_CODE, PLAN_OUTCOME_FIELDS, ShapeError, check_package_info, parse_json,
)
from tasks.dataset.items import ALIAS_FILES, VARIANT_SOURCE, printable
from tasks.dataset.loader import META_DIR, Dataset, dataset_fingerprint, find_meta_file
from tasks.dataset.paths import UnsafePathError, contained_path, path_component
from tasks.study.plan import make_plan
from tasks.takehome.adaptive_data import SCREENING_KEYS, bundle_adaptive
from tasks.takehome.safezip import PACKAGE_LIMITS, SafeZip, ZipRefused, temp_path_beside, write_then_commit
from tasks.study.studies import StudyError, check_dataset, study_protocol, trial_values
from tasks.takehome.files import (
    BundleError, checked_manifest, integrity_code, open_zip, plan_digest, read_checked, sha256_bytes, write_zip,
)

PACKAGE_FORMAT = 1
# 2: each trial carries withheld_reason and each response paused_ms and rt_interrupted (bundles
# of format 1 lack them and still import: nothing withheld, no pause recorded)
BUNDLE_FORMAT = 2
TAKE_HOME_PROCEDURE = "comfortable level (take-home)"
MAX_TEXT_BYTES = PACKAGE_TEXT_MAX_CHARS  # UTF-8 bytes >= characters, so this also bounds the characters


def read_package_text(path: Path, what: str) -> dict:
    """A text the lab wrote for the participant (study information, consent, how to send the
    results back), as stored in a package: ``{"format": "markdown" | "plain", "text": ...}``.
    Markdown for ``.md`` files, plain text otherwise. StudyError names the file and the problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StudyError(f"{what} file {path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_TEXT_BYTES:
        raise StudyError(f"{what} file {path}: {len(data)} bytes; at most {MAX_TEXT_BYTES} are accepted")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise StudyError(f"{path}:{line}: {what} is not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise StudyError(f"{what} file {path} is empty")
    return {"format": "markdown" if path.suffix.lower() in (".md", ".markdown") else "plain", "text": text}


# ---------------------------------------------------------------- lab: make a package
def _items_of_plan(plan: list[dict]) -> dict[str, set[str]]:
    needed: dict[str, set[str]] = {}
    for t in plan:
        needed.setdefault(VARIANT_SOURCE[t["variant"]], set()).add(t["item_id"])
    return needed


def _plan_fields(values: dict) -> dict:
    """A planned trial as a package carries it (what the home app stores, without outcomes)."""
    return PlannedTrial(**values).model_dump(exclude={"id", "session_id"} | PLAN_OUTCOME_FIELDS)


def _package_contents(dataset: Dataset, needed: dict[str, set[str]]) -> tuple[dict[str, bytes], dict[str, Path]]:
    """The meta entries of the planned items (as the file has them now) and, per member name,
    the real file to copy. Every path is re-checked here, at copy time: the meta file may have
    been edited, or a file swapped for a link, since the dataset was loaded."""
    metas: dict[str, bytes] = {}
    audio: dict[str, Path] = {}
    for alias, ids in sorted(needed.items()):
        meta = find_meta_file(dataset.root, alias)
        rel = f"{META_DIR}/{meta.name}" if meta else f"{META_DIR}/{ALIAS_FILES[alias]}"
        try:
            data = json.loads(meta.read_bytes().decode("utf-8"))
        except (AttributeError, OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise StudyError(f"{rel} can no longer be read ({exc}); nothing was written") from None
        entries = []
        for item_id in sorted(ids):
            item = dataset.item(alias, item_id)
            entry = data[item.index] if isinstance(data, list) and item.index < len(data) else None
            paths = [("audio_paths", p) for p in item.audio_paths]
            if item.uncut_audio_path:
                paths.append(("uncut_audio_path", item.uncut_audio_path))
            if (not isinstance(entry, dict) or str(entry.get("id")) != item.id
                    or entry.get("audio_paths") != list(item.audio_paths)
                    or entry.get("uncut_audio_path") != item.uncut_audio_path):
                raise StudyError(f"{rel}, item {printable(repr(item.id))}: changed since the dataset was loaded; "
                                 "load it again. Nothing was written")
            for fld, path in paths:
                try:
                    real = contained_path(dataset.root, path)
                except UnsafePathError as exc:
                    raise StudyError(printable(f"refused: {rel}, item {item.id!r}, field {fld!r}: {exc}. "
                                               "Nothing was written")) from None
                if not real.is_file():
                    raise StudyError(printable(f"{rel}, item {item.id!r}, field {fld!r}: missing audio file "
                                               f"{path!r}. Nothing was written"))
                audio[f"dataset/{PurePosixPath(path.replace(chr(92), '/'))}"] = real
            entries.append(entry)
        metas[f"dataset/{META_DIR}/{ALIAS_FILES[alias]}"] = json.dumps(entries, indent=1, ensure_ascii=False).encode()
    return metas, audio


def _copy_hashing(z: zipfile.ZipFile, name: str, source: Path) -> str:
    digest = hashlib.sha256()
    size = source.stat().st_size
    with open(source, "rb") as src, z.open(name, "w", force_zip64=size > (1 << 30)) as dst:
        while chunk := src.read(1 << 16):
            digest.update(chunk)
            dst.write(chunk)
    return digest.hexdigest()


def unknown_participants(db: Engine, codes: list[str]) -> list[str]:
    """The codes (in their order) that no participant of the database has yet: make_package adds
    them, and the callers say so."""
    with DbSession(db) as s:
        return [c for c in dict.fromkeys(codes) if repo.get_participant(s, c) is None]


def package_file_name(study_name: str, participant_code: str) -> str:
    """The package's file name; the study name and the code each as one safe file name component."""
    return f"star-lab-package-{path_component(study_name)}-{path_component(participant_code)}.zip"


def make_package(db: Engine, dataset: Dataset, study_name: str, participant_code: str, out_path: Path,
                 app_version: str, texts: dict[str, dict] | None = None, screening: dict | None = None,
                 shares=None) -> Path:
    """Plan the participant's session as the lab would and write it with its items and audio.
    In a cover study the share is assigned as at a lab enrolment and stored at once with the
    package (tasks.takehome.cover_package; ``shares``: a tasks.cover.context.CoverContexts kept
    by the caller), so its claims count while the package is away; a package that cannot be
    written gives it back.
    ``texts``: the lab's own words for the participant, by PACKAGE_TEXTS key (read_package_text).
    ``screening``: the lab's screening settings (tasks.takehome.adaptive_data.screening_of; None:
    the two standard checks). The study's adaptive blocks travel in its protocol.
    The zip is written to a temporary file beside ``out_path``, the package is committed to the
    database, and only then is the file renamed into place: a failure at any step (a full disk,
    a database error) leaves neither a zip nor a row."""
    with DbSession(db) as s:
        study = repo.get_study(s, study_name)
        if study is None:
            raise StudyError(f"no study {study_name!r} in this database")
    check_dataset(study, dataset.root)
    code = participant_code
    if not PARTICIPANT_CODE.match(code):
        raise StudyError(f"participant code {printable(participant_code)!r}: use a pseudonymous code such as P007 "
                         "(letters, digits, '_', '.', '-'; it becomes part of file names)")
    protocol = study_protocol(study)
    package_id = str(uuid.uuid4())
    key_hex = secrets.token_hex(32)

    def describe(plan: list[dict]) -> str:
        return f"take-home package {package_id} for {code} in {study.name}; plan sha256 {plan_digest(plan)}"

    if protocol.design == "cover":
        from tasks.takehome.cover_package import reserve_share, unreserve_share

        plan, index = reserve_share(db, dataset, study, code, package_id, key_hex, app_version, describe,
                                    _plan_fields, shares, take_home=True, uncalibrated=True,
                                    level_procedure=TAKE_HOME_PROCEDURE, import_key=package_id)
        try:
            return _write_package(db, dataset, study, code, out_path, app_version, texts, screening, package_id,
                                  key_hex, plan, index, commit=lambda: None)
        except BaseException:
            unreserve_share(db, package_id)
            raise
    with DbSession(db) as s:
        participant = repo.get_participant(s, code)
        if participant is not None and repo.session_for(s, study.id, participant.id) is not None:
            raise StudyError(f"{code} already has a session in study {study_name!r}")
        used = [p.cohort_index for p in s.exec(select(TakeHomePackage).where(TakeHomePackage.study_id == study.id))]
        index = max([repo.next_cohort_index(s, study.id)] + [i + 1 for i in used])
    plan = [_plan_fields(trial_values(t)) for t in make_plan(dataset, protocol, code, index)]

    def commit() -> None:
        with DbSession(db) as s:
            participant = repo.get_participant(s, code)
            if participant is None:
                participant = Participant(code=code)
                s.add(participant)
                s.flush()
            s.add(TakeHomePackage(package_id=package_id, study_id=study.id, participant_id=participant.id,
                                  cohort_index=index, key_hex=key_hex))
            s.add(AuditLog(event="package", detail=describe(plan)))
            s.commit()

    def undo() -> None:
        with DbSession(db) as s:
            row = s.get(TakeHomePackage, package_id)
            if row is not None:
                s.delete(row)
                s.commit()

    return _write_package(db, dataset, study, code, out_path, app_version, texts, screening, package_id, key_hex,
                          plan, index, commit, undo)


def _write_package(db: Engine, dataset: Dataset, study: Study, code: str, out_path: Path, app_version: str,
                   texts: dict[str, dict] | None, screening: dict | None, package_id: str, key_hex: str,
                   plan: list[dict], index: int, commit, undo=None) -> Path:
    """The package's zip written beside ``out_path``, ``commit`` run, then renamed into place."""
    metas, audio = _package_contents(dataset, _items_of_plan(plan))
    info = {
        "format": PACKAGE_FORMAT, "package_id": package_id, "app_version": app_version,
        "created_at": utc_now().isoformat(), "key_hex": key_hex, "cohort_index": index,
        "participant": {"code": code},
        "study": {"name": study.name, "protocol_json": study.protocol_json,
                  "dataset_fingerprint": study.dataset_fingerprint},
        "plan": plan,
    }
    if screening:
        info["screening"] = {key: bool(screening.get(key, False)) for key in SCREENING_KEYS}
    if texts:
        info["texts"] = dict(texts)
        check_package_info(json.loads(json.dumps(info)))  # the app that opens it checks the same way
    files = dict(metas)
    files["package.json"] = json.dumps(info, indent=1, ensure_ascii=False).encode()

    def write(z: zipfile.ZipFile) -> None:
        digests = {n: sha256_bytes(b) for n, b in files.items()}
        for name in sorted(files):
            z.writestr(name, files[name])
        for name in sorted(audio):
            digests[name] = _copy_hashing(z, name, audio[name])
        manifest = {"kind": "star-lab study package", "files": digests}
        z.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))

    return write_then_commit(out_path, write, commit, undo)


# ---------------------------------------------------------------- home: run a package
@dataclass(frozen=True)
class OpenedPackage:
    info: dict
    dataset_root: Path

    @property
    def package_id(self) -> str:
        return self.info["package_id"]


def _package_info(z: SafeZip, manifest: dict) -> dict:
    """package.json of a package: present, unchanged, of our format and of the expected shape."""
    if "package.json" not in z.members:
        raise BundleError(f"{z.path} is not a STAR Listening Lab study package (no package.json)")
    try:
        raw = parse_json(read_checked(z, manifest, "package.json"), "package.json")
        if not isinstance(raw, dict) or raw.get("format") != PACKAGE_FORMAT:
            found = raw.get("format") if isinstance(raw, dict) else None
            raise BundleError(f"{z.path}: package format {printable(found)[:20]} is not supported by this app")
        return check_package_info(raw)
    except ShapeError as exc:
        raise BundleError(f"{z.path}: {printable(exc)}") from None


def _unpack_member(z: SafeZip, name: str, target: Path, digest: str) -> None:
    """Stream one member to ``target`` through a temporary file, checking its SHA-256 on the way;
    an existing file with the right content is left alone."""
    if target.is_file():
        existing = hashlib.sha256()
        with open(target, "rb") as f:
            while chunk := f.read(1 << 16):
                existing.update(chunk)
        if existing.hexdigest() == digest:
            return
    tmp = temp_path_beside(target)
    try:
        with open(tmp, "xb") as out:
            got = z.sha256(name, sink=out)
        if got != digest:
            raise BundleError(f"{z.path}: {name} was changed after the study package was written (SHA-256 differs)")
        os.replace(tmp, target)
    except ZipRefused as exc:
        raise BundleError(str(exc)) from None
    finally:
        tmp.unlink(missing_ok=True)


def open_package(path: Path, work_dir: Path) -> OpenedPackage:
    """Check a package and unpack its dataset into ``work_dir/package-<id>``. The folder name
    comes from the package id only after it was checked to be a UUID; every member's path is
    checked to stay inside that folder."""
    with open_zip(path, "study package", PACKAGE_LIMITS) as z:
        manifest = checked_manifest(z, "star-lab study package")
        info = _package_info(z, manifest)
        root = Path(work_dir) / f"package-{uuid.UUID(info['package_id']).hex}"
        for name in sorted(z.members):
            if not name.startswith("dataset/"):
                continue
            try:
                root.mkdir(parents=True, exist_ok=True)
                target = contained_path(root, name)
                target.parent.mkdir(parents=True, exist_ok=True)
                _unpack_member(z, name, target, manifest["files"][name])
            except UnsafePathError as exc:
                raise BundleError(f"{path}: unsafe path in the package: {exc}") from None
            except OSError as exc:
                raise BundleError(f"{path}: cannot unpack {name!r} into {root}: {exc.strerror or exc}") from None
    return OpenedPackage(info, root / "dataset")


def package_session(db: Engine, opened: OpenedPackage) -> tuple[Session | None, int]:
    """The package's session in the local database, if it was started here, and its answers."""
    with DbSession(db) as s:
        session = s.exec(select(Session).where(Session.import_key == opened.package_id)).first()
        return session, (repo.count_answered(s, session.id) if session is not None else 0)


def start_session(db: Engine, opened: OpenedPackage, app_version: str) -> Session:
    """The package's session in the local database: created once with the package's own plan."""
    info = opened.info
    with DbSession(db) as s:
        existing = s.exec(select(Session).where(Session.import_key == opened.package_id)).first()
        if existing is not None:
            return existing
        study = repo.get_study(s, info["study"]["name"])
        if study is None:
            study = repo.add_study(s, Study(name=info["study"]["name"], dataset_root=str(opened.dataset_root),
                                            dataset_fingerprint=dataset_fingerprint(opened.dataset_root),
                                            protocol_json=info["study"]["protocol_json"]))
        code = info["participant"]["code"]
        participant = repo.get_participant(s, code) or repo.add_participant(s, Participant(code=code))
        session = Session(study_id=study.id, participant_id=participant.id, cohort_index=info["cohort_index"],
                          plan_seed=json.loads(info["study"]["protocol_json"]).get("seed", 0), uncalibrated=True,
                          take_home=True, level_procedure=TAKE_HOME_PROCEDURE, import_key=opened.package_id,
                          app_version=app_version)
        return repo.add_session(s, session, [PlannedTrial(**row) for row in info["plan"]])


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def write_results_bundle(db: Engine, session_id: int, opened: OpenedPackage, out_dir: Path,
                         app_version: str) -> Path:
    """One zip with the participant's data and a sealed manifest (integrity code under the
    package key); returns its path."""
    info = opened.info
    with DbSession(db) as s:
        session = s.get(Session, session_id)
        trials = repo.planned_trials(s, session_id)
        answers = {r.planned_trial_id: r for r in repo.responses(s, session_id)}
        audit = repo.audit_log(s, session_id)
        exposure = s.exec(select(ExposureRecord).where(ExposureRecord.session_id == session_id)).all()
        results = {
            "format": BUNDLE_FORMAT, "package_id": opened.package_id, "app_version": app_version,
            "study": {"name": info["study"]["name"], "dataset_fingerprint": info["study"]["dataset_fingerprint"]},
            "participant": {"code": info["participant"]["code"]}, "cohort_index": info["cohort_index"],
            "session": {"status": session.status, "started_at": _iso(session.started_at),
                        "ended_at": _iso(session.ended_at), "level_procedure": session.level_procedure,
                        "uncalibrated": session.uncalibrated, "app_version": session.app_version},
            "trials": [{"planned": t.model_dump(mode="json", exclude={"id", "session_id"} | PLAN_OUTCOME_FIELDS),
                        "response": None if t.id not in answers else answers[t.id].model_dump(
                            mode="json", exclude={"id", "planned_trial_id", "session_id"}),
                        "withheld_reason": t.withheld_reason} for t in trials],
            "audit": [a.model_dump(mode="json", exclude={"id", "session_id"}) for a in audit],
            "adaptive": bundle_adaptive(s, session_id),
            "exposure": [e.model_dump(mode="json", exclude={"id", "session_id"}) for e in exposure],
        }
    files = {"results.json": json.dumps(results, indent=1, ensure_ascii=False).encode()}
    digests = {n: sha256_bytes(b) for n, b in files.items()}
    meta = {"package_id": opened.package_id, "app_version": app_version}
    manifest = {"kind": "star-lab results bundle", "files": digests, **meta,
                "hmac_sha256": integrity_code(info["key_hex"], digests, meta)}
    code = info["participant"]["code"] if PARTICIPANT_CODE.match(str(info["participant"]["code"])) else "participant"
    name = f"star-lab-results-{path_component(code)}-{opened.package_id[:8]}.zip"
    return write_zip(Path(out_dir) / name, files, manifest)


def read_package_info(path: Path) -> dict:
    with open_zip(path, "study package", PACKAGE_LIMITS) as z:
        return _package_info(z, checked_manifest(z, "star-lab study package"))
