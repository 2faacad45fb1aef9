"""Writing many new rows whose keys nobody reads back: the audit entries of a large import.

``QuerySet.bulk_create`` builds one ``INSERT`` per batch. Each value goes through the
compiler's generic per-value path, and on PostgreSQL Django 5.2 sends the batch as one
array per column (``UNNEST``), which psycopg quotes element by element in Python — for the
audit entries' JSON, full of quotes, that was most of the cost of writing them (issue 12,
item 4). Here the values are prepared by the fields themselves, as for a save
(``pre_save`` then ``get_db_prep_save``; a string for a text column or a whole number for
an integer one is already what that gives), and handed to the driver in one go:

- PostgreSQL: ``COPY … FROM STDIN``, which psycopg streams in its C extension;
- SQLite: ``executemany`` of one prepared ``INSERT``.

The database still checks every constraint; a refused row raises Django's
``IntegrityError`` as an ``INSERT`` would (on PostgreSQL the error's DETAIL quotes the
key, as for an ``INSERT``: see the server-log check in ``activitycr/checks.py``).
``insert`` leaves the primary key to the database's sequence and gives it back to no one;
``create`` takes the keys first and sets them on the objects, for rows others point at.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import DatabaseDefault

# Fields whose ``get_db_prep_save`` returns a value of this type unchanged (or None).
_AS_IS: dict[type[models.Field], type] = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
}


def _preparer(field: models.Field, connection: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    def prepare(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    target = getattr(field, "target_field", field) if field.is_relation else field
    kind = _AS_IS.get(type(target))
    if kind is None:
        return prepare
    return lambda value: value if value is None or type(value) is kind else prepare(value)


def _fields(model: type[models.Model]) -> list[models.Field]:
    opts = model._meta
    if opts.auto_field is None:
        raise ValueError(f"{opts.label}: only models with an automatic key")
    return [
        f
        for f in opts.concrete_fields
        if f is not opts.auto_field and not getattr(f, "generated", False)
    ]


def _plain(objs: Sequence[models.Model], fields: list[models.Field]) -> bool:
    """No value the database computes (``db_default``) and every related object saved:
    what ``bulk_create`` checks first (it raises for an unsaved related object)."""
    for obj in objs:
        # What bulk_create calls (Django's own, not in its stubs).
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    return not any(
        isinstance(getattr(obj, f.attname, None), DatabaseDefault) for obj in objs for f in fields
    )


def insert(objs: Sequence[models.Model], *, using: str = "default") -> None:
    """Inserts ``objs`` (new instances of one model, primary key unset) as they are."""
    if not objs:
        return
    model = type(objs[0])
    fields = _fields(model)
    if any(obj.pk is not None for obj in objs):
        raise ValueError(f"{model._meta.label}: insert() takes new rows with an automatic key")
    if not _plain(objs, fields):
        raise ValueError(f"{model._meta.label}: a value the database computes; use bulk_create")
    _write_objects(objs, fields, using)


def _write_objects(objs: Sequence[models.Model], fields: list[models.Field], using: str) -> None:
    """The objects' values as a save would write them (``pre_save``, then the field's
    preparation for the database), written at once."""
    connection = connections[using]
    prepare = [(field, _preparer(field, connection)) for field in fields]
    rows = [[to_db(field.pre_save(obj, True)) for field, to_db in prepare] for obj in objs]
    _write(type(objs[0]), fields, rows, using)


def create(objs: Sequence[models.Model], *, using: str = "default") -> bool:
    """``bulk_create`` for new rows of one model with an automatic integer key, which they
    are given: the keys are taken first — the sequence's next values on PostgreSQL; on
    SQLite the ones after the largest ever given, inside a transaction, which on SQLite
    holds the database's only write lock (``transaction_mode = IMMEDIATE``) — then the
    rows are written as ``insert`` writes them. Returns False, writing nothing, where this
    does not apply (a key that is not automatic, or already given; a value the database
    computes; SQLite outside a transaction): use ``bulk_create`` then."""
    if not objs:
        return True
    model = type(objs[0])
    opts = model._meta
    if opts.auto_field is None:
        return False
    fields = [opts.auto_field, *_fields(model)]
    if any(obj.pk is not None for obj in objs) or not _plain(objs, fields):
        return False  # a key given (a file's own id), a database default: bulk_create
    connection = connections[using]
    table, column = opts.db_table, opts.auto_field.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, len(objs)],
            )
            keys: Iterable[int] = [key for (key,) in cursor.fetchall()]
        elif connection.in_atomic_block:
            column, quoted = connection.ops.quote_name(column), connection.ops.quote_name(table)
            # Names quoted by the backend.
            sql = f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), coalesce((SELECT max({column}) FROM {quoted}), 0))"  # noqa: E501, S608
            cursor.execute(sql, [table])
            (last,) = cursor.fetchone()
            keys = range(last + 1, last + 1 + len(objs))
        else:
            return False
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
    _write_objects(objs, fields, using)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
    return True


def insert_values(
    model: type[models.Model],
    attnames: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    using: str = "default",
) -> None:
    """Inserts rows given as values of ``attnames`` (``actor_id``, not ``actor``), in that
    order, without building an instance for each. Every other column takes the field's
    default, called for each row when it is a callable (``timezone.now``)."""
    fields = _fields(model)
    by_attname = {f.attname: f for f in fields}
    unknown = set(attnames) - set(by_attname)
    if unknown:
        raise ValueError(f"{model._meta.label}: no column {sorted(unknown)}")
    connection = connections[using]
    given = [_preparer(by_attname[name], connection) for name in attnames]
    rest = [f for f in fields if f.attname not in attnames]
    defaults = [
        (f, _preparer(f, connection), f.has_default() and callable(f.default)) for f in rest
    ]
    fixed = {f: f.get_default() for f, _, called in defaults if not called}
    prepared = [
        [to_db(value) for to_db, value in zip(given, row, strict=True)]
        + [to_db(f.get_default() if called else fixed[f]) for f, to_db, called in defaults]
        for row in rows
    ]
    if prepared:
        _write(model, [by_attname[name] for name in attnames] + rest, prepared, using)


def _write(
    model: type[models.Model], fields: list[models.Field], rows: list[list[Any]], using: str
) -> None:
    connection = connections[using]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The driver's cursor, so Django's wrapper of its errors around it: a refused
            # row raises django.db.IntegrityError as an INSERT's would.
            sql = f"COPY {table} ({columns}) FROM STDIN"
            started = time.monotonic()
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
            if connection.queries_logged:  # counted as Django counts its own statements
                connection.queries_log.append(
                    {"sql": f"{len(rows)} rows: {sql}", "time": f"{time.monotonic() - started:.3f}"}
                )
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            # Names quoted by the backend; the values are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(sql, rows)
