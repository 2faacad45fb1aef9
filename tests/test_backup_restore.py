"""Backup and restore round trips leave the data identical (docs/operations.md, "Backup and
restore").

* Portable, both backends: ``dumpdata`` (natural foreign keys, without the content types
  and permissions that ``migrate`` recreates; not natural primary keys, which renumber
  users) -> ``flush`` -> ``loaddata``, then every row of every model compared, foreign
  keys to content types and permissions by natural key.
* PostgreSQL: ``pg_dump -Fc`` of the database -> ``pg_restore`` into a scratch database,
  every table compared by an md5 of all its rows.
* SQLite: the online backup API (what ``sqlite3 db ".backup file"`` uses) into a new file,
  every table compared the same way.

These tests commit their data (``transaction=True``) so that ``pg_dump`` — another
connection — sees it; ``serialized_rollback`` puts the migration-seeded rows back after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from casework.choices import ClosureReason, IntakeStatus, MeetingMode, ReferralOutcome
from casework.models import Activity, Partner, Person, Referral
from casework.services import record_acknowledgement
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.slow,  # whole-database round trips
]
SKIPPED_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session"}


def _build_cases(operator) -> None:
    partner = Partner.objects.order_by("pk").first()
    activity = Activity.objects.order_by("pk").first()
    for n in range(6):
        person = factories.person(
            first_name=["Nicolò", "Zoë", "Anna"][n % 3],
            phone=f"0375 20{n}",
            has_disability=bool(n % 2),
            with_cf=n != 5,
        )
        intake = factories.intake(
            person,
            desk_slug=["casalmaggiore", "gussola"][n % 2],
            opened_on=dt.date(2021, 4, 1) + dt.timedelta(days=n),  # both desks open
            operator=operator,
            needs="Cerca un lavoro vicino a casa; l'apostrofo e «virgolette»",
        )
        meeting = factories.meeting(intake, mode=list(MeetingMode)[n % 4], notes=f"nota {n}")
        meeting.activities.add(activity)
        Referral.objects.create(
            intake=intake,
            kind="tirocinio",
            partner=partner,
            referred_on=intake.opened_on + dt.timedelta(days=1),
            outcome=ReferralOutcome.HIRED if n % 2 else ReferralOutcome.PENDING,
            outcome_on=intake.opened_on + dt.timedelta(days=20) if n % 2 else None,
        )
        if n % 3 == 0:
            intake.status = IntakeStatus.CLOSED
            intake.closed_on = dt.date(2021, 5, 1)
            intake.closure_reason = ClosureReason.GOALS_MET
            intake.save()
        record_acknowledgement(
            person=person, notice=None, operator=operator, channel="presenza", on=intake.opened_on
        )


def _value(field, value: Any) -> Any:
    """Rows compared across a flush: content types and permissions by natural key."""
    target = getattr(field, "related_model", None)
    if value is None or target is None:
        return value
    if target is ContentType:
        ct = ContentType.objects.get_for_id(value)
        return (ct.app_label, ct.model)
    if target is Permission:
        p = Permission.objects.select_related("content_type").get(pk=value)
        return (p.content_type.app_label, p.codename)
    return value


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every model (and every many-to-many link), in primary-key order."""
    data: dict[str, list[tuple]] = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in SKIPPED_MODELS or not model._meta.managed:
            continue
        fields = model._meta.concrete_fields
        rows = model._base_manager.order_by("pk").values_list(*[f.attname for f in fields])
        data[label] = [
            tuple(_value(f, v) for f, v in zip(fields, row, strict=True)) for row in rows
        ]
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            columns = [f for f in through._meta.concrete_fields if not f.primary_key]
            links = through._base_manager.values_list(*[f.attname for f in columns])
            data[f"{label}.{m2m.name}"] = sorted(
                tuple(_value(f, v) for f, v in zip(columns, row, strict=True)) for row in links
            )
    return data


def test_dumpdata_flush_loaddata_leaves_every_row_identical(tmp_path, op_casalmaggiore):
    _build_cases(op_casalmaggiore)
    # A gap in the users' ids: a restore that renumbers them (--natural-primary) would show.
    factories.user("gone").delete()
    factories.user("after.gap")
    before = _snapshot()
    assert len(before["casework.person"]) == 6
    assert len(before["casework.privacyacknowledgement"]) == 6
    assert before["sportelli.comune"], "the territory is part of the backup"

    # XML, not JSON: Django's JSON encoder cuts datetimes to milliseconds, XML keeps them.
    dump = tmp_path / "backup.xml"
    call_command(
        "dumpdata",
        "--format=xml",
        "--natural-foreign",
        "--exclude=contenttypes",
        "--exclude=auth.permission",
        "--exclude=sessions",
        f"--output={dump}",
        verbosity=0,
    )
    call_command("flush", "--no-input", verbosity=0)
    assert not Person.objects.exists()
    call_command("loaddata", str(dump), verbosity=0, stdout=io.StringIO())

    after = _snapshot()
    assert set(after) == set(before)
    for label, rows in before.items():
        assert after[label] == rows, f"{label} differs after the round trip"


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is not installed"
    return path


def _table_hashes(cursor, tables: list[str], *, vendor: str) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for table in tables:
        if vendor == "postgresql":
            cursor.execute(
                f"SELECT md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) "  # noqa: S608
                f'FROM "{table}" t'
            )
            hashes[table] = cursor.fetchone()[0]
        else:
            # quote() gives SQLite's own text of each value, whatever the type converters.
            cursor.execute(f'PRAGMA table_info("{table}")')
            columns = " || ',' || ".join(f'quote("{c[1]}")' for c in cursor.fetchall())
            cursor.execute(f'SELECT {columns} FROM "{table}"')  # noqa: S608
            rows = sorted(row[0] for row in cursor.fetchall())
            hashes[table] = hashlib.md5("\n".join(rows).encode()).hexdigest()  # noqa: S324
    return hashes


def _case_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"casework", "privacy", "sportelli", "auth", "reports"}
        and model._meta.managed
    )


@pytest.mark.system
@pytest.mark.skipif(
    connection.vendor != "postgresql" or not shutil.which("pg_dump"),
    reason="pg_dump/pg_restore round trip: PostgreSQL only",
)
def test_pg_dump_and_pg_restore_into_a_scratch_database(tmp_path, op_casalmaggiore):
    import psycopg

    _build_cases(op_casalmaggiore)
    settings = connection.settings_dict
    env_args = ["-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432)]
    env_args += ["-U", settings["USER"]]
    env = {"PGPASSWORD": settings["PASSWORD"] or "", "PATH": "/usr/bin:/bin"}
    dump = tmp_path / "activitycr.dump"
    scratch = f"restore_{uuid.uuid4().hex[:12]}"
    subprocess.run(  # noqa: S603
        [_tool("pg_dump"), "-Fc", *env_args, "-f", str(dump), settings["NAME"]], check=True, env=env
    )
    subprocess.run([_tool("createdb"), *env_args, scratch], check=True, env=env)  # noqa: S603
    try:
        subprocess.run(  # noqa: S603
            [
                _tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                *env_args,
                "-d",
                scratch,
                str(dump),
            ],
            check=True,
            env=env,
        )
        tables = _case_tables()
        with connection.cursor() as cursor:
            original = _table_hashes(cursor, tables, vendor="postgresql")
        conninfo = dict(
            host=env_args[1],
            port=env_args[3],
            user=settings["USER"],
            dbname=scratch,
            password=settings["PASSWORD"] or None,
        )
        with psycopg.connect(**conninfo) as restored_conn, restored_conn.cursor() as cursor:
            restored = _table_hashes(cursor, tables, vendor="postgresql")
            # The database guards come back with the schema.
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'casework_%_guard'")
            assert cursor.fetchone()[0] == 3
        assert restored == original
    finally:
        subprocess.run([_tool("dropdb"), *env_args, "--if-exists", scratch], check=True, env=env)  # noqa: S603


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite online backup: SQLite only")
def test_sqlite_online_backup_copies_every_table(tmp_path, op_casalmaggiore):
    _build_cases(op_casalmaggiore)
    connection.ensure_connection()
    target_path = Path(tmp_path / "backup.sqlite3")
    target = sqlite3.connect(target_path)
    try:
        connection.connection.backup(target)  # the API behind `sqlite3 db ".backup file"`
    finally:
        target.close()
    tables = _case_tables()
    with connection.cursor() as cursor:
        original = _table_hashes(cursor, tables, vendor="sqlite")
    restored_conn = sqlite3.connect(target_path)
    try:
        restored = _table_hashes(restored_conn.cursor(), tables, vendor="sqlite")
        triggers = restored_conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND name LIKE 'casework_%'"
        ).fetchone()[0]
    finally:
        restored_conn.close()
    assert restored == original
    assert original["casework_person"] != hashlib.md5(b"").hexdigest()  # noqa: S324
    assert triggers > 0
