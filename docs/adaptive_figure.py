"""Writes docs/adaptive-track.png: a 3-down-1-up staircase and a QUEST+ block on a simulated
listener with a 12 degree azimuth threshold (run from the repository root:
``python docs/adaptive_figure.py``; needs matplotlib, which the app itself does not)."""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tasks.adaptive.procedures import AdaptiveSettings, make_procedure  # noqa: E402
from tasks.psychometrics.dimensions import adaptive_scale  # noqa: E402
from tasks.simulation.observers import Observer  # noqa: E402

TRUE_THRESHOLD_DEG = 12.0


def track(procedure: str, seed: int = 4):
    observer = Observer("psychometric", adaptive_thresholds={"azimuth": TRUE_THRESHOLD_DEG})
    draws = np.random.default_rng(seed).random(60)
    proc = make_procedure(adaptive_scale("azimuth"), AdaptiveSettings(procedure=procedure, max_trials=60))
    levels, correct = [], []
    while not proc.finished():
        level = proc.next_level()
        ok = bool(observer.answers_adaptive("azimuth", level, draws[proc.n_trials]))
        proc.update(level, ok)
        levels.append(level)
        correct.append(ok)
    return proc, np.array(levels), np.array(correct), observer


def main() -> None:
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, procedure, title in zip(axes, ("3down1up", "quest+"), ("3-down-1-up staircase", "QUEST+")):
        proc, levels, correct, observer = track(procedure)
        est = proc.estimate()
        trials = np.arange(1, levels.size + 1)
        ax.plot(trials, levels, color="0.6", lw=1, zorder=1)
        ax.scatter(trials[correct], levels[correct], marker="o", color="tab:green", s=18, label="correct", zorder=2)
        ax.scatter(trials[~correct], levels[~correct], marker="x", color="tab:red", s=22, label="wrong", zorder=2)
        ax.axhspan(est.ci_low, est.ci_high, color="tab:blue", alpha=0.15, label="95 % interval")
        ax.axhline(est.threshold, color="tab:blue", lw=1.5, label=f"estimate {est.threshold:.1f} deg")
        truth = observer.adaptive_level_at("azimuth", est.target_p_correct)
        ax.axhline(truth, color="k", ls="--", lw=1, label=f"true ({100 * est.target_p_correct:.1f} %) {truth:.1f} deg")
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("trial")
        ax.legend(fontsize=7, loc="upper right")
    axes[0].set_ylabel("azimuth difference (deg)")
    fig.tight_layout()
    out = Path(__file__).resolve().parent / "adaptive-track.png"
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
