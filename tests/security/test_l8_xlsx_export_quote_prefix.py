"""L8 (security review, November 2026): the admin's xlsx exports keep text that a
spreadsheet could run (=, +, -, @) inert with Excel's quote prefix, as the review workbook
does, instead of a visible apostrophe inside the value. The csv export keeps the
apostrophe: a csv cell has no other way to say "text".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from casework.models import Person
from casework.resources import PersonResource, row_errors
from tests import factories
from tests.security.matrix import login

pytestmark = pytest.mark.django_db

FORMULA_NAME = '=HYPERLINK("http://example.com","clic")'
PHONE = "+41 44 668 18 00"  # a foreign number, exported the international way
PHONE_STORED = "+41446681800"


def _format_index(extension: str) -> str:
    extensions = [fmt().get_extension() for fmt in settings.IMPORT_EXPORT_FORMATS]
    return str(extensions.index(extension))


@pytest.fixture
def exported(administrator):
    """People whose texts start like formulas, exported from the admin in both formats."""
    factories.intake(
        factories.person(
            last_name=FORMULA_NAME,
            first_name="@Anna",
            phone=PHONE_STORED,
            email="-1+1@example.com",
            birth_date=dt.date(1990, 5, 14),
        ),
        desk_slug="casalmaggiore",
    )
    factories.intake(factories.person(last_name="Rossi", phone="0375 5678"))
    client = login(Client(), administrator)
    url = reverse("admin:casework_person_export")
    files = {}
    for extension in ("xlsx", "csv"):
        data = {"resource": "0", "format": _format_index(extension)}
        data.update(
            {f"personresource_{name}": "on" for name in PersonResource().get_export_order()}
        )
        response = client.post(url, data)
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'.{extension}"')
        files[extension] = response.content
    return files


def _rows(data: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[1]]
    return [
        {name: cell for name, cell in zip(header, row, strict=True)}
        for row in sheet.iter_rows(min_row=2)
    ]


def test_l8_xlsx_text_that_looks_like_a_formula_is_exact_and_quote_prefixed(exported):
    rows = {row["cognome"].value: row for row in _rows(exported["xlsx"])}
    risky = rows[FORMULA_NAME]
    for column, value in (
        ("cognome", FORMULA_NAME),
        ("nome", "@Anna"),
        ("telefono", PHONE),
        ("email", "-1+1@example.com"),
    ):
        cell = risky[column]
        assert cell.value == value  # no apostrophe in the value
        assert cell.data_type == "s"  # a string, never a formula
        assert cell.quotePrefix is True  # Excel shows it as typed and keeps it text
    plain = rows["Rossi"]
    assert plain["telefono"].value == "0375 5678"
    assert plain["telefono"].quotePrefix is False
    # Dates are still date cells (the admin gives this format native values).
    assert risky["data_nascita"].value == dt.datetime(1990, 5, 14)
    # No formula anywhere in the file.
    with zipfile.ZipFile(io.BytesIO(exported["xlsx"])) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)


def test_l8_csv_keeps_the_apostrophe_escape(exported):
    text = exported["csv"].decode("utf-8-sig")
    rows = {row["cognome"]: row for row in csv.DictReader(io.StringIO(text))}
    risky = rows["'" + FORMULA_NAME]
    assert risky["telefono"] == "'" + PHONE
    assert risky["nome"] == "'@Anna"
    assert rows["Rossi"]["telefono"] == "0375 5678"


def test_l8_the_xlsx_export_reads_back_unchanged(exported):
    from import_export.formats.base_formats import XLSX

    person = Person.objects.get(last_name=FORMULA_NAME)
    Person.objects.filter(pk=person.pk).update(phone="", first_name="Altro")
    xlsx = next(fmt for fmt in settings.IMPORT_EXPORT_FORMATS if issubclass(fmt, XLSX))
    result = PersonResource().import_data(xlsx().create_dataset(exported["xlsx"]), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), row_errors(result)
    person.refresh_from_db()
    assert (person.last_name, person.first_name, person.phone) == (
        FORMULA_NAME,
        "@Anna",
        PHONE_STORED,
    )
