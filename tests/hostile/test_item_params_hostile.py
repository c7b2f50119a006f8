"""`report --item-params FILE` with a field over the csv module's limit and with differences that
overflow: one line naming the file, line and field, exit 1, no report folder (not even a hidden
partial sibling) and the database unchanged."""
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from db.engine import open_database
from tasks.analysis.psychometric_items import ItemParamsError, read_item_params
from tasks.dataset.loader import load_dataset
from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate
from tasks.study.plan import Protocol

ROOT = Path(__file__).resolve().parents[2]
HEADER = "item_id,dimension,difference,unit\n"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    from tests.support.factories import write_dataset

    base = tmp_path_factory.mktemp("lab")
    engine = open_database(base / "lab.sqlite3")
    simulate(engine, load_dataset(write_dataset(base / "starbench")), Protocol(practice_per_block=0, seed=2), 3,
             Observer("perfect"), "test", study_name="s")
    engine.dispose()
    return base / "lab.sqlite3"


def report(db: Path, out: Path, params: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "report", "--db", str(db), "--study", "s",
                           "--out", str(out), "--bootstrap", "10", "--item-params", str(params)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


CASES = {
    "field over the csv limit": (HEADER + 'pc_5,pitch,"' + "1" * 140_000 + '",cents\n',
                                 "big.csv:2: not a CSV line", "131072"),
    "1e308": (HEADER + "pc_5,pitch,1e308,cents\npc_6,pitch,1.7e308,cents\npc_7,loudness,1e308,dB\n",
              "big.csv:2: item 'pc_5': field 'difference' is '1e308'", "-1,000,000 to 1,000,000 cents"),
    "digits that overflow": (HEADER + "pc_5,pitch," + "9" * 100_000 + ",cents\n",
                             "big.csv:2: item 'pc_5': field 'difference' is '99999", "(100,000 characters)', not a number"),
}


@pytest.mark.subprocess
@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_item_params_file_is_one_line_and_no_folder(lab, tmp_path, case):
    text, where, limit = CASES[case]
    params = tmp_path / "big.csv"
    params.write_text(text)
    before = hashlib.sha256(lab.read_bytes()).hexdigest()
    done = report(lab, tmp_path / "out", params)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert where in done.stderr and limit in done.stderr
    assert len(done.stderr) < 2000  # a 100,000-character field is not echoed whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv"]  # no out, no .out.partial-*
    assert hashlib.sha256(lab.read_bytes()).hexdigest() == before


def test_differences_at_the_bound_are_kept_and_beyond_it_refused(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "a,pitch,1e6,cents\nb,hearing_level,-1e6,dB HL\nc,loudness,5e-324,dB\n")
    assert {k: s.value for k, s in read_item_params(path).items()} == {"a": 1e6, "b": -1e6, "c": 5e-324}
    path.write_text(HEADER + "a,hearing_level,-1000001,dB HL\n")
    with pytest.raises(ItemParamsError, match="p.csv:2: item 'a': field 'difference' is '-1000001'"):
        read_item_params(path)
