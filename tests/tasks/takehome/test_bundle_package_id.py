"""open_package never takes a folder name or a member path from package content unchecked."""
import hashlib
import json
import uuid
import zipfile

import pytest

from db.engine import open_database
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.studies import StudyError, open_study
from tasks.takehome.files import BundleError
from tasks.takehome.packages import make_package, open_package, read_package_info
from tests.support.factories import write_dataset


@pytest.fixture
def package(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "ds"))
    db = open_database(tmp_path / "lab.sqlite3")
    open_study(db, ds, "s", Protocol(items_per_group=1, practice_per_block=0))
    return make_package(db, ds, "s", "P001", tmp_path / "pkg.zip", "test")


def resealed(src, dst, change):
    """The package with ``change(files)`` applied and every manifest digest recomputed, as
    someone who edits a package on purpose would do."""
    with zipfile.ZipFile(src) as z:
        files = {n: z.read(n) for n in z.namelist()}
    change(files)
    manifest = json.loads(files["manifest.json"])
    manifest["files"] = {n: hashlib.sha256(b).hexdigest() for n, b in files.items() if n != "manifest.json"}
    files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(dst, "w") as z:
        for n, b in files.items():
            z.writestr(n, b)
    return dst


def with_info(**changes):
    def change(files):
        info = json.loads(files["package.json"])
        info.update(changes)
        files["package.json"] = json.dumps(info).encode()
    return change


def all_files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize("package_id", ["x/../../../OUTSIDE/pwned", "../../pwned", "/tmp/pwned", "C:\\pwned",
                                        "", 5, None, "0" * 32, str(uuid.uuid4()).upper()])
def test_a_package_id_that_is_not_a_uuid_is_refused_and_nothing_is_written(tmp_path, package, package_id):
    evil = resealed(package, tmp_path / "evil.zip", with_info(package_id=package_id))
    work = tmp_path / "home" / "data"
    with pytest.raises(BundleError, match="package_id"):
        open_package(evil, work)
    assert all_files(tmp_path / "home") == []
    assert not (tmp_path / "OUTSIDE").exists()


def test_the_unpack_folder_comes_from_the_checked_id(tmp_path, package):
    opened = open_package(package, tmp_path / "work")
    pid = uuid.UUID(read_package_info(package)["package_id"])
    assert opened.dataset_root == tmp_path / "work" / f"package-{pid.hex}" / "dataset"
    assert load_dataset(opened.dataset_root).problems == []


@pytest.mark.parametrize("member", ["dataset/../../escaped.wav", "/abs/escaped.wav", "dataset\\..\\..\\escaped.wav",
                                    "C:/escaped.wav", "dataset/ok/../../../escaped.wav"])
def test_member_paths_that_leave_the_folder_are_refused(tmp_path, package, member):
    def add(files):
        files[member] = b"evil"
    evil = resealed(package, tmp_path / "evil.zip", add)
    with pytest.raises(BundleError, match="unsafe member name"):
        open_package(evil, tmp_path / "home" / "data")
    assert all_files(tmp_path / "home") == [] and not list(tmp_path.rglob("escaped.wav"))


def test_a_link_planted_in_the_unpack_folder_is_not_followed(tmp_path, package):
    pid = uuid.UUID(read_package_info(package)["package_id"])
    work = tmp_path / "work"
    (work / f"package-{pid.hex}").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (work / f"package-{pid.hex}" / "dataset").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(BundleError, match="unsafe path"):
        open_package(package, work)
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_duplicate_member_names_are_refused(tmp_path, package):
    dup = tmp_path / "dup.zip"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(dup, "w") as z:
        for n in src.namelist():
            z.writestr(n, src.read(n))
        with pytest.warns(UserWarning):
            z.writestr("package.json", b"{}")
    with pytest.raises(BundleError, match="appears twice"):
        open_package(dup, tmp_path / "home")


@pytest.mark.parametrize("change", [
    with_info(plan="x"), with_info(plan=[{"position": "0"}]), with_info(study=None), with_info(key_hex="zz"),
    with_info(participant={"code": 7}), with_info(format=2), with_info(cohort_index=True),
    lambda files: files.update({"package.json": b"[" * 100_000}),
    lambda files: files.update({"package.json": b"\xff\xfe"}),
])
def test_package_json_of_the_wrong_shape_is_a_named_problem(tmp_path, package, change):
    evil = resealed(package, tmp_path / "evil.zip", change)
    with pytest.raises(BundleError, match="package"):
        open_package(evil, tmp_path / "home")
    with pytest.raises(BundleError):
        read_package_info(evil)


@pytest.mark.parametrize("code", ["../../../escaped", "a/b", "C:\\x", "P\x1b[2J", ".", "x" * 65])
def test_a_participant_code_that_would_steer_file_names_is_refused(tmp_path, package, code):
    """The code becomes part of the results bundle's file name at home."""
    evil = resealed(package, tmp_path / "evil.zip", with_info(participant={"code": code}))
    with pytest.raises(BundleError, match="participant code"):
        open_package(evil, tmp_path / "home")


@pytest.mark.parametrize("code", ["../x", "a/b", "P 1", "P@x", "\x1b[31m"])
def test_make_package_refuses_codes_that_are_not_plain(tmp_path, code):
    ds = load_dataset(write_dataset(tmp_path / "ds"))
    db = open_database(tmp_path / "lab.sqlite3")
    open_study(db, ds, "s", Protocol(items_per_group=1, practice_per_block=0))
    with pytest.raises(StudyError, match="pseudonymous code"):
        make_package(db, ds, "s", code, tmp_path / "out" / "p.zip", "test")
    assert not (tmp_path / "out").exists()
