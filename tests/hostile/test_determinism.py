"""The same database exported under different hash seeds gives byte-identical kit files.

Numbers that depend on the order of a Python set (or dict built from one) change with
PYTHONHASHSEED; the export is run in fresh processes, through the command line, to see it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.factories import write_dataset

ROOT = Path(__file__).resolve().parents[2]
HASH_SEEDS = ("0", "1", "2", "3", "4", "5", "6", "7")


def many_sub_categories() -> list[dict]:
    """pc items in two categories of 6 and 8 sub-categories: a mean of 6 or 8 two-decimal
    values often lands exactly on a rounding tie (x.xx5), where the last bit of the sum -
    which depends on the order of summation - decides the printed digit."""
    items = []
    for cat, n_subs in (("Absolute Perception Range", 6), ("Relative Discrimination Sensitivity", 8)):
        for s in range(n_subs):
            sub = f"{cat.split()[0].lower()}_sub{s}"
            for k in range(3):
                options = [f"{sub} choice {j}" for j in range(3)]
                n = len(items) + 1
                items.append({"id": f"pc_{n}", "task": "perception", "category": cat, "sub-category": sub,
                              "question": "Which one?", "options": options, "answer": options[(k + s) % 3],
                              "audio_paths": [f"starbench_audios/pc/{n}.wav"], "source": "synthetic"})
    return items


def run_main(args: list[str], hash_seed: str, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, QT_QPA_PLATFORM="offscreen",
               XDG_DATA_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path / "home"))
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"main.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"


def kit_files(out: Path) -> dict[str, bytes]:
    names = ("performance.json", "infer_results.jsonl")
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.name in names or p.name.startswith("performance_summary_")}


@pytest.mark.subprocess
@pytest.mark.slow
def test_export_is_byte_identical_whatever_the_hash_seed(tmp_path):
    dataset = write_dataset(tmp_path / "starbench", pc=many_sub_categories())
    db = tmp_path / "lab.db"
    run_main(["simulate", "--db", str(db), "--dataset", str(dataset), "--participants", "6",
              "--observer", "random", "--protocol", "full-robust", "--variants", "pc", "tr", "sr", "--seed", "5"], "0", tmp_path)
    exports = {}
    for seed in HASH_SEEDS:
        out = tmp_path / f"export-{seed}"
        run_main(["export", "--db", str(db), "--out", str(out)], seed, tmp_path)
        exports[seed] = kit_files(out)
    first = exports[HASH_SEEDS[0]]
    # 6 participants, the pooled cohort and the majority: a performance.json per alias and a summary each
    assert sum(name.endswith("performance.json") for name in first) == 24
    assert sum("performance_summary_" in name for name in first) == 8
    for seed, files in exports.items():
        assert files.keys() == first.keys()
        differing = [name for name in first if files[name] != first[name]]
        assert not differing, f"PYTHONHASHSEED={seed} changed {differing}"

    # and each performance.json is, byte for byte, what the kit's evaluate() writes for the
    # infer_results.jsonl beside it (pandas' arithmetic, json.dump with indent=4), and each
    # summary holds the values of the kit's summary
    pd = pytest.importorskip("pandas")
    from tests.tasks.scoring.test_scoring import kit_evaluate_micro, kit_evaluate_pc, kit_summary

    out = tmp_path / f"export-{HASH_SEEDS[0]}"
    checked = 0
    for perf_file in sorted(out.rglob("performance.json")):
        df = pd.read_json(perf_file.with_name("infer_results.jsonl"), lines=True)
        kit = kit_evaluate_pc(df) if perf_file.parent.name == "pc" else kit_evaluate_micro(df)
        assert perf_file.read_text(encoding="utf-8") == json.dumps(kit, indent=4, ensure_ascii=False), perf_file
        checked += 1
    assert checked == 24
    for summary in sorted(out.rglob("performance_summary_*.csv")):
        aliases = summary.stem.removeprefix("performance_summary_").split("+")
        totals = {a: json.loads((summary.parent / a / "performance.json").read_text())["Total"] for a in aliases}
        expected = kit_summary(totals).to_csv(index=False)
        assert summary.read_bytes() == expected.encode("utf-8"), summary  # byte for byte, LF line ends
