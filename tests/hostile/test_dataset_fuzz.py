"""Fuzzing the dataset reader: random and mutated meta files go through load_dataset,
format_report and the expansion into runs. Each ends as problems or items, never an exception."""
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tasks.dataset.loader import format_report, load_dataset
from tasks.dataset.runs import expand_runs, format_run
from tests.support.factories import FILES, pc_items, sr_items, tr_items, write_dataset

EXAMPLES = 300
ALIASES = ("pc", "tr", "sr")
FIELDS = ("id", "task", "category", "sub-category", "question", "options", "answer", "audio_paths", "source",
          "global_caption", "uncut_audio_path")
HOSTILE_TEXT = ["", "\x1b[31m", "a\nb", "\ud800", "\u202e", "../x.wav", "C:\\x.wav", "\\\\srv\\x", "/etc/passwd",
                "clip 1 -> clip 2 -> clip 3", "demo_OSM_1", "x_ETC_99999999999999999999", "\x00", "é" * 50]

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         st.text(max_size=20), st.sampled_from(HOSTILE_TEXT))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=6), st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), inner, max_size=6)),
    max_leaves=20)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A dataset with audio; each example rewrites its meta files."""
    return write_dataset(tmp_path_factory.mktemp("fuzz") / "ds")


VALID = {"pc": pc_items(), "tr": tr_items(), "sr": sr_items()}


@st.composite
def mutated_items(draw, alias):
    items = json.loads(json.dumps(VALID[alias]))
    rng = random.Random(draw(st.integers(0, 2 ** 32)))
    for _ in range(draw(st.integers(0, 6))):
        item = items[rng.randrange(len(items))]
        action = draw(st.sampled_from(["set", "delete", "hostile", "options", "dup"]))
        key = draw(st.sampled_from(FIELDS))
        if action == "set":
            item[key] = draw(json_values)
        elif action == "delete":
            item.pop(key, None)
        elif action == "hostile":
            item[key] = draw(st.sampled_from(HOSTILE_TEXT))
        elif action == "options":
            item["options"] = [f"o{i}" for i in range(draw(st.integers(0, 40)))]
            item["answer"] = draw(st.sampled_from(item["options"] or ["none"]))
        else:
            items.append(dict(item))
    return items


def byte_mutation(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["flip", "cut", "insert"])
        at = rng.randrange(len(data) or 1)
        if kind == "flip" and data:
            data[at] ^= 1 << rng.randrange(8)
        elif kind == "cut":
            del data[at:at + rng.randint(1, 50)]
        else:
            data[at:at] = rng.choice([b"[", b"{", b"\\ud800", b"9" * 5000, b"\x1b", b'"', b"\xff", b"[" * 5000])
    return bytes(data)


@st.composite
def meta_files(draw):
    out = {}
    for alias in ALIASES:
        kind = draw(st.sampled_from(["valid", "mutated", "random", "text", "absent"]))
        if kind == "valid":
            out[alias] = json.dumps(VALID[alias]).encode()
        elif kind == "mutated":
            out[alias] = json.dumps(draw(mutated_items(alias))).encode()
        elif kind == "random":
            out[alias] = json.dumps(draw(json_values)).encode()
        elif kind == "text":
            rng = random.Random(draw(st.integers(0, 2 ** 32)))
            out[alias] = byte_mutation(json.dumps(draw(mutated_items(alias))).encode(), rng)
    return out


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
@given(files=meta_files(), check_audio=st.booleans())
def test_any_meta_file_is_problems_or_items_never_an_exception(base, files, check_audio):
    for alias in ALIASES:
        path = base / "meta_info" / FILES[alias]
        path.unlink(missing_ok=True)
        if alias in files:
            path.write_bytes(files[alias])
    if not files:
        return
    ds = load_dataset(base, check_audio=check_audio)
    assert all(s.reasons for s in ds.set_aside)  # every item set aside says why
    format_report(ds).encode("utf-8")  # printable, nothing that cannot be encoded
    for alias, items in ds.items.items():
        for item in items:
            for run in expand_runs(item):
                format_run(run).encode("utf-8")
