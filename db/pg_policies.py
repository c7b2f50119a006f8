"""What a lab station's role may do on the server, table by table and column by column, and the
row-level security that keeps a station to its own sessions (docs/lab-server.md, "What a
station may do").

One login role per station, each a member of the station group role (``starlab_station``),
which holds the privileges; the table ``lab_station_role`` (written by the owner through
``lab-grants --bind ROLE=STATION``) says which station a login role is. ``lab_station()``
gives the station of the connection's login role (``session_user``: a station cannot change
it; ``SET ROLE`` changes only current_user), NULL for a role bound to none, and the policies
compare a row's station with it. A station's own session is one whose ``station`` column is
its station. The owner (the experimenter) bypasses row-level security, so the console and its
take-over act on every session.

The helper functions are SECURITY DEFINER with a fixed search_path, so that the policies'
look-ups neither depend on what the station may read nor on a table it could shadow.
"""
from __future__ import annotations

# Everything a station reads; take_home_package without key_hex (the key seals a take-home
# bundle: a station has no business with it; enrolment reads only the positions packages reserve)
STATION_SELECT_COLUMNS = {"take_home_package": ("package_id", "study_id", "participant_id", "cohort_index",
                                                "created_at", "imported_at")}
# the tables a station inserts into, each with the reason
STATION_INSERT = {
    "participant": "enrolment of a new participant",
    "session": "a new session, carrying this station's name (policy)",
    "planned_trial": "the plan of a new session of this station (policy)",
    "response": "an answer to a planned trial of this station's own session (policy)",
    "exposure_record": "the sound exposure of its own session (policy)",
    "audit_log": "the audit entries of its own sessions (policy)",
    "adaptive_block": "the adaptive blocks of its own sessions (policy)",
    "adaptive_trial": "the adaptive trials of its own blocks (policy)",
    "station": "its own status row (policy)",
    "device": "its own output device (policy)",
}
# the columns a station updates (never a response, a study, a calibration or a setting)
STATION_UPDATE = {
    # cursor, pause/resume, completion; the lease of the window that runs it (tasks.study.ownership)
    "session": ("next_position", "status", "started_at", "ended_at", "lease_holder", "lease_until"),
    "planned_trial": ("withheld_reason",),  # a trial over the safety ceiling, never an answered one
    "exposure_record": ("at", "played_s", "leq_db_a", "dose_pa2h", "daily_dose_percent", "trials",
                        "uncalibrated_trials"),  # the sitting's cumulative figures
    "adaptive_block": ("n_trials", "threshold", "ci_low", "ci_high", "target_p_correct", "status", "updated_at"),
    "station": ("seen_at", "pending_answers", "last_error"),  # the heartbeat
}
# tables with an integer id drawn from a SERIAL sequence named <table>_id_seq
_SERIAL = ("participant", "session", "planned_trial", "response", "exposure_record", "audit_log",
           "adaptive_block", "adaptive_trial", "device")

BINDING_TABLE = "lab_station_role"

# (table, command, USING, WITH CHECK) for the station group role; a table listed here has row
# level security enabled, and a command without a policy is refused for the station.
_OWN_SESSION = "public.lab_own_session(session_id)"
POLICIES = (
    ("session", "SELECT", "true", None),
    ("session", "INSERT", None, "station = public.lab_station()"),
    ("session", "UPDATE", "true", "station = public.lab_station()"),
    ("planned_trial", "SELECT", "true", None),
    ("planned_trial", "INSERT", None, _OWN_SESSION),
    ("planned_trial", "UPDATE", "true", f"{_OWN_SESSION} AND NOT public.lab_answered(id)"),
    ("response", "SELECT", "true", None),
    ("response", "INSERT", None, "public.lab_open_trial(planned_trial_id, session_id)"),
    ("exposure_record", "SELECT", "true", None),
    ("exposure_record", "INSERT", None, _OWN_SESSION),
    ("exposure_record", "UPDATE", "true", _OWN_SESSION),
    ("audit_log", "SELECT", "true", None),
    ("audit_log", "INSERT", None, f"session_id IS NULL OR {_OWN_SESSION}"),
    ("adaptive_block", "SELECT", "true", None),
    ("adaptive_block", "INSERT", None, _OWN_SESSION),
    ("adaptive_block", "UPDATE", "true", _OWN_SESSION),
    ("adaptive_trial", "SELECT", "true", None),
    ("adaptive_trial", "INSERT", None, "public.lab_own_block(block_id)"),
    ("station", "SELECT", "true", None),
    ("station", "INSERT", None, "name = public.lab_station()"),
    ("station", "UPDATE", "true", "name = public.lab_station()"),
    ("device", "SELECT", "true", None),
    ("device", "INSERT", None, "station = public.lab_station()"),
)

_DEFINER = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
FUNCTIONS = {
    "lab_station()": f"RETURNS text {_DEFINER} AS $$ SELECT station FROM public.{BINDING_TABLE} "
                     "WHERE role_name = session_user $$",
    "lab_own_session(bigint)": f"RETURNS boolean {_DEFINER} AS $$ SELECT EXISTS (SELECT 1 FROM public.session s "
                               "WHERE s.id = $1 AND s.station = public.lab_station()) $$",
    "lab_own_block(bigint)": f"RETURNS boolean {_DEFINER} AS $$ SELECT EXISTS (SELECT 1 FROM public.adaptive_block b "
                             "JOIN public.session s ON s.id = b.session_id WHERE b.id = $1 "
                             "AND s.station = public.lab_station()) $$",
    "lab_answered(bigint)": f"RETURNS boolean {_DEFINER} AS $$ SELECT EXISTS (SELECT 1 FROM public.response r "
                            "WHERE r.planned_trial_id = $1) $$",
    # the planned trial is in this session, the session is this station's, the trial not withheld
    "lab_open_trial(bigint, bigint)": f"RETURNS boolean {_DEFINER} AS $$ SELECT EXISTS (SELECT 1 FROM "
                                      "public.planned_trial t JOIN public.session s ON s.id = t.session_id "
                                      "WHERE t.id = $1 AND t.session_id = $2 AND t.withheld_reason IS NULL "
                                      "AND s.station = public.lab_station()) $$",
}


def station_privileges(station: str, experimenter: str, tables: list[str], quoted) -> list[str]:
    """The station group role's table, column and sequence privileges and the row-level
    security on ``tables`` (names quoted with ``quoted``); idempotent (policies are dropped and
    made again, every table and sequence privilege of the station revoked first)."""
    sql = [f"CREATE TABLE IF NOT EXISTS {BINDING_TABLE} (role_name text PRIMARY KEY, station text NOT NULL UNIQUE)",
           f"REVOKE ALL ON {BINDING_TABLE} FROM PUBLIC",
           f"GRANT ALL ON {BINDING_TABLE} TO {experimenter}"]
    for signature, body in FUNCTIONS.items():
        sql.append(f"CREATE OR REPLACE FUNCTION public.{signature} {body}")
        sql.append(f"REVOKE ALL ON FUNCTION public.{signature} FROM PUBLIC")
        sql.append(f"GRANT EXECUTE ON FUNCTION public.{signature} TO {station}, {experimenter}")
    sql.append(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {station}")
    sql.append(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {station}")
    for table in tables:
        name = quoted(table)
        if table in STATION_SELECT_COLUMNS:
            cols = ", ".join(quoted(c) for c in STATION_SELECT_COLUMNS[table])
            sql.append(f"GRANT SELECT ({cols}) ON {name} TO {station}")
        else:
            sql.append(f"GRANT SELECT ON {name} TO {station}")
        if table in STATION_INSERT:
            sql.append(f"GRANT INSERT ON {name} TO {station}")
        if table in _SERIAL:
            sql.append(f"GRANT USAGE ON SEQUENCE {quoted(table + '_id_seq')} TO {station}")
        if table in STATION_UPDATE:
            cols = ", ".join(quoted(c) for c in STATION_UPDATE[table])
            sql.append(f"GRANT UPDATE ({cols}) ON {name} TO {station}")
    for table in sorted({p[0] for p in POLICIES} & set(tables)):
        sql.append(f"ALTER TABLE {quoted(table)} ENABLE ROW LEVEL SECURITY")
    for table in sorted({p[0] for p in POLICIES} & set(tables)):
        # the experimenter sees and changes every row (as the owner it bypasses these anyway)
        sql.append(f"DROP POLICY IF EXISTS experimenter_all ON {quoted(table)}")
        sql.append(f"CREATE POLICY experimenter_all ON {quoted(table)} FOR ALL TO {experimenter} USING (true) "
                   "WITH CHECK (true)")
    for table, command, using, check in POLICIES:
        if table not in tables:
            continue
        policy = quoted(f"station_{command.lower()}")
        sql.append(f"DROP POLICY IF EXISTS {policy} ON {quoted(table)}")
        clause = (f" USING ({using})" if using else "") + (f" WITH CHECK ({check})" if check else "")
        sql.append(f"CREATE POLICY {policy} ON {quoted(table)} FOR {command} TO {station}{clause}")
    return sql


def bind_station(login_role: str, station_name: str, literal) -> list[str]:
    """Bind ``login_role`` (a member of the station group role: ``createuser --role``, which
    needs the server's administrator) to the station ``station_name`` (the policies'
    ``lab_station()``); one login role per station, one station per login role."""
    return [f"DELETE FROM {BINDING_TABLE} WHERE station = {literal(station_name)} AND role_name <> {literal(login_role)}",
            f"INSERT INTO {BINDING_TABLE} (role_name, station) VALUES ({literal(login_role)}, {literal(station_name)}) "
            "ON CONFLICT (role_name) DO UPDATE SET station = EXCLUDED.station"]
