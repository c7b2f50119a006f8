"""``main.py coverage``: coverage.csv agrees with the database, counted here by plain SQL."""
from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter

import main
from tasks.cover.units import cover_units
from tasks.dataset.loader import load_dataset
from tests.support.cover_db import build_cover_study, cover_protocol
from tests.support.factories import pc_items, sr_items, tr_items, write_dataset


def sql_counts(db_path, mode):
    con = sqlite3.connect(db_path)
    rows = con.execute(
        "SELECT pt.variant, pt.item_id, pt.rotate_id, COUNT(r.id) FROM planned_trial pt "
        "JOIN response r ON r.planned_trial_id = pt.id WHERE pt.kind = 'test' "
        "GROUP BY pt.variant, pt.item_id, pt.rotate_id").fetchall()
    con.close()
    out = Counter()
    for v, i, r, n in rows:
        out[(v, i, "" if mode == "single-pass" else str(r))] += n
    return out


def run_coverage(tmp_path, mode, capsys):
    ds = load_dataset(write_dataset(tmp_path / "d", pc=pc_items(2), tr=tr_items(1), sr=sr_items(1)))
    protocol = cover_protocol(k=3, mode=mode, variants=["pc", "tr", "tr_cap", "sr"])
    units = cover_units(ds, protocol)
    db = tmp_path / "c.sqlite"
    build_cover_study(db, ds, protocol, missing={units[2].key: 2, units[5].key: 3}).engine.dispose()
    out = tmp_path / "cov"
    assert main.main(["coverage", "--db", str(db), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    rows = list(csv.DictReader((out / "coverage.csv").open(encoding="utf-8")))
    return ds, protocol, units, db, out, rows, printed


def test_coverage_csv_agrees_with_the_database(tmp_path, capsys):
    ds, protocol, units, db, out, rows, printed = run_coverage(tmp_path, "full-robust", capsys)
    assert list(rows[0]) == ["variant", "id", "rotate_id", "answers"]
    assert len(rows) == len(units)
    expected = sql_counts(db, "full-robust")
    found = {(r["variant"], r["id"], r["rotate_id"]): int(r["answers"]) for r in rows}
    assert {k: v for k, v in found.items() if v} == dict(expected)
    assert sorted(found.values()).count(0) == 1 and sorted(found.values()).count(1) == 1
    sidecar = json.loads((out / "coverage.columns.json").read_text(encoding="utf-8"))
    assert list(sidecar["columns"]) == ["variant", "id", "rotate_id", "answers"]
    assert sidecar["responses_per_run"] == 3 and sidecar["answers_needed"] == 5
    assert "still needed: 5 answers" in printed and "tr_cap/OSM" in printed


def test_single_pass_units_have_no_rotate_id(tmp_path, capsys):
    _ds, _p, units, db, out, rows, _printed = run_coverage(tmp_path, "single-pass", capsys)
    assert all(r["rotate_id"] == "" for r in rows)
    found = {(r["variant"], r["id"], ""): int(r["answers"]) for r in rows}
    assert {k: v for k, v in found.items() if v} == dict(sql_counts(db, "single-pass"))


def test_rerun_replaces_the_folder_and_a_foreign_folder_is_refused(tmp_path, capsys):
    _ds, _p, _u, db, out, _rows, _printed = run_coverage(tmp_path, "full-robust", capsys)
    assert main.main(["coverage", "--db", str(db), "--out", str(out)]) == 0
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep")
    assert main.main(["coverage", "--db", str(db), "--out", str(foreign)]) == 1
    assert (foreign / "notes.txt").read_text() == "keep" and not (foreign / "coverage.csv").exists()
    assert main.main(["coverage", "--db", str(db), "--study", "nope", "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "nope" in err
