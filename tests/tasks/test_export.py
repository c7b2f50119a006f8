import csv
import json
import math
import sqlite3
import os
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from db.engine import open_database
from tasks.compare import read_model, write_compare
from tasks.export import ExportError, export, load_records
from tasks.loader import load_dataset
from tasks.observers import Observer
from tasks.plan import Protocol
from tasks.runs import n_runs
from tasks.simulate import simulate
from tests.factories import pc_items, sr_items, tr_items, write_dataset


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def recompute(records, macro):
    """Independent re-computation of the kit's metrics from infer_results.jsonl records."""
    def micro(rows):
        aa = 100 * sum(r["is_correct"] for r in rows) / len(rows)
        ids = defaultdict(list)
        for r in rows:
            ids[r["id"]].append(r["is_correct"])
        return aa, 100 * sum(all(v) for v in ids.values()) / len(ids)
    if not macro:
        aa, acr = micro(records)
        return f"{aa:.2f}%", f"{acr:.2f}%"
    subs = defaultdict(list)
    for r in records:
        subs[r["sub-category"]].append(r)
    vals = [micro(rows) for rows in subs.values()]
    aa = sum(float(f"{a:.2f}") for a, _ in vals) / len(vals)
    acr = sum(float(f"{c:.2f}") for _, c in vals) / len(vals)
    return f"{aa:.2f}%", f"{acr:.2f}%"


@pytest.fixture
def ds(tmp_path):
    return load_dataset(write_dataset(tmp_path / "d", pc=pc_items(per_sub=3), tr=tr_items(per_sub=2),
                                      sr=sr_items(per_cat=3)))


def test_perfect_full_robust_round_trip(tmp_path, ds):
    engine = open_database(tmp_path / "lab.sqlite3")
    simulate(engine, ds, Protocol(mode="full-robust", practice_per_block=0, catch_every=6, min_run_spacing=2),
             2, Observer("perfect"), "test", study_name="robust")
    out = tmp_path / "out"
    export(engine, out, "test")
    for who in ("human-SIM001", "human-SIM002"):
        d = out / "robust" / who
        for alias in ("pc", "tr", "sr"):
            recs = read_jsonl(d / alias / "infer_results.jsonl")
            perf = json.loads((d / alias / "performance.json").read_text())
            assert perf["Total"]["AA"] == "100.00%" and perf["Total"]["ACR"] == "100.00%"
            # the kit's completeness rule: exactly n runs per id, every item present
            counts = defaultdict(int)
            for r in recs:
                counts[r["id"]] += 1
                assert r["prediction"] == r["answer_letter"] and r["model_response"] == f"{r['answer']}\nAnswer: {r['answer_letter']}"
                assert r["unique_id"] == f"{r['id']}@{r['rotate_id']}"
            assert counts == {i.id: n_runs(i) for i in ds.items[alias]}
        summary = list(csv.reader(open(d / "performance_summary_pc+tr+sr.csv")))
        assert summary[0] == ["Dataset", "AA", "ACR", "Samples"]
        assert summary[-1][0] == "Final MA" and float(summary[-1][1]) == 100.0
        assert int(summary[-1][3]) == sum(len(v) for v in ds.items.values())
    rows = list(csv.DictReader(open(out / "trials.csv")))
    assert {r["kind"] for r in rows} == {"test", "catch"}
    side = json.loads((out / "trials.columns.json").read_text())
    assert set(side["columns"]) == set(rows[0])
    assert side["studies"]["robust"]["dataset_fingerprint_sha256"]
    assert side["app_version"] == "test"
    # no personal data anywhere: the participant table itself has no place for a name or e-mail
    con = sqlite3.connect(tmp_path / "lab.sqlite3")
    columns = {row[1] for row in con.execute("PRAGMA table_info(participant)")}
    con.close()
    assert columns == {"id", "code", "age_band", "hearing_self_report", "consent_confirmed_at", "created_at"}
    assert not {c for c in rows[0] if "name" in c or "mail" in c}


def test_random_observer_is_at_chance_and_independent_recomputation_matches(tmp_path, ds):
    engine = open_database(tmp_path / "lab.sqlite3")
    simulate(engine, ds, Protocol(mode="full-robust", practice_per_block=0, min_run_spacing=2, seed=11),
             12, Observer("random"), "test", study_name="rand")
    out = tmp_path / "out"
    export(engine, out, "test")
    pooled = out / "rand" / "human-rand"
    for alias in ("pc", "tr", "sr"):
        recs = read_jsonl(pooled / alias / "infer_results.jsonl")
        p = sum(1 / len(r["options"]) for r in recs) / len(recs)
        aa = sum(r["is_correct"] for r in recs) / len(recs)
        sigma = math.sqrt(p * (1 - p) / len(recs))
        assert abs(aa - p) < 4 * sigma, (alias, aa, p)
        for who in ["human-rand"] + [f"human-SIM{k:03d}" for k in (1, 5, 12)]:
            d = out / "rand" / who / alias
            perf = json.loads((d / "performance.json").read_text())
            aa_s, acr_s = recompute(read_jsonl(d / "infer_results.jsonl"), macro=(alias == "pc"))
            assert (perf["Total"]["AA"], perf["Total"]["ACR"]) == (aa_s, acr_s)


def test_read_only_output_folder_gives_a_clear_message(tmp_path, ds):
    engine = open_database(tmp_path / "lab.sqlite3")
    simulate(engine, ds, Protocol(practice_per_block=0), 1, Observer("perfect"), "test")
    target = tmp_path / "ro"
    target.mkdir()
    mounted = False
    if os.geteuid() == 0:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(target)]).returncode == 0
        if not mounted:
            pytest.skip("running as root without permission to mount a read-only folder")
    else:
        target.chmod(0o555)
    try:
        with pytest.raises(ExportError, match="cannot write the export to .*ro.*database is unchanged"):
            export(engine, target, "test")
    finally:
        if mounted:
            subprocess.run(["umount", str(target)])
        target.chmod(0o755)
    assert len([r for r in load_records(engine) if r.response]) == sum(len(v) for v in ds.items.values())


def write_model(work: Path, name: str, alias: str, rows: list[dict], claimed_aa: str | None = None):
    d = work / name / alias
    d.mkdir(parents=True)
    (d / "infer_results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + "not json\n")
    if claimed_aa:
        (d / "performance.json").write_text(json.dumps({"Total": {"AA": claimed_aa, "ACR": "0.00%"}}))


def test_compare_recomputes_models_warns_and_writes_leaderboard(tmp_path, ds):
    engine = open_database(tmp_path / "lab.sqlite3")
    simulate(engine, ds, Protocol(practice_per_block=0, seed=2), 4, Observer("psychometric"), "test", study_name="s")
    work = tmp_path / "models"
    rows = [{"id": f"sr_{i}", "category": "Single-source Static Localization", "sub-category": None,
             "rotate_id": r, "is_correct": r == 0, "answer_letter": "<A>", "prediction": "<A>" if r == 0 else "<B>"}
            for i in range(1, 4) for r in range(3)]
    write_model(work, "toy-model", "sr", rows, claimed_aa="50.00%")
    model = read_model(work / "toy-model")
    assert model.row["sr_oa"] == pytest.approx(100 / 3)
    assert any("says Total AA 50.00%" in w for w in model.warnings)
    assert any("infer_results.jsonl:10: " in w and "skipped" in w for w in model.warnings)
    files = write_compare(tmp_path / "cmp", load_records(engine), [model])
    md = files[0].read_text()
    assert "Human (s), mean of participants (n=4)" in md and "toy-model" in md
    assert "Gemini 2.5 Pro (paper)" in md and "Chance (expected, these runs)" in md
    assert "Human minus model" in md and "says Total AA 50.00%" in md
    table = list(csv.DictReader(open(files[1])))
    human = next(r for r in table if r["kind"] == "human-mean")
    lo, mean, hi = float(human["ma_ci_low"]), float(human["ma"]), float(human["ma_ci_high"])
    assert lo <= mean <= hi
    chance = next(r for r in table if r["kind"] == "chance")
    assert float(chance["sr_oa"]) == pytest.approx(25.0)  # 4 options everywhere in sr
    diff = list(csv.DictReader(open(files[2])))
    toy = next(r for r in diff if "toy-model" in r["comparison"])
    assert float(toy["sr_oa"]) == pytest.approx(float(human["sr_oa"]) - 100 / 3, abs=1e-3)
