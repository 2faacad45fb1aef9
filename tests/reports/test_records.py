"""The pseudonymised record-level export: no names, CF or contacts; stable pseudonymous ids;
the same rows through the import-export Resource and the streamed writer; access and scope."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from casework.models import Person
from reports.records import pseudonym, record_rows, write_records_xlsx
from reports.resources import COLUMNS, PseudonymisedRecordResource
from tests import factories
from tests.reports.conftest import END, START, build_article_quarter

QUERY = {"period": "custom", "start": "2021-01-28", "end": "2021-04-27"}
HEADERS = [str(header) for _key, header in COLUMNS]


def sheet_rows(content: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return list(ws.iter_rows(values_only=True))


def export(user, **kwargs) -> list[tuple]:
    buffer = io.BytesIO()
    write_records_xlsx(record_rows(user=user, start=START, end=END, **kwargs), buffer)
    return sheet_rows(buffer.getvalue())


@pytest.fixture
def quarter(article_quarter):
    # Contacts on everybody, so that the test below can look for them.
    for i, person in enumerate(Person.objects.order_by("pk")):
        Person.objects.filter(pk=person.pk).update(
            email=f"persona{i}@esempio.it", phone=f"0375 20{i:04d}"
        )
    return article_quarter


def test_rows_columns_and_figures(quarter, udp_reader):
    rows = export(udp_reader)
    assert list(rows[0]) == HEADERS
    records = [dict(zip(HEADERS, row, strict=True)) for row in rows[1:]]
    assert len(records) == 73  # the intakes opened in the period (C11 has two)
    # Meetings of these intakes, whatever their date: the 144 of the period, C8's on 28/04
    # (the day after), and the 5 no-shows.
    assert sum(r["Colloqui svolti"] for r in records) == 144 + 1
    assert sum(r["Colloqui registrati"] for r in records) == 144 + 1 + 5
    assert sum(r["Mancate presentazioni"] for r in records) == 5
    assert sum(r["Invii"] for r in records) == 25 + 1  # C8's referral on 28/04 is its history
    c11 = quarter.intakes["C11"]
    c11_rows = [r for r in records if r["ID persona (pseudonimo)"] == pseudonym(
        "person", c11[0].person_id)]  # fmt: skip
    assert sorted(r["Sportello"] for r in c11_rows) == ["Casalmaggiore", "Gussola"]
    assert {r["Fascia d'età"] for r in c11_rows} == {"18–35"}
    c2 = next(r for r in records if r["ID presa in carico (pseudonimo)"] == pseudonym(
        "intake", quarter.intakes["C2"][0].pk))  # fmt: skip
    assert c2["Tipi di invio"] == (
        "Candidatura a un'offerta di lavoro; Candidatura a un'offerta di lavoro"
    )
    assert c2["Esiti degli invii"] == "Assunzione; Non selezionato/a"
    assert c2["Esiti positivi"] == 1
    assert c2["Colloqui in presenza"] == 1 and c2["Colloqui in videochiamata"] == 1
    assert c2["Data presa in carico"].date().isoformat() == "2021-02-10"


def test_no_names_fiscal_codes_or_contacts(quarter, udp_reader):
    rows = export(udp_reader)
    words = {
        word
        for row in rows
        for v in row
        if v is not None
        for word in re.split(r"[;\s]+", str(v).lower())
    }
    text = "\n".join(str(v) for row in rows for v in row if v is not None).lower()
    people = Person.objects.all()
    assert people.count() == 73
    for person in people:
        for secret in (person.last_name, person.first_name, person.fiscal_code, person.email,
                       person.phone, f"{person.birth_date:%d/%m/%Y}"):  # fmt: skip
            if secret:
                assert secret.lower() not in words, secret  # "Chiara" is in "dichiarato"
                if len(secret) > 8:  # CF, e-mail, phone, date: not even inside a text
                    assert secret.lower() not in text, secret


def test_pseudonyms_stable_across_runs_and_distinct_across_people(quarter, udp_reader):
    first, second = export(udp_reader), export(udp_reader)
    assert first == second
    ids = {row[0] for row in first[1:]}
    assert len(ids) == 72  # 72 people, 73 intakes
    assert all(len(i) == 16 and int(i, 16) >= 0 for i in ids)
    raw_ids = {str(p.pk) for p in Person.objects.all()}
    assert not ids & raw_ids
    with override_settings(PSEUDONYM_KEY="another-key"):
        assert {row[0] for row in export(udp_reader)[1:]}.isdisjoint(ids)


def test_resource_exports_the_same_rows(quarter, udp_reader):
    dataset = PseudonymisedRecordResource().export(
        queryset=record_rows(user=udp_reader, start=START, end=END)
    )
    assert dataset.headers == HEADERS
    streamed = export(udp_reader)[1:]
    assert len(dataset) == len(streamed)
    # The xlsx holds dates as dates (read back as datetimes); the Resource as text.
    for from_resource, from_file in zip(dataset, streamed, strict=True):
        normalised = tuple(v.date().isoformat() if hasattr(v, "date") else v for v in from_file)
        assert tuple("" if v is None else str(v) for v in from_resource) == tuple(
            "" if v is None else str(v) for v in normalised
        )


def test_operator_scope(quarter, op_gussola):
    rows = export(op_gussola)[1:]
    assert {row[2] for row in rows} == {"Gussola"}
    assert len(rows) == 13  # G1 5 + G2 4 + G3 3 + C11's second intake


def test_formula_like_desk_name_stays_text(quarter, udp_reader):
    from sportelli.models import Desk

    Desk.objects.filter(slug="gussola").update(name="=Gussola")
    buffer = io.BytesIO()
    write_records_xlsx(record_rows(user=udp_reader, start=START, end=END), buffer)
    ws = load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
    cells = [row[2] for row in ws.iter_rows(min_row=2) if row[2].value == "=Gussola"]
    assert len(cells) == 13
    assert all(cell.data_type == "s" for cell in cells)


# --- the download view ----------------------------------------------------------------------


def test_anonymous_goes_to_login(client, db):
    response = client.get(reverse("reports:records"), QUERY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["no_role_user", "op_casalmaggiore"])
def test_without_view_reports_forbidden(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("reports:records"), QUERY).status_code == 403


def test_download(client, quarter, udp_reader):
    client.force_login(udp_reader)
    response = client.get(reverse("reports:records"), {**QUERY, "desk": "gussola"})
    assert response.status_code == 200
    assert (
        'filename="activitycr-records-20210128-20210427-gussola.xlsx"'
        in (response["Content-Disposition"])
    )
    assert "no-store" in response["Cache-Control"]
    rows = sheet_rows(b"".join(response.streaming_content))
    assert list(rows[0]) == HEADERS and len(rows) == 14


def test_query_count_does_not_grow_with_data(client, udp_reader, django_assert_num_queries):
    client.force_login(udp_reader)
    factories.meeting(factories.intake(opened_on=START))
    with CaptureQueriesContext(connection) as small:
        response = client.get(reverse("reports:records"), QUERY)
        b"".join(response.streaming_content)
    build_article_quarter()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("reports:records"), QUERY)
        assert len(sheet_rows(b"".join(response.streaming_content))) == 75
