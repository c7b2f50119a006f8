"""Datasets whose perception items carry the built-in bank's parameters (tasks.bank's grid,
planned without rendering), written by the tests as real folders with short WAVs."""
from __future__ import annotations

from pathlib import Path

from tasks.psychometrics.dimensions import stimulus_from_params
from tasks.bank import plan_perception
from tasks.dataset.loader import load_dataset
from tests.factories import sr_items, tr_items, write_dataset


def _key(options: list[str], control: bool, index: int) -> str:
    same = [o for o in options if "same" in o.lower() or o == "Not at all"]
    if control and same:
        return same[0]
    others = [o for o in options if o not in same and o != "Unable to determine"]
    return others[index % len(others)]


def bank_pc_items(sub_categories: tuple[str, ...], scale: str = "full") -> list[dict]:
    """The bank's pc items of these sub-categories, with their params, a key consistent with them
    (the "same" option for a control) and one audio path each."""
    out = []
    for k, planned in enumerate(p for p in plan_perception(scale) if p.meta["sub-category"] in sub_categories):
        stim = stimulus_from_params(planned.meta["sub-category"], planned.params)
        meta = dict(planned.meta)
        meta.update(answer=_key(meta["options"], stim is not None and stim.control, k), params=dict(planned.params),
                    audio_paths=[f"starbench_audios/pc/{meta['id']}.wav"], source="test")
        out.append(meta)
    return out


def bank_dataset(root: Path, sub_categories: tuple[str, ...], scale: str = "full"):
    return load_dataset(write_dataset(root, pc=bank_pc_items(sub_categories, scale), tr=tr_items(1), sr=sr_items(1)),
                        check_audio=False)
