"""Every path read from a dataset stays inside its root, after symbolic links: in the validator,
in planning, in make-package (re-checked at copy time) and in the presenter."""
import json
import os
import zipfile

import pytest
from sqlmodel import Session as DbSession, select

from audio.devices import DeviceChoice
from audio.files import AudioFileError
from db.engine import open_database
from db.models import Participant, TakeHomePackage
from tasks.dataset.loader import load_dataset
from tasks.dataset.paths import UnsafePathError, contained_path, relative_form_problem
from tasks.study.plan import Protocol, make_plan
from tasks.presentation.presenter import Presenter
from tasks.dataset.runs import make_run
from tasks.study.studies import StudyError, open_study
from tasks.takehome.packages import make_package
from tests.support.factories import sr_items, write_dataset, write_wav

HOSTILE_FORMS = [
    "/etc/passwd", "../../../etc/hostname", "starbench_audios/../../x.wav", "C:\\Windows\\win.ini",
    "c:relative.wav", "C:/x.wav", "..\\..\\outside.wav", "starbench_audios\\..\\..\\x.wav",
    "\\\\server\\share\\x.wav", "//server/share/x.wav", "\\\\?\\C:\\x.wav", "a\x00b.wav", "a\nb.wav", "", ".",
]


@pytest.mark.parametrize("path", HOSTILE_FORMS)
def test_hostile_path_forms_are_refused_with_a_reason(tmp_path, path):
    assert relative_form_problem(path)
    with pytest.raises(UnsafePathError):
        contained_path(tmp_path, path)


@pytest.mark.parametrize("path", ["starbench_audios/a.wav", "starbench_audios\\sub\\a.wav", "./a.wav", "a b/ü.wav"])
def test_plain_relative_paths_are_accepted(tmp_path, path):
    assert relative_form_problem(path) is None
    assert contained_path(tmp_path, path).is_relative_to(tmp_path.resolve())


@pytest.fixture
def outside(tmp_path):
    """A secret file and a folder outside the dataset root."""
    secret = tmp_path / "secret.wav"
    write_wav(secret)
    (tmp_path / "elsewhere").mkdir()
    write_wav(tmp_path / "elsewhere" / "x.wav")
    return tmp_path


def hostile_sr_dataset(root, outside):
    items = sr_items()
    items[0]["audio_paths"] = ["starbench_audios/sr/link_to_secret.wav"]  # symlink to a file outside
    items[1]["audio_paths"] = ["starbench_audios/linked_dir/x.wav"]  # through a symlinked folder
    items[2]["audio_paths"] = ["C:\\Windows\\x.wav"]
    items[3]["audio_paths"] = ["..\\..\\secret.wav"]
    items[4]["audio_paths"] = ["starbench_audios/sr/inner_link.wav"]  # a link that stays inside: fine
    write_dataset(root, sr=items, write_audio=False)
    write_dataset(root, sr=sr_items())  # the audio of the plain items
    (root / "meta_info/holistic_reasoning_spatial.json").write_text(json.dumps(items))
    (root / "starbench_audios/sr/link_to_secret.wav").symlink_to(outside / "secret.wav")
    (root / "starbench_audios/linked_dir").symlink_to(outside / "elsewhere", target_is_directory=True)
    (root / "starbench_audios/sr/inner_link.wav").symlink_to(root / "starbench_audios/sr/6.wav")
    return root


@pytest.mark.parametrize("check_audio", [True, False])
def test_validator_sets_aside_items_whose_paths_leave_the_root(tmp_path, outside, check_audio):
    root = hostile_sr_dataset(tmp_path / "ds", outside)
    ds = load_dataset(root, check_audio=check_audio)
    aside = {s.item_id: s.reasons for s in ds.set_aside if s.alias == "sr"}
    assert set(aside) == {"sr_1", "sr_2", "sr_3", "sr_4"}
    assert all(r.field == "audio_paths" for reasons in aside.values() for r in reasons)
    assert "outside the dataset root" in str(aside["sr_1"][0]) and "outside" in str(aside["sr_2"][0])
    assert "Windows drive" in str(aside["sr_3"][0]) and "'..'" in str(aside["sr_4"][0])
    assert {i.id for i in ds.items["sr"]} == {"sr_5", "sr_6"}


def test_uncut_audio_path_is_contained_too(tmp_path, outside):
    root = write_dataset(tmp_path / "ds")
    tr = json.loads((root / "meta_info/holistic_reasoning_temporal.json").read_text())
    tr[0]["uncut_audio_path"] = "starbench_audios/uncut_link.wav"
    (root / "meta_info/holistic_reasoning_temporal.json").write_text(json.dumps(tr))
    (root / "starbench_audios/uncut_link.wav").symlink_to(outside / "secret.wav")
    ds = load_dataset(root, check_audio=False)
    (aside,) = [s for s in ds.set_aside if s.alias == "tr"]
    assert aside.item_id == tr[0]["id"] and aside.reasons[0].field == "uncut_audio_path"


def test_planning_uses_only_items_whose_paths_stay_inside(tmp_path, outside):
    ds = load_dataset(hostile_sr_dataset(tmp_path / "ds", outside), check_audio=False)
    plan = make_plan(ds, Protocol(variants=["sr"], practice_per_block=0), "P001", 0)
    assert plan and {t.run.item.id for t in plan} == {"sr_5", "sr_6"}


def zip_bytes(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_make_package_never_copies_a_duplicate_entry_that_names_a_file_outside(tmp_path, outside):
    """The meta file holds a second entry with a valid item's id and a path outside: the
    validator sets it aside, and the package must not pick it up by id."""
    (outside / "secret.wav").write_bytes(b"TOP-SECRET" * 10)
    items = sr_items()
    items.append({**items[0], "audio_paths": ["../secret.wav"]})
    root = write_dataset(tmp_path / "ds", sr=items)
    ds = load_dataset(root)
    db = open_database(tmp_path / "lab.sqlite3")
    open_study(db, ds, "s", Protocol(variants=["sr"], practice_per_block=0))
    pkg = make_package(db, ds, "s", "P001", tmp_path / "out" / "p.zip", "test")
    members = zip_bytes(pkg)
    assert not any(b"TOP-SECRET" in data for data in members.values())
    packaged = json.loads(members["dataset/meta_info/holistic_reasoning_spatial.json"])
    assert [e["audio_paths"] for e in packaged if e["id"] == "sr_1"] == [["starbench_audios/sr/1.wav"]]


def test_make_package_rechecks_paths_at_copy_time(tmp_path, outside):
    """A file swapped for a link to a file outside after the dataset was loaded: refused, and
    neither a zip nor a database row is left."""
    (outside / "secret.wav").write_bytes(b"TOP-SECRET" * 10)
    root = write_dataset(tmp_path / "ds")
    ds = load_dataset(root)
    db = open_database(tmp_path / "lab.sqlite3")
    open_study(db, ds, "s", Protocol(variants=["sr"], practice_per_block=0))
    victim = root / "starbench_audios/sr/1.wav"
    victim.unlink()
    victim.symlink_to(outside / "secret.wav")
    out = tmp_path / "out"
    with pytest.raises(StudyError, match=r"refused: .*'sr_1'.*outside the dataset root"):
        make_package(db, ds, "s", "P001", out / "p.zip", "test")
    assert not out.exists() or list(out.iterdir()) == []
    with DbSession(db) as s:
        assert s.exec(select(TakeHomePackage)).all() == []
        assert s.exec(select(Participant)).all() == []


def test_presenter_refuses_a_file_outside_the_root(tmp_path, outside):
    root = write_dataset(tmp_path / "ds")
    ds = load_dataset(root)
    run = make_run(ds.item("sr", "sr_1"), "sr", 0)
    presenter = Presenter(engine=None, choice=DeviceChoice("JACK Audio Connection Kit", "system", 16000))
    presenter.prepare(root, run)  # inside: renders
    target = root / "starbench_audios/sr/1.wav"
    target.unlink()
    write_wav(outside / "stereo.wav", channels=2)
    os.symlink(outside / "stereo.wav", target)
    with pytest.raises(AudioFileError, match="refused to play.*outside the dataset root"):
        presenter.prepare(root, run)
