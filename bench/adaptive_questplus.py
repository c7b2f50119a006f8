"""QUEST+ per trial: the adaptive block's numpy update and entropy choice
(tasks.adaptive.procedures.QuestPlusProcedure) against questplus's own xarray ``update`` and
``next_stim`` on the same model and the same answers, measured in the same run.

    python -m bench adaptive_questplus [--trials 40] [--repeats 3]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from bench._common import cores, load_avg


def _run(trials: int, seed: int, ours: bool) -> float:
    from tasks.adaptive.procedures import AdaptiveSettings, QuestPlusProcedure, questplus_model
    from tasks.psychometrics.dimensions import adaptive_scale
    from tasks.simulation.observers import Observer

    dim = adaptive_scale("azimuth")
    observer = Observer("psychometric", adaptive_thresholds={"azimuth": 12.0})
    draws = np.random.default_rng(seed).random(trials)
    proc = QuestPlusProcedure(dim, AdaptiveSettings()) if ours else questplus_model(dim)
    start = time.perf_counter()
    for u in draws:
        if ours:
            level = proc.next_level()
            proc.update(level, bool(observer.answers_adaptive("azimuth", level, u)))
        else:
            level = proc.next_stim["intensity"]
            ok = bool(observer.answers_adaptive("azimuth", level, u))
            proc.update(stim={"intensity": level}, outcome={"response": "Correct" if ok else "Incorrect"})
    return (time.perf_counter() - start) / trials


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench adaptive_questplus")
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    _run(2, 0, True)  # imports and first-use costs outside the timing
    _run(2, 0, False)
    ours = min(_run(args.trials, k, True) for k in range(args.repeats))
    theirs = min(_run(args.trials, k, False) for k in range(args.repeats))
    print(f"cores {cores()}, load {load_avg()}; {args.trials} trials, best of {args.repeats}")
    print(f"questplus update + next_stim: {theirs * 1000:.2f} ms a trial")
    print(f"adaptive block (numpy):       {ours * 1000:.3f} ms a trial")
    print(f"ratio questplus / ours: {theirs / ours:.0f}x")
