"""M9 (security review, November 2026): PostgreSQL's server log never receives personal data.

* On PostgreSQL the app binds parameters on the server: the statement text PostgreSQL
  receives — the text it logs for a failing or a slow statement — has ``$1, $2…`` where
  the values were. Checked from PostgreSQL's side (``current_query()``, and another
  session's view of ``pg_stat_activity`` after an IntegrityError on a codice fiscale).
* A system check (``activitycr/checks.py``) warns about each server setting that would
  still write values: statement logging with parameters, parameters of failing
  statements, and the DETAIL of errors (which quotes a duplicate key).

Run on PostgreSQL with ``DATABASE_URL=postgres://…``; the tests of the check's logic run on
SQLite too.
"""

from __future__ import annotations

import psycopg
import pytest
from django.core.checks import run_checks
from django.db import IntegrityError, connection
from django.db.models import Func, TextField

from activitycr.checks import server_log_warnings
from casework.models import Person
from tests import factories

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's server log (DATABASE_URL=postgres://)"
)

# PostgreSQL 15's defaults, as pg_settings gives them.
DEFAULTS = {
    "log_statement": "none",
    "log_min_duration_statement": "-1",
    "log_min_duration_sample": "-1",
    "log_statement_sample_rate": "1",
    "log_transaction_sample_rate": "0",
    "log_min_error_statement": "error",
    "log_min_messages": "warning",
    "log_parameter_max_length": "-1",
    "log_parameter_max_length_on_error": "0",
    "log_error_verbosity": "default",
}
RECOMMENDED = {**DEFAULTS, "log_error_verbosity": "terse", "log_parameter_max_length": "0"}


def ids(warnings: list) -> list[str]:
    return [w.id for w in warnings]


# --- What PostgreSQL receives ------------------------------------------------------------------


@on_postgresql
def test_m9_the_app_binds_parameters_on_the_server():
    assert connection.features.uses_server_side_binding
    connection.ensure_connection()
    cursor_class = connection.connection.cursor_factory
    assert not issubclass(cursor_class, psycopg.ClientCursor)  # client-side binding


@on_postgresql
def test_m9_a_query_reaches_postgresql_with_placeholders_not_values():
    person = factories.person(last_name="Superti", first_name="Giulia")
    sent = (
        Person.objects.filter(fiscal_code=person.fiscal_code, last_name="Superti")
        .annotate(sent=Func(template="current_query()", output_field=TextField()))
        .values_list("sent", flat=True)
        .get()
    )
    assert "$1" in sent and "$2" in sent
    assert person.fiscal_code not in sent and "Superti" not in sent


@on_postgresql
def test_m9_the_statement_of_an_integrity_error_carries_no_codice_fiscale():
    """What ``log_min_error_statement`` writes after the review's double submit: the failing
    INSERT as PostgreSQL received it — read by another session in pg_stat_activity, where it
    stays as this session's last statement."""
    person = factories.person(last_name="Gara", first_name="Lucia", phone="0375 203122")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with pytest.raises(IntegrityError):  # no savepoint: the INSERT stays the last statement
        Person.objects.create(
            fiscal_code=person.fiscal_code,
            last_name="Gara",
            first_name="Lucia",
            birth_date=person.birth_date,
            gender=person.gender,
            education=person.education,
            phone="0375 203122",
        )
    params = {k: v for k, v in connection.get_connection_params().items() if k != "cursor_factory"}
    with psycopg.connect(**params, autocommit=True) as other:
        state, last = other.execute(
            "SELECT state, query FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone()
    assert state == "idle in transaction (aborted)"
    assert last.startswith('INSERT INTO "casework_person"')
    assert "$1" in last
    for value in (person.fiscal_code, "Gara", "Lucia", "0375 203122"):
        assert value not in last


# --- The system check --------------------------------------------------------------------------


def test_m9_check_logic_default_postgresql_settings_warn_about_error_details():
    assert ids(server_log_warnings(DEFAULTS, server_side_binding=True)) == ["activitycr.W004"]


def test_m9_check_logic_recommended_settings_pass():
    assert server_log_warnings(RECOMMENDED, server_side_binding=True) == []


def test_m9_check_logic_each_bad_setting_has_its_warning():
    def warns(**changes: str) -> list[str]:
        return ids(server_log_warnings({**RECOMMENDED, **changes}, server_side_binding=True))

    # Statements logged with their parameters (PostgreSQL's default length: -1, in full).
    full = {"log_parameter_max_length": "-1"}
    assert warns(**full) == []  # nothing logs statements
    assert warns(**full, log_statement="all") == ["activitycr.W002"]
    assert warns(**full, log_statement="mod") == ["activitycr.W002"]
    assert warns(**full, log_statement="ddl") == []
    assert warns(**full, log_min_duration_statement="0") == ["activitycr.W002"]
    assert warns(**full, log_min_duration_sample="100", log_statement_sample_rate="0.1") == [
        "activitycr.W002"
    ]
    assert warns(**full, log_transaction_sample_rate="0.01") == ["activitycr.W002"]
    assert warns(log_statement="all", log_min_duration_statement="0") == []  # values cut
    # Parameters of failing statements, and the DETAIL of errors.
    assert warns(log_parameter_max_length_on_error="-1") == ["activitycr.W003"]
    assert warns(log_parameter_max_length_on_error="-1", log_min_error_statement="panic") == []
    assert warns(log_error_verbosity="verbose") == ["activitycr.W004"]
    assert warns(log_error_verbosity="default", log_min_messages="fatal") == []
    # Client-side binding: any statement PostgreSQL logs carries its values inline.
    assert ids(server_log_warnings(RECOMMENDED, server_side_binding=False)) == ["activitycr.W001"]
    quiet = {**RECOMMENDED, "log_min_error_statement": "panic"}
    assert server_log_warnings(quiet, server_side_binding=False) == []


@on_postgresql
def test_m9_the_check_reads_the_servers_settings():
    """Session-level SETs (the test connects as a superuser) stand in for postgresql.conf."""
    with connection.cursor() as cursor:
        for name, value in RECOMMENDED.items():
            cursor.execute(f"SET {name} = '{value}'")
    assert ids(run_checks(databases=["default"], tags=["database"])) == []
    with connection.cursor() as cursor:
        cursor.execute("SET log_statement = 'all'")
        cursor.execute("SET log_parameter_max_length = -1")
        cursor.execute("SET log_error_verbosity = 'default'")
    found = run_checks(databases=["default"], tags=["database"])
    assert ids(found) == ["activitycr.W002", "activitycr.W004"]
    assert "log_parameter_max_length = 0" in found[0].hint
