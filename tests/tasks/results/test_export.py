import csv
import json
import math
import os
import sqlite3
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from db.engine import open_database
from tasks.model_results.reader import read_model
from tasks.results.compare import write_compare
from tasks.results.trial_records import ExportError, load_records
from tasks.results.export import export
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol
from tasks.dataset.runs import n_runs
from tasks.simulation.simulate import simulate
from tests.support.factories import pc_items, sr_items, tr_items, write_dataset


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


def test_random_observer_is_at_chance_and_independent_recomputation_matches(tmp_path, ds, lab_db):
    engine = open_database(lab_db)  # a SQLite file and a PostgreSQL lab server
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


@pytest.mark.subprocess
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


def test_compare_recomputes_models_warns_and_writes_leaderboard(tmp_path, ds, lab_db):
    engine = open_database(lab_db)  # a SQLite file and a PostgreSQL lab server
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


# ---------------------------------------------------------------- streaming against a reference
def reference_export(engine, out: Path, app_version: str) -> None:
    """The export as a straightforward ORM implementation: every record in memory, grouped with
    dicts (the way the export worked before it streamed). The streamed export must write the
    same bytes."""
    from sqlmodel import Session as DbSession, select

    from db import repo
    from db.models import Calibration, Participant
    from tasks.results.export import TRIAL_COLUMNS
    from tasks.dataset.paths import path_component
    from tasks.results.trial_records import TrialRecord
    from tasks.results.kit_writer import write_summary_csv
    from tasks.study.plan import Protocol as P
    from tasks.scoring.metrics import score_all

    with DbSession(engine) as s:
        participants = {p.id: p for p in s.exec(select(Participant)).all()}
        records = []
        for study in repo.list_studies(s):
            for session in repo.sessions_of_study(s, study.id):
                answers = {r.planned_trial_id: r for r in repo.responses(s, session.id)}
                for t in repo.planned_trials(s, session.id):
                    records.append(TrialRecord(study, session, participants[session.participant_id], t,
                                               answers.get(t.id)))
        calibrations = [c.model_dump(mode="json") for c in s.exec(select(Calibration)).all()]

    def iso(value):
        return value.isoformat() if value else ""

    def trial_row(rec):
        t, r = rec.trial, rec.response
        return {
            "study": rec.study.name, "participant": rec.participant.code, "session_id": rec.session.id,
            "cohort_index": rec.session.cohort_index, "take_home": rec.session.take_home,
            "position": t.position, "block": t.block, "kind": t.kind,
            "catch_of": "" if t.catch_of is None else t.catch_of, "variant": t.variant, "item_id": t.item_id,
            "rotate_id": t.rotate_id, "unique_id": t.unique_id, "task": t.task, "category": t.category,
            "sub_category": t.sub_category or "", "options": " | ".join(json.loads(t.options_json)),
            "answer": t.answer, "answer_letter": t.answer_letter, "shuffled_seg_order": t.shuffled_seg_order or "",
            "answered": r is not None, "chosen_letter": (r.chosen_letter or "") if r else "",
            "chosen_text": (r.chosen_text or "") if r else "", "is_correct": bool(r and r.is_correct),
            "rt_ms": "" if r is None or r.rt_ms is None else r.rt_ms, "n_replays": r.n_replays if r else "",
            "presented_at": iso(r.presented_at) if r else "", "answered_at": iso(r.answered_at) if r else "",
            "uncalibrated": r.uncalibrated if r else "", "attenuation_db": r.attenuation_db if r else "",
            "level_db_spl": "" if r is None or r.level_db_spl is None else r.level_db_spl,
            "paused_ms": r.paused_ms if r else "", "rt_interrupted": r.rt_interrupted if r else "",
            "withheld": t.withheld_reason is not None, "withheld_reason": t.withheld_reason or "",
        }

    def kit_dir(model_dir, recs):
        by_variant = defaultdict(list)
        for rec in recs:
            by_variant[rec.trial.variant].append(rec)
        perfs = score_all(rec.run_result() for rec in recs)
        for variant, vrecs in by_variant.items():
            d = model_dir / variant
            d.mkdir(parents=True, exist_ok=True)
            with open(d / "infer_results.jsonl", "w", encoding="utf-8") as f:
                for rec in vrecs:
                    f.write(json.dumps(rec.kit_record(), ensure_ascii=False) + "\n")
            (d / "performance.json").write_text(json.dumps(perfs[variant].to_kit(), indent=4, ensure_ascii=False),
                                                encoding="utf-8")
        ordered = {v: perfs[v] for v in by_variant}
        write_summary_csv(model_dir / f"performance_summary_{'+'.join(ordered)}.csv", ordered)

    out.mkdir(parents=True)
    by_study = defaultdict(list)
    for rec in records:
        by_study[rec.study.name].append(rec)
    for name, recs in by_study.items():
        scored = [r for r in recs if r.trial.kind == "test" and r.response is not None]
        by_participant = defaultdict(list)
        for rec in scored:
            by_participant[rec.participant.code].append(rec)
        for code, prec in by_participant.items():
            kit_dir(out / path_component(name) / f"human-{path_component(code)}", prec)
        if scored:
            kit_dir(out / path_component(name) / f"human-{path_component(name)}", scored)
    with open(out / "trials.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(TRIAL_COLUMNS))
        w.writeheader()
        for rec in records:
            w.writerow(trial_row(rec))
    studies = {rec.study.name: rec.study for rec in records}
    side = {
        "description": "One row per planned trial of every session in trials.csv; unanswered trials have answered=false.",
        "columns": TRIAL_COLUMNS, "app_version": app_version,
        "studies": {name: {"dataset_root": st.dataset_root, "dataset_fingerprint_sha256": st.dataset_fingerprint,
                           "protocol": json.loads(P.from_json(st.protocol_json).to_json())}
                    for name, st in studies.items()},
        "calibrations": calibrations,
        "sessions": [{"session_id": sid, "participant": code, "uncalibrated": unc, "take_home": th, "status": status}
                     for sid, code, unc, th, status in sorted({(r.session.id, r.participant.code, r.session.uncalibrated,
                                                                 r.session.take_home, r.session.status)
                                                                for r in records})],
        "personal_data": "none: participants are pseudonymous codes; no names or e-mail addresses are stored",
    }
    (out / "trials.columns.json").write_text(json.dumps(side, indent=2, ensure_ascii=False), encoding="utf-8")
    from tasks.results.screening_csv import write_screening  # its own writer, tested in test_screening_csv.py
    write_screening(engine, out)


def build_mixed_database(tmp_path, ds):
    """Two studies; practice and catch trials; an aborted session whose participant comes back
    after others (non-adjacent sessions of one participant); a partial session; attenuated trials."""
    from tasks.study.runner import SessionRunner
    from tasks.study.studies import open_study
    from tasks.study.enrolment import start_or_resume

    engine = open_database(tmp_path / "lab.sqlite3")
    protocol = Protocol(mode="full-robust", practice_per_block=1, catch_every=5, min_run_spacing=2, seed=4)
    simulate(engine, ds, protocol, 3, Observer("psychometric"), "test", study_name="A", batch_answers=13)
    study = open_study(engine, ds, "A", protocol)
    first = start_or_resume(engine, ds, study, "SIM001", "test")
    SessionRunner(engine, first.id).abort("test")
    again = start_or_resume(engine, ds, study, "SIM001", "test")
    partial = start_or_resume(engine, ds, study, "P9", "test")
    for session, n in ((again, 17), (partial, 4)):
        runner = SessionRunner(engine, session.id)
        for k in range(n):
            t = runner.next_trial()
            runner.answer(t, t.answer_letter if k % 3 else "<A>", rt_ms=500.0 + k, paused_ms=float(k % 2) * 250.5,
                          rt_interrupted=k % 2 == 1)
    runner = SessionRunner(engine, partial.id)
    runner.withhold(runner.next_trial(), "over the safety ceiling: 99.0 dB SPL > 85.0 dB SPL, \"quoted\"")
    simulate(engine, ds, Protocol(seed=9, practice_per_block=0), 2, Observer("random"), "test", study_name="B")
    con = sqlite3.connect(tmp_path / "lab.sqlite3")
    con.execute("UPDATE response SET attenuation_db = 1.5 + (id % 4) WHERE id % 7 = 0 AND session_id IN "
                "(SELECT s.id FROM session s JOIN study st ON st.id = s.study_id WHERE st.name = 'A')")
    # times as SQLite may hold them: whole seconds with and without a fraction, no time
    con.execute("UPDATE response SET presented_at = '2026-01-02 03:04:05.000000' WHERE id = 3")
    con.execute("UPDATE response SET presented_at = '2026-01-02 03:04:05', answered_at = '2026-01-02 03:04:06.5' "
                "WHERE id = 4")
    con.execute("UPDATE response SET presented_at = NULL WHERE id = 5")
    con.commit()
    con.close()
    return engine


def test_streamed_export_is_byte_identical_to_the_reference(tmp_path, ds):
    engine = build_mixed_database(tmp_path, ds)
    out, ref = tmp_path / "out", tmp_path / "ref"
    result = export(engine, out, "test")
    reference_export(engine, ref, "test")
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(ref) for p in ref.rglob("*") if p.is_file())
    assert Path("A/human-SIM001/pc/infer_results.jsonl") in files and Path("A/human-P9") in {p for f in files for p in f.parents}
    for rel in files:
        if rel.name == "trials.columns.json":
            continue
        assert (out / rel).read_bytes() == (ref / rel).read_bytes(), rel
    side, ref_side = (json.loads((d / "trials.columns.json").read_text()) for d in (out, ref))
    attenuation = side.pop("safety_ceiling_attenuation")
    withheld = side.pop("withheld_trials")
    assert side == ref_side
    assert {k: v for k, v in withheld.items() if k != "description"} == {"A": 1, "B": 0} == result.withheld
    rows = list(csv.DictReader(open(out / "trials.csv", encoding="utf-8")))
    (held,) = [r for r in rows if r["withheld"] == "True"]
    assert held["answered"] == "False" and held["withheld_reason"].endswith('"quoted"')
    kit_lines = [r for f in (out / "A").rglob("infer_results.jsonl") for r in read_jsonl(f)]
    assert kit_lines and not any((r["session_id"], r["position"]) == (int(held["session_id"]), int(held["position"]))
                                 for r in kit_lines)
    assert {r["paused_ms"] for r in rows if r["participant"] == "P9" and r["answered"] == "True"} == {"0.0", "250.5"}
    # the attenuation summary, recomputed here from the database
    con = sqlite3.connect(tmp_path / "lab.sqlite3")
    n, mx, mean = con.execute("SELECT COUNT(*), MAX(attenuation_db), AVG(attenuation_db) FROM response "
                              "WHERE attenuation_db > 0").fetchone()
    con.close()
    assert n > 5
    assert attenuation["A"] == {"trials_attenuated": n, "attenuation_db_max": round(mx, 2),
                                "attenuation_db_mean": round(mean, 2)}
    assert attenuation["B"] == {"trials_attenuated": 0, "attenuation_db_max": 0.0, "attenuation_db_mean": 0.0}
    assert result.attenuation["A"].trials == n and "max 4.50 dB" in result.attenuation["A"].describe()
    # SIM001's two sessions (cohort 0 and, after the others, the new one) form one participant folder
    sim1 = read_jsonl(out / "A" / "human-SIM001" / "pc" / "infer_results.jsonl")
    assert len({r["session_id"] for r in sim1}) == 2


def test_streamed_compare_equals_the_in_memory_one(tmp_path, ds):
    from tasks.results.compare_input import collect_human_inputs

    engine = build_mixed_database(tmp_path, ds)
    streamed = write_compare(tmp_path / "streamed", collect_human_inputs(engine), [])
    in_memory = write_compare(tmp_path / "memory", load_records(engine), [])
    for a, b in zip(streamed, in_memory):
        assert a.read_bytes() == b.read_bytes(), a.name
    md = streamed[0].read_text()
    assert "Human (A), mean of participants (n=4)" in md and "Human (B), mean of participants (n=2)" in md
    only_b = write_compare(tmp_path / "b", collect_human_inputs(engine, "B"), [])
    assert "Human (A)" not in only_b[0].read_text()


def test_trials_csv_cells_follow_the_documented_columns():
    """The row writer's groups of cells and TRIAL_COLUMNS must not drift apart."""
    from tasks.results.export import TRIAL_COLUMNS
    from tasks.results.trials_csv import check_columns

    check_columns(TRIAL_COLUMNS)
    with pytest.raises(RuntimeError, match="do not match"):
        check_columns([c for c in TRIAL_COLUMNS if c != "kind"])


def test_participants_whose_folders_would_coincide_are_refused(tmp_path, ds):
    from tasks.study.runner import SessionRunner
    from tasks.study.studies import open_study
    from tasks.study.enrolment import start_or_resume

    engine = open_database(tmp_path / "lab.sqlite3")
    study = open_study(engine, ds, "s", Protocol(practice_per_block=0))
    for code in ("Px1", "P_1"):
        runner = SessionRunner(engine, start_or_resume(engine, ds, study, code, "test").id)
        t = runner.next_trial()
        runner.answer(t, t.answer_letter)
    # the app no longer accepts "P/1", but a database from before the code rule can hold it;
    # "P/1" and "P_1" both become human-P_1
    con = sqlite3.connect(tmp_path / "lab.sqlite3")
    con.execute("UPDATE participant SET code = 'P/1' WHERE code = 'Px1'")
    con.commit()
    con.close()
    with pytest.raises(ExportError, match="'P_1' and participant 'P/1' would share the folder human-P_1"):
        export(engine, tmp_path / "out", "test")


def test_hand_edited_rows_keep_the_exports_byte_identical(tmp_path, ds):
    """Rows the cached pieces must not confuse: one trial's texts edited while others keep the
    same item, run and choice; a response with text that needs quoting, no rt_ms and a level."""
    from tasks.results.compare_input import collect_human_inputs

    engine = build_mixed_database(tmp_path, ds)
    con = sqlite3.connect(tmp_path / "lab.sqlite3")
    # a pc trial answered like an earlier one of the same item and run (same letter, same outcome)
    pt_id, options_json = con.execute(
        "SELECT t.id, t.options_json FROM planned_trial t JOIN response r ON r.planned_trial_id = t.id "
        "WHERE t.kind = 'test' AND t.variant = 'pc' AND EXISTS (SELECT 1 FROM planned_trial t2 JOIN response r2 "
        "ON r2.planned_trial_id = t2.id WHERE t2.id < t.id AND t2.kind = 'test' AND t2.item_id = t.item_id "
        "AND t2.rotate_id = t.rotate_id AND r2.chosen_letter = r.chosen_letter AND r2.is_correct = r.is_correct) "
        "ORDER BY t.id DESC LIMIT 1").fetchone()
    edited = json.loads(options_json)
    edited[0] = 'edited, "quoted" ç'
    con.execute("UPDATE planned_trial SET task = 'edited task', options_json = ? WHERE id = ?",
                (json.dumps(edited), pt_id))
    con.execute("UPDATE response SET chosen_text = ?, rt_ms = NULL, level_db_spl = 61.25, n_replays = 3 "
                "WHERE planned_trial_id = ?", ('a, "b"\nç', pt_id))
    con.commit()
    con.close()
    out, ref = tmp_path / "out", tmp_path / "ref"
    export(engine, out, "test")
    reference_export(engine, ref, "test")
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and p.name != "trials.columns.json")
    assert files == sorted(p.relative_to(ref) for p in ref.rglob("*") if p.is_file() and p.name != "trials.columns.json")
    for rel in files:
        assert (out / rel).read_bytes() == (ref / rel).read_bytes(), rel
    lines = [json.loads(line) for f in out.rglob("infer_results.jsonl") for line in f.read_text().splitlines()]
    mine = [r for r in lines if r["task"] == "edited task"]
    assert len(mine) == 2 and mine[0]["rt_ms"] is None and mine[0]["options"][0] == 'edited, "quoted" ç'
    streamed = write_compare(tmp_path / "streamed", collect_human_inputs(engine), [])
    in_memory = write_compare(tmp_path / "memory", load_records(engine), [])
    for a, b in zip(streamed, in_memory):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_compare_from_the_exports_own_read_equals_the_compare_command(tmp_path, ds):
    # export_and_compare reuses what the export read and scored; the comparison must be the
    # one collect_human_inputs gives (the compare command), file for file, and the export the same
    from tasks.results.compare import export_and_compare
    from tasks.results.compare_input import HumanInputs, collect_human_inputs
    from tasks.scoring.metrics import score_all

    engine = build_mixed_database(tmp_path, ds)
    for study in (None, "B"):
        tag = study or "all"
        result, files = export_and_compare(engine, tmp_path / f"both-{tag}", "test", [], study_name=study)
        alone = write_compare(tmp_path / f"compare-{tag}", collect_human_inputs(engine, study), [])
        assert [f.name for f in files] == [f.name for f in alone]
        for a, b in zip(files, alone):
            assert a.read_bytes() == b.read_bytes(), (study, a.name)
        export(engine, tmp_path / f"export-{tag}", "test", study, majority=True)
        exported = sorted(p.relative_to(tmp_path / f"export-{tag}") for p in (tmp_path / f"export-{tag}").rglob("*")
                          if p.is_file())
        assert [p.relative_to(result.out_dir) for p in result.files] == exported
        for rel in exported:
            assert (result.out_dir / rel).read_bytes() == (tmp_path / f"export-{tag}" / rel).read_bytes(), rel

    # the inputs themselves, field by field
    collected, read = HumanInputs(), collect_human_inputs(engine)
    export(engine, tmp_path / "inputs", "test", inputs=collected)
    assert collected.any_trials and list(collected.studies) == list(read.studies) == ["A", "B"]
    assert collected.chance == read.chance and len(read.chance) > 100
    for name, study in collected.studies.items():
        other = read.studies[name]
        assert study.participant_codes == other.participant_codes
        assert study.participant_runs == other.participant_runs
        assert study.participant_rows == other.participant_rows
        assert study.pooled_performances == score_all(other.pooled)


def test_the_same_seed_gives_the_same_export_and_comparison(tmp_path, ds):
    # two databases simulated with the same seed: every kit file and the comparison are
    # byte-identical, and trials.csv differs only in the wall-clock times of the answers
    from tasks.results.compare import export_and_compare

    outs = []
    for k in (1, 2):
        engine = open_database(tmp_path / f"lab{k}.sqlite3")
        simulate(engine, ds, Protocol(mode="full-robust", practice_per_block=1, catch_every=7, seed=21), 5,
                 Observer("psychometric"), "test", study_name="S", batch_answers=50 * k)
        out = tmp_path / f"out{k}"
        export_and_compare(engine, out, "test", [])
        outs.append(out)
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(outs[1]) for p in outs[1].rglob("*") if p.is_file())
    # 5 participants, the pooled study and human-majority, each for pc, tr and sr
    assert sum(f.name == "performance.json" for f in files) == 7 * 3 and Path("compare/leaderboard.csv") in files
    for rel in files:
        if rel.name != "trials.csv":
            assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel
    times = ("presented_at", "answered_at")
    first, second = ([{k: v for k, v in row.items() if k not in times} for row in csv.DictReader(open(o / "trials.csv"))]
                     for o in outs)
    assert first == second and len(first) > 100
