"""Results bundles and packages from outside: bit flips, edited manifests and zip bombs end in
BundleError with a message, never in another exception, and a bomb is refused before it is
expanded."""
import json
import random
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from sqlmodel import Session as DbSession, select

from db.models import Response
from tasks.takehome.safezip import BUNDLE_LIMITS, SafeZip, ZipRefused
from tasks.takehome.files import BundleError
from tasks.takehome.importing import import_results
from tasks.takehome.packages import make_package, open_package
from tests.tasks.takehome.test_takehome import rewrite_zip, run_at_home

N_FLIPS = 2500


@pytest.fixture
def bundle(tmp_path, lab):
    db, ds = lab
    pkg = make_package(db, ds, "home-study", "H001", tmp_path / "pkg.zip", "test")
    return db, pkg, run_at_home(tmp_path, pkg)


def flipped(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


@pytest.mark.slow
def test_single_bit_flips_of_a_bundle_are_refused_or_harmless(tmp_path, bundle):
    db, _, path = bundle
    data = path.read_bytes()
    n_bits = len(data) * 8
    # every bit of the zip structures at the end (central directory, end record) plus a seeded sample
    tail = range(max(0, n_bits - 8 * 200), n_bits)
    bits = sorted(set(tail) | set(random.Random(10).sample(range(n_bits), min(N_FLIPS, n_bits))))
    target = tmp_path / "flipped.zip"
    outcomes = {"refused": 0, "imported": 0}
    messages = set()
    for bit in bits:
        target.write_bytes(flipped(data, bit))
        try:
            import_results(db, target)
            outcomes["imported"] += 1
        except BundleError as exc:
            assert str(exc), f"bit {bit}: an empty message"
            outcomes["refused"] += 1
            messages.add(str(exc).split(":")[1][:30] if ":" in str(exc) else str(exc)[:30])
    assert outcomes["refused"] > len(bits) // 2  # most flips damage something checked
    with DbSession(db) as s:  # whatever went in, nothing went in twice
        rows = s.exec(select(Response)).all()
        assert len({r.planned_trial_id for r in rows}) == len(rows)


@pytest.mark.parametrize("files_value", [[], 5, None, "x", {"results.json": 5}, {"results.json": "0" * 63},
                                         {"results.json": "A" * 64}])
def test_manifest_files_of_the_wrong_type_is_a_named_refusal(tmp_path, bundle, files_value):
    db, _, path = bundle

    def edit(files):
        manifest = json.loads(files["manifest.json"])
        manifest["files"] = files_value
        files["manifest.json"] = json.dumps(manifest).encode()

    with pytest.raises(BundleError, match="manifest.json"):
        import_results(db, rewrite_zip(path, tmp_path / "m.zip", edit))


@pytest.mark.parametrize("manifest_bytes", [b"[]", b"5", b"null", b"\xff", b"[" * 100_000, b'{"kind": 5}'])
def test_a_manifest_that_is_not_an_object_is_a_named_refusal(tmp_path, bundle, manifest_bytes):
    db, _, path = bundle
    edited = rewrite_zip(path, tmp_path / "m.zip", lambda files: files.update({"manifest.json": manifest_bytes}))
    with pytest.raises(BundleError):
        import_results(db, edited)


def test_unsupported_compression_and_encryption_flags_are_refused(tmp_path, bundle):
    db, _, path = bundle
    for method in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        other = tmp_path / f"m{method}.zip"
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(other, "w", compression=method) as z:
            for n in src.namelist():
                z.writestr(n, src.read(n))
        with pytest.raises(BundleError, match="compression method"):
            import_results(db, other)
    data = bytearray(path.read_bytes())
    cd = data.rfind(b"PK\x01\x02")  # central directory entry: general purpose flags at offset 8
    data[cd + 8] |= 1
    (tmp_path / "enc.zip").write_bytes(bytes(data))
    with pytest.raises(BundleError, match="encrypted"):
        import_results(db, tmp_path / "enc.zip")


def raw_zip(path, members: dict[str, tuple[bytes, int, int, int]]):
    """A zip written byte by byte: name -> (deflated data, crc32, declared size, method)."""
    out, central = bytearray(), bytearray()
    for name, (data, crc, size, method) in members.items():
        offset = len(out)
        fixed = (20, 0, method, 0, 0x21, crc, len(data), size, len(name.encode()), 0)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", *fixed) + name.encode() + data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fixed, 0, 0, 0, 0, offset) + name.encode()
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + eocd))
    return path


def zip_bomb(path, uncompressed_mib: int, declared_bytes: int | None = None):
    """A real bomb: deflated zeros, one 1 MiB block repeated (each block is compressed without
    history, so the copies decode alike), about 1:1000."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    data = block * uncompressed_mib + c.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(uncompressed_mib):
        crc = zlib.crc32(bytes(1 << 20), crc)
    manifest = json.dumps({"kind": "star-lab results bundle", "files": {}}).encode()
    size = uncompressed_mib << 20 if declared_bytes is None else declared_bytes
    return raw_zip(path, {"results.json": (data, crc, size, zipfile.ZIP_DEFLATED),
                          "manifest.json": (manifest, zlib.crc32(manifest), len(manifest), zipfile.ZIP_STORED)})


def test_a_zip_bomb_is_refused_before_anything_is_expanded(tmp_path, bundle):
    db, _, _ = bundle
    bomb = zip_bomb(tmp_path / "bomb.zip", 1536)  # 1.5 GiB of zeros in about 1.5 MB
    assert bomb.stat().st_size < 2 << 20
    with zipfile.ZipFile(bomb) as z:  # a valid zip that really expands to 1.5 GiB
        assert z.getinfo("results.json").file_size == 1536 << 20
        with z.open("results.json") as f:
            assert f.read(1 << 20) == bytes(1 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(BundleError, match="results.json.*declares .* uncompressed"):
            import_results(db, bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20
    with pytest.raises(ZipRefused):
        SafeZip(bomb, BUNDLE_LIMITS, "results bundle")


def test_a_bomb_that_lies_about_its_size_stops_at_the_declared_size(tmp_path):
    """Declared size 1000 bytes, 64 MiB inside: reading stops at the declared size, counted, and
    the member is refused (its CRC cannot match)."""
    lying = zip_bomb(tmp_path / "lying.zip", 64, declared_bytes=1000)
    with SafeZip(lying, BUNDLE_LIMITS, "results bundle") as z:
        assert z.members["results.json"].file_size == 1000
        with pytest.raises(ZipRefused, match="damaged|declares"):
            z.read("results.json")
        assert z.bytes_out <= 1000


def test_too_many_entries_are_refused_from_the_directory(tmp_path, lab):
    db, _ = lab
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(BUNDLE_LIMITS.max_entries + 1):
            z.writestr(f"f{i}.json", b"{}")
    with pytest.raises(BundleError, match="entries"):
        import_results(db, many)


@pytest.mark.slow
def test_bit_flips_of_a_package_are_refused_or_harmless(tmp_path, bundle):
    _, pkg, _ = bundle
    data = pkg.read_bytes()
    rng = random.Random(11)
    for i, bit in enumerate(rng.sample(range(len(data) * 8), 400)):
        target = tmp_path / "flipped-package.zip"
        target.write_bytes(flipped(data, bit))
        try:
            open_package(target, tmp_path / "home")
        except BundleError as exc:
            assert str(exc)


def test_a_huge_directory_is_refused_before_it_is_parsed(tmp_path, lab):
    """65,000 empty members in a 6 MB file: zipfile would build 65,000 objects first."""
    db, _ = lab
    many = raw_zip(tmp_path / "many.zip", {f"{i:06d}": (b"", 0, 0, zipfile.ZIP_STORED) for i in range(65_000)})
    tracemalloc.start()
    try:
        with pytest.raises(BundleError, match="65000 entries"):
            import_results(db, many)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20
