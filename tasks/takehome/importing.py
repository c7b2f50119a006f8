"""The lab's import of take-home results bundles (see tasks.takehome.packages for the whole flow and
docs/takehome-trust.md for what the checks do and do not prove)."""
from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session as DbSession, select

from db import repo
from db.models import (
    AuditLog, ExposureRecord, Participant, PlannedTrial, Response, Session, Study, TakeHomePackage, utc_now,
)
from tasks.takehome.adaptive_data import store_adaptive
from tasks.takehome.cover_package import stored_plan_differs, units_past_k
from tasks.takehome.schema import UUID4, ShapeError, check_results, parse_json
from tasks.dataset.items import printable
from tasks.study.session_time import StimulusDurations
from tasks.takehome.plausibility import PlausibilityReport, check_plausibility
from tasks.takehome.safezip import BUNDLE_LIMITS
from tasks.study.studies import study_protocol
from tasks.takehome.files import (
    BundleError, checked_manifest, integrity_code, open_zip, plan_digest, read_checked,
)

_PLAN_DIGEST = re.compile(r"plan sha256 ([0-9a-f]{64})")


@dataclass(frozen=True)
class ImportResult:
    bundle: Path
    status: str  # "imported", "updated" (a later bundle added responses) or "already imported"
    participant: str
    study: str
    responses: int
    plausibility: PlausibilityReport | None = field(default=None, compare=False)
    # a cover study's bundle returned after its share was released: its answers are kept and
    # count; units_past_k of the units it answered now have more than K answers
    after_release: bool = False
    units_past_k: int = 0


def _read_bundle(bundle_path: Path) -> tuple[dict, bytes]:
    """The checked manifest and the bytes of results.json."""
    with open_zip(bundle_path, "results bundle", BUNDLE_LIMITS) as z:
        manifest = checked_manifest(z, "star-lab results bundle")
        if set(z.members) != {"manifest.json", "results.json"}:
            raise BundleError(f"{bundle_path} is not a STAR Listening Lab results bundle (it must hold results.json "
                              "and manifest.json only)")
        return manifest, read_checked(z, manifest, "results.json")


def _packaged_plan_digest(s: DbSession, package_id: str) -> str | None:
    """The digest make_package recorded with the package (None for packages made before it did)."""
    row = s.exec(select(AuditLog).where(AuditLog.event == "package",
                                        AuditLog.detail.startswith(f"take-home package {package_id} "))).first()
    found = _PLAN_DIGEST.search(row.detail) if row is not None else None
    return found.group(1) if found else None


def _rescore(trials: list[dict]) -> None:
    """is_correct from the chosen letter and the plan, never from the bundle's own claim."""
    for t in trials:
        r = t["response"]
        if r is None:
            continue
        correct = r.get("chosen_letter") is not None and r.get("chosen_letter") == t["planned"]["answer_letter"]
        t["rescored"] = r["is_correct"] != correct
        r["is_correct"] = correct


def _durations_of(cache: dict[str, StimulusDurations] | None, root: str) -> StimulusDurations:
    if cache is None:
        return StimulusDurations(root)
    if root not in cache:
        cache[root] = StimulusDurations(root)
    return cache[root]


def import_results(db: Engine, bundle_path: Path,
                   durations: dict[str, StimulusDurations] | None = None) -> ImportResult:
    """Check a results bundle and merge it. BundleError (with the reason) for anything wrong;
    the plausibility report of the participant is returned and stored in the audit log.
    ``durations``: stimulus durations by dataset root, kept by a caller that imports several
    bundles so that each study's dataset is read once (default: read for this bundle)."""
    bundle_path = Path(bundle_path)
    manifest, results_bytes = _read_bundle(bundle_path)
    package_id = manifest.get("package_id")
    if not isinstance(package_id, str) or not UUID4.match(package_id):
        raise BundleError(f"{bundle_path}: the manifest names no valid package id")
    with DbSession(db) as s:
        package = s.get(TakeHomePackage, package_id)
        if package is None:
            raise BundleError(f"{bundle_path} belongs to take-home package {package_id!r}, which this database "
                              "never made (another study or another lab database)")
        app_version = manifest.get("app_version")
        meta = {"package_id": package_id, "app_version": app_version}
        expected = integrity_code(package.key_hex, manifest["files"], meta)
        if not isinstance(app_version, str) or not hmac.compare_digest(expected, str(manifest.get("hmac_sha256", ""))):
            raise BundleError(f"{bundle_path}: the manifest's integrity code does not match its package key "
                              "(the bundle was changed after it was written)")
        study = s.get(Study, package.study_id)
        try:
            results = check_results(parse_json(results_bytes, "results.json"))
        except ShapeError as exc:
            raise BundleError(f"{bundle_path}: {printable(exc)}") from None
        if results["package_id"] != package_id or results["study"]["name"] != study.name:
            raise BundleError(printable(f"{bundle_path}: results of study {results['study']['name']!r} do not match "
                                        f"package {package_id} of study {study.name!r}"))
        if results["study"]["dataset_fingerprint"] != study.dataset_fingerprint:
            raise BundleError(f"{bundle_path}: made for another version of the dataset of study {study.name!r}")
        participant = s.get(Participant, package.participant_id)
        if results["participant"]["code"] != participant.code:
            raise BundleError(printable(f"{bundle_path}: participant {results['participant']['code']!r} is not "
                                        f"{participant.code!r}, for whom the package was made"))
        packaged = _packaged_plan_digest(s, package_id)
        if packaged is not None and plan_digest([t["raw_planned"] for t in results["trials"]]) != packaged:
            raise BundleError(f"{bundle_path}: its plan differs from the plan packaged for {participant.code} "
                              "(trials, options or answers were changed)")
        unknown = sorted({b["dimension"] for b in results["adaptive"]} - set(study_protocol(study).adaptive_dimensions))
        if unknown:
            raise BundleError(printable(f"{bundle_path}: adaptive blocks {', '.join(unknown)} are not blocks of "
                                        f"study {study.name!r}"))
        _rescore(results["trials"])
        report = check_plausibility(participant.code, results["session"], results["trials"],
                                    _durations_of(durations, study.dataset_root))
        if packaged is None:
            report = PlausibilityReport(**{**report.__dict__, "not_checked": report.not_checked + (
                "plan: the lab database has no digest of the packaged plan",)})
        n_answers = sum(1 for t in results["trials"] if t["response"] is not None)
        sess = results["session"]
        session = s.exec(select(Session).where(Session.import_key == package_id)).first()
        # a cover study's package stored its share when it was made: the first bundle fills it
        reserved = session is not None and s.exec(select(AuditLog.id).where(
            AuditLog.session_id == session.id, AuditLog.event == "imported")).first() is None
        released = session is not None and session.status == "released"
        if reserved:
            planned = {t.position: t for t in repo.planned_trials(s, session.id)}
            why = stored_plan_differs(list(planned.values()), results["trials"])
            if why:
                raise BundleError(printable(f"{bundle_path}: does not fill the share stored for {participant.code}'s "
                                            f"package: {why}"))
            session.uncalibrated, session.level_procedure = sess["uncalibrated"], sess["level_procedure"]
            session.app_version, session.started_at = sess["app_version"], sess["started_at"]
            if not released:  # a released share stays released: its unanswered trials stay in the pool
                session.status, session.ended_at = sess["status"], sess["ended_at"]
            s.add(session)
            answered = {r.planned_trial_id for r in repo.responses(s, session.id)}
            status = "imported"
        elif session is None:
            session = Session(study_id=study.id, participant_id=participant.id, cohort_index=package.cohort_index,
                              plan_seed=study_protocol(study).seed, uncalibrated=sess["uncalibrated"],
                              take_home=True, level_procedure=sess["level_procedure"], import_key=package_id,
                              app_version=sess["app_version"], status=sess["status"],
                              started_at=sess["started_at"], ended_at=sess["ended_at"])
            s.add(session)
            s.flush()
            planned = {}
            for t in results["trials"]:
                row = PlannedTrial(session_id=session.id, withheld_reason=t["withheld_reason"], **t["planned"])
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
        added = held = 0
        for t in results["trials"]:
            row = planned.get(t["planned"]["position"])
            if row is not None and row.id not in answered and row.withheld_reason is None and t["withheld_reason"]:
                row.withheld_reason = t["withheld_reason"]  # withheld since the last bundle
                s.add(row)
                held += 1
                continue
            if t["response"] is None or row is None or row.id in answered or row.withheld_reason is not None:
                continue
            s.add(Response(planned_trial_id=row.id, session_id=session.id, **t["response"]))
            added += 1
        adaptive_added = store_adaptive(s, session.id, results["adaptive"])
        if status == "already imported":
            if not added and not held and not adaptive_added:
                s.rollback()
                return ImportResult(bundle_path, status, participant.code, study.name, n_answers, report, released)
            status = "updated"
            if not released:
                session.status, session.ended_at = sess["status"], sess["ended_at"]
            s.add(session)
            s.add(AuditLog(session_id=session.id, event="imported", detail=f"{added} more responses "
                                                                           f"({held} more withheld trials, "
                                                                           f"{adaptive_added} more adaptive trials) "
                                                                           f"from {bundle_path.name}"))
        else:
            for a in results["audit"]:
                s.add(AuditLog(session_id=session.id, **a))
            for e in results["exposure"]:
                s.add(ExposureRecord(session_id=session.id, **e))
            s.add(AuditLog(session_id=session.id, event="imported", detail=f"take-home bundle {bundle_path.name}"))
        past_k = 0
        if released:
            s.flush()
            past_k = units_past_k(s, study, [planned[t["planned"]["position"]] for t in results["trials"]
                                            if t["response"] is not None and t["planned"]["position"] in planned])
            s.add(AuditLog(session_id=session.id, event="late bundle", detail=(
                f"returned after its share was released: {added} answers kept; {past_k} of its runs now have more "
                f"than {study_protocol(study).responses_per_run} answers")))
        s.add(AuditLog(session_id=session.id, event="plausibility", detail=report.to_json()))
        package.imported_at = utc_now()
        s.add(package)
        s.commit()
        return ImportResult(bundle_path, status, participant.code, study.name, n_answers, report, released, past_k)
