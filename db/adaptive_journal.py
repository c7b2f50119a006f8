"""The adaptive blocks' part of a station's journal (db.outbox.Outbox has these methods): while
the lab server cannot be reached, each adaptive trial's answer, with the block's estimate after
it (n_trials, threshold, interval, status), is journalled before the next trial starts, keyed by
(session, dimension, trial index), since a block may have no server id yet. With the first
adaptive entry of a session after the station was online, the station journals what it knew
then of each of the session's blocks (trial index -1, replacing one delivered before): its
index, unit, procedure, settings, the study's seed and the levels and outcomes of its trials so
far, so that a station restarted while the server is still away rebuilds every block from its
journal alone.

Delivered in journal order after the answers (db.adaptive_delivery); checked like answers
(db.journal_checks.adaptive_entry_problem); quarantined entries go into the journal's
``quarantine`` table (no planned trial id, the reason naming the block and trial)."""
from __future__ import annotations

import json
from typing import Any

from db.journal_checks import ADAPTIVE_COLUMNS, ADAPTIVE_DDL, STATES, adaptive_entry_problem, storable
from db.models import utc_now

_INSERT = ("INSERT OR IGNORE INTO adaptive_journal (session_id, dimension, trial_index, values_json, queued_at) "
           "VALUES (?, ?, ?, ?, ?)")


def _encode(values: dict) -> str:
    """JSON text of the values, their dates and times (at any depth) as ISO text."""
    return json.dumps(values, sort_keys=True, default=lambda v: v.isoformat())


class AdaptiveJournal:
    """Mixed into db.outbox.Outbox (its ``_con``, one thread at a time)."""

    _con: Any
    _journalling: Any  # Outbox's: one transaction journalling new entries

    def _create_adaptive(self) -> None:
        self._con.execute(ADAPTIVE_DDL)

    def add_adaptive(self, session_id: int, dimension: str, trial_index: int, values: dict,
                     blocks: dict[str, dict] | None = None) -> None:
        """Journal an adaptive trial (``values``: its columns and ``block``: the block's estimate
        after it), durable on return; ``blocks``: what the station knows of the session's blocks
        (dimension -> entry), journalled first in the same transaction, each replacing a delivered
        one. A trial journalled already is kept as it was."""
        now = utc_now().isoformat()
        with self._journalling("this answer was not saved yet"):
            for name, block in (blocks or {}).items():
                self._con.execute("DELETE FROM adaptive_journal WHERE session_id = ? AND dimension = ? AND "
                                  "trial_index = -1 AND state = 'delivered'", (session_id, name))
                self._con.execute(_INSERT, (session_id, name, -1, _encode(block), now))
            self._con.execute(_INSERT, (session_id, dimension, trial_index, _encode(values), now))

    def adaptive_entries(self, session_id: int) -> list[tuple[str, int, dict, str]]:
        """(dimension, trial index, values, state) of the session's adaptive entries in journal
        order, whatever their state (quarantined ones are not here); unreadable ones left out."""
        out = []
        for dimension, trial_index, values_json, state in self._con.execute(
                "SELECT dimension, trial_index, values_json, state FROM adaptive_journal WHERE session_id = ? "
                "ORDER BY id", (session_id,)):
            if adaptive_entry_problem(session_id, dimension, trial_index, values_json, state) is None:
                out.append((dimension, trial_index, json.loads(values_json), state))
        return out

    def pending_adaptive(self, limit: int) -> list[tuple]:
        """(id, session_id, dimension, trial_index, values_json) undelivered, in journal order."""
        return self._con.execute("SELECT id, session_id, dimension, trial_index, values_json FROM adaptive_journal "
                                 "WHERE state = 'pending' ORDER BY id LIMIT ?", (limit,)).fetchall()

    def adaptive_count(self, state: str = "pending", session_id: int | None = None) -> int:
        if session_id is None:
            return self._con.execute("SELECT COUNT(*) FROM adaptive_journal WHERE state = ?", (state,)).fetchone()[0]
        return self._con.execute("SELECT COUNT(*) FROM adaptive_journal WHERE state = ? AND session_id = ?",
                                 (state, session_id)).fetchone()[0]

    def block_in_conflict(self, session_id: int, dimension: str) -> bool:
        """True when an entry of the block (itself or a trial) is kept as a conflict."""
        return self._con.execute("SELECT 1 FROM adaptive_journal WHERE session_id = ? AND dimension = ? AND "
                                 "state = 'conflict'", (session_id, dimension)).fetchone() is not None

    def adaptive_conflicts(self) -> list[tuple[int, str, int, str]]:
        return self._con.execute("SELECT session_id, dimension, trial_index, note FROM adaptive_journal "
                                 "WHERE state = 'conflict' ORDER BY id").fetchall()

    def mark_adaptive(self, outcomes: list[tuple[int, str, str]]) -> None:
        """(entry id, state, note) after the server committed."""
        with self._con:
            self._con.execute("BEGIN")
            self._con.executemany("UPDATE adaptive_journal SET state = ?, note = ? WHERE id = ?",
                                  [(state, note, entry) for entry, state, note in outcomes])

    def quarantine_adaptive(self, entries: list[tuple[int, str]]) -> None:
        """Move adaptive entries (entry id, reason) into quarantine, in one transaction."""
        if not entries:
            return
        now = utc_now().isoformat()
        with self._con:
            self._con.execute("BEGIN")
            for entry, reason in entries:
                self._con.execute("INSERT INTO quarantine (quarantined_at, reason, session_id, values_json, queued_at, "
                                  "state, note) SELECT ?, 'adaptive ' || dimension || ' trial ' || trial_index || ': ' "
                                  "|| ?, session_id, values_json, queued_at, state, note FROM adaptive_journal "
                                  "WHERE id = ?", (now, reason, entry))
                self._con.execute("DELETE FROM adaptive_journal WHERE id = ?", (entry,))

    def _sweep_adaptive_states(self) -> None:
        rows = self._con.execute(f"SELECT id, state FROM adaptive_journal WHERE state NOT IN "
                                 f"({', '.join('?' for _ in STATES)})", STATES).fetchall()
        self.quarantine_adaptive([(entry, f"unknown state {state!r}") for entry, state in rows])

    def _carry_over_adaptive(self, rows: list[dict], now: str) -> int:
        """Inside the caller's transaction: the adaptive rows read from a journal file put aside,
        into the new journal when they can be delivered, into quarantine otherwise."""
        kept = 0
        for row in rows:
            values = [row.get(c) for c in ADAPTIVE_COLUMNS[1:]]
            values[4], values[5], values[6] = values[4] or now, values[5] or "pending", values[6] or ""
            problem = adaptive_entry_problem(*values[:4], values[5])
            if problem is None:
                cursor = self._con.execute("INSERT OR IGNORE INTO adaptive_journal (session_id, dimension, "
                                           "trial_index, values_json, queued_at, state, note) VALUES (?, ?, ?, ?, ?, "
                                           "?, ?)", [storable(v) for v in values])
                if cursor.rowcount == 1:
                    kept += 1
                    continue
                problem = "a second entry for the same adaptive trial (the first is kept in the journal)"
            self._con.execute("INSERT INTO quarantine (quarantined_at, reason, session_id, values_json, queued_at, "
                              "state, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                              [now, f"adaptive entry: {problem}", *[storable(v) for v in
                                                                    (values[0], values[3], *values[4:])]])
        return kept
