"""The export of a cover study: human-draw-1..K (each a complete responder the kit's evaluate()
scores as we do), human-majority over the K answers, and the cover human row."""
from __future__ import annotations

import itertools
import json
import sqlite3
from collections import Counter, defaultdict

import numpy as np
import pytest

from tasks.analysis.responses import load_responses
from tasks.cover.scores import cover_row, cover_scores
from tasks.cover.units import cover_units
from tasks.dataset.loader import load_dataset
from tasks.dataset.runs import n_runs
from tasks.results.export import export
from tests.support.cover_db import build_cover_study, cover_protocol
from tests.support.factories import pc_items, sr_items, tr_items, write_dataset

pd = pytest.importorskip("pandas")


@pytest.fixture
def ds(tmp_path):
    return load_dataset(write_dataset(tmp_path / "d", pc=pc_items(2), tr=tr_items(2), sr=sr_items(2)))


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_draws_are_complete_responders_scored_as_the_kit_does(tmp_path, ds):
    from tests.tasks.scoring.test_scoring import kit_evaluate_micro, kit_evaluate_pc
    protocol = cover_protocol(k=3)
    db = tmp_path / "c.sqlite"
    built = build_cover_study(db, ds, protocol)
    out = tmp_path / "out"
    export(built.engine, out, "test", majority=True)
    study = out / "cover"
    assert sorted(p.name for p in study.iterdir() if p.name.startswith("human-draw-")) == [
        "human-draw-1", "human-draw-2", "human-draw-3"]
    assert (study / "human-majority").is_dir()
    n_runs_of = {(v, u.item.id): n_runs(u.item) for u in cover_units(ds, protocol) for v in [u.variant]}
    # the j-th answer received, counted independently by SQL
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT pt.variant, pt.item_id, pt.rotate_id, r.chosen_letter, p.code FROM response r "
        "JOIN planned_trial pt ON pt.id = r.planned_trial_id JOIN session s ON s.id = pt.session_id "
        "JOIN participant p ON p.id = s.participant_id ORDER BY r.answered_at, r.id").fetchall()
    con.close()
    nth = defaultdict(list)
    for v, i, r, chosen, code in rows:
        nth[(v, i, r)].append((chosen, code))
    for j in (1, 2, 3):
        for variant in ("pc", "tr", "sr"):
            folder = study / f"human-draw-{j}" / variant
            recs = read_jsonl(folder / "infer_results.jsonl")
            per_id = Counter(r["id"] for r in recs)
            assert all(per_id[i] == n_runs_of[(variant, i)] for i in per_id)  # the kit's completeness check
            assert len(per_id) == len({i for (v, i) in n_runs_of if v == variant})
            for r in recs:
                assert (r["prediction"], r["participant"]) == nth[(variant, r["id"], r["rotate_id"])][j - 1]
            df = pd.read_json(folder / "infer_results.jsonl", lines=True)
            kit = kit_evaluate_pc(df) if variant == "pc" else kit_evaluate_micro(df)
            assert (folder / "performance.json").read_text(encoding="utf-8") == json.dumps(kit, indent=4)
    # a participant never has two runs of one item, in any draw or overall
    by_code = defaultdict(list)
    for v, i, r, _c, code in rows:
        by_code[code].append(i)
    assert all(len(ids) == len(set(ids)) for ids in by_code.values())


def test_an_under_covered_unit_is_left_out_of_the_late_draws(tmp_path, ds):
    protocol = cover_protocol(k=2, variants=["sr"])
    units = cover_units(ds, protocol)
    built = build_cover_study(tmp_path / "c.sqlite", ds, protocol, missing={units[0].key: 1})
    export(built.engine, tmp_path / "out", "test")
    first = read_jsonl(tmp_path / "out" / "cover" / "human-draw-1" / "sr" / "infer_results.jsonl")
    second = read_jsonl(tmp_path / "out" / "cover" / "human-draw-2" / "sr" / "infer_results.jsonl")
    assert len(first) == len(units) and len(second) == len(units) - 1
    assert (units[0].item.id, 0) not in {(r["id"], r["rotate_id"]) for r in second}


def test_cover_row_aa_is_the_mean_of_the_draws_and_acr_the_expected_product(tmp_path, ds):
    protocol = cover_protocol(k=3, variants=["tr", "sr"])
    built = build_cover_study(tmp_path / "c.sqlite", ds, protocol)
    export(built.engine, tmp_path / "out", "test")
    resp = load_responses(built.engine, "cover")
    perfs = cover_scores(resp, "full-robust")
    for variant in ("tr", "sr"):
        draws = [json.loads((tmp_path / "out" / "cover" / f"human-draw-{j}" / variant / "performance.json").read_text())
                 for j in (1, 2, 3)]
        mean_draw_aa = np.mean([float(d["Total"]["AA"][:-1]) for d in draws])
        assert perfs[variant].total.aa == pytest.approx(mean_draw_aa, abs=0.01)
        # ACR by brute force: the kit's ACR averaged over every way of picking one answer per run
        answers = defaultdict(list)
        for j in (1, 2, 3):
            for rec in read_jsonl(tmp_path / "out" / "cover" / f"human-draw-{j}" / variant / "infer_results.jsonl"):
                answers[(rec["id"], rec["rotate_id"])].append(rec["is_correct"])
        per_item = []
        for item in sorted({i for i, _r in answers}):
            runs = [answers[(item, r)] for r in range(3)]
            combos = list(itertools.product(*runs))
            per_item.append(np.mean([all(c) for c in combos]))
        assert perfs[variant].total.acr == pytest.approx(100 * np.mean(per_item))
    row = cover_row(resp, "full-robust")
    assert row["tr_oa"] == pytest.approx(perfs["tr"].total.aa)


def test_shared_studies_get_no_draws(tmp_path, ds):
    from db.engine import open_database
    from tasks.simulation.observers import Observer
    from tasks.simulation.simulate import simulate
    from tasks.study.plan import Protocol
    engine = open_database(tmp_path / "s.sqlite")
    simulate(engine, ds, Protocol(mode="full-robust", practice_per_block=0, min_run_spacing=1), 2,
             Observer("random"), "test", study_name="shared")
    export(engine, tmp_path / "out", "test", majority=True)
    study = tmp_path / "out" / "shared"
    assert (study / "human-majority").is_dir()  # the study was exported, with its majority
    assert not list(study.glob("human-draw-*"))


def test_compare_shows_the_cover_row(tmp_path, ds):
    import csv

    from tasks.results.compare import export_and_compare, write_compare
    from tasks.results.compare_input import collect_human_inputs
    protocol = cover_protocol(k=3)
    built = build_cover_study(tmp_path / "c.sqlite", ds, protocol)
    expected = cover_row(load_responses(built.engine, "cover"), "full-robust")
    _result, files = export_and_compare(built.engine, tmp_path / "out", "test", [])
    apart = write_compare(tmp_path / "cmp", collect_human_inputs(built.engine, "cover"), [])
    for csv_path in (files[1], apart[1]):
        rows = {r["kind"]: r for r in csv.DictReader(csv_path.open(encoding="utf-8"))}
        human = rows["human-mean"]
        assert "cover design" in human["row"] and human["ma_ci_low"] == ""
        assert float(human["ma"]) == pytest.approx(expected["ma"], abs=1e-4)


def test_single_pass_draws_hold_one_line_per_item(tmp_path, ds):
    protocol = cover_protocol(k=2, mode="single-pass", variants=["pc", "sr"])
    built = build_cover_study(tmp_path / "c.sqlite", ds, protocol)
    export(built.engine, tmp_path / "out", "test")
    for j in (1, 2):
        for variant in ("pc", "sr"):
            recs = read_jsonl(tmp_path / "out" / "cover" / f"human-draw-{j}" / variant / "infer_results.jsonl")
            ids = [r["id"] for r in recs]
            assert len(ids) == len(set(ids)) == len(ds.items[variant])
            assert all(r["answer_index"] == j for r in recs)
    resp = load_responses(built.engine, "cover")
    perfs = cover_scores(resp, "single-pass")
    assert perfs["sr"].total.acr == pytest.approx(perfs["sr"].total.aa)
