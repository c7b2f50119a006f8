"""The console's forms as an experimenter uses them: messages that go when answered, forms
that start empty for the next person, a reopened study showing what is in force, number fields
that say why they refused what was typed. Offscreen Qt on a real SQLite file."""
from sqlmodel import Session as DbSession

from db import repo
from gui.console import ConsoleWindow


def load_builtin(qtbot, window):
    page = window.study_page
    with qtbot.waitSignal(window.state.datasetChanged, timeout=20000):
        page.load(None)
    return page


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
