"""M8 (security review, November 2026): every bulk export, and the "take in a known person"
page, is in the read audit — who, when, what (model, rows, format, filters, period, desk,
variant) — and the entry itself holds no personal data."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.urls import reverse
from import_export.formats.base_formats import CSV, XLSX

from casework.models import Intake, Person
from casework.resources import IntakeResource, MeetingResource
from tests import factories

pytestmark = pytest.mark.django_db

ACCESS = LogEntry.Action.ACCESS


def _format_index(fmt: type) -> str:
    """The admin's index of a format (the project's xlsx format subclasses the library's)."""
    formats = list(settings.IMPORT_EXPORT_FORMATS)
    return str(next(i for i, f in enumerate(formats) if issubclass(f, fmt)))


def the_access_entry() -> LogEntry:
    (entry,) = LogEntry.objects.filter(action=ACCESS)
    return entry


def no_personal_data_in(entry: LogEntry, *secrets: str) -> None:
    text = repr((entry.object_repr, entry.object_pk, entry.additional_data, entry.changes))
    for secret in secrets:
        assert secret.lower() not in text.lower(), secret


@pytest.fixture
def people():
    a = factories.person(last_name="Superti", first_name="Giulia")
    b = factories.person(last_name="Ghisolfi", first_name="Chiara")
    c = factories.person(last_name="Bonvicini", first_name="Sara")
    factories.intake(a, desk_slug="casalmaggiore")
    factories.intake(b, desk_slug="casalmaggiore")
    factories.intake(c, desk_slug="gussola")
    return a, b, c


def test_m8_admin_export_of_people_is_one_audited_read(client, administrator, people):
    a, b, _c = people
    client.force_login(administrator)
    data = {"resource": "0", "format": _format_index(CSV)}
    data.update({f"personresource_{n}": "on" for n in ("last_name", "first_name", "fiscal_code")})
    url = reverse("admin:casework_person_export")
    before = LogEntry.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").count("\n") == 4  # header and 3 people
    assert LogEntry.objects.count() == before + 1

    entry = the_access_entry()
    assert entry.actor == administrator
    assert entry.content_type.model_class() is Person
    assert entry.remote_addr == "127.0.0.1"
    assert entry.additional_data["view"] == "admin:casework_person_export"
    export = entry.additional_data["export"]
    assert export["model"] == "casework.person"
    assert export["rows"] == 3
    assert export["format"] == "csv"
    assert export["filters"] == {}
    assert export["columns"] == ["codice_fiscale", "cognome", "nome"]
    no_personal_data_in(entry, "Superti", "Ghisolfi", a.fiscal_code, b.fiscal_code)


def test_m8_admin_export_records_the_filters_but_not_the_search_term(client, administrator, people):
    a, _b, _c = people
    client.force_login(administrator)
    desk = factories.desk("casalmaggiore")
    query = f"?sportello={desk.pk}&q=Superti&o=1&last_name=Superti"
    data = {"resource": "0", "format": _format_index(XLSX), "personresource_last_name": "on"}
    response = client.post(reverse("admin:casework_person_export") + query, data)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["Superti"]

    entry = the_access_entry()
    export = entry.additional_data["export"]
    assert (export["rows"], export["format"]) == (1, "xlsx")
    # A list filter keeps its value; a search or a lookup on a personal field says only
    # that it was used.
    assert export["filters"] == {"sportello": str(desk.pk), "last_name": "***"}
    assert export["search"] is True
    no_personal_data_in(entry, "Superti", a.fiscal_code)


def test_m8_each_admin_export_model_is_audited(client, administrator, people):
    client.force_login(administrator)
    for name, resource in (("intake", IntakeResource), ("meeting", MeetingResource)):
        LogEntry.objects.filter(action=ACCESS).delete()
        data = {"resource": "0", "format": _format_index(CSV)}
        data.update({f"{name}resource_{field}": "on" for field in resource().get_export_order()})
        response = client.post(reverse(f"admin:casework_{name}_export"), data)
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("text/csv"), name
        entry = the_access_entry()
        assert entry.additional_data["export"]["model"] == f"casework.{name}"
        assert entry.additional_data["view"] == f"admin:casework_{name}_export"
    assert entry.additional_data["export"]["rows"] == 0  # no meetings
    LogEntry.objects.filter(action=ACCESS).delete()
    client.get(reverse("admin:casework_person_export"))  # the form alone exports nothing
    assert not LogEntry.objects.filter(action=ACCESS).exists()


def test_m8_pseudonymised_record_export_is_audited(client, udp_reader, people):
    client.force_login(udp_reader)
    query = {"period": "custom", "start": "2021-01-28", "end": "2021-04-27", "desk": "gussola"}
    response = client.get(reverse("reports:records"), query)
    assert response.status_code == 200
    entry = the_access_entry()
    assert entry.actor == udp_reader
    assert entry.content_type.model_class() is Intake
    assert entry.additional_data["view"] == "reports:records"
    export = entry.additional_data["export"]
    assert export == {
        "model": "casework.intake",
        "rows": 1,
        "format": "xlsx",
        "period": "custom",
        "start": "2021-01-28",
        "end": "2021-04-27",
        "desk": "gussola",
    }


def test_m8_quarterly_workbook_is_audited(client, administrator, people):
    client.force_login(administrator)
    query = {"period": "custom", "start": "2021-01-28", "end": "2021-04-27", "variant": "internal"}
    response = client.get(reverse("reports:workbook"), query)
    assert response.status_code == 200
    entry = the_access_entry()
    assert entry.additional_data["view"] == "reports:workbook"
    export = entry.additional_data["export"]
    assert export["format"] == "xlsx"
    assert export["variant"] == "internal"
    assert export["desk"] is None  # every desk the user sees
    assert (export["start"], export["end"]) == ("2021-01-28", "2021-04-27")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert export["sheets"] == len(workbook.sheetnames)
    assert export["rows"] == sum(ws.max_row for ws in workbook.worksheets)


def test_m8_an_invalid_period_exports_nothing_and_records_nothing(client, udp_reader):
    client.force_login(udp_reader)
    response = client.get(reverse("reports:records"), {"period": "custom"})
    assert response.status_code == 302
    assert not LogEntry.objects.filter(action=ACCESS).exists()


def test_m8_taking_in_a_known_person_is_a_read_of_that_person(client, op_casalmaggiore):
    # A closed case: the page offers a new intake (an open one would lead to that case).
    intake = factories.intake(
        desk_slug="casalmaggiore", opened_on=dt.date(2021, 2, 15), status="chiusa",
        closed_on=dt.date(2021, 3, 1), closure_reason="altro",
    )  # fmt: skip
    client.force_login(op_casalmaggiore)
    url = reverse("casework:intake_new", args=["casalmaggiore"])
    response = client.get(url, {"persona": intake.person_id})
    assert response.status_code == 200
    entry = the_access_entry()
    assert entry.actor == op_casalmaggiore
    assert entry.content_type.model_class() is Person
    assert entry.object_pk == str(intake.person_id)
    assert entry.additional_data == {"view": "casework:intake_new"}
    # The blank form (no person named) and a bad id are not reads of anybody.
    LogEntry.objects.filter(action=ACCESS).delete()
    assert client.get(url).status_code == 200
    assert client.get(url, {"persona": "x"}).status_code == 404
    assert not LogEntry.objects.filter(action=ACCESS).exists()
