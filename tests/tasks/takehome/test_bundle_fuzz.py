"""Fuzzing what comes back from home and what goes there: mutated results bundles through
import_results and mutated packages through open_package. Each is refused with a BundleError
that has a message, or accepted; never another exception."""
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from db.engine import open_database
from tasks.dataset.loader import load_dataset
from tasks.study.plan import Protocol
from tasks.study.studies import open_study
from tasks.takehome.files import BundleError
from tasks.takehome.importing import import_results
from tasks.takehome.packages import make_package, open_package
from tests.support.factories import write_dataset
from tests.tasks.takehome.test_bundle_package_id import resealed
from tests.tasks.takehome.test_bundle_trust import reseal
from tests.tasks.takehome.test_takehome import run_at_home

EXAMPLES = 300
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                         st.sampled_from(["\ud800", "../x", "<A>", "2026-01-01T00:00:00", "x" * 300]))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bundle-fuzz")
    ds = load_dataset(write_dataset(tmp / "ds"))
    db = open_database(tmp / "lab.sqlite3")
    open_study(db, ds, "s", Protocol(items_per_group=1, practice_per_block=1, seed=2))
    pkg = make_package(db, ds, "s", "H001", tmp / "pkg.zip", "test")
    return tmp, db, pkg, run_at_home(tmp, pkg)


def byte_mutations(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(data))
        kind = rng.choice(["flip", "byte", "cut", "insert", "truncate"])
        if kind == "flip":
            data[at] ^= 1 << rng.randrange(8)
        elif kind == "byte":
            data[at] = rng.randrange(256)
        elif kind == "cut":
            del data[at:at + rng.randint(1, 64)]
        elif kind == "insert":
            data[at:at] = rng.randbytes(rng.randint(1, 64))
        else:
            del data[at:]
        if not data:
            break
    return bytes(data)


def paths_of(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths_of(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            yield from paths_of(v, prefix + (i,))


def set_at(doc, path, value):
    if not path:
        return value
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def outcome(call):
    try:
        call()
        return "accepted"
    except BundleError as exc:
        assert str(exc).strip(), "a refusal without a message"
        return "refused"


@SETTINGS
@given(seed=st.integers(0, 2 ** 32), structured=st.booleans(), value=json_values, pick=st.integers(0, 10 ** 6))
def test_mutated_bundles_are_refused_or_imported(made, seed, structured, value, pick):
    tmp, db, pkg, bundle = made
    target = tmp / "mutated-bundle.zip"
    if structured:  # results.json edited and sealed again with the key from the package
        def change(results):
            paths = list(paths_of(results))
            replaced = set_at(results, paths[pick % len(paths)], value)
            if replaced is not results:
                results.clear()
                if isinstance(replaced, dict):
                    results.update(replaced)
        reseal(bundle, pkg, target, change)
    else:
        target.write_bytes(byte_mutations(bundle.read_bytes(), random.Random(seed)))
    outcome(lambda: import_results(db, target))


@SETTINGS
@given(seed=st.integers(0, 2 ** 32), structured=st.booleans(), value=json_values, pick=st.integers(0, 10 ** 6),
       name=st.sampled_from(["package.json", "manifest.json", "dataset/meta_info/holistic_reasoning_spatial.json",
                             "dataset/../x", "dataset/a\\b", "dataset/x.wav"]))
def test_mutated_packages_are_refused_or_opened(made, seed, structured, value, pick, name):
    tmp, _, pkg, _ = made
    target = tmp / "mutated-package.zip"
    if structured:
        def change(files):
            if name == "package.json":
                info = json.loads(files["package.json"])
                paths = list(paths_of(info))
                files["package.json"] = json.dumps(set_at(info, paths[pick % len(paths)], value)).encode()
            elif name != "manifest.json":
                files[name] = json.dumps(value).encode()
        resealed(pkg, target, change)
    else:
        target.write_bytes(byte_mutations(pkg.read_bytes(), random.Random(seed)))
    home = tmp / "home"
    if outcome(lambda: open_package(target, home)) == "accepted":
        for p in home.rglob("*"):  # whatever was unpacked stayed inside the folder
            assert p.resolve().is_relative_to(home.resolve())
