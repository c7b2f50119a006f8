"""The report on simulated cohorts whose truth is known, from real SQLite files to the files
written (report.html, figures, CSV and LaTeX tables, human-majority/)."""
from __future__ import annotations

import csv
import json
import re
from collections import Counter

import pytest
from sqlmodel import Session as DbSession

from db import repo
from tasks.analysis.design import Design
from tasks.analysis.item_analysis import FLAGS
from tasks.analysis.report import write_report
from tasks.analysis.responses import ReportError, load_responses
from tasks.analysis.tables import latex_tabular, formatted
from tasks.simulation.observers import Observer
from tasks.dataset.runs import n_runs
from tests.support.factories import sr_items
from tests.tasks.analysis.cohorts import TrueKeyObserver, cohort_db, model_workdir, robust, small_dataset

ITEM_COLUMNS = ["variant", "item_id", "category", "sub_category", "key", "answers", "participants", "human_accuracy",
                "chance", "agreement_with_key", "modal_answer", "point_biserial", "flags"]


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_perfect_observers_agree_fully_and_flag_no_item(tmp_path):
    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer("perfect"), 5)
    summary = write_report(engine, tmp_path / "out", n_bootstrap=200)
    kappas = read_csv(tmp_path / "out" / "agreement.csv")
    assert {r["variant"] for r in kappas} == {"pc", "tr", "tr_cap", "sr"}
    for r in kappas:
        assert float(r["fleiss_kappa"]) == pytest.approx(1.0) and float(r["krippendorff_alpha"]) == pytest.approx(1.0)
        assert int(r["raters_per_run"]) == 5
    items = read_csv(tmp_path / "out" / "items.csv")
    # one row per presented item (variant, id): every item of the dataset, in every variant run
    presented = {(v, it.id) for v in ("pc", "tr", "tr_cap", "sr") for it in ds.items[v if v != "tr_cap" else "tr"]}
    assert {(r["variant"], r["item_id"]) for r in items} == presented and len(items) == len(presented)
    assert all(c in items[0] for c in ITEM_COLUMNS)
    assert [r for r in items if r["flags"]] == []
    assert all(float(r["human_accuracy"]) == 100.0 and float(r["agreement_with_key"]) == 1.0 for r in items)
    assert summary.participants == 5 and summary.excluded == []


@pytest.mark.slow
def test_a_planted_wrong_key_is_flagged_by_the_two_thirds_rule(tmp_path):
    # the dataset says options[0] for sr_2, but the truth (what people hear) is options[2]
    sr = sr_items(3)
    planted = next(it for it in sr if it["id"] == "sr_2")
    truth = planted["options"][2]
    planted["answer"] = planted["options"][0]
    ds = small_dataset(tmp_path / "ds", sr=sr)
    engine = cohort_db(tmp_path / "lab.sqlite", ds, TrueKeyObserver({"sr_2": truth}), 6)
    summary = write_report(engine, tmp_path / "out", n_bootstrap=200)
    items = {(r["variant"], r["item_id"]): r for r in read_csv(tmp_path / "out" / "items.csv")}
    row = items[("sr", "sr_2")]
    flags = row["flags"].split(";")
    assert "below_two_thirds" in flags and "modal_not_key" in flags and set(flags) <= set(FLAGS)
    assert row["modal_answer"] == truth and float(row["agreement_with_key"]) == 0.0
    assert [k for k, r in items.items() if r["flags"]] == [("sr", "sr_2")]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "sr_2" in html and "below_two_thirds" in html
    assert summary.responses == sum(int(r["answers"]) for r in items.values())


@pytest.mark.slow
def test_random_observers_agree_at_chance_and_their_interval_covers_chance(tmp_path):
    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer("random"), 24, protocol=robust(seed=3))
    write_report(engine, tmp_path / "out", n_bootstrap=1000)
    for r in read_csv(tmp_path / "out" / "agreement.csv"):
        if r["category"] == "all":
            assert abs(float(r["fleiss_kappa"])) < 0.05, r
            assert abs(float(r["krippendorff_alpha"])) < 0.05, r
    board = {r["kind"]: r for r in read_csv(tmp_path / "out" / "leaderboard.csv")}
    human, chance = board["human-mean"], board["chance"]
    for key in ("pc_ma", "tr_oa", "sr_oa", "ma"):
        low, high = float(human[f"{key}_crossed_low"]), float(human[f"{key}_crossed_high"])
        assert low <= float(chance[key]) <= high, (key, low, high, chance[key])


@pytest.mark.slow
def test_the_bootstrap_interval_covers_the_true_mean_of_a_psychometric_cohort(tmp_path):
    """50 independent cohorts (different seeds) of 8 psychometric observers with a known accuracy
    of 70% on every run: the 95% interval of the mean must cover 70 in at least 90% of them."""
    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer("psychometric", accuracy=0.7), 0)
    from tasks.simulation.simulate import simulate
    for rep in range(50):
        simulate(engine, ds, robust(seed=rep, variants=["pc", "tr", "sr"]), 8, Observer("psychometric", accuracy=0.7),
                 "test", study_name=f"cohort{rep}")
    from tasks.analysis.scores import leaderboard_intervals
    covered = Counter()
    for rep in range(50):
        design = Design.build(load_responses(engine, f"cohort{rep}"), 400, rep)
        intervals = leaderboard_intervals(design)
        for key in ("pc_ma", "tr_oa", "sr_oa", "ma"):
            low, high = intervals[key]
            covered[key] += low <= 70.0 <= high
    assert all(n >= 45 for n in covered.values()), covered


@pytest.mark.slow
def test_the_report_renders_every_figure_and_table_with_models(tmp_path):
    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer("psychometric", accuracy=0.8), 6)
    work = model_workdir(tmp_path, ds, Observer("random"), "model-a")
    model_workdir(tmp_path, ds, Observer("perfect"), "model-b")
    out = tmp_path / "out"
    summary = write_report(engine, out, models_dir=work, n_bootstrap=300)
    assert summary.models == ["model-a", "model-b"]
    assert set(summary.figures) == {"bars_categories", "bars_subcategories", "human_vs_model", "variant_contrasts",
                                    "items"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == len(summary.figures)
    for name in summary.figures:
        assert f'data-figure="{name}"' in html
        assert (out / f"{name}.png").read_bytes().startswith(b"\x89PNG")
        assert (out / f"{name}.pdf").read_bytes().startswith(b"%PDF")
    for name in summary.tables:
        assert (out / f"{name}.csv").is_file() and (out / f"{name}.tex").is_file()
    vs = read_csv(out / "human_vs_model.csv")
    assert {r["model"] for r in vs} == {"model-a", "model-b"}
    perfect = [r for r in vs if r["model"] == "model-b"]
    # humans at 80% against a model that is always right: every difference negative, inside its
    # interval (2-3 items per category here: the t quantile of so few items keeps the intervals wide)
    assert all(float(r["ci_low"]) < float(r["difference"]) < 0 and float(r["difference"]) < float(r["ci_high"])
               for r in perfect)
    assert all(float(r["p_holm"]) >= float(r["p"]) for r in vs)
    groups = read_csv(out / "categories.csv")
    assert {r["responder"] for r in groups} == {"Human (mean of participants)", "model-a", "model-b"}
    contrasts = read_csv(out / "variant_contrasts.csv")
    assert {(r["contrast"], r["pairing"]) for r in contrasts} == {("tr_cap - tr", "paired by item")}
    assert "Screening" in html and "No participant is excluded" in html


def test_human_majority_passes_the_kits_completeness_check_and_evaluation(tmp_path):
    pd = pytest.importorskip("pandas")
    from tests.tasks.scoring.test_scoring import kit_evaluate_micro, kit_evaluate_pc

    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer("psychometric", accuracy=0.6), 4)
    write_report(engine, tmp_path / "out", n_bootstrap=100)
    folder = tmp_path / "out" / "human-majority"
    checked = 0
    for variant in ("pc", "tr", "tr_cap", "sr"):
        results = folder / variant / "infer_results.jsonl"
        df = pd.read_json(results, lines=True)
        # the kit's assertion: exactly the expected number of runs per id
        expected = {it.id: n_runs(it) for it in ds.items[variant if variant != "tr_cap" else "tr"]}
        assert df.groupby("id").size().to_dict() == expected
        kit = kit_evaluate_pc(df) if variant == "pc" else kit_evaluate_micro(df)
        assert (folder / variant / "performance.json").read_text(encoding="utf-8") == json.dumps(
            kit, indent=4, ensure_ascii=False)
        checked += 1
    assert checked == 4
    # four participants: some runs are ties, each decided by the documented seeded draw
    lines = [json.loads(x) for x in (folder / "sr" / "infer_results.jsonl").read_text().splitlines()]
    assert all(r["participants_answered"] == 4 for r in lines)


@pytest.mark.slow
def test_latex_tables_are_balanced_and_escaped(tmp_path):
    import pandas as pd
    frame = formatted(pd.DataFrame({"sub_category": ["range_azimuth", "50% & more"], "aa": [12.5, None]}))
    tex = latex_tabular(frame)
    assert tex.count("\\begin{tabular}") == tex.count("\\end{tabular}") == 1
    assert "range\\_azimuth" in tex and "50\\% \\& more" in tex and "--" in tex
    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer("random"), 3)
    summary = write_report(engine, tmp_path / "out", n_bootstrap=100)
    for name in summary.tables:
        tex = (tmp_path / "out" / f"{name}.tex").read_text(encoding="utf-8")
        body = [ln for ln in tex.splitlines() if ln.endswith("\\\\")]
        spec = re.match(r"\\begin\{tabular\}\{([lr]*)\}", tex).group(1)
        for ln in body:  # every row spans every column (a \multicolumn{n} cell spans n)
            spans = [int(n) for n in re.findall(r"\\multicolumn\{(\d+)\}", ln)]
            cells = len(re.findall(r"(?<!\\)&", ln)) + 1
            assert cells - len(spans) + sum(spans) == len(spec), (name, ln)
        assert not re.search(r"(?<!\\)[_%#$]", tex.replace("\\\\", "")), name
        assert tex.count("{") == tex.count("}")


@pytest.mark.slow
def test_exclusion_switch_leaves_out_who_failed_screening_and_says_so(tmp_path):
    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer("perfect"), 3)
    with DbSession(engine) as s:
        sessions = {se.id for se in repo.sessions_of_study(s, repo.list_studies(s)[0].id)}
        for sid in sorted(sessions):
            passed = sid != min(sessions)
            repo.audit(s, "screening", json.dumps([{"test": "huggins", "correct": 6 if passed else 2, "trials": 6,
                                                    "passed": passed}]), sid)
    kept = write_report(engine, tmp_path / "all", n_bootstrap=100)
    cut = write_report(engine, tmp_path / "cut", exclude_failed_screening=True, n_bootstrap=100)
    assert kept.participants == 3 and cut.participants == 2 and cut.excluded == ["SIM001"]
    html = (tmp_path / "cut" / "report.html").read_text(encoding="utf-8")
    assert "1 excluded: SIM001" in html
    rows = read_csv(tmp_path / "cut" / "screening.csv")
    assert [(r["participant"], r["passed"], r["excluded"]) for r in rows] == [
        ("SIM001", "False", "True"), ("SIM002", "True", "False"), ("SIM003", "True", "False")]


def test_unusable_input_gets_a_clear_message(tmp_path):
    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer("perfect"), 1, study="one")
    from tasks.simulation.simulate import simulate
    simulate(engine, ds, robust(seed=1), 1, Observer("perfect"), "test", study_name="two")
    with pytest.raises(ReportError, match=r"2 studies \(one, two\): choose one with --study"):
        write_report(engine, tmp_path / "out")
    with pytest.raises(ReportError, match="no study named 'three'"):
        write_report(engine, tmp_path / "out", study_name="three")
    from main import main
    assert main(["report", "--db", str(tmp_path / "lab.sqlite"), "--out", str(tmp_path / "o"), "--study", "three"]) == 1


@pytest.mark.slow
def test_export_writes_the_same_majority_folder_and_refuses_a_clashing_code(tmp_path):
    from tasks.results.trial_records import ExportError
    from tasks.results.export import export

    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer("psychometric", accuracy=0.6), 3)
    write_report(engine, tmp_path / "report", n_bootstrap=50)
    result = export(engine, tmp_path / "export", "test", majority=True)
    exported = tmp_path / "export" / "study" / "human-majority"
    reported = tmp_path / "report" / "human-majority"
    names = sorted(p.relative_to(reported) for p in reported.rglob("*") if p.is_file())
    assert names and names == sorted(p.relative_to(exported) for p in exported.rglob("*") if p.is_file())
    for rel in names:
        assert (exported / rel).read_bytes() == (reported / rel).read_bytes(), rel
    assert exported / "sr" / "performance.json" in result.files
    assert not (tmp_path / "plain").exists()
    export(engine, tmp_path / "plain", "test")
    assert not (tmp_path / "plain" / "study" / "human-majority").exists()
    from tasks.study.studies import open_study
    from tasks.study.enrolment import start_or_resume
    start_or_resume(engine, ds, open_study(engine, ds, "study", robust()), "majority", "test", cohort_index=9)
    with pytest.raises(ExportError, match="participant 'majority' and the majority responder would share"):
        export(engine, tmp_path / "clash", "test", majority=True)


def test_a_missing_models_folder_is_named(tmp_path):
    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer("perfect"), 1)
    with pytest.raises(ReportError, match="nowhere: not a folder of model results"):
        write_report(engine, tmp_path / "out", models_dir=tmp_path / "nowhere", n_bootstrap=10)


@pytest.mark.slow
def test_the_report_command_writes_the_report(tmp_path, capsys):
    from main import main

    ds = small_dataset(tmp_path / "ds")
    cohort_db(tmp_path / "lab.sqlite", ds, Observer("psychometric", accuracy=0.7), 3).dispose()
    work = model_workdir(tmp_path, ds, Observer("random"), "model-a")
    out = tmp_path / "out"
    assert main(["report", "--db", str(tmp_path / "lab.sqlite"), "--models", str(work), "--out", str(out),
                 "--seed", "4", "--bootstrap", "60"]) == 0
    printed = capsys.readouterr()
    assert "report on study study: 3 participants" in printed.out
    assert "60 bootstrap resamples (fewer than 2000): the intervals are rough" in printed.err
    assert (out / "report.html").is_file() and (out / "human-majority" / "pc" / "performance.json").is_file()
    assert "B=60, seed 4" in (out / "report.html").read_text(encoding="utf-8")


def test_hand_edited_rows_are_named_or_counted_as_no_answer(tmp_path):
    import sqlite3

    from tasks.study.studies import StoredDataError

    ds = small_dataset(tmp_path / "ds")
    engine = cohort_db(tmp_path / "lab.sqlite", ds, Observer("perfect"), 2)
    con = sqlite3.connect(tmp_path / "lab.sqlite")
    con.execute("UPDATE response SET chosen_letter = '<Q>' WHERE id = (SELECT MIN(id) FROM response)")
    con.commit()
    write_report(engine, tmp_path / "out", n_bootstrap=20)
    items = read_csv(tmp_path / "out" / "items.csv")
    # scores follow the stored is_correct, as the exports do; the edited letter is no answer
    assert all(float(r["human_accuracy"]) == 100.0 for r in items)
    kappas = read_csv(tmp_path / "out" / "agreement.csv")
    assert any(float(r["fleiss_kappa"]) < 1.0 for r in kappas)
    pt = con.execute("SELECT id, session_id, position, item_id FROM planned_trial ORDER BY id LIMIT 1").fetchone()
    con.execute("UPDATE planned_trial SET options_json = '[broken' WHERE id = ?", (pt[0],))
    con.commit()
    con.close()
    with pytest.raises(StoredDataError, match=rf"session {pt[1]}, trial at position {pt[2]} \(item '{pt[3]}'"):
        write_report(engine, tmp_path / "out2", n_bootstrap=20)
