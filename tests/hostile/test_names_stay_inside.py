"""Names that become part of a path (study, participant, station) stay inside the folder they are
written to, and wrongly typed inputs are refused with one line, before anything is written.

Each case runs the real command (main.main) on real files, checks the exit code, that stderr is
one line, and walks the whole temporary tree for any file written outside the --out folder."""
from __future__ import annotations

from pathlib import Path

import pytest

import main
from tasks.dataset.paths import MAX_COMPONENT_CHARS, UnsafePathError, inside_folder, path_component
from tasks.study.codes import code_problem
from tests.support.factories import sr_items, write_dataset

HOSTILE_STUDIES = ["x/../../../outside/pwn", "/tmp/absolute/pwn", "a/b", "..", ".", ".hidden", "a\\..\\..\\b",
                   "C:\\evil", "\x1b[31mred\x07", "line\nbreak", "CON", "nul.txt", "", "é" * 300, "x" * 500]


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("names") / "ds", sr=sr_items(4))


def run(capsys, argv: list[str]) -> tuple[int, str]:
    """The command's exit code (argparse's usage errors included) and its stderr."""
    try:
        code = main.main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", HOSTILE_STUDIES + ["P1", "Study-1.v2", "_x_", "-lead", "a b"])
def test_path_component_is_one_plain_component(tmp_path, name):
    part = path_component(name)
    assert part and part == path_component(name)  # never empty, deterministic
    assert "/" not in part and "\\" not in part and part not in (".", "..") and not part.startswith(".")
    assert part.isascii() and part.isprintable() and len(part) <= MAX_COMPONENT_CHARS
    assert inside_folder(tmp_path, part).parent == tmp_path


@pytest.mark.parametrize("name", ["P1", "Study-1.v2", "sim-perfect-single-pass-seed0", "a.b_c-9"])
def test_ordinary_names_are_unchanged(name):
    assert path_component(name) == name


def test_long_names_stay_apart():
    assert path_component("x" * 500) != path_component("x" * 501)


@pytest.mark.parametrize("file_name", ["..", ".", "", "a/b", "../x", "/abs", "a\\b", "x\x00y"])
def test_inside_folder_refuses_what_is_not_one_name(tmp_path, file_name):
    with pytest.raises(UnsafePathError):
        inside_folder(tmp_path, file_name)


def test_inside_folder_refuses_a_link_that_leads_out(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "link").symlink_to(tmp_path / "out" / "target")
    with pytest.raises(UnsafePathError, match="leads outside"):
        inside_folder(tmp_path / "in", "link")


@pytest.mark.parametrize("study", ["x/../../../outside/pwn", "/abs/../pwn", "a/b", "..", "\x1b[2Jclear", "x" * 400])
def test_make_package_and_export_write_only_inside_out(tmp_path, dataset, capsys, study):
    db, out = tmp_path / "w" / "lab.sqlite", tmp_path / "w" / "deep" / "pk"
    out.mkdir(parents=True)
    code, err = run(capsys, ["simulate", "--db", db, "--dataset", dataset, "--participants", "1", "--variants", "sr",
                             "--study", study])
    assert code == 0, err
    before = files_under(tmp_path)
    code, err = run(capsys, ["make-package", "--db", db, "--dataset", dataset, "--study", study,
                             "--participant", "P1", "--out", out])
    assert code == 0, err
    code, err = run(capsys, ["export", "--db", db, "--out", out / "ex"])
    assert code == 0, err
    new = files_under(tmp_path) - before
    assert new and all(p.is_relative_to(out) for p in new), sorted(map(str, new))
    (zip_path,) = out.glob("*.zip")
    assert zip_path.name == f"star-lab-package-{path_component(study)}-P1.zip"
    assert [p.name for p in (out / "ex").iterdir() if p.is_dir()] == [path_component(study)]


@pytest.mark.parametrize("code_text", ["P1\n", "P1\t", "P1\r\n", "../P1", "P1/x", "\x1bP1", ".P1", "P" * 65])
def test_make_package_refuses_a_bad_participant_code_in_one_line(tmp_path, dataset, capsys, code_text):
    db, out = tmp_path / "lab.sqlite", tmp_path / "out"
    out.mkdir()
    assert run(capsys, ["simulate", "--db", db, "--dataset", dataset, "--participants", "1", "--variants", "sr",
                        "--study", "s"])[0] == 0
    before = files_under(tmp_path)
    code, err = run(capsys, ["make-package", "--db", db, "--dataset", dataset, "--study", "s",
                             "--participant", code_text, "--out", out])
    assert code == 2
    assert len(err.splitlines()) == 1 and "participant code" in err and err.rstrip("\n").isprintable()
    assert files_under(tmp_path) - before == set()


@pytest.mark.parametrize("code_text", ["P1\n", "P1\t", " P1", "P1 "])
def test_participant_codes_allow_no_trailing_whitespace(code_text):
    assert code_problem(code_text) is not None
    assert code_problem(code_text.strip()) is None


@pytest.mark.parametrize("extra, says", [
    (["--participants", "-3"], "--participants -3: use a whole number from 1 to"),
    (["--participants", "0"], "--participants 0"),
    (["--participants", "1", "--adaptive-trials", "100000000"], "--adaptive-trials 100000000: use a whole number from 1 to 1000"),
    (["--participants", "1", "--seed", "1e40"], "invalid int value: '1e40'"),
    (["--participants", "1", "--seed", "-1"], "--seed -1"),
    (["--participants", "1", "--seed", str(10**30)], "use a whole number from 0 to"),
    (["--participants", "1", "--practice", "-5"], "--practice -5"),
    (["--participants", "1", "--batch", "0"], "--batch 0"),
])
def test_simulate_refuses_out_of_range_numbers_before_writing(tmp_path, dataset, capsys, extra, says):
    db = tmp_path / "lab.sqlite"
    code, err = run(capsys, ["simulate", "--db", db, "--dataset", dataset, "--variants", "sr", *extra])
    assert code == 2
    assert len(err.splitlines()) == 1 and says in err, err
    assert files_under(tmp_path) == set()  # no database file either


def test_control_characters_in_a_study_name_are_printed_escaped(tmp_path, dataset, capsys):
    db = tmp_path / "lab.sqlite"
    study = "s\x1b]0;title\x07\r"
    assert run(capsys, ["simulate", "--db", db, "--dataset", dataset, "--participants", "1", "--variants", "sr",
                        "--study", study])[0] == 0
    capsys.readouterr()
    assert main.main(["export", "--db", str(db), "--out", str(tmp_path / "ex")]) == 0
    exported = capsys.readouterr().out
    assert "s\\x1b]0;title\\x07\\r:" in exported  # the study's line, escaped
    code, err = run(capsys, ["make-package", "--db", db, "--dataset", dataset, "--study", "s\x1bnone",
                             "--participant", "P1", "--out", tmp_path])
    assert code == 1 and len(err.splitlines()) == 1
    for text in (exported, err):
        assert "\x1b" not in text and "\x07" not in text and "\r" not in text
