"""plan-power for the cover design: participants and person-hours from K and M, and the CI
half-width the report's cover interval gives, narrowing as K grows."""
from __future__ import annotations

import csv
import math

import pytest

import main
from tasks.analysis.power import PowerError
from tasks.cover.power import cover_cohort, plan_cover_power
from tasks.analysis.power import run_table
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.session_time import BREAK_ALLOWANCE_S, SETUP_ALLOWANCE_S
from tests.support.factories import pc_items, sr_items, tr_items, write_dataset


@pytest.fixture
def ds(tmp_path):
    return load_dataset(write_dataset(tmp_path / "d", pc=pc_items(4), tr=tr_items(3), sr=sr_items(4)))


def test_cohort_and_hours_follow_from_k_and_m(ds):
    runs = run_table(ds)
    units = len(runs.alias)
    result = plan_cover_power(ds, 10.0, responses_per_run=(1, 3), runs_per_participant=12, seeds=4)
    table = result.table
    for k in (1, 3):
        rows = table[table["responses_per_run"] == k]
        n = int(rows["participants"].iloc[0])
        assert n == max(math.ceil(units * k / 12), 4 * k)  # pc items have 4 runs: 4k different people
        assert n == cover_cohort(runs, k, 12)[0]
        hours = float(rows["person_hours"].iloc[0])
        assert hours == pytest.approx((units * k * result.trial_s + n * SETUP_ALLOWANCE_S) / 3600, abs=0.01)
        assert set(rows["score"]) == {"Final MA", "pc Total", "tr Total", "sr Total"}
    ma = table[table["score"] == "Final MA"].set_index("responses_per_run")["ci_halfwidth"]
    assert ma[3] < ma[1]  # three answers per run: a narrower interval
    assert all(table["reaches_target"] == (table["ci_halfwidth"] <= 10.0))


def test_shares_default_to_what_a_session_holds_by_the_coverage_rule(ds):
    """Without M, a share holds the session's trials as the coverage command counts them: the
    set-up allowance off the session, and each trial with its share of the break screens."""
    result = plan_cover_power(ds, 10.0, responses_per_run=(1,), session_minutes=10.0, seeds=1)
    m = int(result.table["runs_per_participant"].iloc[0])
    per_trial = result.trial_s + BREAK_ALLOWANCE_S / Protocol().break_every
    assert m == int((10.0 * 60 - SETUP_ALLOWANCE_S) // per_trial)
    assert m < int((10.0 * 60 - SETUP_ALLOWANCE_S) // result.trial_s)  # the breaks cost trials


def test_refused_inputs(ds):
    with pytest.raises(PowerError):
        plan_cover_power(ds, 0.0)
    with pytest.raises(PowerError):
        plan_cover_power(ds, 5.0, responses_per_run=(0,))


def test_the_command(tmp_path, ds, capsys):
    out = tmp_path / "power"
    code = main.main(["plan-power", "--design", "cover", "--dataset", str(ds.root), "--target-ci-halfwidth", "8",
                      "--responses-per-run", "2", "--runs-per-participant", "20", "--seeds", "3", "--out", str(out)])
    assert code == 0
    rows = list(csv.DictReader((out / "cover_power.csv").open(encoding="utf-8")))
    assert {r["score"] for r in rows} == {"Final MA", "pc Total", "tr Total", "sr Total"}
    assert all(r["responses_per_run"] == "2" and r["runs_per_participant"] == "20" for r in rows)
    assert "cover design" in capsys.readouterr().out
    assert main.main(["plan-power", "--design", "cover", "--dataset", str(ds.root), "--target-ci-halfwidth", "8",
                      "--responses-per-run", "two", "--out", str(tmp_path / "x")]) == 2
