"""A take-home results bundle whose times are extreme or malformed (re-sealed with the package's
key, as a participant who reads the package can): `import-results` refuses it in one line naming
the field, exit 1, and stores nothing of it; the lab's earlier data stays as it was."""
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session as DbSession, select

from db.models import Response
from tasks.takehome.files import BundleError
from tasks.takehome.importing import import_results

from tests.tasks.takehome.conftest import lab, practice_per_block  # noqa: F401 - fixtures
from tests.tasks.takehome.test_bundle_trust import plausible_times, reseal, returned  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]

BAD_TIMES = {
    "0001-01-01T00:00:00+14:00": "year 0 in UTC",
    "9999-12-31T23:59:59-14:00": "year 10000 in UTC",
    "0001-01-01T00:00:00+00:00": "year 1",
    "9999-12-31T23:59:59+00:00": "year 9999",
    "2026-01-01T00:00:00": "naive",
    "nan": "not a date",
    "2026-13-01T00:00:00+00:00": "month 13",
    "2026-01-01T00:00:00+24:00": "offset of a day",
    "+002026-01-01T00:00:00+00:00": "expanded year",
    "2026-01-01T00:00:00+00:00" + "0" * 100_000: "a long tail",
}


def setter(field: str, value):
    def change(results):
        plausible_times(results)
        if field == "audit":
            results["audit"][0]["at"] = value
        elif field == "answered_at":
            next(t for t in results["trials"] if t["response"])["response"]["answered_at"] = value
        else:
            results["session"][field] = value
    return change


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.subprocess
@pytest.mark.parametrize("value", list(BAD_TIMES), ids=list(BAD_TIMES.values()))
def test_an_extreme_or_malformed_start_is_refused_naming_the_field(tmp_path, returned, value):  # noqa: F811
    db, pkg, bundle = returned
    db.dispose()
    lab_file = tmp_path / "lab.sqlite3"
    before = digest(lab_file)
    edited = reseal(bundle, pkg, tmp_path / "b.zip", setter("started_at", value))
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "import-results", "--db", str(lab_file),
                           str(edited)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert "refused:" in done.stderr and "results.json.session.started_at: " in done.stderr, done.stderr
    assert len(done.stderr) < 1000
    assert digest(lab_file) == before


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "nan",
                                   "2026-01-01T00:00:00"])
@pytest.mark.parametrize("field", ["ended_at", "answered_at", "audit"])
def test_every_time_of_a_bundle_is_checked_the_same_way(tmp_path, returned, field, value):  # noqa: F811
    db, pkg, bundle = returned
    named = {"ended_at": "results.json.session.ended_at", "answered_at": "].response.answered_at",
             "audit": "results.json.audit[0].at"}[field]
    with pytest.raises(BundleError, match=re.escape(named)):
        import_results(db, reseal(bundle, pkg, tmp_path / "b.zip", setter(field, value)))
    with DbSession(db) as s:
        assert s.exec(select(Response)).all() == []


@pytest.mark.parametrize("value", ["1970-01-01T00:00:00+00:00", "2199-12-31T23:59:59+00:00",
                                   "1970-01-01T14:00:00+14:00"])
def test_times_at_the_bounds_are_imported(tmp_path, returned, value):  # noqa: F811
    db, pkg, bundle = returned
    result = import_results(db, reseal(bundle, pkg, tmp_path / "b.zip", setter("started_at", value)))
    assert result.plausibility is not None
    with DbSession(db) as s:
        assert s.exec(select(Response)).all()
