"""A paper-scale lab database for the GUI benchmarks, written fast with bulk SQL.

The schema is the real one (db.engine.open_database creates it); the rows are what a study on
STAR-Bench v1.0 leaves behind: 951 pc, 900 tr and 502 sr items with the real category and
sub-category names (STARBENCH.md section 1), one complete session per participant with every
run (full-robust: pc one run per option, tr and sr three) or one run per item (single-pass),
each answered (a seeded 80 % correct), a few attenuated by the safety ceiling. No audio is
involved. Not a module of the app: the benchmarks build it so as not to wait for `simulate`.
"""
from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

# sub-category -> (category, number of options); the option counts make a full-robust session
# about 8,200 runs, near the ~8,500 a full-robust session on the real v1.0 files has
PC_SUBS = {
    "range_pitch_loudness": ("Absolute Perception Range", 5),
    "range_azimuth": ("Absolute Perception Range", 5),
    "range_elevation": ("Absolute Perception Range", 4),
    "range_distance": ("Absolute Perception Range", 4),
    "sensitivity_pitch": ("Relative Discrimination Sensitivity", 4),
    "sensitivity_loudness": ("Relative Discrimination Sensitivity", 4),
    "sensitivity_duration": ("Relative Discrimination Sensitivity", 4),
    "sensitivity_azimuth": ("Relative Discrimination Sensitivity", 4),
    "sensitivity_elevation": ("Relative Discrimination Sensitivity", 4),
    "sensitivity_distance": ("Relative Discrimination Sensitivity", 4),
}
TR_SUBS = {"OSM": "Continuous Processes", "ISSE": "Continuous Processes", "TAO": "Discrete Event Sequences",
           "DSS": "Discrete Event Sequences", "ETC": "Discrete Event Sequences"}
SR_CATEGORIES = ("Single-source Static Localization", "Multi-source Spatial Relation", "Dynamic Trajectory Tracking")
COUNTS = {"pc": 951, "tr": 900, "sr": 502}
TASKS = {"pc": "foundation_perception", "tr": "holistic_reasoning_temporal", "sr": "holistic_reasoning_spatial"}
PERMS = ([1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1])


@dataclass
class PaperDb:
    study: str
    participants: int
    responses: int


def items() -> list[tuple]:
    """(variant, item_id, category, sub_category, options) for the v1.0 shape."""
    out = []
    subs = list(PC_SUBS)
    for n in range(COUNTS["pc"]):
        sub = subs[n % len(subs)]
        category, k = PC_SUBS[sub]
        out.append(("pc", f"pc_{sub}_{n}", category, sub, [f"option {chr(65 + i)} of {sub}" for i in range(k)]))
    tr_options = [" -> ".join(f"clip {c}" for c in p) for p in PERMS]
    for n in range(COUNTS["tr"]):
        sub = list(TR_SUBS)[n % len(TR_SUBS)]
        out.append(("tr", f"tr_scene_{sub}_{n}", TR_SUBS[sub], sub, tr_options))
    for n in range(COUNTS["sr"]):
        category = SR_CATEGORIES[n % len(SR_CATEGORIES)]
        out.append(("sr", f"sr_{n}", category, None, [f"place {i + 1}" for i in range(4)]))
    return out


def runs(mode: str) -> list[tuple]:
    """Planned test trials of one session: (variant, item_id, rotate_id, category, sub, options, answer)."""
    out = []
    for variant, item_id, category, sub, options in items():
        n_runs = (len(options) if variant == "pc" else 3) if mode == "full-robust" else 1
        for r in range(n_runs):
            presented = options[-r:] + options[:-r] if (r and variant != "tr") else list(options)
            out.append((variant, item_id, r, category, sub, presented, options[0]))
    return out


def build_paper_scale_db(path: Path, n_participants: int, mode: str = "full-robust", seed: int = 0,
                         study: str = "paper-scale") -> PaperDb:
    from db.engine import open_database
    from tasks.study.plan import Protocol

    open_database(path).dispose()  # the real schema, version row included
    plan = runs(mode)
    rng = random.Random(seed)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    con = sqlite3.connect(str(path))
    con.execute("PRAGMA synchronous=OFF")  # a benchmark fixture: durability of the build does not matter
    con.execute("PRAGMA journal_mode=WAL")
    responses = 0
    with con:
        protocol = Protocol(mode=mode, variants=["pc", "tr", "sr"], seed=seed).to_json()
        study_id = con.execute("INSERT INTO study (name, dataset_root, dataset_fingerprint, protocol_json, created_at) "
                               "VALUES (?, ?, ?, ?, ?)", (study, "/nonexistent/starbench-v1.0", "0" * 64, protocol,
                                                          stamp)).lastrowid
        trial_id = con.execute("SELECT COALESCE(MAX(id), 0) FROM planned_trial").fetchone()[0]
        for k in range(n_participants):
            pid = con.execute("INSERT INTO participant (code, age_band, hearing_self_report, consent_confirmed_at, "
                              "created_at) VALUES (?, ?, ?, ?, ?)",
                              (f"P{k + 1:03d}", "25-34", "normal", stamp, stamp)).lastrowid
            sid = con.execute(
                "INSERT INTO session (study_id, participant_id, cohort_index, plan_seed, calibration_ids, uncalibrated, "
                "take_home, level_procedure, app_version, status, next_position, started_at, ended_at, created_at) "
                "VALUES (?, ?, ?, ?, '[]', 1, 0, 'uncalibrated default', 'bench', 'completed', ?, ?, ?, ?)",
                (study_id, pid, k, seed + k, len(plan), stamp, stamp, stamp)).lastrowid
            trials, answers = [], []
            block_of = {"pc": 0, "tr": 1, "sr": 2}
            for position, (variant, item_id, r, category, sub, presented, answer) in enumerate(plan):
                trial_id += 1
                letter_index = presented.index(answer)
                trials.append((trial_id, sid, position, block_of[variant], "test", None, 0, variant, item_id, r,
                               f"{item_id}@{r}", TASKS[variant], category, sub, json.dumps(presented), answer,
                               f"<{chr(65 + letter_index)}>", "1-2-3" if variant == "tr" else None))
                correct = rng.random() < 0.8
                chosen = letter_index if correct else (letter_index + 1) % len(presented)
                attenuation_db = round(rng.uniform(0.5, 12.0), 1) if rng.random() < 0.01 else 0.0
                answers.append((trial_id, sid, f"<{chr(65 + chosen)}>", presented[chosen], int(correct),
                                round(450 + rng.expovariate(1 / 600.0), 1), 0, stamp, stamp, 1, attenuation_db))
            con.executemany("INSERT INTO planned_trial (id, session_id, position, block, kind, catch_of, break_before, "
                            "variant, item_id, rotate_id, unique_id, task, category, sub_category, options_json, answer, "
                            "answer_letter, shuffled_seg_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                            "?, ?, ?)", trials)
            con.executemany("INSERT INTO response (planned_trial_id, session_id, chosen_letter, chosen_text, is_correct, "
                            "rt_ms, n_replays, presented_at, answered_at, uncalibrated, attenuation_db) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", answers)
            responses += len(answers)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return PaperDb(study, n_participants, responses)
