"""The files of take-home data: sealing and reading package and bundle zips (manifest with the
SHA-256 of every member, integrity code of a bundle). Shared by tasks.takehome.packages (packages, home
side) and tasks.takehome.importing (the lab's import of bundles)."""
from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from pathlib import Path

from tasks.takehome.schema import HEX64, ShapeError, parse_json
from tasks.dataset.items import printable
from tasks.takehome.safezip import SafeZip, ZipRefused, write_then_commit

MAX_JSON_MEMBER_BYTES = 64 << 20  # manifest.json, package.json, results.json


class BundleError(Exception):
    """A package or results bundle that cannot be used; the message says what and where."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def integrity_code(key_hex: str, files: dict[str, str], meta: dict) -> str:
    """HMAC-SHA256 of the manifest under the package key: integrity, not authorship (the key
    is in the package)."""
    canonical = json.dumps({"files": files, "meta": meta}, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(bytes.fromhex(key_hex), canonical, hashlib.sha256).hexdigest()


def plan_digest(plan: list[dict]) -> str:
    return sha256_bytes(json.dumps(plan, sort_keys=True, separators=(",", ":"), default=str).encode())


def write_zip(path: Path, files: dict[str, bytes], manifest: dict) -> Path:
    def write(z: zipfile.ZipFile) -> None:
        for name in sorted(files):
            z.writestr(name, files[name])
        z.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))

    return write_then_commit(path, write, commit=lambda: None)


def open_zip(path: Path, what: str, limits) -> SafeZip:
    try:
        return SafeZip(path, limits, what)
    except ZipRefused as exc:
        raise BundleError(str(exc)) from None


def checked_manifest(z: SafeZip, kind: str) -> dict:
    """The checked manifest: an object whose "files" names every member with its SHA-256."""
    try:
        manifest = parse_json(z.read("manifest.json", MAX_JSON_MEMBER_BYTES), "manifest.json")
    except ZipRefused as exc:
        raise BundleError(str(exc)) from None
    except ShapeError as exc:
        raise BundleError(f"{z.path}: {exc}") from None
    if not isinstance(manifest, dict):
        raise BundleError(f"{z.path}: manifest.json of the {z.what} is unreadable (not an object)")
    if manifest.get("kind") != kind:
        raise BundleError(f"{z.path} is not a STAR Listening Lab {z.what}")
    listed = manifest.get("files")
    if not isinstance(listed, dict) or not all(isinstance(k, str) and isinstance(v, str) and HEX64.match(v)
                                               for k, v in listed.items()):
        raise BundleError(f"{z.path}: manifest.json of the {z.what} is unreadable ('files' must map each member "
                          "to its SHA-256)")
    members = set(z.members) - {"manifest.json"}
    missing, extra = sorted(set(listed) - members), sorted(members - set(listed))
    if missing or extra:
        raise BundleError(f"{z.path}: {z.what} does not match its manifest (missing: {printable(missing[:3])}, "
                          f"not listed: {printable(extra[:3])})")
    return manifest


def read_checked(z: SafeZip, manifest: dict, name: str) -> bytes:
    """A small member, read whole and compared with its manifest digest."""
    try:
        data = z.read(name, MAX_JSON_MEMBER_BYTES)
    except ZipRefused as exc:
        raise BundleError(str(exc)) from None
    if sha256_bytes(data) != manifest["files"][name]:
        raise BundleError(f"{z.path}: {name} was changed after the {z.what} was written (SHA-256 differs)")
    return data
