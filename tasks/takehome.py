"""Take-home sessions: a study package for one participant, and the results bundle that comes back.

Lab side: ``make_package`` plans the participant's session exactly as in the lab (same protocol,
seed and counterbalancing index) and writes a zip with the plan, the items it needs (in the
STAR-Bench layout) and their audio. ``import_results`` checks a returned bundle and merges it.

Participant side: ``open_package`` verifies and unpacks a package, ``start_session`` stores its
plan in the local database, ``write_results_bundle`` writes one zip to send back.

Integrity: every file of a package and of a bundle is listed in ``manifest.json`` with its
SHA-256; a bundle's manifest is also signed with HMAC-SHA256 under the package's key, which the
lab database keeps. A damaged, truncated or edited bundle is refused; a bundle whose package this
database never made (another study, another lab) is refused; importing twice changes nothing.
The key travels inside the package, so this proves integrity and origin against accidents and
casual edits, not against a participant who reverse-engineers the app.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession, select

from db import repo
from db.models import (
    AuditLog, ExposureRecord, Participant, PlannedTrial, Response, Session, Study, TakeHomePackage, utc_now,
)
from tasks.items import ALIAS_FILES, VARIANT_SOURCE
from tasks.loader import META_DIR, Dataset, dataset_fingerprint, find_meta_file
from tasks.plan import make_plan
from tasks.sessions import StudyError, check_dataset, study_protocol, trial_row

PACKAGE_FORMAT = 1
BUNDLE_FORMAT = 1
TAKE_HOME_PROCEDURE = "comfortable level (take-home)"


class BundleError(Exception):
    """A package or results bundle that cannot be used; the message says what and where."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _signature(key_hex: str, files: dict[str, str], meta: dict) -> str:
    canonical = json.dumps({"files": files, "meta": meta}, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(bytes.fromhex(key_hex), canonical, hashlib.sha256).hexdigest()


def _write_zip(path: Path, files: dict[str, bytes], manifest: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files):
            z.writestr(name, files[name])
        z.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
    tmp.replace(path)  # a reader never sees half a file
    return path


def _read_zip(path: Path, what: str) -> tuple[dict[str, bytes], dict]:
    """All members and the checked manifest; BundleError for anything wrong."""
    path = Path(path)
    if not path.is_file():
        raise BundleError(f"{path}: no such {what} file")
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
            if bad is not None:
                raise BundleError(f"{path}: {what} is damaged ({bad} fails its checksum)")
            files = {n: z.read(n) for n in z.namelist() if not n.endswith("/")}
    except (zipfile.BadZipFile, EOFError) as exc:
        raise BundleError(f"{path} is not a complete {what} (truncated or damaged zip: {exc})") from None
    except OSError as exc:
        raise BundleError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    if "manifest.json" not in files:
        raise BundleError(f"{path}: {what} has no manifest.json")
    try:
        manifest = json.loads(files.pop("manifest.json"))
        listed = manifest["files"]
    except (ValueError, KeyError, TypeError):
        raise BundleError(f"{path}: manifest.json of the {what} is unreadable") from None
    missing = sorted(set(listed) - set(files))
    extra = sorted(set(files) - set(listed))
    if missing or extra:
        raise BundleError(f"{path}: {what} does not match its manifest (missing: {missing[:3]}, "
                          f"not listed: {extra[:3]})")
    for name, digest in listed.items():
        if sha256_bytes(files[name]) != digest:
            raise BundleError(f"{path}: {name} was changed after the {what} was written (SHA-256 differs)")
    return files, manifest


# ---------------------------------------------------------------- lab: make a package
def _items_of_plan(trials: list[PlannedTrial]) -> dict[str, set[str]]:
    needed: dict[str, set[str]] = {}
    for t in trials:
        needed.setdefault(VARIANT_SOURCE[t.variant], set()).add(t.item_id)
    return needed


def make_package(db: Engine, dataset: Dataset, study_name: str, participant_code: str, out_path: Path,
                 app_version: str) -> Path:
    """Plan the participant's session as the lab would and write it with its items and audio."""
    with DbSession(db) as s:
        study = repo.get_study(s, study_name)
        if study is None:
            raise StudyError(f"no study {study_name!r} in this database")
    check_dataset(study, dataset.root)
    code = participant_code.strip()
    if not code or " " in code or "@" in code:
        raise StudyError(f"participant code {participant_code!r}: use a pseudonymous code such as P007")
    with DbSession(db) as s:
        participant = repo.get_participant(s, code) or repo.add_participant(s, Participant(code=code))
        if repo.session_for(s, study.id, participant.id) is not None:
            raise StudyError(f"{code} already has a session in study {study_name!r}")
        used = [p.cohort_index for p in s.exec(select(TakeHomePackage).where(TakeHomePackage.study_id == study.id))]
        index = max([repo.next_cohort_index(s, study.id)] + [i + 1 for i in used])
        participant_id = participant.id
    protocol = study_protocol(study)
    rows = [trial_row(t) for t in make_plan(dataset, protocol, code, index)]
    package_id = str(uuid.uuid4())
    key_hex = secrets.token_hex(32)
    files: dict[str, bytes] = {}
    for alias, ids in _items_of_plan(rows).items():
        meta = find_meta_file(dataset.root, alias)
        entries = [e for e in json.loads(meta.read_text(encoding="utf-8"))
                   if isinstance(e, dict) and str(e.get("id")) in ids]
        files[f"dataset/{META_DIR}/{ALIAS_FILES[alias]}"] = json.dumps(entries, indent=1, ensure_ascii=False).encode()
        for e in entries:
            for rel in list(e.get("audio_paths", [])) + ([e["uncut_audio_path"]] if e.get("uncut_audio_path") else []):
                files[f"dataset/{PurePosixPath(rel)}"] = (dataset.root / rel).read_bytes()
    info = {
        "format": PACKAGE_FORMAT, "package_id": package_id, "app_version": app_version,
        "created_at": utc_now().isoformat(), "key_hex": key_hex, "cohort_index": index,
        "participant": {"code": code},
        "study": {"name": study.name, "protocol_json": study.protocol_json,
                  "dataset_fingerprint": study.dataset_fingerprint},
        "plan": [r.model_dump(exclude={"id", "session_id"}) for r in rows],
    }
    files["package.json"] = json.dumps(info, indent=1, ensure_ascii=False).encode()
    manifest = {"kind": "star-lab study package", "files": {n: sha256_bytes(b) for n, b in files.items()}}
    path = _write_zip(out_path, files, manifest)
    with DbSession(db) as s:
        s.add(TakeHomePackage(package_id=package_id, study_id=study.id, participant_id=participant_id,
                              cohort_index=index, key_hex=key_hex))
        s.add(AuditLog(event="package", detail=f"take-home package {package_id} for {code} in {study.name}"))
        s.commit()
    return path


# ---------------------------------------------------------------- home: run a package
@dataclass(frozen=True)
class OpenedPackage:
    info: dict
    dataset_root: Path

    @property
    def package_id(self) -> str:
        return self.info["package_id"]


def open_package(path: Path, work_dir: Path) -> OpenedPackage:
    files, manifest = _read_zip(path, "study package")
    if manifest.get("kind") != "star-lab study package" or "package.json" not in files:
        raise BundleError(f"{path} is not a STAR Listening Lab study package")
    info = json.loads(files["package.json"])
    if info.get("format") != PACKAGE_FORMAT:
        raise BundleError(f"{path}: package format {info.get('format')} is not supported by this app")
    root = Path(work_dir) / f"package-{info['package_id']}"
    for name, data in files.items():
        if name.startswith("dataset/"):
            target = root / PurePosixPath(name)
            if ".." in PurePosixPath(name).parts:
                raise BundleError(f"{path}: unsafe path {name!r} in the package")
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_bytes() != data:
                target.write_bytes(data)
    return OpenedPackage(info, root / "dataset")


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
    """One zip with the participant's data and a signed manifest; returns its path."""
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
            "trials": [{"planned": t.model_dump(mode="json", exclude={"id", "session_id"}),
                        "response": None if t.id not in answers else answers[t.id].model_dump(
                            mode="json", exclude={"id", "planned_trial_id", "session_id"})} for t in trials],
            "audit": [a.model_dump(mode="json", exclude={"id", "session_id"}) for a in audit],
            "exposure": [e.model_dump(mode="json", exclude={"id", "session_id"}) for e in exposure],
        }
    files = {"results.json": json.dumps(results, indent=1, ensure_ascii=False).encode()}
    digests = {n: sha256_bytes(b) for n, b in files.items()}
    meta = {"package_id": opened.package_id, "app_version": app_version}
    manifest = {"kind": "star-lab results bundle", "files": digests, **meta,
                "hmac_sha256": _signature(info["key_hex"], digests, meta)}
    name = f"star-lab-results-{info['participant']['code']}-{opened.package_id[:8]}.zip"
    return _write_zip(Path(out_dir) / name, files, manifest)


# ---------------------------------------------------------------- lab: import results
@dataclass(frozen=True)
class ImportResult:
    bundle: Path
    status: str  # "imported", "updated" (a later bundle added responses) or "already imported"
    participant: str
    study: str
    responses: int


def _dt(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def import_results(db: Engine, bundle_path: Path) -> ImportResult:
    bundle_path = Path(bundle_path)
    files, manifest = _read_zip(bundle_path, "results bundle")
    if manifest.get("kind") != "star-lab results bundle" or "results.json" not in files:
        raise BundleError(f"{bundle_path} is not a STAR Listening Lab results bundle")
    package_id = manifest.get("package_id")
    with DbSession(db) as s:
        package = s.get(TakeHomePackage, package_id) if isinstance(package_id, str) else None
        if package is None:
            raise BundleError(f"{bundle_path} belongs to take-home package {package_id!r}, which this database "
                              "never made (another study or another lab database)")
        meta = {"package_id": package_id, "app_version": manifest.get("app_version")}
        expected = _signature(package.key_hex, manifest["files"], meta)
        if not hmac.compare_digest(expected, str(manifest.get("hmac_sha256", ""))):
            raise BundleError(f"{bundle_path}: the manifest's signature does not match its package key "
                              "(the bundle was edited)")
        study = s.get(Study, package.study_id)
        results = json.loads(files["results.json"])
        if results.get("package_id") != package_id or results["study"]["name"] != study.name:
            raise BundleError(f"{bundle_path}: results of study {results['study']['name']!r} do not match package "
                              f"{package_id} of study {study.name!r}")
        if results["study"]["dataset_fingerprint"] != study.dataset_fingerprint:
            raise BundleError(f"{bundle_path}: made for another version of the dataset of study {study.name!r}")
        participant = s.get(Participant, package.participant_id)
        if results["participant"]["code"] != participant.code:
            raise BundleError(f"{bundle_path}: participant {results['participant']['code']!r} is not "
                              f"{participant.code!r}, for whom the package was made")
        n_answers = sum(1 for t in results["trials"] if t["response"] is not None)
        sess = results["session"]
        session = s.exec(select(Session).where(Session.import_key == package_id)).first()
        if session is None:
            session = Session(study_id=study.id, participant_id=participant.id, cohort_index=package.cohort_index,
                              plan_seed=study_protocol(study).seed, uncalibrated=bool(sess["uncalibrated"]),
                              take_home=True, level_procedure=sess["level_procedure"], import_key=package_id,
                              app_version=sess["app_version"], status=sess["status"],
                              started_at=_dt(sess["started_at"]), ended_at=_dt(sess["ended_at"]))
            s.add(session)
            s.flush()
            planned = {}
            for t in results["trials"]:
                row = PlannedTrial(session_id=session.id, **t["planned"])
                s.add(row)
                planned[row.position] = row
            s.flush()
            answered: set[int] = set()
            status = "imported"
        else:
            # A later bundle of the same package (the participant went on): add what is new.
            planned = {t.position: t for t in repo.planned_trials(s, session.id)}
            answered = {r.planned_trial_id for r in repo.responses(s, session.id)}
            status = "already imported"
        added = 0
        for t in results["trials"]:
            row = planned.get(t["planned"]["position"])
            if t["response"] is None or row is None or row.id in answered:
                continue
            r = dict(t["response"])
            for k in ("presented_at", "answered_at"):
                r[k] = _dt(r.get(k))
            s.add(Response(planned_trial_id=row.id, session_id=session.id, **r))
            added += 1
        if status == "already imported":
            if not added:
                s.rollback()
                return ImportResult(bundle_path, status, participant.code, study.name, n_answers)
            status = "updated"
            session.status, session.ended_at = sess["status"], _dt(sess["ended_at"])
            s.add(session)
            s.add(AuditLog(session_id=session.id, event="imported", detail=f"{added} more responses from "
                                                                           f"{bundle_path.name}"))
            package.imported_at = utc_now()
            s.add(package)
            s.commit()
            return ImportResult(bundle_path, status, participant.code, study.name, n_answers)
        for a in results["audit"]:
            s.add(AuditLog(session_id=session.id, at=_dt(a["at"]), event=a["event"], detail=a["detail"]))
        for e in results["exposure"]:
            s.add(ExposureRecord(session_id=session.id, **{**e, "at": _dt(e["at"])}))
        s.add(AuditLog(session_id=session.id, event="imported", detail=f"take-home bundle {bundle_path.name}"))
        package.imported_at = utc_now()
        s.add(package)
        s.commit()
        return ImportResult(bundle_path, "imported", participant.code, study.name, n_answers)


def read_package_info(path: Path) -> dict:
    files, _ = _read_zip(path, "study package")
    return json.loads(files["package.json"])

