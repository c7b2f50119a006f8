"""Published reference rows (STAR-Bench paper, dataset v0.5), in leaderboard column order."""
from __future__ import annotations

from tasks.scoring.metrics import LEADERBOARD_KEYS

_ROWS = {
    "Human": (79.42, 74.55, 75.60, 90.12, 85.51, 88.00, 70.00, 80.00, 77.00, 73.72, 79.11),
    "Random guess": (23.75, 26.38, 25.33, 14.29, 14.29, 14.29, 34.98, 37.46, 32.08, 34.93, 24.85),
    "Gemini 2.5 Pro": (39.90, 51.13, 46.64, 54.88, 62.74, 58.52, 40.87, 48.97, 45.28, 43.62, 49.59),
    "GPT-4o Audio": (27.58, 34.55, 31.76, 15.91, 23.56, 19.44, 41.81, 43.97, 39.94, 41.70, 30.97),
    "Qwen-2.5-Omni": (28.76, 32.32, 30.90, 16.32, 17.71, 16.96, 39.46, 41.30, 27.04, 37.25, 28.37),
}
SOURCE = "STAR-Bench paper (arXiv 2510.24693), dataset v0.5"


def paper_rows() -> dict[str, dict[str, float]]:
    return {name: dict(zip(LEADERBOARD_KEYS, values)) for name, values in _ROWS.items()}
