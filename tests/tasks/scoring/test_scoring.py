import json
import random

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tasks.scoring.metrics import RunResult, kit_mean, leaderboard_row, score, score_all, summarize


def rr(alias, item_id, r, cat, sub, ok):
    return RunResult(alias, item_id, r, cat, sub, ok)


def test_micro_aa_and_acr_by_hand():
    # tr: item a: 3/3 correct; item b: 2/3; item c: 1/3 with one unanswered run
    rows = [rr("tr", "a", r, "Continuous Processes", "OSM", True) for r in range(3)]
    rows += [rr("tr", "b", 0, "Continuous Processes", "ISSE", True), rr("tr", "b", 1, "Continuous Processes", "ISSE", True),
             rr("tr", "b", 2, "Continuous Processes", "ISSE", False)]
    rows += [rr("tr", "c", 0, "Discrete Event Sequences", "TAO", True), rr("tr", "c", 1, "Discrete Event Sequences", "TAO", None),
             rr("tr", "c", 2, "Discrete Event Sequences", "TAO", False)]
    perf = score("tr", rows)
    assert perf.total.aa == pytest.approx(100 * 6 / 9)
    assert perf.total.acr == pytest.approx(100 / 3)
    assert (perf.total.total_runs, perf.total.unique_samples, perf.total.correct_runs) == (9, 3, 6)
    cont = perf.by_category["Continuous Processes"]
    assert cont.aa == pytest.approx(500 / 6) and cont.acr == 50.0
    assert perf.by_sub_category["TAO"].aa == pytest.approx(100 / 3)
    kit = perf.to_kit()
    assert kit["Total"] == {"AA": "66.67%", "ACR": "33.33%", "total_runs": 9, "unique_samples": 3}


def test_pc_is_macro_averaged_over_sub_categories():
    # range_azimuth: 1 item, 4 runs, 4 correct -> 100 ; range_distance: 2 items x 2 runs, 1 correct -> 25
    # sensitivity_pitch: 3 items x 3 runs, 6 correct (one item all right) -> 66.67 AA, 33.33 ACR
    rows = [rr("pc", "az", r, "Range", "range_azimuth", True) for r in range(4)]
    rows += [rr("pc", "d1", 0, "Range", "range_distance", True), rr("pc", "d1", 1, "Range", "range_distance", False),
             rr("pc", "d2", 0, "Range", "range_distance", False), rr("pc", "d2", 1, "Range", "range_distance", False)]
    pitch = [[True, True, True], [True, False, True], [False, True, False]]
    for i, runs in enumerate(pitch):
        rows += [rr("pc", f"p{i}", r, "Sens", "sensitivity_pitch", ok) for r, ok in enumerate(runs)]
    perf = score("pc", rows)
    assert perf.by_category["Range"].aa == pytest.approx((100 + 25) / 2)   # not micro (5/8 = 62.5)
    assert perf.by_category["Range"].acr == pytest.approx((100 + 0) / 2)
    assert perf.by_category["Range"].n_subcategories == 2
    assert perf.by_category["Sens"].aa == pytest.approx(66.67)   # the kit averages rounded values
    assert perf.total.aa == pytest.approx((100 + 25 + 66.67) / 3)
    assert perf.total.acr == pytest.approx((100 + 0 + 33.33) / 3)
    assert perf.total.total_runs == 17 and perf.total.unique_samples == 6
    assert perf.to_kit()["Total"]["n_subcategories"] == 3


def test_summary_and_final_ma():
    perfs = score_all([rr("tr", "a", 0, "C", "OSM", True), rr("tr", "a", 1, "C", "OSM", False),
                       rr("sr", "s", 0, "L", None, True), rr("sr", "t", 0, "L", None, True)])
    rows = summarize(perfs)
    assert [(r.dataset, r.aa, r.acr, r.samples) for r in rows] == [
        ("tr", 50.0, 0.0, 1), ("sr", 100.0, 100.0, 2), ("Final MA", 75.0, 50.0, 3)]


def test_leaderboard_row_columns():
    rows = [rr("pc", "p", 0, "Absolute Perception Range", "range_pitch", True),
            rr("pc", "q", 0, "Relative Discrimination Sensitivity", "sensitivity_pitch", False),
            rr("tr", "t", 0, "Continuous Processes", "OSM", True),
            rr("tr", "u", 0, "Discrete Event Sequences", "TAO", False),
            rr("sr", "s", 0, "Single-source Static Localization", None, True),
            rr("sr", "s2", 0, "Multi-source Spatial Relation", None, True),
            rr("sr", "s3", 0, "Dynamic Trajectory Tracking", None, False)]
    row = leaderboard_row(score_all(rows))
    assert row["pc_range"] == 100 and row["pc_sensitivity"] == 0 and row["pc_ma"] == 50
    assert row["tr_continuous"] == 100 and row["tr_discrete"] == 0 and row["tr_oa"] == 50
    assert row["sr_localization"] == 100 and row["sr_trajectory"] == 0
    assert row["sr_oa"] == pytest.approx(200 / 3)
    # the kit's Final MA: the mean of the two-decimal totals
    assert row["ma"] == pytest.approx((50 + 50 + 66.67) / 3)
    partial = leaderboard_row(score_all(rows[:2]))
    assert partial["tr_oa"] is None and partial["ma"] is None and partial["pc_ma"] == 50


result_rows = st.lists(
    st.tuples(st.sampled_from(["pc", "tr", "sr"]), st.integers(0, 5), st.integers(0, 3),
              st.sampled_from([True, False, None])),
    min_size=1, max_size=60, unique_by=lambda t: (t[0], t[1], t[2]))


def to_results(rows):
    # partial data: any subset of runs; an item's category and sub-category are fixed by its id,
    # and a sub-category lies in one category (as in the dataset)
    return [rr(a, f"i{i}", r, f"c{i % 3 % 2}", f"s{i % 3}", ok) for a, i, r, ok in rows]


def n_runs_of(alias, i):
    # complete data: tr and sr have 3 runs; pc has len(options) runs, the same within a sub-category
    return 3 if alias != "pc" else 2 + i % 3


complete_rows = st.lists(
    st.tuples(st.sampled_from(["pc", "tr", "sr"]), st.integers(0, 8), st.lists(st.sampled_from([True, False, None]),
                                                                              min_size=4, max_size=4)),
    min_size=1, max_size=25, unique_by=lambda t: (t[0], t[1]))


def to_complete_results(rows):
    return [rr(a, f"i{i}", r, f"c{i % 2}", f"s{i % 3}", oks[r]) for a, i, oks in rows for r in range(n_runs_of(a, i))]


def all_metrics(perf):
    return [perf.total, *perf.by_category.values(), *perf.by_sub_category.values()]


@settings(max_examples=150, deadline=None)
@given(result_rows)
def test_properties_bounds_and_order_invariance_on_partial_data(rows):
    results = to_results(rows)
    perfs = score_all(results)
    shuffled = list(results)
    random.Random(1).shuffle(shuffled)
    again = score_all(shuffled)
    for alias, perf in perfs.items():
        for m in all_metrics(perf):
            assert 0.0 <= m.aa <= 100.0 and 0.0 <= m.acr <= 100.0
            assert m.correct_runs <= m.total_runs and m.all_correct_samples <= m.unique_samples
        assert perf.to_kit() == again[alias].to_kit()


@settings(max_examples=150, deadline=None)
@given(complete_rows)
def test_property_acr_never_exceeds_aa_on_complete_data(rows):
    for perf in score_all(to_complete_results(rows)).values():
        for m in all_metrics(perf):
            assert m.acr <= m.aa + 1e-9


@settings(max_examples=50, deadline=None)
@given(complete_rows)
def test_property_perfect_responder_scores_100(rows):
    results = [rr(r.alias, r.item_id, r.rotate_id, r.category, r.sub_category, True) for r in to_complete_results(rows)]
    for perf in score_all(results).values():
        assert perf.total.aa == 100.0 and perf.total.acr == 100.0


# ---- parity with the evaluation kit's arithmetic --------------------------------------------
# The functions below do, with pandas, what the kit's evaluate() and summarize_and_save() do
# (the same pandas operations on the same columns in the same order), so that our pure-numpy
# scoring can be checked against them digit for digit.

pd = pytest.importorskip("pandas")


def kit_metrics(df):
    aa = df["is_correct"].mean() * 100
    acr = df.groupby("id")["is_correct"].all().mean() * 100
    return {"AA": f"{aa:.2f}%", "ACR": f"{acr:.2f}%", "total_runs": len(df), "unique_samples": df["id"].nunique()}


def kit_evaluate_micro(df):
    out = {"Total": kit_metrics(df)}
    if df["category"].notna().any():
        out["By Category"] = {str(c): kit_metrics(g) for c, g in df.groupby("category")}
    if df["sub-category"].notna().any():
        out["By Sub-category"] = {str(s): kit_metrics(g) for s, g in df.groupby("sub-category")}
    return out


def kit_evaluate_pc(df):
    by_sub = {str(s): kit_metrics(g) for s, g in df.groupby("sub-category")}
    sub_rows = [{"category": g["category"].iloc[0], "sub-category": s,
                 "AA": float(by_sub[str(s)]["AA"][:-1]), "ACR": float(by_sub[str(s)]["ACR"][:-1])}
                for s, g in df.groupby("sub-category")]
    sub_df = pd.DataFrame(sub_rows)
    by_cat = {}
    for cat, g in sub_df.groupby("category"):
        cat_df = df[df["category"] == cat]
        by_cat[str(cat)] = {"AA": f"{g['AA'].mean():.2f}%", "ACR": f"{g['ACR'].mean():.2f}%",
                            "n_subcategories": int(len(g)), "total_runs": int(len(cat_df)),
                            "unique_samples": int(cat_df["id"].nunique())}
    total = {"AA": f"{sub_df['AA'].mean():.2f}%", "ACR": f"{sub_df['ACR'].mean():.2f}%",
             "n_subcategories": int(len(sub_df)), "total_runs": int(len(df)), "unique_samples": int(df["id"].nunique())}
    return {"By Sub-category": by_sub, "By Category": by_cat, "Total": total}


def kit_summary(totals):
    df = pd.DataFrame([{"Dataset": a, "AA": t["AA"], "ACR": t["ACR"], "Samples": t["unique_samples"]}
                       for a, t in totals.items()])
    for col in ("AA", "ACR"):
        df[col] = pd.to_numeric(df[col].astype(str).str.replace("%", "", regex=False), errors="coerce")
    df["Samples"] = pd.to_numeric(df["Samples"], errors="coerce")
    final = {"Dataset": "Final MA", "AA": df["AA"].mean(skipna=True), "ACR": df["ACR"].mean(skipna=True),
             "Samples": df["Samples"].sum(skipna=True)}
    return pd.concat([df, pd.DataFrame([final])], ignore_index=True)


def random_table(rng: random.Random, alias: str) -> list[RunResult]:
    """Runs of a random alias: categories, sub-categories of very different sizes (so that sums of
    up to ~20 two-decimal values go through numpy's blocked summation), rows in file order
    (items interleaved as the kit's merged files are)."""
    n_cats = rng.randint(1, 3)
    n_subs = rng.randint(1, 20 if alias == "pc" else 6)
    p_right = rng.random()
    rows = []
    for s in range(n_subs):
        # now and then a group of runs without a category or sub-category (null in the file):
        # it belongs to no group but counts in the totals
        cat = None if rng.random() < 0.05 else f"cat {rng.randrange(n_cats)}"
        sub = None if alias == "sr" or (s and rng.random() < 0.1) else f"sub_{s:02d}"
        n_items = rng.choice([1, 2, 3, 5, 7, 11, 13, 17, 29, 41])
        for i in range(n_items):
            n_runs = rng.randint(2, 6) if alias == "pc" else 3
            for r in range(n_runs):
                rows.append(rr(alias, f"{s}_{i}", r, cat, sub, rng.random() < p_right))
    rng.shuffle(rows)
    return rows


def as_frame(rows: list[RunResult]):
    return pd.DataFrame({"id": [r.item_id for r in rows], "category": [r.category for r in rows],
                         "sub-category": [r.sub_category for r in rows],
                         "is_correct": [bool(r.is_correct) for r in rows]})


def test_kit_mean_is_pandas_series_mean_for_every_length():
    rng = np.random.default_rng(7)
    for n in list(range(1, 40)) + [127, 128, 129, 200, 257, 1000]:
        values = np.round(rng.uniform(0, 100, n), 2)
        assert kit_mean(list(values)).hex() == float(pd.Series(values).mean()).hex(), n


@pytest.mark.slow
def test_scores_equal_the_kits_arithmetic_on_thousands_of_random_tables():
    rng = random.Random(20260101)
    naive_differs = 0
    for k in range(2400):
        alias = ("pc", "tr", "sr")[k % 3]
        rows = random_table(rng, alias)
        df = as_frame(rows)
        kit = kit_evaluate_pc(df) if alias == "pc" else kit_evaluate_micro(df)
        ours = score(alias, rows).to_kit()
        assert json.dumps(ours, indent=4) == json.dumps(kit, indent=4), f"table {k} ({alias})"
        if alias == "pc":
            subs = [float(m["AA"][:-1]) for m in kit["By Sub-category"].values()]
            naive_differs += f"{sum(subs) / len(subs):.2f}%" != kit["Total"]["AA"]
    # the tables are hard enough: Python's sum() / n would have missed the kit's digits somewhere
    assert naive_differs > 0


def test_summary_equals_the_kits_summary_csv_values():
    rng = random.Random(5)
    for k in range(300):
        aliases = rng.sample(["pc", "tr", "sr", "tr_uncut", "sr_ch", "tr_cap"], rng.randint(1, 6))
        perfs = {}
        for a in aliases:
            perfs[a] = score(a, [RunResult(a, r.item_id, r.rotate_id, r.category, r.sub_category, r.is_correct)
                                 for r in random_table(rng, "pc" if a == "pc" else a[:2])])
        kit = kit_summary({a: p.to_kit()["Total"] for a, p in perfs.items()})
        ours = summarize(perfs)
        assert [r.dataset for r in ours] == list(kit["Dataset"])
        # the CSV cells: pandas writes floats with their shortest repr, as str() does
        assert [str(r.aa) for r in ours] == [repr(float(x)) for x in kit["AA"]]
        assert [str(r.acr) for r in ours] == [repr(float(x)) for x in kit["ACR"]]
        assert [r.samples for r in ours] == [int(x) for x in kit["Samples"]]


def exact(perf):
    """Every number of a Performance, floats as hex: equal means equal to the last bit."""
    def m(x):
        return (x.aa.hex(), x.acr.hex(), x.total_runs, x.unique_samples, float(x.correct_runs).hex(),
                float(x.all_correct_samples).hex(), x.n_subcategories)
    return (m(perf.total), {k: m(v) for k, v in perf.by_category.items()},
            {k: m(v) for k, v in perf.by_sub_category.items()})


@pytest.mark.slow
def test_counted_scores_equal_the_ordered_arithmetic_to_the_last_bit():
    # true/false results are scored from counts; the kit's ordered arithmetic (kept for other
    # credits) must give the same floats, also when many rows share one result object (as the
    # export's pooled lists do) and with 0/1 and None standing for true/false
    from tasks.scoring.metrics import _score_in_order

    rng = random.Random(77)
    for k in range(300):
        alias = ("pc", "tr", "sr")[k % 3]
        table = random_table(rng, alias)
        shared = [rng.choice(table) for _ in range(rng.randint(1, 3000))]
        mixed = [RunResult(r.alias, r.item_id, r.rotate_id, r.category, r.sub_category,
                           rng.choice({True: [True, 1, 1.0], False: [False, 0, 0.0, None], None: [None]}[r.is_correct]))
                 for r in table]
        # an item id in two sub-categories (a hand-edited file): counted per group, not per cell
        moved = [RunResult(r.alias, r.item_id, r.rotate_id, r.category, "sub_moved" if r.rotate_id == 1 else
                           r.sub_category, r.is_correct) for r in table]
        for rows in (table, shared, mixed, moved):
            assert exact(score(alias, rows)) == exact(_score_in_order(alias, rows)), f"table {k} ({alias})"
        df = as_frame(shared)
        kit = kit_evaluate_pc(df) if alias == "pc" else kit_evaluate_micro(df)
        assert json.dumps(score(alias, shared).to_kit(), indent=4) == json.dumps(kit, indent=4), f"table {k}"


def test_expected_credits_keep_the_ordered_arithmetic():
    # the chance row: credits 1 / number of options are not 0/1, so their sums depend on the
    # order; they are the kit's mean of the values in order
    rng = random.Random(3)
    rows = [RunResult("tr", f"t{i % 40}", i % 3, f"c{i % 2}", f"s{i % 5}", 1.0 / (2 + i % 4)) for i in range(999)]
    rng.shuffle(rows)
    perf = score("tr", rows)
    credits = [r.is_correct for r in rows]
    assert perf.total.aa.hex() == (float(pd.Series(credits).mean()) * 100).hex()
    sub = [r.is_correct for r in rows if r.sub_category == "s3"]
    assert perf.by_sub_category["s3"].aa.hex() == (float(pd.Series(sub).mean()) * 100).hex()
    assert perf.total.total_runs == 999 and perf.total.unique_samples == 40


def test_score_all_keeps_the_order_of_first_appearance_and_refuses_other_aliases():
    rows = [rr("tr", "a", 0, "C", "S", True), rr("sr", "b", 0, "L", None, False), rr("pc", "c", 0, "R", "r", True),
            rr("tr", "a", 1, "C", "S", False)]
    perfs = score_all(rows)
    assert list(perfs) == ["tr", "sr", "pc"]
    assert perfs["tr"].total.total_runs == 2 and perfs["tr"].total.aa == 50.0
    with pytest.raises(ValueError, match="b@0 belongs to 'sr', not 'tr'"):
        score("tr", rows)


def test_ordered_arithmetic_on_arrays_equals_the_loop_to_the_last_bit():
    # long lists of non-0/1 credits (the chance row of a big study) are scored on numpy arrays;
    # sums and the products per item must be taken in the same order as the loop takes them
    from tasks.scoring.metrics import _score_in_loop, _score_with_arrays

    rng = random.Random(11)
    credits = [1 / 3, 0.25, 0.2, 1 / 6, 1 / 7, 0.1, 0.5, True, False, None, 0.0]
    for k in range(240):
        alias = ("pc", "tr", "sr")[k % 3]
        base = [RunResult(r.alias, r.item_id, r.rotate_id, r.category, r.sub_category, rng.choice(credits))
                for r in random_table(rng, alias)]
        shared = [rng.choice(base) for _ in range(rng.randint(1, 4000))]
        distinct = list(dict(zip(map(id, shared), shared)).values())
        expected = exact(_score_in_loop(alias, shared))
        assert exact(_score_with_arrays(alias, shared)) == expected, f"table {k} ({alias})"
        assert exact(_score_with_arrays(alias, shared, distinct)) == expected, f"table {k} ({alias}), shared"
        assert exact(_score_with_arrays(alias, base)) == exact(_score_in_loop(alias, base)), f"table {k}"
    # and through score(), above the size from which it uses the arrays
    from tasks.scoring.metrics import ARRAYS_FROM_RUNS

    base = [RunResult("tr", f"t{i}", r, f"c{i % 3}", f"s{i % 7}", 1 / (2 + (i + r) % 4)) for i in range(300) for r in range(3)]
    rows = [rng.choice(base) for _ in range(ARRAYS_FROM_RUNS + 5000)]
    assert exact(score("tr", rows)) == exact(_score_in_loop("tr", rows))
    assert score("tr", rows).total.aa.hex() == (float(pd.Series([r.is_correct for r in rows]).mean()) * 100).hex()
