"""The Sessions page's take-over: continue here a session that was interrupted on another
station (tasks.study.ownership.take_over), after the experimenter confirmed it. The action is
the only way such a session reaches this station; a session running live elsewhere is refused."""
from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QMessageBox, QWidget
from sqlalchemy.exc import SQLAlchemyError

from db.leases import lease_of
from db.pg import describe_server_error
from db.models import Session as SessionRow
from tasks.study.ownership import interrupted_elsewhere, station_label, take_over
from tasks.study.studies import StudyError


class TakeOver:
    """Ask, take over, open the participant window; ``say`` shows a line on the page."""

    def __init__(self, page: QWidget, ctx, say: Callable[[str], None], open_window: Callable[[int], None]):
        self.page, self.ctx, self.say, self.open_window = page, ctx, say, open_window
        self.box: QMessageBox | None = None

    def ask(self, session_id: int) -> None:
        from sqlmodel import Session as DbSession

        here = station_label(self.ctx.station)
        with DbSession(self.ctx.db) as s:
            row = s.get(SessionRow, session_id)
            lease = lease_of(row) if row is not None else None
        if lease is None or not interrupted_elsewhere(lease, here):
            if lease is not None and lease.status == "running" and lease.holder_station not in (None, here):
                self.say(self.page.tr("Session {id} is running on station {station}: it cannot be taken over while "
                                      "its window is open.").format(id=session_id, station=lease.holder_station))
            else:
                self.say(self.page.tr("Session {id} was not interrupted on another station: nothing to take over.")
                         .format(id=session_id))
            return
        box = QMessageBox(QMessageBox.Warning, self.page.tr("Take over session"),
                          self.page.tr("Session {id} was interrupted on station {station}. Take it over and continue "
                                       "it on this station ({here})? Station {station} cannot store answers for it "
                                       "afterwards.").format(id=session_id, station=lease.holder_station, here=here),
                          QMessageBox.Yes | QMessageBox.Cancel, self.page)
        box.setObjectName("takeOverBox")
        box.setDefaultButton(QMessageBox.Cancel)
        box.finished.connect(lambda result: self._answer(result, session_id))
        box.open()
        self.box = box

    def _answer(self, result: int, session_id: int) -> None:
        if QMessageBox.StandardButton(result) != QMessageBox.StandardButton.Yes:
            return
        self.confirm(session_id)

    def confirm(self, session_id: int) -> None:
        """Take the session over (audit-logged) and open its participant window here."""
        try:
            before = take_over(self.ctx.db, session_id, station_label(self.ctx.station))
        except StudyError as exc:
            self.say(self.page.tr("Not taken over: {why}").format(why=exc))
            return
        except SQLAlchemyError as exc:
            # on a lab server a station's own login may not move a session to itself (its row
            # security keeps it to its own sessions): the experimenter's login takes sessions over
            text = str(getattr(exc, "orig", exc)).strip()
            why = describe_server_error(self.ctx.db.url, text) or (text.splitlines() or [type(exc).__name__])[0]
            self.say(self.page.tr("Not taken over: {why}. On a lab server, take a session over from a console "
                                  "started with the experimenter's login (docs/lab-server.md).").format(why=why))
            return
        self.say(self.page.tr("Session {id} taken over from station {station}.").format(id=session_id, station=before))
        self.open_window(session_id)
