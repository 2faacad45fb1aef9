"""``manage.py benchmark_reports`` runs end to end on a small size and prints its table."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection

from casework.models import Meeting


@pytest.mark.slow
@pytest.mark.django_db
def test_benchmark_prints_one_row_per_size():
    out, err = io.StringIO(), io.StringIO()
    call_command("benchmark_reports", sizes="300", runs=1, stdout=out, stderr=err)
    tables = _tables(out.getvalue())
    header, row = tables[0][0], tables[0][-1]
    assert "bare SQL (s)" in header and "import-export rows/s" in header
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert int(cells[0].replace(",", "")) == Meeting.objects.count() > 0
    assert re.fullmatch(r"\d+\.\d\d×", cells[4])  # review / bare SQL
    assert int(cells[6].replace(",", "")) > 0  # exported rows
    assert re.fullmatch(r"\d+\.\d\d×", cells[10])  # ours / openpyxl
    assert re.fullmatch(r"\d+\.\d×", cells[13])  # import-export / ours


@pytest.mark.slow
@pytest.mark.django_db
def test_benchmark_prints_the_quarter_against_its_floor():
    out = io.StringIO()
    call_command("benchmark_reports", sizes="600", runs=1, reviews_only=True, stdout=out,
                 stderr=io.StringIO())  # fmt: skip
    (table,) = _tables(out.getvalue())  # the reviews only: no export table
    assert "review / floor" in table[0]
    cells = [c.strip() for c in table[-1].strip("|").split("|")]
    assert int(cells[0].replace(",", "")) == Meeting.objects.count()
    assert int(cells[2].replace(",", "")) > 0  # meetings held in the quarter
    assert float(cells[3]) > 0
    if connection.vendor == "postgresql":  # the floor is written for PostgreSQL
        assert float(cells[4]) > 0 and re.fullmatch(r"\d+\.\d\d×", cells[5])
    else:
        assert cells[4] == cells[5] == "—"
    assert int(cells[6]) > 0


@pytest.mark.slow
@pytest.mark.system
# serialized_rollback: the tests after it find the content types and permissions as
# migrated (a transactional flush without it leaves them renumbered, and the next
# serialized test's permissions point at content types that are gone).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a second database on the same server"
)
def test_history_keeps_the_quarter_and_compares_it():
    """In processes of their own, on two scratch databases of the same server: the command
    empties and refills the database it runs on, which must not be the tests' own."""
    db = connection.settings_dict
    base, name = f"{db['NAME']}_base", f"{db['NAME']}_history"
    server = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    env = {**os.environ, "DATABASE_URL": f"{server}/{base}"}
    command = [sys.executable, "manage.py", "benchmark_reports", "--sizes", "1000", "--runs",
               "1", "--reviews-only", "--history", "3000", "--history-database", name]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(base)}")
        cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(base)}")
    try:
        migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
        subprocess.run(migrate, env=env, check=True, timeout=900)  # noqa: S603 - our own
        done = subprocess.run(  # noqa: S603 - our own manage.py
            command, env=env, capture_output=True, text=True, timeout=900, check=False
        )
    finally:
        with connection.cursor() as cursor:
            for scratch in (base, name):
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(scratch)}")
    assert done.returncode == 0, done.stderr[-2000:]
    output = done.stdout
    assert "same figures in both databases: yes" in output
    _quarter, history = _tables(output)
    rows = [[c.strip() for c in row.strip("|").split("|")] for row in history[1:]]
    base, more = rows
    assert int(base[0].replace(",", "")) > 0
    assert int(more[0].replace(",", "")) > 2 * int(base[0].replace(",", ""))  # ~3,000 vs ~1,000
    assert base[2] == more[2]  # the same meetings held in the quarter
    assert base[6] == "1.00×" and re.fullmatch(r"\d+\.\d\d×", more[6])


def _tables(output: str) -> list[list[str]]:
    """The Markdown tables printed, each as its lines (header first, no separator)."""
    tables: list[list[str]] = []
    previous = ""
    for line in output.splitlines():
        if line.startswith("| "):
            if not previous.startswith(("| ", "|-")):
                tables.append([])
            tables[-1].append(line)
        previous = line
    return tables


def test_bad_sizes_are_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--sizes"):
        call_command("benchmark_reports", sizes="10k", stdout=io.StringIO())
