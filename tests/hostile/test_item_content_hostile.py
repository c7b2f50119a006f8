"""Items whose content the fields' types do not catch: a digital reference that is no reference,
a mono file for a binaural (sr) item, float samples of 1e30, inf or NaN, a perception item put
into the spatial reasoning file. `validate` names each (file, item, field; exit 1), the item is
set aside so no study plans it, and the presenter refuses to play it (a second guard for a
dataset changed since it was loaded), so nothing is played by a garbage reference or as garbage."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from audio.devices import DeviceChoice
from audio.files import AudioFileError
from audio.levels import DigitalReference
from tasks.dataset.loader import load_dataset
from tasks.dataset.runs import expand_runs
from tasks.presentation.presenter import Presenter
from tasks.study.plan import Protocol, declared_reference, make_plan
from tests.support.factories import pc_items, sr_items, write_dataset

ROOT = Path(__file__).resolve().parents[2]
STEREO = DeviceChoice("JACK Audio Connection Kit", "system", 16000, (0, 1))
BANK_REFERENCE = {"reference_dbfs": -30.0, "reference_db_spl": 70.0}


def validate(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "validate", str(root)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def with_reference(reference) -> list[dict]:
    items = pc_items()
    for item in items:
        item["params"] = {"digital_reference": dict(BANK_REFERENCE)}
    items[0]["params"] = {"digital_reference": reference}
    return items


REFERENCES = {
    "text": ("abc", "params.digital_reference is 'abc'; expected an object"),
    "text value": ({"reference_dbfs": "x", "reference_db_spl": 70}, "params.digital_reference.reference_dbfs is 'x'"),
    "a number as text": ({"reference_dbfs": "-30", "reference_db_spl": 70}, "reference_dbfs is '-30'"),
    "missing key": ({"reference_dbfs": -30}, "params.digital_reference.reference_db_spl is missing"),
    "NaN": ({"reference_dbfs": float("nan"), "reference_db_spl": 70}, "reference_dbfs is nan"),
    "above full scale": ({"reference_dbfs": 20, "reference_db_spl": 70}, "expected a number from -100 to 0 dBFS"),
    "1e308 dB SPL": ({"reference_dbfs": -30, "reference_db_spl": 1e308}, "expected a number from 0 to 120 dB SPL"),
    "true": ({"reference_dbfs": True, "reference_db_spl": 70}, "reference_dbfs is True"),
}


@pytest.mark.subprocess
@pytest.mark.parametrize("case", list(REFERENCES))
def test_validate_names_the_item_and_field_of_a_garbage_reference(tmp_path, case):
    reference, text = REFERENCES[case]
    root = write_dataset(tmp_path / "ds", pc=with_reference(reference), tr=[], sr=[])
    done = validate(root)
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stdout.splitlines() if "pc_1" in line]
    assert any(text in line and "params" in line for line in lines), done.stdout
    ds = load_dataset(root, check_audio=False)
    assert "pc_1" not in {i.id for i in ds.items["pc"]}  # set aside: no study plans it
    # the other items agree on one reference: a new study takes it, never the garbage one
    assert declared_reference(ds) == (-30.0, 70.0)


@pytest.mark.parametrize("case", list(REFERENCES))
def test_the_presenter_never_plays_by_a_garbage_reference(tmp_path, case):
    reference, text = REFERENCES[case]
    root = write_dataset(tmp_path / "ds", pc=with_reference(reference))
    good = load_dataset(write_dataset(tmp_path / "good", pc=with_reference(BANK_REFERENCE)), check_audio=False)
    item = good.item("pc", "pc_1")
    item.extra["params"] = {"digital_reference": reference}  # the file changed after it was loaded
    presenter = Presenter(None, STEREO, reference=DigitalReference(-20.0, 70.0))
    with pytest.raises(AudioFileError) as refused:
        presenter.prepare(root, expand_runs(item)[0])
    assert "refused to play item 'pc_1'" in str(refused.value) and text in str(refused.value)


def float_wav(path: Path, value: float, channels: int = 1) -> None:
    x = np.zeros((1600, channels), dtype=np.float32)
    x[:, :] = 0.01
    x[100, 0] = value
    soundfile.write(str(path), x, 16000, subtype="FLOAT")


SAMPLES = {"1e30": (1e30, "1 samples beyond +-1000 (+60 dBFS)"), "inf": (np.inf, "1 non-finite samples"),
           "NaN": (np.nan, "1 non-finite samples")}


@pytest.mark.subprocess
@pytest.mark.parametrize("case", list(SAMPLES))
def test_wild_float_samples_are_named_and_never_played(tmp_path, case):
    value, text = SAMPLES[case]
    root = write_dataset(tmp_path / "ds")
    float_wav(root / "starbench_audios/pc/1.wav", value)
    done = validate(root)
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    assert any("pc_1" in line and "starbench_audios/pc/1.wav" in line and text in line
               for line in done.stdout.splitlines()), done.stdout
    item = load_dataset(root, check_audio=False).item("pc", "pc_1")
    with pytest.raises(AudioFileError, match=re.escape(text)):
        Presenter(None, STEREO, allow_attenuation=True).prepare(root, expand_runs(item)[0])


@pytest.mark.subprocess
def test_a_mono_file_for_a_binaural_item_is_named_and_refused(tmp_path):
    root = write_dataset(tmp_path / "ds")
    soundfile.write(str(root / "starbench_audios/sr/2.wav"), np.full((1600, 1), 0.01), 16000, subtype="PCM_16")
    done = validate(root)
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    assert any("sr_2" in line and "audio_paths" in line and "1 channel(s); a spatial reasoning (sr) item is binaural"
               in line for line in done.stdout.splitlines()), done.stdout
    ds = load_dataset(root)
    assert "sr_2" not in {i.id for i in ds.items["sr"]}
    plan = make_plan(ds, Protocol(practice_per_block=0, seed=1, variants=["sr", "sr_ch"]), "P1", 0)
    assert not any(t.run.item.id == "sr_2" for t in plan)
    item = load_dataset(write_dataset(tmp_path / "good"), check_audio=False).item("sr", "sr_2")
    for variant in ("sr", "sr_ch"):
        with pytest.raises(AudioFileError, match="sr/2.wav for item 'sr_2': 1 channel"):
            Presenter(None, STEREO).prepare(root, expand_runs(item, variant)[0])


@pytest.mark.subprocess
def test_a_perception_item_in_the_spatial_reasoning_file_is_named(tmp_path):
    stray = pc_items()[0]
    stray.update(id="sr_stray", audio_paths=["starbench_audios/sr/stray.wav"])
    root = write_dataset(tmp_path / "ds", sr=sr_items() + [stray])
    done = validate(root)
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    assert any("sr_stray" in line and "category" in line and "'Absolute Perception Range' is a perception (pc) "
               "category; this file holds spatial reasoning (sr) items" in line
               for line in done.stdout.splitlines()), done.stdout
    assert "sr_stray" not in {i.id for i in load_dataset(root, check_audio=False).items["sr"]}


def test_a_clean_dataset_and_the_bank_references_still_validate(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "ds", pc=with_reference(BANK_REFERENCE), tr=[], sr=[]),
                      check_audio="full")
    assert ds.problems == [] and declared_reference(ds) == (-30.0, 70.0)
    assert json.loads(json.dumps(BANK_REFERENCE)) == BANK_REFERENCE
