"""Import and export of people, intakes and meetings through the admin's resources.

Real xlsx bytes written by django-import-export, opened back with openpyxl; files with bad
rows write nothing and name every bad row; the admin's import view over HTTP.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from import_export.formats.base_formats import CSV, XLSX

from casework.choices import (
    AgeBand,
    ClosureReason,
    EducationLevel,
    Gender,
    IntakeStatus,
    LabourStatus,
    MeetingMode,
)
from casework.models import Activity, Intake, Meeting, Person
from casework.resources import (
    IntakeResource,
    MeetingResource,
    PersonResource,
    bad_row_numbers,
    row_errors,
)
from sportelli.models import Origin
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    """Two-factor login is tested on its own; here the administrator is already in."""
    settings.TWO_FACTOR_REQUIRED = False


SPECIAL_CATEGORY = ("has_disability", "is_minority", "foreign_background", "is_homeless")


def xlsx_bytes(resource, queryset) -> bytes:
    dataset = resource.export(queryset=queryset, force_native_type=True)
    return XLSX().export_data(dataset)


def sheet_rows(data: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def xlsx_file(header: list[str], rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def dataset(data: bytes):
    return XLSX().create_dataset(data)


@pytest.fixture
def cases():
    """Two people with a codice fiscale, their intakes at two desks, three meetings."""
    anna = factories.person(
        last_name="Superti",
        first_name="Anna",
        birth_date=dt.date(1996, 7, 3),
        gender=Gender.WOMAN,
        residence="Casalmaggiore",
        phone="+390375123456",
        has_disability=True,
        is_homeless=False,
        privacy_ack_on=dt.date(2021, 2, 15),
    )
    marco = factories.person(
        last_name="Ghisolfi",
        first_name="Marco",
        birth_date=dt.date(1974, 11, 20),
        gender=Gender.MAN,
        residence="Viadana",
        education=EducationLevel.LOWER_SECONDARY,
        is_minority=True,
    )
    first = factories.intake(
        anna,
        desk_slug="casalmaggiore",
        opened_on=dt.date(2021, 2, 15),
        labour_status=LabourStatus.UNEMPLOYED,
        unemployment_months=14,
        recent_graduate=True,
    )
    second = factories.intake(
        marco,
        desk_slug="gussola",
        opened_on=dt.date(2021, 4, 20),
        labour_status=LabourStatus.EMPLOYED,
        status=IntakeStatus.CLOSED,
        closed_on=dt.date(2021, 6, 30),
        closure_reason=ClosureReason.HIRED,
    )
    m1 = factories.meeting(first, days_after=7, start_time=dt.time(9, 30), duration_minutes=60)
    m1.activities.set(Activity.objects.filter(code__in=["cv", "orientamento"]))
    factories.meeting(
        first,
        days_after=21,
        mode=MeetingMode.PHONE,
        attended=False,
        next_appointment_at=timezone.make_aware(dt.datetime(2021, 3, 15, 10, 0)),
    )
    factories.meeting(second, days_after=3, mode=MeetingMode.VIDEO)
    return anna, marco


def _person_state() -> list[tuple]:
    return list(
        Person.objects.order_by("fiscal_code").values_list(
            "fiscal_code",
            "last_name",
            "first_name",
            "birth_date",
            "gender",
            "residence_comune__code",
            "citizenship",
            "education",
            "email",
            "phone",
            "privacy_ack_on",
        )
    )


def _intake_state() -> list[tuple]:
    return list(
        Intake.objects.order_by("id").values_list(
            "id",
            "person__fiscal_code",
            "desk__slug",
            "opened_on",
            "channel",
            "main_need",
            "labour_status",
            "unemployment_months",
            "recent_graduate",
            "status",
            "closed_on",
            "closure_reason",
            "age_at_intake",
            "age_band",
            "esf_age_band",
            "gender",
            "origin",
            "isced_band",
        )
    )


def _meeting_state() -> list[tuple]:
    return [
        (
            *row,
            tuple(sorted(Meeting.objects.get(pk=row[0]).activities.values_list("code", flat=True))),
        )
        for row in Meeting.objects.order_by("id").values_list(
            "id",
            "intake_id",
            "held_on",
            "start_time",
            "mode",
            "duration_minutes",
            "attended",
            "next_appointment_at",
        )
    ]


# --- Export ------------------------------------------------------------------------------


def test_people_export_to_xlsx_has_italian_columns_and_no_special_category(cases):
    anna, marco = cases
    rows = sheet_rows(xlsx_bytes(PersonResource(), Person.objects.all()))
    header = set(rows[0])
    assert {"codice_fiscale", "cognome", "nome", "data_nascita", "comune_residenza"} <= header
    for name in (*SPECIAL_CATEGORY, "persona con disabilità", "senza dimora"):
        assert not any(name in str(column) for column in header)
    by_cf = {row["codice_fiscale"]: row for row in rows}
    assert by_cf[anna.fiscal_code]["cognome"] == "Superti"
    # A date cell, not text: openpyxl reads it back as a datetime at midnight.
    assert by_cf[anna.fiscal_code]["data_nascita"] == dt.datetime(1996, 7, 3)
    # Names, not codes (and they import back: see the round trips below).
    assert by_cf[anna.fiscal_code]["comune_residenza"] == "Casalmaggiore"
    assert by_cf[anna.fiscal_code]["telefono"] == "0375 123456"
    assert by_cf[marco.fiscal_code]["comune_residenza"] == "Viadana"
    assert by_cf[marco.fiscal_code]["titolo_studio"] == "media"


def test_text_that_a_spreadsheet_would_run_is_exported_inert_and_read_back(cases):
    anna, _marco = cases
    Person.objects.filter(pk=anna.pk).update(last_name="=HYPERLINK(1)", phone="+41446681800")
    data = xlsx_bytes(PersonResource(), Person.objects.filter(pk=anna.pk))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = {c.value: c for c in sheet[2]}
    assert "'=HYPERLINK(1)" in cells and cells["'=HYPERLINK(1)"].data_type == "s"
    assert "'+41 44 668 18 00" in cells
    result = PersonResource().import_data(dataset(data), dry_run=False)
    assert not result.has_validation_errors(), row_errors(result)
    anna.refresh_from_db()
    assert (anna.last_name, anna.phone) == ("=HYPERLINK(1)", "+41446681800")


def test_intake_and_meeting_exports_carry_the_snapshot_and_the_natural_keys(cases):
    anna, marco = cases
    intakes = {
        row["codice_fiscale"]: row
        for row in sheet_rows(xlsx_bytes(IntakeResource(), Intake.objects.all()))
    }
    assert intakes[anna.fiscal_code]["sportello"] == "Casalmaggiore"
    assert intakes[anna.fiscal_code]["data_presa_in_carico"] == dt.datetime(2021, 2, 15)
    assert intakes[anna.fiscal_code]["eta_alla_presa_in_carico"] == 24
    assert intakes[anna.fiscal_code]["fascia_eta"] == AgeBand.FROM_18_TO_35
    assert intakes[anna.fiscal_code]["provenienza"] == Origin.CASALASCO
    assert intakes[anna.fiscal_code]["neolaureato"] is True
    assert intakes[marco.fiscal_code]["provenienza"] == Origin.MANTOVA
    assert intakes[marco.fiscal_code]["motivo_chiusura"] == "assunzione"
    meetings = sheet_rows(xlsx_bytes(MeetingResource(), Meeting.objects.all()))
    assert len(meetings) == 3
    first = next(m for m in meetings if m["ora"] is not None)
    assert first["attivita"] == "cv,orientamento"
    assert first["durata_minuti"] == 60
    phone = next(m for m in meetings if m["modalita"] == "telefono")
    assert phone["presente"] is False
    # Stored in UTC, written in Europe/Rome.
    assert phone["prossimo_appuntamento"] == dt.datetime(2021, 3, 15, 10, 0)


def test_exports_run_a_fixed_number_of_queries(cases, django_assert_max_num_queries):
    for _ in range(5):
        factories.meeting(factories.intake(), days_after=2).activities.add(Activity.objects.first())
    with django_assert_max_num_queries(2):  # people, the comune names two comuni share
        PersonResource().export(queryset=Person.objects.all())
    with django_assert_max_num_queries(1):
        IntakeResource().export(queryset=Intake.objects.all())
    with django_assert_max_num_queries(3):  # meetings, count for paging, activities
        MeetingResource().export(queryset=Meeting.objects.all())


# --- Round trip ---------------------------------------------------------------------------


def test_xlsx_round_trip_into_an_emptied_database(cases):
    people_file = xlsx_bytes(PersonResource(), Person.objects.all())
    intakes_file = xlsx_bytes(IntakeResource(), Intake.objects.all())
    meetings_file = xlsx_bytes(MeetingResource(), Meeting.objects.all())
    people, intakes, meetings = _person_state(), _intake_state(), _meeting_state()
    assert len(people) == 2 and len(intakes) == 2 and len(meetings) == 3

    Intake.objects.all().delete()  # meetings go with their intakes
    Person.objects.all().delete()

    for resource, data, model, expected in (
        (PersonResource(), people_file, Person, 2),
        (IntakeResource(), intakes_file, Intake, 2),
        (MeetingResource(), meetings_file, Meeting, 3),
    ):
        preview = resource.import_data(dataset(data), dry_run=True)
        assert not preview.has_errors() and not preview.has_validation_errors(), row_errors(preview)
        assert preview.totals["new"] == expected
        assert model.objects.count() == 0  # the dry run wrote nothing
        result = resource.import_data(dataset(data), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        assert model.objects.count() == expected

    assert _person_state() == people
    assert _intake_state() == intakes  # same ids, snapshot recomputed identically
    assert _meeting_state() == meetings
    # Special-category answers were not in the file, so they are unknown, not invented.
    assert set(Person.objects.values_list("has_disability", flat=True)) == {None}
    # New rows after the import get fresh ids (the sequences were moved past the file's).
    later = factories.intake(Person.objects.get(last_name="Superti"), desk_slug="gussola")
    assert later.pk > max(row[0] for row in intakes)


def test_csv_round_trip_of_people_updates_by_fiscal_code(cases):
    anna, _marco = cases
    data = CSV().export_data(PersonResource().export(queryset=Person.objects.all()))
    assert "03/07/1996" in data  # Italian dates in text files
    data = data.replace("Superti", "Superti Rossi")
    result = PersonResource().import_data(CSV().create_dataset(data), dry_run=False)
    assert not result.has_validation_errors(), row_errors(result)
    assert result.totals["update"] == 2 and result.totals["new"] == 0
    anna.refresh_from_db()
    assert anna.last_name == "Superti Rossi"
    assert anna.has_disability is True  # not in the file: left alone


def test_people_without_fiscal_code_are_matched_on_name_and_birth_date():
    factories.person(
        with_cf=False, last_name="Diallo", first_name="Awa", birth_date=dt.date(2000, 1, 5)
    )
    header = ["codice_fiscale", "cognome", "nome", "data_nascita", "genere", "titolo_studio"]
    data = xlsx_file(header, [["", "Diallo", "Awa", "05/01/2000", "F", "diploma"]])
    result = PersonResource().import_data(dataset(data), dry_run=False)
    assert not result.has_validation_errors(), row_errors(result)
    assert result.totals["update"] == 1
    assert Person.objects.filter(last_name="Diallo").count() == 1


# --- Bad rows: every one named, nothing written ---------------------------------------------

PEOPLE_HEADER = [
    "codice_fiscale",
    "cognome",
    "nome",
    "data_nascita",
    "genere",
    "comune_residenza",
    "cittadinanza",
    "titolo_studio",
]


def _good_cf(last: str, first: str, birth: dt.date, sex: str = "F") -> str:
    from casework import fiscal_code

    return fiscal_code.encode(
        last_name=last, first_name=first, birth_date=birth, sex=sex, place_code="B898"
    )


def bad_people_file() -> bytes:
    good1 = _good_cf("Rossi", "Giulia", dt.date(1999, 5, 4))
    good2 = _good_cf("Bianchi", "Sara", dt.date(1990, 9, 1))
    wrong_check = _good_cf("Verdi", "Chiara", dt.date(1992, 1, 1))
    wrong_check = wrong_check[:15] + ("A" if wrong_check[15] != "A" else "B")
    mismatch = _good_cf("Neri", "Paola", dt.date(1988, 6, 6))
    rows = [
        [good1, "Rossi", "Giulia", "04/05/1999", "F", "Casalmaggiore", "IT", "diploma"],
        [wrong_check, "Verdi", "Chiara", "01/01/1992", "F", "B898", "IT", "diploma"],
        [good2, "Bianchi", "Sara", "01/09/1990", "Donna", "Gussola", "IT", "laurea"],
        ["", "Gialli", "Anna", "31/02/1990", "F", "Casalmaggiore", "IT", "diploma"],
        ["", "Blu", "Luca", "02/03/1985", "M", "Atlantide", "IT", "diploma"],
        [mismatch, "Neri", "Paola", "07/06/1988", "F", "Casalmaggiore", "IT", "diploma"],
        ["", "Viola", "Sara", "02/03/1985", "Q", "Casalmaggiore", "IT", "media"],
    ]
    return xlsx_file(PEOPLE_HEADER, rows)


@pytest.mark.parametrize("dry_run", [True, False])
def test_people_file_with_bad_rows_writes_nothing_and_names_every_bad_row(dry_run):
    before = Person.objects.count()
    result = PersonResource().import_data(dataset(bad_people_file()), dry_run=dry_run)
    assert Person.objects.count() == before
    assert bad_row_numbers(result) == [2, 4, 5, 6, 7]
    messages = dict(row_errors(result))
    assert "lettera di controllo" in messages[2]
    assert messages[2].startswith("codice_fiscale:")
    assert "31/02/1990" in messages[4] and "data valida" in messages[4]
    assert "Comune «Atlantide» sconosciuto" in messages[5]
    assert "non corrisponde" in messages[6] and "data_nascita" in messages[6]
    assert "«Q» non è tra i valori ammessi" in messages[7]


def test_intake_file_with_bad_rows_writes_nothing(cases):
    anna, marco = cases
    future = (timezone.localdate() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    header = [
        "id",
        "codice_fiscale",
        "sportello",
        "data_presa_in_carico",
        "canale",
        "bisogno_principale",
        "condizione_occupazionale",
        "stato",
        "data_chiusura",
        "motivo_chiusura",
    ]

    def row(cf, desk, opened, labour="disoccupato", status="aperta", closed=""):
        return ["", cf, desk, opened, "cpi", "tirocinio", labour, status, closed, ""]

    rows = [
        row(marco.fiscal_code, "casalmaggiore", "01/09/2021"),
        row(anna.fiscal_code, "Sportello Luna", "01/09/2021"),
        row(anna.fiscal_code, "Gussola", future),
        row(anna.fiscal_code, "Casalmaggiore", "01/10/2021"),  # her case there is still open
        row("RSSMRA80A01B898X", "Gussola", "01/10/2021"),
        row(
            marco.fiscal_code, "Piadena Drizzona", "01/10/2021", "occupato", "chiusa", "01/11/2021"
        ),
        row(marco.fiscal_code, "San Giovanni in Croce", "01/10/2021", "occupato"),
    ]
    before = Intake.objects.count()
    result = IntakeResource().import_data(dataset(xlsx_file(header, rows)), dry_run=False)
    assert Intake.objects.count() == before
    assert bad_row_numbers(result) == [2, 3, 4, 5, 6]
    messages = dict(row_errors(result))
    assert "Sportello «Sportello Luna» sconosciuto" in messages[2]
    assert "futuro" in messages[3]
    assert "già una presa in carico aperta" in messages[4]
    assert "Nessuna persona con codice fiscale RSSMRA80A01B898X" in messages[5]
    assert "motivo della chiusura" in messages[6]


def test_a_good_intake_file_takes_the_snapshot(cases):
    _anna, marco = cases
    header = ["codice_fiscale", "id", "sportello", "data_presa_in_carico", "canale",
              "bisogno_principale", "condizione_occupazionale", "mesi_disoccupazione"]  # fmt: skip
    rows = [[marco.fiscal_code, "", "piadena-drizzona", "20/11/2021", "spontaneo", "formazione",
             "disoccupato", 3]]  # fmt: skip
    result = IntakeResource().import_data(dataset(xlsx_file(header, rows)), dry_run=False)
    assert not result.has_validation_errors(), row_errors(result)
    intake = Intake.objects.get(desk__slug="piadena-drizzona")
    assert (intake.age_at_intake, intake.age_band, intake.origin) == (47, "45-54", Origin.MANTOVA)
    assert intake.unemployment_months == 3 and intake.status == IntakeStatus.OPEN


def test_meeting_file_with_bad_rows_writes_nothing(cases):
    anna, _marco = cases
    intake = anna.intakes.get()
    header = ["presa_in_carico", "data", "modalita", "durata_minuti", "attivita"]
    rows = [
        [intake.pk, "01/03/2021", "presenza", 30, "cv"],
        [intake.pk, "10/02/2021", "telefono", 30, ""],
        [intake.pk, "02/03/2021", "piccione", 30, ""],
        [intake.pk, "03/03/2021", "video", 30, "cv,astrologia"],
        [999999, "03/03/2021", "video", 30, ""],
        [intake.pk, "04/03/2021", "Videochiamata", "mezz'ora", ""],
    ]
    before = Meeting.objects.count()
    result = MeetingResource().import_data(dataset(xlsx_file(header, rows)), dry_run=False)
    assert Meeting.objects.count() == before
    assert bad_row_numbers(result) == [2, 3, 4, 5, 6]
    messages = dict(row_errors(result))
    assert "non può precedere la presa in carico (15/02/2021)" in messages[2]
    assert "«piccione» non è tra i valori ammessi" in messages[3]
    assert "Attività sconosciute: astrologia" in messages[4]
    assert "Presa in carico n. 999999 inesistente" in messages[5]
    assert "non è un numero intero" in messages[6]


# --- Through the admin, over HTTP ---------------------------------------------------------


def _format_index(fmt: type) -> str:
    from django.conf import settings

    # The admin's own format classes may subclass the package's (activitycr/export_formats).
    return str(next(i for i, f in enumerate(settings.IMPORT_EXPORT_FORMATS) if issubclass(f, fmt)))


def test_admin_import_preview_lists_every_bad_row_and_writes_nothing(client, administrator):
    client.force_login(administrator)
    upload = io.BytesIO(bad_people_file())
    upload.name = "persone.xlsx"
    response = client.post(
        reverse("admin:casework_person_import"),
        {"resource": "0", "format": _format_index(XLSX), "import_file": upload},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    invalid = [row.number for row in response.context["result"].invalid_rows]
    assert invalid == [2, 4, 5, 6, 7]
    assert "lettera di controllo del codice fiscale è sbagliata" in html
    assert "Comune «Atlantide» sconosciuto" in html
    assert Person.objects.count() == 0


def test_admin_import_of_a_good_file_previews_then_writes(client, administrator):
    client.force_login(administrator)
    cf = _good_cf("Rossi", "Giulia", dt.date(1999, 5, 4))
    upload = io.BytesIO(
        xlsx_file(
            PEOPLE_HEADER, [[cf, "Rossi", "Giulia", "04/05/1999", "F", "Gussola", "IT", "its"]]
        )
    )
    upload.name = "persone.xlsx"
    preview = client.post(
        reverse("admin:casework_person_import"),
        {"resource": "0", "format": _format_index(XLSX), "import_file": upload},
    )
    assert preview.status_code == 200
    assert Person.objects.count() == 0  # the preview is a dry run
    confirm = preview.context["confirm_form"]
    assert confirm is not None
    done = client.post(
        reverse("admin:casework_person_process_import"),
        {name: confirm.initial[name] for name in confirm.fields if name in confirm.initial},
    )
    assert done.status_code == 302
    person = Person.objects.get()
    assert (person.fiscal_code, person.residence_comune.name) == (cf, "Gussola")


def test_admin_export_downloads_xlsx_without_special_category(client, administrator, cases):
    client.force_login(administrator)
    fields = PersonResource().get_export_order()
    data = {"resource": "0", "format": _format_index(XLSX)}
    data.update({f"personresource_{name}": "on" for name in fields})
    response = client.post(reverse("admin:casework_person_export"), data)
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    rows = sheet_rows(response.content)
    assert {row["cognome"] for row in rows} == {"Superti", "Ghisolfi"}
    assert not any(name in rows[0] for name in SPECIAL_CATEGORY)


def test_import_needs_the_add_permission(client, udp_reader):
    udp_reader.is_staff = True
    udp_reader.save()
    client.force_login(udp_reader)
    assert client.get(reverse("admin:casework_person_import")).status_code == 403


def test_a_nul_character_is_a_bad_row_naming_its_column(db):
    """Found by the import fuzzer on PostgreSQL, which refuses NUL in any statement."""
    import tablib

    from casework.resources import IntakeResource, row_errors

    person = factories.person()
    data = tablib.Dataset(
        headers=["codice_fiscale", "sportello", "data_presa_in_carico", "bisogni"]
    )
    data.append([person.fiscal_code, "Casalmaggiore", "01/03/2021", "prima\x00dopo"])
    result = IntakeResource().import_data(data, dry_run=True)
    assert not result.error_rows
    assert [n for n, _m in row_errors(result)] == [1]
    assert "NUL" in row_errors(result)[0][1] and "bisogni" in row_errors(result)[0][1]
