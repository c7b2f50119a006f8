"""The report on a cover study: the human row is the cover row with the cover interval, and the
item audit (items.csv flags, the 2/3 rule) flags a wrong key planted on one item."""
from __future__ import annotations

import csv
import random

import numpy as np
import pytest

from tasks.analysis.design import Design
from tasks.analysis.report import write_report
from tasks.analysis.responses import load_responses
from tasks.analysis.scores import leaderboard_intervals
from tasks.cover.scores import cover_row
from tasks.dataset.loader import load_dataset
from tests.support.cover_db import build_cover_study, cover_protocol, share_chooser
from tests.support.factories import pc_items, sr_items, tr_items, write_dataset


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def planted_chooser(item_id: str, truth: str, p_correct: float):
    honest = share_chooser(p_correct)

    def choose(run, participant, answer, rng: random.Random):
        if run.item.id == item_id:
            return run.letters[list(run.options).index(truth)]
        return honest(run, participant, answer, rng)
    return choose


def test_a_planted_wrong_key_in_a_cover_study_is_flagged(tmp_path):
    sr = sr_items(3)
    planted = next(it for it in sr if it["id"] == "sr_2")
    truth = planted["options"][2]
    planted["answer"] = planted["options"][0]
    ds = load_dataset(write_dataset(tmp_path / "d", pc=pc_items(2), tr=tr_items(1), sr=sr))
    protocol = cover_protocol(k=3)
    built = build_cover_study(tmp_path / "c.sqlite", ds, protocol, chooser=planted_chooser("sr_2", truth, 1.0))
    summary = write_report(built.engine, tmp_path / "out", n_bootstrap=200)
    items = {(r["variant"], r["item_id"]): r for r in read_csv(tmp_path / "out" / "items.csv")}
    row = items[("sr", "sr_2")]
    flags = row["flags"].split(";")
    assert "below_two_thirds" in flags and "modal_not_key" in flags
    assert row["modal_answer"] == truth and float(row["agreement_with_key"]) == 0.0
    # every run answered by K = 3 people, each of them answering one run of the item
    assert int(row["answers"]) == 9 and int(row["participants"]) == 9
    assert [k for k, r in items.items() if r["flags"]] == [("sr", "sr_2")]
    assert summary.participants == built.participants


def test_the_report_rows_of_a_cover_study(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "d", pc=pc_items(3), tr=tr_items(2), sr=sr_items(3)))
    built = build_cover_study(tmp_path / "c.sqlite", ds, cover_protocol(k=3), chooser=share_chooser(0.7))
    write_report(built.engine, tmp_path / "out", n_bootstrap=300)
    board = {r["kind"]: r for r in read_csv(tmp_path / "out" / "leaderboard.csv")}
    human = board["human-mean"]
    assert "cover design" in human["row"]
    expected = cover_row(load_responses(built.engine, "cover"), "full-robust")
    for key in ("pc_ma", "tr_oa", "sr_oa", "ma"):
        assert float(human[key]) == pytest.approx(expected[key])
        low, high = float(human[f"{key}_crossed_low"]), float(human[f"{key}_crossed_high"])
        assert low < float(human[key]) < high
        assert human[f"{key}_t_low"] == ""  # no t interval across participants who answered shares


def test_cover_intervals_pool_answers_and_differ_from_the_participant_mean(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "d", pc=pc_items(3), tr=tr_items(2), sr=sr_items(3)))
    built = build_cover_study(tmp_path / "c.sqlite", ds, cover_protocol(k=2), chooser=share_chooser(0.6))
    resp = load_responses(built.engine, "cover")
    design = Design.build(resp, 300, 1, cover_mode="full-robust")
    moments = design.human_moments([("sr", design.items("sr"))])
    sr = resp.correct[np.array([resp.runs[r].variant == "sr" for r in resp.run])]
    assert moments.point == pytest.approx(100 * sr.mean())  # every run K answers: the share of all answers
    assert moments.variance > 0 and moments.df >= 1
    intervals = leaderboard_intervals(design)
    assert set(intervals) >= {"pc_ma", "tr_oa", "sr_oa", "ma"}
    expected = cover_row(resp, "full-robust")
    for key in ("pc_ma", "tr_oa", "sr_oa", "ma"):
        low, high = intervals[key]
        assert low < expected[key] < high
        assert (low + high) / 2 == pytest.approx(expected[key], abs=0.006)  # centred on the cover row (2 decimals)
    # the intervals do not depend on the resamples: they are computed, not drawn
    assert leaderboard_intervals(Design.build(resp, 50, 7, cover_mode="full-robust")) == intervals
    # the participant mean of the same answers (as if a shared study) is another estimate
    shared = Design.build(resp, 300, 1).human_moments([("sr", design.items("sr"))])
    assert shared.point != pytest.approx(moments.point)


def test_the_report_on_tiny_shares(tmp_path):
    """Shares of one or two runs: split-half reliability has no participant with both halves,
    and the report says so (empty cells) instead of failing."""
    ds = load_dataset(write_dataset(tmp_path / "d", pc=pc_items(2), tr=tr_items(1), sr=sr_items(1)))
    protocol = cover_protocol(k=2)
    built = build_cover_study(tmp_path / "c.sqlite", ds, protocol, participants=60, chooser=share_chooser(0.7))
    write_report(built.engine, tmp_path / "out", n_bootstrap=200)
    split = read_csv(tmp_path / "out" / "split_half.csv") if (tmp_path / "out" / "split_half.csv").exists() else []
    assert all(r["split_half_r"] in ("", None) or -1 <= float(r["split_half_r"]) <= 1 for r in split)
    assert (tmp_path / "out" / "items.csv").exists()
