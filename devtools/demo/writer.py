"""Multi-row writes: ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection, models


class Table:
    """Rows for one table: the columns the generator fills, then every other column at its
    model default (so a field added later does not break the command), ``auto_now`` at now."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], now: dt.datetime) -> None:
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        by_attname = {f.attname: f for f in meta.concrete_fields}
        unknown = set(columns) - set(by_attname)
        if unknown:
            raise ValueError(f"{self.table}: unknown columns {sorted(unknown)}")
        tail_fields = [f for f in meta.concrete_fields if f.attname not in columns]
        tail = []
        for f in tail_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            else:
                raise ValueError(f"{self.table}.{f.attname}: the demo generator must fill it")
            tail.append(f.get_db_prep_save(value, connection))
        self.columns = [by_attname[c].column for c in columns] + [f.column for f in tail_fields]
        self.tail = tuple(tail)
        self.rows: list[tuple] = []

    def add(self, row: tuple) -> None:
        self.rows.append(row + self.tail)

    def flush(self) -> int:
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        qn = connection.ops.quote_name
        cols = ", ".join(qn(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {qn(self.table)} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {qn(self.table)} ({cols}) VALUES ({marks})",  # noqa: S608
                    rows,
                )
        return len(rows)


def next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        (value,) = cursor.fetchone()
    return (value or 0) + 1
