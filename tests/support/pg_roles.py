"""A lab server set up as docs/lab-server.md says, on the private test server: an experimenter
role owning the database (schema created and rights granted with ``lab-grants --db``), a
station group role, and one login role per station bound to its station name."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass
class Lab:
    server: object
    database: str
    experimenter: str
    station_role: str
    logins: dict[str, str] = field(default_factory=dict)  # station name -> login role

    def owner_url(self) -> str:
        return self.server.url(self.database, role=self.experimenter)

    def station_url(self, station: str) -> str:
        return self.server.url(self.database, role=self.logins[station])

    def grant(self) -> int:
        """lab-grants --db as the owner, binding every login role; the command's exit code."""
        import main

        binds = [a for station, login in self.logins.items() for a in ("--bind", f"{login}={station}")]
        return main.main(["lab-grants", "--db", self.owner_url(), "--station-role", self.station_role,
                          "--experimenter-role", self.experimenter, *binds])

    def drop(self) -> None:
        self.server.psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        for role in (*self.logins.values(), self.station_role, self.experimenter):
            self.server.psql(f'DROP ROLE IF EXISTS "{role}"')


def make_lab(server, stations: tuple[str, ...] = ("booth1", "booth2"), grant: bool = True) -> Lab:
    suffix = uuid.uuid4().hex[:8]
    lab = Lab(server, f"lab_{suffix}", f"experimenter_{suffix}", f"station_{suffix}",
              {name: f"{name}_{suffix}" for name in stations})
    server.psql(f'CREATE ROLE "{lab.experimenter}" LOGIN; CREATE ROLE "{lab.station_role}" NOLOGIN; '
                + "; ".join(f'CREATE ROLE "{login}" LOGIN IN ROLE "{lab.station_role}"' for login in lab.logins.values()))
    server.create_database(lab.database, owner=lab.experimenter)
    if grant:
        assert lab.grant() == 0
    return lab
