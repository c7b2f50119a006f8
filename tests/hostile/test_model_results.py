"""Model results that come from outside: every bad line named and skipped, never a traceback,
never a silently wrong number."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import main
from db.engine import open_database
from tasks.dataset.loader import load_dataset
from tasks.dataset.runs import make_run
from tasks.model_results.runs_file import MAX_LINE_BYTES
from tasks.model_results.reader import KnownItems, read_model, read_models
from tasks.simulation.observers import Observer
from tasks.study.plan import Protocol
from tasks.scoring.metrics import RunResult, score
from tasks.simulation.simulate import simulate

CATS = ["Single-source Static Localization", "Multi-source Spatial Relation", "Dynamic Trajectory Tracking"]
OPTIONS = ["left", "right", "front", "behind"]
PRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def run(item: str, r: int, ok: bool, cat: str = CATS[0], **changes) -> dict:
    """One sr run as the kit writes it."""
    rec = {"id": item, "task": "spatial", "category": cat, "sub-category": None, "options": OPTIONS,
           "answer": "left", "answer_letter": "<A>", "rotate_id": r, "prediction": "<A>" if ok else "<B>",
           "is_correct": ok, "model_response": "Answer: <A>" if ok else "Answer: <B>", "unique_id": f"{item}@{r}"}
    rec.update(changes)
    return rec


def complete_runs(n_items: int = 4, right=lambda i, r: (i + r) % 2 == 0) -> list[dict]:
    return [run(f"sr_{i}", r, right(i, r), CATS[i % 3]) for i in range(1, n_items + 1) for r in range(3)]


def write_alias(work: Path, alias: str, lines: list, perf=None, model: str = "m") -> Path:
    d = work / model / alias
    d.mkdir(parents=True, exist_ok=True)
    if lines is not None:
        data = b"".join((x if isinstance(x, bytes) else (x if isinstance(x, str) else json.dumps(x)).encode()) + b"\n"
                        for x in lines)
        (d / "infer_results.jsonl").write_bytes(data)
    if perf is not None:
        (d / "performance.json").write_bytes(perf if isinstance(perf, bytes) else json.dumps(perf).encode())
    return work / model


def expected_aa(recs: list[dict], alias: str = "sr") -> float:
    return score(alias, [RunResult(alias, r["id"], r["rotate_id"], r["category"], r["sub-category"], r["is_correct"])
                         for r in recs]).total.aa


def named(model, line_no: int, text: str, file: str = "sr/infer_results.jsonl") -> bool:
    return any(f"{file}:{line_no}: " in w and text in w for w in model.warnings)


def test_lines_that_are_not_objects_are_named_and_skipped(tmp_path):
    good = complete_runs()
    model = read_model(write_alias(tmp_path, "sr", [good[0], "[1, 2]", "5", *good[1:]]))
    assert named(model, 2, "must be a JSON object (one run), found an array; skipped")
    assert named(model, 3, "must be a JSON object (one run), found 5; skipped")
    assert model.row["sr_oa"] == expected_aa(good)
    assert model.runs_counted == {"sr": len(good)}


def test_category_as_a_list_is_a_named_bad_line(tmp_path):
    good = complete_runs()
    model = read_model(write_alias(tmp_path, "sr", good + [run("sr_9", 0, True, cat=["a", "b"])]))
    assert named(model, len(good) + 1, "category must be a string or null, found an array; skipped")
    assert model.row["sr_oa"] == expected_aa(good)


@pytest.mark.parametrize("perf, why", [
    ([], 'must be a JSON object with "Total", found an array'),
    ({"Total": "x"}, '"Total" must be an object with "AA", found the string "x"'),
    ({"Total": {"AA": 79.42}}, 'Total AA must be a percentage string like "79.42%", found 79.42'),
    ({"Total": {"AA": "1e400%"}}, 'must be a percentage from "0.00%" to "100.00%"'),
    (b"{\"Total\": {\"AA\": \"50.00%\"", "not valid JSON"),
    ("{\"Total\": {\"AA\": \"50.00%\", \"ACR\": \"caf\xe9\"}}".encode("latin-1"), "not UTF-8 text"),
])
def test_a_bad_performance_json_is_named_and_a_model_with_nothing_else_is_refused(tmp_path, perf, why):
    model = read_model(write_alias(tmp_path, "sr", None, perf=perf))
    assert any("sr/performance.json" in w and why in w for w in model.warnings), model.warnings
    assert model.refused and "no infer_results.jsonl and no usable performance.json" in model.refused
    assert all(v is None for v in model.row.values())
    # beside a good results file it is only a warning: the runs are scored
    model = read_model(write_alias(tmp_path / "with-runs", "sr", complete_runs(), perf=perf))
    assert model.refused is None and model.row["sr_oa"] == expected_aa(complete_runs())


def test_performance_json_alone_is_used_with_a_warning_and_fills_the_ma(tmp_path):
    work = tmp_path
    write_alias(work, "pc", None, perf={"Total": {"AA": "40.00%"}, "By Category": {
        "Absolute Perception Range": {"AA": "30.00%"}, "Relative Discrimination Sensitivity": {"AA": 5}}})
    write_alias(work, "tr", None, perf={"Total": {"AA": "50.00%"}})
    model = read_model(write_alias(work, "sr", complete_runs()))
    assert model.row["pc_ma"] == 40.0 and model.row["pc_range"] == 30.0 and model.row["pc_sensitivity"] is None
    assert any("Relative Discrimination Sensitivity" in w and "found 5" in w for w in model.warnings)
    assert any("m/pc: no infer_results.jsonl; performance.json used as it is, unchecked" == w for w in model.warnings)
    sr = float(f"{expected_aa(complete_runs()):.2f}")
    assert model.row["ma"] == pytest.approx((40.0 + 50.0 + sr) / 3)


def test_a_latin1_results_file_is_set_aside_with_the_line_named(tmp_path):
    lines = [run("sr_1", 0, True), json.dumps(run("sr_1", 1, True, model_response="Réponse: <A>"),
                                              ensure_ascii=False).encode("latin-1")]
    model = read_model(write_alias(tmp_path, "sr", lines))
    assert model.refused is not None
    assert "sr/infer_results.jsonl:2: not UTF-8 text (byte 0xe9" in model.refused
    assert "convert the file" in model.refused
    # another alias of the same model still counts
    model = read_model(write_alias(tmp_path, "tr", [run("demo_OSM_1", r, True, cat="Continuous Processes",
                                                        options=["a", "b"]) for r in range(3)]))
    assert model.refused is None and model.row["tr_oa"] == 100.0
    assert any("not UTF-8" in w for w in model.warnings)


def test_an_unknown_alias_folder_is_named_and_skipped(tmp_path):
    write_alias(tmp_path, "sr_typo", complete_runs())
    model = read_model(write_alias(tmp_path, "sr", complete_runs()))
    assert any(w.startswith("m/sr_typo: not an alias of the benchmark") for w in model.warnings)
    assert model.runs_counted == {"sr": 12}
    only_unknown = read_model(write_alias(tmp_path / "other", "foo", complete_runs()))
    assert only_unknown.refused and "not an alias" in only_unknown.refused


@pytest.mark.parametrize("rotate_id, shown", [
    ("1e400", "found inf"), ("-1", "found -1"), ('"1"', 'found the string "1"'), ("1.0", "found 1.0"),
    ("true", "found true"), ("NaN", "found nan"), ("123456789012345678901234567890", "found 1234567890"),
])
def test_a_rotate_id_that_is_not_a_run_number_is_named(tmp_path, rotate_id, shown):
    good = complete_runs()
    bad = json.dumps(run("sr_9", 0, True)).replace('"rotate_id": 0', f'"rotate_id": {rotate_id}')
    model = read_model(write_alias(tmp_path, "sr", good + [bad]))
    assert named(model, len(good) + 1, "rotate_id must be a whole number")
    assert named(model, len(good) + 1, shown)
    assert model.row["sr_oa"] == expected_aa(good)


def test_a_run_beyond_the_items_runs_is_left_out(tmp_path):
    good = complete_runs()
    model = read_model(write_alias(tmp_path, "sr", good + [run("sr_1", 3, True)]))
    assert named(model, len(good) + 1, "run sr_1@3: the kit gives this item 3 runs (rotate_id 0 to 2); left out")
    pc = [run("p1", r, True, cat="Range", **{"sub-category": "range_azimuth"}) for r in range(5)]
    model = read_model(write_alias(tmp_path / "pc", "pc", pc))
    assert named(model, 5, "run p1@4: the kit gives this item 4 runs", file="pc/infer_results.jsonl")


def test_duplicated_runs_are_reported_and_counted_once(tmp_path):
    # 12 runs, 6 right (50.00%); 30 copies of right runs would have raised AA to 85.71%
    good = complete_runs()
    right = [r for r in good if r["is_correct"]]
    copies = [right[k % len(right)] for k in range(30)]
    model = read_model(write_alias(tmp_path, "sr", good + copies))
    assert model.row["sr_oa"] == expected_aa(good) == 50.0
    assert model.runs_counted == {"sr": 12}
    first = {(r["id"], r["rotate_id"]): good.index(r) + 1 for r in right}
    for k, rec in enumerate(copies):
        line_no = len(good) + k + 1
        assert named(model, line_no, f"run {rec['id']}@{rec['rotate_id']} again (first on line "
                                     f"{first[rec['id'], rec['rotate_id']]}); counted once")


def test_is_correct_must_be_a_real_boolean(tmp_path):
    good = complete_runs()
    lines = good + [
        run("sr_9", 0, False, is_correct="false"),  # the string: scored from prediction vs answer_letter
        run("sr_9", 1, True, is_correct=1),
        {k: v for k, v in run("sr_9", 2, True, is_correct="false").items() if k != "prediction"},
        run("sr_8", 0, True, is_correct=False),  # contradicts its own prediction
    ]
    model = read_model(write_alias(tmp_path, "sr", lines))
    n = len(good)
    assert named(model, n + 1, 'item "sr_9": is_correct must be true or false, found the string "false"; '
                               "scored from prediction vs answer_letter instead (wrong)")
    assert named(model, n + 2, "found 1; scored from prediction vs answer_letter instead (right)")
    assert named(model, n + 3, "no prediction and answer_letter to score the run from; skipped")
    assert named(model, n + 4, 'item "sr_8": is_correct is false, but prediction "<A>" equals answer_letter '
                               '"<A>"; skipped')
    used = good + [run("sr_9", 0, False), run("sr_9", 1, True)]
    assert model.row["sr_oa"] == expected_aa(used)
    assert model.runs_counted == {"sr": n + 2}


def test_ids_not_in_the_dataset_are_reported_and_left_out(tmp_path):
    known = KnownItems({"sr": {"sr_1": 3, "sr_2": 3, "sr_3": 3, "sr_4": 3, "sr_5": 3}})
    strangers = [run("sr_99", r, True) for r in range(3)]
    model = read_model(write_alias(tmp_path, "sr", complete_runs() + strangers), known)
    for k in range(3):
        assert named(model, 13 + k, "item \"sr_99\" is not in the dataset's sr items; left out")
    assert model.row["sr_oa"] == expected_aa(complete_runs())
    assert any("1 of the dataset's 5 sr items have no runs here" in w for w in model.warnings)
    # the same check for a variant of the alias (sr_ch uses the sr items)
    model = read_model(write_alias(tmp_path / "ch", "sr_ch", strangers), known)
    assert model.refused and "no usable run" in model.refused


def test_incomplete_ids_are_reported_by_the_kits_rule(tmp_path):
    good = complete_runs()
    pc = [run(f"p{i}", r, True, cat="Range", options=OPTIONS[:n], **{"sub-category": "range_azimuth"})
          for i, n in ((1, 4), (2, 3)) for r in range(n - (i == 2))]
    write_alias(tmp_path, "pc", pc)
    model = read_model(write_alias(tmp_path, "sr", good[:-1]))
    assert any("sr/infer_results.jsonl: 1 id does not have the kit's number of runs" in w and "sr_4 (2 of 3)" in w
               for w in model.warnings)
    assert any("pc/infer_results.jsonl: 1 id does not have" in w and "p2 (2 of 3)" in w for w in model.warnings)


def test_ids_with_escapes_and_lone_surrogates_are_printed_safely(tmp_path):
    lines = complete_runs() + [
        '{"id": "evil\\u001b[31m\\nid", "rotate_id": "x"}',
        '{"id": "\\ud800", "rotate_id": 0, "is_correct": true}',
        '{"id": "\\ud800", "rotate_id": 0, "is_correct": true}',
    ]
    write_alias(tmp_path, "s\x1b[1mr", complete_runs(), model="m\u202e")  # a folder name with an escape
    model = read_model(write_alias(tmp_path, "sr", lines, model="m\u202e"))
    assert model.name == "m\\u202e"
    assert any("s\\x1b[1mr: not an alias" in w for w in model.warnings)
    assert any("rotate_id must be a whole number" in w and 'item "evil\\u001b[31m\\nid":' in w for w in model.warnings)
    for w in model.warnings:
        assert not PRINTABLE.search(w), w
        w.encode("utf-8")
    assert any("again (first on line 14)" in w and "\\ud800@0" in w for w in model.warnings)


def test_an_overlong_line_is_skipped_without_reading_it_whole(tmp_path):
    good = complete_runs()
    huge = json.dumps(run("sr_1", 0, True, model_response="x" * (MAX_LINE_BYTES + 10)))
    model = read_model(write_alias(tmp_path, "sr", [huge] + good))
    assert named(model, 1, f"longer than {MAX_LINE_BYTES} bytes")
    assert model.runs_counted == {"sr": 12}


def test_many_bad_lines_are_counted_past_the_named_ones(tmp_path):
    model = read_model(write_alias(tmp_path, "sr", complete_runs() + ["[]"] * 80))
    assert sum("must be a JSON object" in w for w in model.warnings) == 50
    assert any("30 more lines with problems, not listed one by one: lines 63-92" in w for w in model.warnings)
    assert any("80 lines not counted; the scores use the 12 runs that are" in w for w in model.warnings)


def test_read_models_names_a_missing_folder(tmp_path):
    with pytest.raises(OSError, match="not a folder of model results"):
        read_models(tmp_path / "nope")


def test_compare_command_reports_bad_model_files_and_checks_ids_against_the_study_dataset(tmp_path, capsys,
                                                                                       dataset_dir):
    db = tmp_path / "lab.sqlite3"
    ds = load_dataset(dataset_dir, check_audio=False)
    simulate(open_database(db), ds, Protocol(practice_per_block=0, seed=1), 2, Observer("perfect"), "test",
             study_name="s")
    work = tmp_path / "models"
    sr_items = [it.id for it in ds.items["sr"]]
    # right on every run, by the dataset's own key and categories (tasks.model_results.key)
    lines = [run(it.id, r, True, cat=it.category, answer_letter=k, prediction=k, **{"sub-category": it.sub_category})
             for it in ds.items["sr"] for r in range(3) for k in [make_run(it, "sr", r).answer_letter]]
    lines += ["[1, 2]", run("not_in_dataset", 0, True), lines[0], run(sr_items[0], 1, True, rotate_id=1e400)]
    write_alias(work, "sr", lines, perf=[], model="bad-model")
    write_alias(work, "pc", ["caf\xe9".encode("latin-1")], model="bad-model")
    write_alias(work, "weird", [5], model="bad-model")
    code = main.main(["compare", "--db", str(db), "--models", str(work), "--out", str(tmp_path / "cmp")])
    err = capsys.readouterr().err
    assert code == 0
    assert "Traceback" not in err
    n = len(lines)
    for line_no, text in ((n - 3, "found an array"), (n - 2, "not_in_dataset"), (n - 1, "again (first on line 1)"),
                          (n, "found inf")):
        assert f"bad-model/sr/infer_results.jsonl:{line_no}: " in err and text in err
    assert "bad-model/sr/performance.json: must be a JSON object" in err
    assert "bad-model/pc/infer_results.jsonl:1: not UTF-8 text" in err
    assert "bad-model/weird: not an alias of the benchmark" in err
    board = (tmp_path / "cmp" / "leaderboard.md").read_text(encoding="utf-8")
    assert "| bad-model | – | – | – | – | – | – | 100.00 |" in board


# ---------------------------------------------------------------- fuzz --------------------------

def wrong_type(*exclude):
    values = [[], {}, None, True, 1.5, "", "x", -1, 10**30, [0], float("inf")]
    return st.sampled_from([v for v in values if not any(v is e or (type(v) is type(e) and v == e) for e in exclude)])


# corruptions that make a line certainly unusable, each with the field it breaks
CORRUPT = st.one_of(
    st.tuples(st.just("id"), st.sampled_from([[], {}, None, True, ""])),
    st.tuples(st.just("rotate_id"), st.sampled_from(["0", 1.5, -1, True, None, float("inf"), [0], 10**6])),
    st.tuples(st.just("category"), st.sampled_from([[], {}, 5, True, ["a"]])),
    st.tuples(st.just("sub-category"), st.sampled_from([[], {}, 5, False])),
    st.tuples(st.just("options"), st.sampled_from(["abc", [1, 2], {}, 3])),
    st.tuples(st.just("prediction"), st.sampled_from([5, [], {}, True])),
    st.tuples(st.just("is_correct"), st.sampled_from(["false", "true", 0, 1, None, []])),
)
JUNK = st.one_of(
    st.integers().map(json.dumps), st.lists(st.integers(), max_size=3).map(json.dumps),
    st.text(max_size=30).filter(lambda t: t.strip() and "\n" not in t and "\r" not in t).map(lambda t: "{" + t),
    st.just("null"), st.just("NaN"), st.just('"a string"'), st.just("[" * 5000),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 2), st.booleans()), unique_by=lambda k: k[:2],
                     max_size=20),
       bad=st.lists(st.one_of(CORRUPT.map(lambda c: ("corrupt", c)), JUNK.map(lambda j: ("junk", j)),
                              st.just(("duplicate", None))), max_size=15),
       data=st.data())
def test_fuzz_every_bad_line_is_named_and_only_good_runs_count(tmp_path_factory, keys, bad, data):
    good = [run(f"sr_{i}", r, ok, CATS[i % 3]) for i, r, ok in keys]
    lines: list = list(good)
    bad_positions = []
    for kind, what in bad:
        pos = data.draw(st.integers(0, len(lines)))
        if kind == "duplicate":
            earlier = [x for x in lines[:pos] if isinstance(x, dict) and x in good]
            if not earlier:
                continue
            line = data.draw(st.sampled_from(earlier))
        elif kind == "corrupt":
            fld, value = what
            line = json.dumps(run("sr_bad", 0, True, **{fld: value}), allow_nan=True)
            if fld == "is_correct":  # a non-boolean is only unusable without a prediction to score from
                line = json.dumps({k: v for k, v in json.loads(line).items() if k != "prediction"})
        else:
            line = what
        lines.insert(pos, line)
        bad_positions = [p + (p >= pos) for p in bad_positions] + [pos]
    model = read_model(write_alias(tmp_path_factory.mktemp("fz"), "sr", lines))
    for p in bad_positions:
        assert any(f"sr/infer_results.jsonl:{p + 1}: " in w for w in model.warnings), (p + 1, lines[p], model.warnings)
    if good:
        assert model.refused is None
        assert model.row["sr_oa"] == expected_aa(good)
        assert model.runs_counted == {"sr": len(good)}
    else:
        assert model.refused is not None and model.row["sr_oa"] is None


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
                           lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(st.sampled_from(["id", "rotate_id", "is_correct", "category",
                                                              "sub-category", "options", "prediction",
                                                              "answer_letter", "Total", "AA", "By Category",
                                                              "x"]), children, max_size=6),
                           max_leaves=20)
raw_line = st.one_of(json_values.map(lambda v: json.dumps(v).encode()), st.binary(max_size=40),
                     st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(alias=st.sampled_from(["pc", "tr", "sr", "sr_ch", "pc_sp", "zz"]),
       lines=st.lists(raw_line, max_size=12), perf=st.one_of(st.none(), raw_line),
       with_known=st.booleans())
def test_fuzz_any_bytes_give_a_named_problem_or_a_result_never_an_exception(tmp_path_factory, alias, lines, perf,
                                                                             with_known):
    d = tmp_path_factory.mktemp("raw") / "model" / alias
    d.mkdir(parents=True)
    (d / "infer_results.jsonl").write_bytes(b"\n".join(lines))
    if perf is not None:
        (d / "performance.json").write_bytes(perf)
    known = KnownItems({"pc": {"0": 4}, "sr": {"0": 3, "id": 3}}) if with_known else None
    model = read_model(d.parent, known)
    assert model is not None
    for w in model.warnings:
        assert isinstance(w, str) and not PRINTABLE.search(w)
    if model.refused is None:
        assert sum(model.runs_counted.values()) > 0 or any("used as it is" in w for w in model.warnings)
