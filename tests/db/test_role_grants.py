"""lab-grants' SQL: role names are checked against PostgreSQL's unquoted-identifier rule and every
identifier is quoted by psycopg, so that no name can be read as SQL (docs/lab-server.md)."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from db.pg import RoleNameError, quoted, role_grants, role_name_problem

TABLES = ["participant", "session", "response"]


@pytest.mark.parametrize("name", ["starlab_station", "booth_2", "_lab", "a$b", "x" * 63])
def test_plain_role_names_are_accepted(name):
    assert role_name_problem(name) is None
    assert f'"{name}"' in role_grants("starlab", name, "starlab_experimenter", TABLES)[0]


@pytest.mark.parametrize("name", [
    'starlab_station"; DROP TABLE IF EXISTS canary; --', '"', "", "Station", "2booth", "a b", "a-b",
    "x" * 64, "booth\n", "rôle", "a;b",
])
def test_role_names_that_could_be_read_otherwise_are_refused_with_the_name(name):
    with pytest.raises(RoleNameError) as caught:
        role_grants("starlab", name, "starlab_experimenter", TABLES)
    assert repr(name) in str(caught.value)
    with pytest.raises(RoleNameError):
        role_grants("starlab", "starlab_station", name, TABLES)


def test_a_database_name_with_a_quote_is_quoted_not_closed():
    sql = role_grants('lab"; DROP TABLE response; --', "starlab_station", "starlab_experimenter", TABLES)
    assert sql[0] == ('GRANT CONNECT ON DATABASE "lab""; DROP TABLE response; --" '
                      'TO "starlab_station", "starlab_experimenter"')


@given(st.text(min_size=1, max_size=40).filter(lambda t: "\x00" not in t))
def test_a_quoted_identifier_always_reads_back_as_the_same_name(text):
    q = quoted(text)
    assert q.startswith('"') and q.endswith('"')
    assert q[1:-1].replace('""', '"') == text
    assert '"' not in q[1:-1].replace('""', "")


def test_the_station_may_update_only_the_named_columns():
    sql = role_grants("starlab", "starlab_station", "starlab_experimenter", ["session", "response"])
    assert 'GRANT UPDATE ("next_position", "status", "started_at", "ended_at", "lease_holder", "lease_until") ' \
           'ON "session" ' \
           'TO "starlab_station"' in sql
    assert not any("UPDATE" in line and '"response"' in line and "starlab_station" in line for line in sql)


@pytest.mark.parametrize("role", ['starlab_station"; DROP TABLE IF EXISTS canary; --', '"'])
def test_the_command_refuses_such_a_role_in_one_line(role, capsys):
    import main

    assert main.main(["lab-grants", "--station-role", role]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("error: ") and repr(role) in err
    assert "Traceback" not in err
