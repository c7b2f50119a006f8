from pathlib import Path

import pytest

from tasks.dataset.items import TEMPORAL_SUBS, Item
from tasks.dataset.loader import load_dataset
from tasks.dataset.runs import PERMS, expand_runs, letter, rotate_options, temporal_answer, temporal_perm
from tests.support.factories import ORDERS


def make_item(alias="pc", item_id="x", options=("a", "b", "c", "d"), answer="b", paths=("a.wav",), **kw):
    return Item(alias=alias, id=item_id, task="t", category="c", sub_category="s", question="q?",
                options=tuple(options), answer=answer, audio_paths=tuple(paths), root=Path("/data"), index=0, **kw)


def test_worked_example_from_the_benchmark():
    assert temporal_answer((2, 3, 1)) == "clip 3 -> clip 1 -> clip 2"


@pytest.mark.parametrize("sub", TEMPORAL_SUBS)
def test_temporal_permutation_and_answer_follow_the_rule(sub):
    for n in range(0, 40):
        item = make_item("tr", f"some_scene_{sub}_{n}", ORDERS, None, ("s1.wav", "s2.wav", "s3.wav"),
                         uncut_audio_path="u.wav", global_caption="cap")
        runs = expand_runs(item)
        assert len(runs) == 3
        for r, run in enumerate(runs):
            offset = (r % 6 + TEMPORAL_SUBS.index(sub)) % 6
            perm = PERMS[(n + offset) % 6]
            assert temporal_perm(item.id, r) == perm
            # presented clip i plays original segment perm[i-1]
            assert [c.path for c in run.clips] == [f"s{s}.wav" for s in perm]
            assert [c.label for c in run.clips] == ["clip 1", "clip 2", "clip 3"]
            # the answer names, for segments 1..3, the clip that carries each one
            clips_in_time_order = [perm.index(seg) + 1 for seg in (1, 2, 3)]
            assert run.answer == " -> ".join(f"clip {c}" for c in clips_in_time_order)
            assert run.options == tuple(ORDERS)  # options are not rotated
            assert run.answer_letter == letter(ORDERS.index(run.answer))
            assert run.shuffled_seg_order == "-".join(map(str, perm))
            assert run.unique_id == f"{item.id}@{r}"


def test_a_concrete_temporal_case():
    # OSM index 0, n = 3, r = 0: offset 0, PERMS[3] = [2, 3, 1]
    item = make_item("tr", "a_OSM_3", ORDERS, None, ("1.wav", "2.wav", "3.wav"))
    run = expand_runs(item)[0]
    assert run.shuffled_seg_order == "2-3-1"
    assert run.answer == "clip 3 -> clip 1 -> clip 2"


def test_pc_gets_one_run_per_option_and_rotates():
    item = make_item(options=("a", "b", "c", "d"), answer="b")
    runs = expand_runs(item)
    assert [r.options for r in runs] == [
        ("a", "b", "c", "d"), ("d", "a", "b", "c"), ("c", "d", "a", "b"), ("b", "c", "d", "a")]
    assert [r.answer_letter for r in runs] == ["<B>", "<C>", "<D>", "<A>"]
    assert all(r.option_for(r.answer_letter) == "b" for r in runs)
    assert rotate_options(["a", "b", "c"], 0) == ("a", "b", "c")


def test_sr_gets_three_runs_and_sr_ch_splits_the_ears():
    item = make_item("sr", "s1", options=("left", "right", "front"), answer="front", paths=("bin.wav",))
    runs = expand_runs(item)
    assert len(runs) == 3 and [r.answer_letter for r in runs] == ["<C>", "<A>", "<B>"]
    assert [c.path for c in runs[0].clips] == ["bin.wav"]
    ch = expand_runs(item, "sr_ch")
    assert [(c.label, c.channel) for c in ch[0].clips] == [
        ("Audio 1 (left-ear channel)", 0), ("Audio 2 (right-ear channel)", 1)]
    assert "left-ear channel" in ch[0].note
    assert [r.answer_letter for r in ch] == [r.answer_letter for r in runs]


def test_tr_variants_add_context():
    item = make_item("tr", "a_ETC_1", ORDERS, None, ("1.wav", "2.wav", "3.wav"),
                     uncut_audio_path="whole.wav", global_caption="Someone cooks.")
    uncut = expand_runs(item, "tr_uncut")
    assert [c.path for c in uncut[0].context_clips] == ["whole.wav"] and uncut[0].caption is None
    cap = expand_runs(item, "tr_cap")
    assert cap[0].caption == "Someone cooks." and cap[0].context_clips == ()
    assert [r.answer for r in cap] == [r.answer for r in expand_runs(item)]


def test_multi_audio_items_are_labelled_in_order():
    item = make_item(paths=("one.wav", "two.wav"))
    assert [(c.label, c.path) for c in expand_runs(item)[0].clips] == [("Audio 1", "one.wav"), ("Audio 2", "two.wav")]


def test_is_correct_treats_missing_and_invalid_answers_as_wrong():
    run = expand_runs(make_item())[0]
    assert run.is_correct("<B>") and run.is_correct("B")
    assert not run.is_correct(None) and not run.is_correct("Z") and not run.is_correct("<A>")


def test_run_counts_on_a_loaded_dataset(dataset_dir):
    ds = load_dataset(dataset_dir)
    for item in ds.items["pc"]:
        assert len(expand_runs(item)) == len(item.options)
    for alias in ("tr", "sr"):
        for item in ds.items[alias]:
            assert len(expand_runs(item)) == 3
