"""The console's forms as an experimenter uses them: messages that go when answered, forms
that start empty for the next person, a reopened study showing what is in force, number fields
that say why they refused what was typed. Offscreen Qt on a real SQLite file."""
from sqlmodel import Session as DbSession

from db import repo
from gui.console.window import ConsoleWindow
from tests.support.gui_harness import load_builtin


def test_participant_form_is_reset_after_adding_and_consent_clears_the_request(qtbot, ctx):
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    window.show_page("participants")
    pp = window.participants_page
    pp.age.setCurrentText("25-34")
    pp.hearing.setCurrentText("hearing aid or implant")
    pp.add()
    assert pp.message.text() == "Confirm consent first."
    pp.consent.setChecked(True)
    assert pp.message.text() == ""  # the request is answered
    pp.add()
    assert pp.message.text() == "P001 added."
    # nothing of P001 is offered for the next person
    assert (pp.code.text(), pp.age.currentText(), pp.hearing.currentText(), pp.consent.isChecked()) == \
        ("P002", "", "", False)
    with DbSession(ctx.db) as s:
        stored = repo.get_participant(s, "P001")
    assert (stored.age_band, stored.hearing_self_report) == ("25-34", "hearing aid or implant")
    pp.consent.setChecked(True)
    pp.add()
    with DbSession(ctx.db) as s:
        second = repo.get_participant(s, "P002")
    assert (second.age_band, second.hearing_self_report) == (None, None)


def pilot_created(qtbot, ctx):
    """A console whose Study page created study 'pilot' from the built-in bank (2 items per
    group, seed 7); (the window, its Study page)."""
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    page = load_builtin(qtbot, window)
    page.items_per_group.setValue(2)
    page.seed.setValue(7)
    page.open_study()
    assert page.study_status.text().startswith("Created study 'pilot' with this protocol.")
    return window, page


def test_reopened_study_shows_its_stored_protocol_and_says_so(qtbot, ctx):
    _window, page = pilot_created(qtbot, ctx)
    # the experimenter changes the form and opens the same study again
    page.items_per_group.setValue(5)
    page.seed.setValue(99)
    page.variant_boxes["tr"].setChecked(False)
    page.open_study()
    assert "stored protocol stays in force and the form now shows it" in page.study_status.text()
    assert (page.items_per_group.value(), page.seed.value(), page.variant_boxes["tr"].isChecked()) == (2, 7, True)
    with DbSession(ctx.db) as s:
        stored = repo.get_study(s, "pilot")
    assert page.current_protocol().to_json() == stored.protocol_json
    page.open_study()
    assert page.study_status.text().startswith("Opened study 'pilot' (created ")


def test_reopening_from_an_untouched_form_says_only_that_the_study_was_opened(qtbot, ctx):
    """A console started afresh shows the form's defaults; opening the existing study from it
    without editing anything opens it (no "values you changed" were there); an edit that differs
    from the stored protocol is named as not applied, an edit back to the stored value is not."""
    first, _page = pilot_created(qtbot, ctx)
    first.close()

    window = ConsoleWindow(ctx)  # the next day: the form shows its defaults, not pilot's protocol
    qtbot.addWidget(window)
    page = load_builtin(qtbot, window)
    assert (page.items_per_group.value(), page.seed.value()) == (3, 1)
    page.open_study()  # untouched, though different from what is stored
    assert page.study_status.text().startswith("Opened study 'pilot' (created "), page.study_status.text()
    assert "not applied" not in page.study_status.text()
    assert (page.items_per_group.value(), page.seed.value()) == (2, 7)  # the form shows the stored protocol
    page.seed.setValue(99)
    page.open_study()  # edited, and different: said
    assert "the values you changed were not applied" in page.study_status.text()
    assert page.seed.value() == 7
    page.seed.setValue(8)
    page.seed.setValue(7)  # edited back to what is stored: nothing was changed in effect
    page.open_study()
    assert page.study_status.text().startswith("Opened study 'pilot' (created "), page.study_status.text()
    # a fresh form whose experimenter edits it before opening the existing study: said
    window.close()
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    page = load_builtin(qtbot, window)
    page.practice.setValue(0)
    page.open_study()
    assert "the values you changed were not applied" in page.study_status.text()


def test_a_dataset_that_declares_its_digital_reference_gives_it_to_a_new_study(qtbot, ctx, tmp_path):
    from tests.support.factories import pc_items, write_dataset

    declared = {"reference_dbfs": -30.0, "reference_db_spl": 70.0}
    items = [dict(it, params={"digital_reference": declared}) for it in pc_items()]
    root = write_dataset(tmp_path / "declared", pc=items, tr=[], sr=[])
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    page = window.study_page
    with qtbot.waitSignal(window.state.datasetChanged, timeout=20000):
        page.load(str(root))
    assert (page.reference_dbfs.value(), page.reference_db_spl.value()) == (-30.0, 70.0)
    assert "In force: digital reference -30 dBFS = 70 dB SPL (declared by the dataset in every item)" \
        in page.in_force.text()
    assert "clips up to 600 s" in page.in_force.text()
    assert "safety ceiling 85 dB SPL" in page.in_force.text() and "hard maximum 100 dB SPL" in page.in_force.text()
    page.variant_boxes["pc"].setChecked(True)
    page.study_name.setText("declared")
    page.open_study()
    with DbSession(ctx.db) as s:
        protocol = repo.get_study(s, "declared").protocol_json
    assert '"reference_dbfs": -30.0' in protocol and '"reference_db_spl": 70.0' in protocol
    # a dataset that declares none (the plain test dataset) gets the protocol default
    with qtbot.waitSignal(window.state.datasetChanged, timeout=20000):
        page.load(None)
    assert (page.reference_dbfs.value(), page.reference_db_spl.value()) == (-20.0, 70.0)
    assert "70 dB SPL (set for the study: the dataset declares none)" in page.in_force.text()


def test_number_fields_say_why_they_refuse_what_was_typed(qtbot, ctx):
    from PySide6.QtCore import Qt

    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    page = window.study_page
    spin = page.reference_db_spl
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "150")
    assert spin.note.text() == "150 is above the maximum: allowed 20-100 dB SPL (hard maximum 100 dB SPL)."
    qtbot.keyClick(spin, Qt.Key_Return)
    assert spin.value() == 70.0 and spin.note.text().endswith("Kept 70 dB SPL.")
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "75")
    assert spin.value() == 75.0 and spin.note.isHidden()  # a value taken: the note goes
    practice = page.practice
    practice.lineEdit().selectAll()
    qtbot.keyClicks(practice, "2x")
    assert practice.note.text() == '"2x" is not a number: type a value of 0-20.'


def test_a_stored_value_the_form_cannot_show_is_named(qtbot, ctx):
    from tasks.study.plan import Protocol
    from tasks.study.studies import open_study

    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    page = load_builtin(qtbot, window)
    # made on the command line: a break every 5000 trials is more than the form's 1000
    open_study(ctx.db, window.state.dataset, "cli", Protocol(break_every=5000, max_clip_duration_s=30.0))
    page.study_name.setText("cli")
    page.open_study()
    assert "Stored values outside this form's range (in force all the same): break every 5000." \
        in page.study_status.text()
    assert "clips up to 30 s" in page.in_force.text()


def test_study_page_says_which_blocks_get_less_practice_than_asked(qtbot, ctx):
    window = ConsoleWindow(ctx)
    qtbot.addWidget(window)
    page = load_builtin(qtbot, window)
    page.practice.setValue(2)
    page.items_per_group.setValue(0)  # every item tested: nothing is left for practice
    assert "Less practice than asked for pc, tr, sr" in page.counts.text()
    assert "tr: no practice instead of 2" in page.counts.toolTip()
    page.practice.setValue(0)
    assert "Less practice" not in page.counts.text()
