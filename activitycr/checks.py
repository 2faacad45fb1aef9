"""System checks of the deployment around the app.

``postgresql_server_log`` (security review M9): PostgreSQL's server log must never receive
personal data. The app binds parameters on the server (``server_side_binding`` in
settings.py), so a statement PostgreSQL logs reads ``… VALUES ($1, $2, …)``; but the
server can still write the values itself, in the ``parameters:`` line of a logged statement
or of a failing one, and in the ``DETAIL:`` line of an error (``Key (fiscal_code)=(…)
already exists``, ``Failing row contains (…)``). The check reads the server's settings and
warns about each that would do so. It is a database check: it runs with
``manage.py migrate`` (every deployment) and ``manage.py check --database default``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connections

SETTINGS = (
    "log_statement",
    "log_min_duration_statement",
    "log_min_duration_sample",
    "log_statement_sample_rate",
    "log_transaction_sample_rate",
    "log_min_error_statement",
    "log_min_messages",
    "log_parameter_max_length",
    "log_parameter_max_length_on_error",
    "log_error_verbosity",
)
# Severity order of log_min_messages and log_min_error_statement (PostgreSQL docs).
_LEVELS = [
    "debug5",
    "debug4",
    "debug3",
    "debug2",
    "debug1",
    "info",
    "notice",
    "warning",
    "error",
    "log",
    "fatal",
    "panic",
]
RECOMMENDED = (
    "log_error_verbosity = terse; log_parameter_max_length = 0; "
    "log_parameter_max_length_on_error = 0 (docs/operations.md, 'Running in production')"
)


def _level(value: str) -> int:
    return _LEVELS.index(value) if value in _LEVELS else 0


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def server_log_warnings(
    server: Mapping[str, str], *, server_side_binding: bool, alias: str = "default"
) -> list[Warning]:
    """The warnings for a PostgreSQL server with these settings (``pg_settings`` values)."""
    statements_logged = (
        server.get("log_statement", "none") in ("mod", "all")
        or _number(server.get("log_min_duration_statement", "-1")) >= 0
        or (
            _number(server.get("log_min_duration_sample", "-1")) >= 0
            and _number(server.get("log_statement_sample_rate", "0")) > 0
        )
        or _number(server.get("log_transaction_sample_rate", "0")) > 0
    )
    error_statements_logged = _level(server.get("log_min_error_statement", "error")) <= _level(
        "error"
    )
    errors_logged = _level(server.get("log_min_messages", "warning")) <= _level("error")
    where = f"PostgreSQL (database '{alias}')"
    warnings: list[Warning] = []
    if not server_side_binding and (statements_logged or error_statements_logged):
        warnings.append(
            Warning(
                f"{where} logs statements, and the app binds their values on the client: "
                "personal data would be written to the server log.",
                hint="Keep OPTIONS server_side_binding=True (activitycr/settings.py).",
                id="activitycr.W001",
            )
        )
    if statements_logged and server.get("log_parameter_max_length", "-1") != "0":
        warnings.append(
            Warning(
                f"{where} logs statements (log_statement, log_min_duration_statement or "
                "sampling) with their parameter values.",
                hint=f"Set log_parameter_max_length = 0. Recommended: {RECOMMENDED}.",
                id="activitycr.W002",
            )
        )
    if error_statements_logged and server.get("log_parameter_max_length_on_error", "0") != "0":
        warnings.append(
            Warning(
                f"{where} logs the parameter values of failing statements.",
                hint=f"Set log_parameter_max_length_on_error = 0. Recommended: {RECOMMENDED}.",
                id="activitycr.W003",
            )
        )
    if errors_logged and server.get("log_error_verbosity", "default") != "terse":
        warnings.append(
            Warning(
                f"{where} logs the DETAIL of errors, which quotes the values of a duplicate "
                "key (a codice fiscale) or of a whole refused row.",
                hint=f"Set log_error_verbosity = terse. Recommended: {RECOMMENDED}.",
                id="activitycr.W004",
            )
        )
    return warnings


def read_server_settings(connection: Any) -> dict[str, str]:
    """The logging settings of the server, as this session sees them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(SETTINGS)]
        )
        return {name: str(setting).lower() for name, setting in cursor.fetchall()}


@register(Tags.database)
def postgresql_server_log(
    app_configs: Iterable[Any] | None = None,
    databases: Iterable[str] | None = None,
    **kwargs: Any,
) -> list[Warning]:
    warnings: list[Warning] = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        try:
            server = read_server_settings(connection)
        except DatabaseError:  # unreachable: migrate and the app will say so themselves
            continue
        warnings += server_log_warnings(
            server,
            # A cached_property of PostgreSQL's DatabaseFeatures that django-stubs 5.2 lacks.
            server_side_binding=connection.features.uses_server_side_binding,  # type: ignore[attr-defined]
            alias=alias,
        )
    return warnings
