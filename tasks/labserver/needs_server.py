"""What a lab station cannot do without its server, said in one line (docs/lab-server.md, "When the
network fails"): a started session goes on from the journal, but a new one needs the server."""
from __future__ import annotations

START_NEEDS_SERVER = ("A new session needs the lab server, which cannot be reached now: enrolment takes the next "
                      "counterbalancing position (and a cover study's share) from the server, and the screening "
                      "and level-check results are written there first. Sessions already running on this station "
                      "go on; start this one when the server is back.")


def start_refused(waiting: int = 0) -> str:
    """The one line a station shows when a session cannot start without the server; ``waiting``:
    entries in the station's journal (delivered when the server is back)."""
    if not waiting:
        return START_NEEDS_SERVER
    entries = "1 journal entry waits" if waiting == 1 else f"{waiting} journal entries wait"
    return START_NEEDS_SERVER + f" {entries} for it on this station."


# the same said to a station between sessions (simulate --station), before the server's own words
NEW_SESSION_NEEDS_SERVER = ("a new session needs the lab server (the next counterbalancing position and a cover "
                            "study's share are the server's to give)")
