"""Model files are scored against the dataset's own answer key and categories when the dataset
is known: a file that claims answer_letter = prediction on every run, or relabels categories,
gets the score its predictions earn, and every line that disagrees is named."""
from __future__ import annotations

import json
from pathlib import Path

import main
from db.engine import open_database
from tasks.dataset.loader import load_dataset
from tasks.dataset.runs import expand_runs, letter
from tasks.model_results.reader import KnownItems, read_model
from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate
from tasks.study.plan import Protocol


def kit_lines(ds, alias: str) -> list[dict]:
    """Every run of the alias as the kit writes it, the prediction always the first letter."""
    out = []
    for item in ds.items[alias]:
        for run in expand_runs(item, alias):
            out.append({"id": item.id, "task": item.task, "category": item.category,
                        "sub-category": item.sub_category, "options": list(run.options), "answer": run.answer,
                        "answer_letter": run.answer_letter, "rotate_id": run.rotate_id, "prediction": letter(0),
                        "is_correct": run.answer_letter == letter(0), "unique_id": run.unique_id})
    return out


def write_model(work: Path, alias: str, lines: list[dict], model: str = "m") -> Path:
    d = work / model / alias
    d.mkdir(parents=True, exist_ok=True)
    (d / "infer_results.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return work / model


def leaderboard(tmp_path: Path, dataset_dir: Path, lines: list[dict], name: str) -> tuple[int, str, str]:
    db = tmp_path / "lab.sqlite3"
    if not db.exists():
        ds = load_dataset(dataset_dir, check_audio=False)
        simulate(open_database(db), ds, Protocol(practice_per_block=0, seed=1), 1, Observer("perfect"), "t",
                 study_name="s")
    write_model(tmp_path / name, "pc", lines)
    out = tmp_path / f"cmp-{name}"
    code = main.main(["compare", "--db", str(db), "--models", str(tmp_path / name), "--out", str(out)])
    return code, (out / "leaderboard.csv").read_text(encoding="utf-8"), (out / "leaderboard.md").read_text("utf-8")


def model_row(csv_text: str) -> str:
    [row] = [line for line in csv_text.splitlines() if line.startswith("m,model")]
    return row


def test_answer_letters_set_to_the_prediction_do_not_raise_the_score(tmp_path, dataset_dir, capsys):
    ds = load_dataset(dataset_dir, check_audio=False)
    honest = kit_lines(ds, "pc")
    code, board, md = leaderboard(tmp_path, dataset_dir, honest, "honest")
    assert code == 0 and "disagree with the dataset" not in md
    cheat = [dict(x, answer_letter=x["prediction"], is_correct=True) for x in honest]
    code, cheat_board, cheat_md = leaderboard(tmp_path, dataset_dir, cheat, "cheat")
    assert code == 0
    assert model_row(cheat_board) == model_row(board)  # the score its predictions earn, not 100
    assert ",100.0," not in model_row(cheat_board).split(",", 3)[3][:8]
    changed = [n for n, (a, b) in enumerate(zip(honest, cheat), start=1) if a["answer_letter"] != b["answer_letter"]]
    assert changed
    for n in changed:
        assert f"m/pc/infer_results.jsonl:{n}: answer_letter says \"<A>\", dataset says \"{honest[n - 1]['answer_letter']}\"" \
            in cheat_md
    assert f"{len(changed)} lines disagree with the dataset" in cheat_md
    err = capsys.readouterr().err
    assert "Traceback" not in err and "disagree with the dataset" in err


def test_relabelled_categories_do_not_empty_a_column(tmp_path, dataset_dir):
    ds = load_dataset(dataset_dir, check_audio=False)
    honest = kit_lines(ds, "pc")
    _, board, _ = leaderboard(tmp_path, dataset_dir, honest, "honest")
    moved = [dict(x, category="Something Else") for x in honest]
    _, moved_board, md = leaderboard(tmp_path, dataset_dir, moved, "moved")
    assert model_row(moved_board) == model_row(board)
    assert f'm/pc/infer_results.jsonl:1: category says "Something Else", dataset says "{honest[0]["category"]}"' in md


def test_read_model_names_each_disagreeing_field_and_keeps_agreeing_lines_as_they_are(tmp_path, dataset_dir):
    ds = load_dataset(dataset_dir, check_audio=False)
    known = KnownItems.from_dataset(ds)
    lines = kit_lines(ds, "pc")
    agree = read_model(write_model(tmp_path / "a", "pc", lines), known)
    assert not any("dataset says" in w for w in agree.warnings)
    lines[2] = dict(lines[2], **{"sub-category": "elsewhere"})
    model = read_model(write_model(tmp_path / "b", "pc", lines), known)
    assert any(w.startswith("m/pc/infer_results.jsonl:3: sub-category says \"elsewhere\", dataset says")
               for w in model.warnings)
    assert model.row == agree.row
    unchecked = read_model(write_model(tmp_path / "c", "pc", [dict(x, answer_letter=x["prediction"],
                                                                   is_correct=True) for x in lines]))
    assert unchecked.row["ma"] is None and not any("dataset says" in w for w in unchecked.warnings)
