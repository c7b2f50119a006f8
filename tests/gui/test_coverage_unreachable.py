"""The Sessions page's coverage of a cover study when the lab server cannot be reached: the
view says so under its table (the counts shown are from the last read that reached it), with no
dialog. A PostgreSQL URL whose socket folder holds no server: every connection is refused."""
from types import SimpleNamespace

from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import create_engine

from gui.console.coverage_view import CoverageView


def test_an_unreachable_server_is_named_under_the_coverage(qtbot, tmp_path):
    engine = create_engine(f"postgresql+psycopg://lab@/lab?host={tmp_path}&port=5999")
    view = CoverageView(engine)
    qtbot.addWidget(view)
    view.needed.setText("Still needed: 12 answers")  # what an earlier read showed
    crashed: list[str] = []
    view.job.crashed.connect(crashed.append)
    with qtbot.waitSignal(view.job.unreachable, timeout=20000):
        view.refresh(dataset=object(), study=SimpleNamespace(id=1), design="cover")
    qtbot.waitUntil(lambda: not view.job.busy, timeout=20000)
    assert not view.isHidden()  # still shown: a cover study is open
    assert view.needed.text().startswith("Coverage not read: the lab server cannot be reached (")
    assert crashed == []
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    view.shutdown()
    engine.dispose()
