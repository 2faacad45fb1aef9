"""Writing many new rows whose keys nobody reads back: the audit entries of a large import.

``QuerySet.bulk_create`` builds one ``INSERT`` per batch. Each value goes through the
compiler's generic per-value path, and on PostgreSQL Django 5.2 sends the batch as one
array per column (``UNNEST``), which psycopg quotes element by element in Python — for the
audit entries' JSON, full of quotes, that was most of the cost of writing them (issue 12,
item 4). Here the values are prepared by the fields themselves, as for a save
(``pre_save`` then ``get_db_prep_save``), and handed to the driver in one go:

- PostgreSQL: ``COPY … FROM STDIN``, which psycopg streams in its C extension;
- SQLite: ``executemany`` of one prepared ``INSERT``.

The database still checks every constraint and fills the primary key from its sequence.
The objects are not given their primary keys back: use ``bulk_create`` for rows something
else will point at.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models


def insert(objs: Sequence[models.Model], *, using: str = "default") -> None:
    """Inserts ``objs`` (new instances of one model, primary key unset) as they are."""
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    connection = connections[using]
    fields = [f for f in opts.concrete_fields if f is not opts.auto_field]
    if opts.auto_field is None or any(obj.pk is not None for obj in objs):
        raise ValueError(f"{opts.label}: insert() takes new rows with an automatic key only")
    rows = [
        [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
        for obj in objs
    ]
    table = connection.ops.quote_name(opts.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            # Names quoted by the backend; the values are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(sql, rows)
