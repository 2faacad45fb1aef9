"""``manage.py benchmark_import``: both passes of the three files it writes go through the
admin's import without a bad row, its table has a line per size and file, and the database
is left as it was."""

from __future__ import annotations

import io
import re

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from casework.models import Intake, Meeting, Person
from devtools.management.commands.benchmark_import import make_files

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r"^\| (?P<rows>[\d.]+) \| (?P<file>[a-z ]+) \| (?P<preview>[\d.]+) \| (?P<confirm>[\d.]+) \|$",
    re.M,
)


def test_the_benchmark_times_every_file_and_leaves_nothing_behind():
    out = io.StringIO()
    call_command("benchmark_import", rows=[30, 60], stdout=out)
    text = out.getvalue()
    lines = [(m["rows"], m["file"]) for m in ROW.finditer(text)]
    assert lines == [
        (n, f) for n in ("30", "60") for f in ("persone", "prese in carico", "colloqui")
    ], text
    assert all(float(m["confirm"].replace(".", "")) > 0 for m in ROW.finditer(text))
    assert "DEBUG off" in text and "First import of a fresh process" in text
    assert not (Person.objects.exists() or Intake.objects.exists() or Meeting.objects.exists())
    assert not LogEntry.objects.exists()


def test_the_files_are_italian_excel_keyed_by_codice_fiscale():
    files = make_files(5)
    people = files["persone"].decode("cp1252").split("\r\n")
    assert people[0].startswith("codice_fiscale;cognome;nome;")
    assert len(people) == 6 and len({line.split(";")[0] for line in people[1:]}) == 5
    assert "id" not in files["colloqui"].decode("cp1252").split("\r\n")[0].split(";")
