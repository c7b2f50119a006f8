"""The Results page's "Exclude participants who failed screening": the leaderboard (mean,
pooled and chance rows), the figures and Export report leave them out, and the page names them.
Real SQLite file with a simulated cohort and screening rows as the participant window stores
them; offscreen Qt; the page's computations run in child processes."""
from __future__ import annotations

import json

from PySide6.QtWidgets import QApplication
from sqlmodel import Session as DbSession, select

from db import repo
from db.models import Participant, Session
from gui.console.results_data import results_data
from tasks.results.compare import build_rows
from tasks.results.compare_input import inputs_from_records
from tasks.results.trial_records import load_records
from tasks.simulation.observers import Observer
from tasks.simulation.simulate import simulate
from tests.gui.conftest import save_screenshot
from tests.gui.test_results_page import SLOW_MS, results_page
from tests.tasks.analysis.cohorts import robust, small_dataset

FAILED = "SIM002"


def cohort_with_a_failed_screening(ctx, tmp_path):
    ds = small_dataset(tmp_path / "ds")
    simulate(ctx.db, ds, robust(seed=3), 4, Observer("psychometric"), "test", study_name="lab")
    with DbSession(ctx.db) as s:
        sessions = {p.code: se.id for se, p in s.exec(select(Session, Participant)
                                                      .where(Session.participant_id == Participant.id))}
        for code, session_id in sessions.items():
            huggins_ok = code != FAILED
            repo.audit(s, "screening", json.dumps([
                {"test": "antiphase", "correct": 6, "trials": 6, "passed": True},
                {"test": "huggins", "correct": 6 if huggins_ok else 2, "trials": 6, "passed": huggins_ok}]),
                session_id)
    return sorted(sessions)


def by_kind(rows):
    return {r.kind: r for r in rows}


def test_leaderboard_without_failed_participants_equals_the_cohort_without_them(ctx, tmp_path):
    codes = cohort_with_a_failed_screening(ctx, tmp_path)
    every = results_data(ctx.db, "lab", None, lambda *a: None, lambda: False)
    kept = results_data(ctx.db, "lab", None, lambda *a: None, lambda: False, exclude_failed_screening=True)
    # the same numbers as scoring the other participants' records alone (the in-memory path)
    records = [r for r in load_records(ctx.db, "lab") if r.participant.code != FAILED]
    expected = by_kind(build_rows(inputs_from_records(records), []))
    got, before = by_kind(kept.rows), by_kind(every.rows)
    assert before["human-mean"].n == len(codes) and got["human-mean"].n == len(codes) - 1
    for kind in ("human-mean", "human-pooled", "chance"):
        assert got[kind].values == expected[kind].values, kind
    assert got["human-pooled"].values != before["human-pooled"].values  # the exclusion changed something
    assert kept.excluded == [f"{FAILED} (huggins)"] and every.excluded == []
    assert [p.code for p in kept.people if p.code.endswith("(excluded)")] == [f"{FAILED} (excluded)"]
    assert kept.answered_test < every.answered_test


def test_the_check_box_reaches_figures_and_report_and_the_page_says_who(qtbot, ctx, tmp_path):
    cohort_with_a_failed_screening(ctx, tmp_path)
    window, page = results_page(qtbot, ctx, None)
    with qtbot.waitSignal(page.figure_job.idle, timeout=SLOW_MS):
        window.show_page("results")
    assert page.figures.participants == 4 and page.figures.excluded == []
    assert "Everyone is counted" in page.excluded_note.text()
    with qtbot.waitSignal(page.figure_job.idle, timeout=SLOW_MS):
        page.exclude_failed.setChecked(True)  # recomputes: leaderboard, then the figures
    assert page.figures.participants == 3 and page.figures.excluded == [FAILED]
    assert page.excluded_note.text() == ("Excluded (failed screening) from the leaderboard, figures and report: "
                                         f"{FAILED} (huggins).")
    QApplication.processEvents()
    save_screenshot(window, "console-results-excluded")
    out = tmp_path / "report"
    page.export_report(str(out))
    qtbot.waitUntil(lambda: not page.tasks.busy, timeout=SLOW_MS)
    assert f"Left out for failed screening: {FAILED}." in page.report_note.text(), page.report_note.text()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Participants who failed screening are excluded" in html and FAILED in html
