"""Admin imports of real files (issue 12, items 1-3, 6, 7).

Real bytes as Excel writes them (semicolon csv in Windows-1252, UTF-8 with BOM, xlsx),
through the admin's import page over HTTP: natural keys instead of internal ids, one Italian
message per file-level problem, limits, the temporary copy removed, a real privacy
acknowledgement, and the preview numbered as the spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import time
import zipfile

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from import_export.formats.base_formats import CSV, XLSX

from casework import fiscal_code
from casework.models import Intake, Meeting, Person, PrivacyAcknowledgement, Referral
from casework.resources import (
    IntakeResource,
    MeetingResource,
    PersonResource,
    ReferralResource,
    row_errors,
)
from casework.resources.files import read_csv
from tests import factories
from tests.casework.test_import_export import _format_index, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_tmp(settings, tmp_path):
    settings.TWO_FACTOR_REQUIRED = False
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


def cf(last: str, first: str, birth: dt.date, sex: str = "F") -> str:
    return fiscal_code.encode(
        last_name=last, first_name=first, birth_date=birth, sex=sex, place_code="B898"
    )


ROSSI = cf("Rossi", "Giulia", dt.date(1999, 5, 4))
BIANCHI = cf("Bianchi", "Sara", dt.date(1990, 9, 1))


def italian_excel_csv(lines: list[list[str]]) -> bytes:
    """What Italian Excel writes as «CSV (delimitato dal separatore di elenco)»."""
    return "\r\n".join(";".join(line) for line in lines).encode("cp1252")


def _zip_of(members: dict[str, bytes]) -> bytes:
    """A zip archive that is not a workbook (a .docx, a zipped folder...)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(client, model: str, data: bytes, name: str, fmt: type = CSV):
    file = io.BytesIO(data)
    file.name = name
    return client.post(
        reverse(f"admin:casework_{model}_import"),
        {"resource": "0", "format": _format_index(fmt), "import_file": file},
    )


def confirm(client, model: str, preview):
    form = preview.context["confirm_form"]
    assert form is not None, preview.context.get("report")
    return client.post(
        reverse(f"admin:casework_{model}_process_import"),
        {name: form.initial[name] for name in form.fields if name in form.initial},
    )


def tmp_files(settings) -> list[str]:
    path = settings.IMPORT_TMP_DIR
    return sorted(os.listdir(path)) if path.exists() else []


PEOPLE = [
    ["codice_fiscale", "cognome", "nome", "data_nascita", "genere", "comune_residenza",
     "cittadinanza", "titolo_studio", "informativa_firmata_il"],
    [ROSSI, "Rossi", "Giulia", "04/05/1999", "F", "Casalmaggiore", "IT", "diploma",
     "10/03/2021"],
    [BIANCHI, "Bianchi", "Sara", "01/09/1990", "Donna", "Viadana", "IT", "laurea", ""],
    ["", "Diallo", "Awa", "05/01/2000", "F", "Gussola", "EXTRA_UE", "media", ""],
    ["", "Niccolò", "Sanò", "07/07/1985", "M", "Piadena Drizzona", "UE", "diploma", ""],
]  # fmt: skip


# --- Real files ------------------------------------------------------------------------------


def test_italian_excel_csv_in_windows_1252_imports_by_codice_fiscale(client, administrator):
    client.force_login(administrator)
    preview = upload(client, "person", italian_excel_csv(PEOPLE), "persone.csv")
    assert preview.status_code == 200
    assert Person.objects.count() == 0
    done = confirm(client, "person", preview)
    assert done.status_code == 302
    assert Person.objects.count() == 4
    assert Person.objects.get(first_name="Sanò").last_name == "Niccolò"


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
        lambda text: text.encode("cp1252"),
        lambda text: text.encode("utf-16"),  # with its BOM, as Excel's «Testo Unicode»
    ],
    ids=["utf-8", "utf-8 BOM", "windows-1252", "utf-16"],
)
@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_csv_separator_and_encoding_are_found(encode, separator):
    text = "\r\n".join(separator.join(line) for line in PEOPLE)
    data = read_csv(encode(text))
    assert data.headers == PEOPLE[0]
    assert data[3][1] == "Niccolò"
    assert len(data) == 4


@pytest.mark.parametrize(
    ("data", "fmt", "expected"),
    [
        (b"\x81\x8d\x8f\x90\x9d" * 10, CSV, "codifica sconosciuta"),
        (xlsx_file(["a"], [["b"]]), CSV, "scegliere il formato xlsx"),
        (b"cognome;nome\r\nRossi;Giulia", XLSX, "se è un csv scegliere il formato csv"),
        (b"", CSV, "vuoto"),
        (b"cognome;nome\r\n", CSV, "Il file ha solo l"),
        (b"cognome;nome\r\nRossi;Giulia;x;y\r\n", CSV, "La riga 2 ha più valori"),
        (b"cognome;;nome\r\nRossi;;Giulia\r\n", CSV, "La colonna 2 della prima riga"),
        (_zip_of({"documento.txt": b"Rossi Giulia"}), XLSX, "se è un csv scegliere il formato csv"),
    ],
    ids=[
        "bytes",
        "xlsx-as-csv",
        "csv-as-xlsx",
        "empty",
        "header only",
        "long row",
        "no name",
        "zip-not-xlsx",
    ],
)
def test_each_file_problem_is_one_italian_message_never_a_traceback(
    client, administrator, data, fmt, expected
):
    client.force_login(administrator)
    response = upload(client, "person", data, "file", fmt)
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in html
    for english in ("Traceback", "Error", "encountered", "UnicodeDecodeError", "BadZipFile"):
        assert english not in html


def test_unknown_and_missing_columns_are_named_in_italian(client, administrator):
    client.force_login(administrator)
    response = upload(client, "person", b"cognme;nome\r\nRossi;Giulia\r\n", "p.csv")
    html = response.content.decode()
    assert "Colonne sconosciute: cognme" in html
    assert "Traceback" not in html and "FieldError" not in html
    response = upload(client, "person", b"nome;genere\r\nGiulia;F\r\n", "p.csv")
    assert "Mancano le colonne che riconoscono la persona" in response.content.decode()
    response = upload(client, "meeting", b"data;modalita\r\n01/03/2021;presenza\r\n", "c.csv")
    assert "Mancano le colonne che riconoscono la presa in carico" in response.content.decode()


def test_import_and_export_pages_are_italian(client, administrator):
    client.force_login(administrator)
    for model in ("person", "intake", "meeting", "referral"):
        page = client.get(reverse(f"admin:casework_{model}_import")).content.decode()
        assert "File da importare" in page and "Carica e controlla" in page
        for english in ("This importer", "File to import", "Submit", ">Import<", "Resource"):
            assert english not in page
        export = client.get(reverse(f"admin:casework_{model}_export")).content.decode()
        assert "Verranno esportati questi campi" in export
        for english in ("This exporter", "Select all", "Fiscal Code", "Last Name", ">Export<"):
            assert english not in export
    changelist = client.get(reverse("admin:casework_person_changelist")).content.decode()
    assert ">Importa<" in changelist and ">Esporta<" in changelist
    export = client.get(reverse("admin:casework_person_export")).content.decode()
    assert "Codice fiscale (codice_fiscale)" in export
    assert "Comune di residenza (comune_residenza)" in export


def test_export_file_name_is_italian(client, administrator):
    client.force_login(administrator)
    factories.person()
    data = {"resource": "0", "format": _format_index(XLSX)}
    data.update({f"personresource_{n}": "on" for n in PersonResource().get_export_order()})
    response = client.post(reverse("admin:casework_person_export"), data)
    assert 'filename="persone-' in response["Content-Disposition"]


# --- Limits and the temporary copy -----------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_and_not_kept(client, administrator, settings):
    client.force_login(administrator)
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    response = upload(client, "person", italian_excel_csv(PEOPLE * 3), "p.csv")
    assert "Il file è troppo grande" in response.content.decode()
    assert tmp_files(settings) == []


def test_too_many_rows_is_one_message(client, administrator, settings):
    client.force_login(administrator)
    settings.IMPORT_MAX_ROWS = 3
    response = upload(client, "person", italian_excel_csv(PEOPLE), "p.csv")
    assert "Il file ha più di 3 righe" in response.content.decode()
    assert tmp_files(settings) == []


def _bomb(uncompressed: int) -> bytes:
    """A valid-looking xlsx whose shared strings would unpack to ``uncompressed`` bytes."""
    real = xlsx_file(["cognome"], [["Rossi"]])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(real)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        with dst.open("xl/sharedStrings.xml", "w") as big:
            chunk = b"A" * (1024 * 1024)
            for _ in range(uncompressed // len(chunk)):
                big.write(chunk)
    return out.getvalue()


def test_an_xlsx_bomb_is_refused_from_its_directory_without_unpacking(
    client, administrator, settings
):
    client.force_login(administrator)
    settings.IMPORT_MAX_XLSX_BYTES = 5 * 1024 * 1024
    bomb = _bomb(64 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024  # small upload, 64 MB unpacked
    started = time.monotonic()
    response = upload(client, "person", bomb, "p.xlsx", XLSX)
    assert time.monotonic() - started < 5  # never expanded
    assert "scompresso, occupa" in response.content.decode()
    assert tmp_files(settings) == []


def test_the_temporary_copy_is_private_and_removed_after_confirmation(
    client, administrator, settings
):
    client.force_login(administrator)
    preview = upload(client, "person", italian_excel_csv(PEOPLE), "p.csv")
    (name,) = tmp_files(settings)
    assert (settings.IMPORT_TMP_DIR / name).stat().st_mode & 0o777 == 0o600
    assert settings.IMPORT_TMP_DIR.stat().st_mode & 0o777 == 0o700
    confirm(client, "person", preview)
    assert tmp_files(settings) == []


def test_a_preview_with_bad_rows_leaves_no_copy(client, administrator, settings):
    client.force_login(administrator)
    bad = [*PEOPLE, ["", "Blu", "Luca", "31/02/1985", "M", "Atlantide", "IT", "diploma", ""]]
    response = upload(client, "person", italian_excel_csv(bad), "p.csv")
    assert response.context.get("confirm_form") is None
    assert response.context["report"]["bad_rows"]
    assert tmp_files(settings) == []


def test_abandoned_previews_are_swept(client, administrator, settings):
    client.force_login(administrator)
    upload(client, "person", italian_excel_csv(PEOPLE), "p.csv")
    (name,) = tmp_files(settings)
    call_command("sweep_imports")
    assert tmp_files(settings) == [name]  # still young
    old = time.time() - settings.IMPORT_TMP_MAX_AGE - 10
    os.utime(settings.IMPORT_TMP_DIR / name, (old, old))
    upload(client, "person", b"", "p.csv")  # any import sweeps first
    assert tmp_files(settings) == []


def test_a_forged_file_name_on_confirmation_reads_nothing(client, administrator, settings):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:casework_person_process_import"),
        {
            "import_file_name": "../../etc/passwd",
            "original_file_name": "x.csv",
            "format": _format_index(CSV),
            "resource": "0",
        },
    )
    assert response.status_code == 302
    assert Person.objects.count() == 0


def test_imports_write_no_name_into_the_admin_log(client, administrator):
    client.force_login(administrator)
    confirm(client, "person", upload(client, "person", italian_excel_csv(PEOPLE), "p.csv"))
    assert Person.objects.count() == 4
    reprs = " ".join(LogEntry.objects.values_list("object_repr", flat=True))
    for name in ("Rossi", "Bianchi", "Diallo", "Niccolò"):
        assert name not in reprs


# --- Preview ---------------------------------------------------------------------------------


def test_preview_numbers_rows_as_the_spreadsheet_and_shows_names(client, administrator):
    client.force_login(administrator)
    bad = [
        PEOPLE[0],
        PEOPLE[1],
        ["", "Blu", "Luca", "31/02/1985", "M", "Casalmaggiore", "IT", "diploma", ""],
    ]
    response = upload(client, "person", italian_excel_csv(bad), "p.csv")
    report = response.context["report"]
    assert [number for number, _problems in report["bad_rows"]] == [3]  # header = row 1
    html = response.content.decode()
    assert "31/02/1985" in html and "data valida" in html  # shown, no hover needed
    assert "validation-error-count" not in html
    good = upload(client, "person", italian_excel_csv(PEOPLE), "p.csv")
    report = good.context["report"]
    first = dict(zip(report["headers"], report["preview"][0][2], strict=True))
    assert report["preview"][0][0] == 2
    assert first["comune_residenza"] == "Casalmaggiore"
    assert first["genere"] == "Donna"
    assert first["titolo_studio"] != "diploma"  # the label, not the code
    assert "Nuova" in good.content.decode()


# --- Natural keys ----------------------------------------------------------------------------


@pytest.fixture
def people():
    PersonResource().import_data(read_csv(italian_excel_csv(PEOPLE)), dry_run=False)
    return {p.last_name: p for p in Person.objects.all()}


INTAKES = [
    ["codice_fiscale", "cognome", "nome", "data_nascita", "sportello", "data_presa_in_carico",
     "canale", "bisogno_principale", "condizione_occupazionale"],
    [ROSSI, "", "", "", "Casalmaggiore", "15/03/2021", "spontaneo", "ricerca_attiva",
     "disoccupato"],
    ["", "Diallo", "Awa", "05/01/2000", "Gussola", "20/04/2021", "cpi", "formazione",
     "disoccupato"],
    ["", "niccolò", "SANÒ", "07/07/1985", "casalmaggiore", "02/05/2021", "spontaneo",
     "orientamento", "occupato"],
]  # fmt: skip


def test_intakes_name_their_person_without_any_internal_id(people):
    result = IntakeResource().import_data(read_csv(italian_excel_csv(INTAKES)), dry_run=False)
    assert not result.has_validation_errors(), row_errors(result)
    assert Intake.objects.get(person=people["Diallo"]).desk.slug == "gussola"
    assert Intake.objects.get(person=people["Niccolò"]).opened_on == dt.date(2021, 5, 2)
    assert Intake.objects.get(person=people["Rossi"]).age_at_intake == 21


def test_an_intake_for_an_unknown_person_names_the_key(people):
    rows = [INTAKES[0], ["", "Verdi", "Anna", "01/01/1990", *INTAKES[2][4:]]]
    result = IntakeResource().import_data(read_csv(italian_excel_csv(rows)), dry_run=True)
    (message,) = dict(row_errors(result)).values()
    assert "Nessuna persona senza codice fiscale di nome Verdi Anna nata il 01/01/1990" in message


def test_meetings_and_referrals_name_their_intake_by_person_desk_and_date(people):
    IntakeResource().import_data(read_csv(italian_excel_csv(INTAKES)), dry_run=False)
    meetings = [
        ["codice_fiscale", "cognome", "nome", "data_nascita", "sportello",
         "data_presa_in_carico", "data", "modalita", "attivita"],
        [ROSSI, "", "", "", "Casalmaggiore", "15/03/2021", "22/03/2021", "presenza", "cv"],
        ["", "Diallo", "Awa", "05/01/2000", "Gussola", "20/04/2021", "27/04/2021", "telefono",
         ""],
        ["", "Diallo", "Awa", "05/01/2000", "Gussola", "21/04/2021", "27/04/2021", "telefono",
         ""],
    ]  # fmt: skip
    result = MeetingResource().import_data(read_csv(italian_excel_csv(meetings)), dry_run=True)
    messages = dict(row_errors(result))
    assert list(messages) == [3]
    assert "Nessuna presa in carico di Diallo Awa a Gussola del 21/04/2021" in messages[3]
    result = MeetingResource().import_data(read_csv(italian_excel_csv(meetings[:3])), dry_run=False)
    assert not result.has_validation_errors(), row_errors(result)
    assert Meeting.objects.get(intake__person=people["Diallo"]).mode == "telefono"
    referrals = [
        ["codice_fiscale", "sportello", "data_presa_in_carico", "tipo", "data_invio", "esito",
         "data_esito"],
        [ROSSI, "Casalmaggiore", "15/03/2021", "tirocinio", "01/04/2021", "", ""],
        [ROSSI, "Casalmaggiore", "15/03/2021", "Programma GOL", "02/04/2021", "assunzione",
         "30/04/2021"],
    ]  # fmt: skip
    result = ReferralResource().import_data(read_csv(italian_excel_csv(referrals)), dry_run=False)
    assert not result.has_validation_errors(), row_errors(result)
    assert sorted(Referral.objects.values_list("kind", "outcome")) == [
        ("gol", "assunzione"),
        ("tirocinio", "in_corso"),
    ]


def test_the_internal_id_still_works_for_meetings(people):
    IntakeResource().import_data(read_csv(italian_excel_csv(INTAKES)), dry_run=False)
    intake = Intake.objects.get(person=people["Rossi"])
    rows = [["presa_in_carico", "data", "modalita"], [str(intake.pk), "22/03/2021", "video"]]
    result = MeetingResource().import_data(read_csv(italian_excel_csv(rows)), dry_run=False)
    assert not result.has_validation_errors(), row_errors(result)
    assert intake.meetings.get().mode == "video"


def test_exports_import_back_unchanged_by_natural_keys(people):
    """Export with names, empty the database, import back: the same rows."""
    IntakeResource().import_data(read_csv(italian_excel_csv(INTAKES)), dry_run=False)
    for intake in Intake.objects.all():
        factories.meeting(intake, days_after=5)
    Referral.objects.create(
        intake=Intake.objects.first(), kind="sil", referred_on=dt.date(2021, 6, 1)
    )
    files = {
        name: CSV().export_data(resource.export(queryset=resource._meta.model.objects.all()))
        for name, resource in (
            ("people", PersonResource()),
            ("intakes", IntakeResource()),
            ("meetings", MeetingResource()),
            ("referrals", ReferralResource()),
        )
    }
    assert ",Casalmaggiore," in files["people"] and ",B898," not in files["people"]

    def state():
        return (
            sorted(Person.objects.values_list("last_name", "residence_comune__name", "gender")),
            sorted(Intake.objects.values_list("person__last_name", "desk__slug", "opened_on")),
            sorted(Meeting.objects.values_list("intake__person__last_name", "held_on", "mode")),
            sorted(Referral.objects.values_list("intake__person__last_name", "kind")),
        )

    before = state()
    Intake.objects.all().delete()
    PrivacyAcknowledgement.objects.all().delete()
    Person.objects.all().delete()
    for name, resource in (
        ("people", PersonResource()),
        ("intakes", IntakeResource()),
        ("meetings", MeetingResource()),
        ("referrals", ReferralResource()),
    ):
        # Without the internal ids: the natural keys alone.
        data = read_csv(files[name].encode())
        for column in ("id", "presa_in_carico", "id_persona"):
            if column in data.headers:
                del data[column]
        result = resource.import_data(data, dry_run=False)
        assert not result.has_validation_errors(), (name, row_errors(result))
    assert state() == before


# --- The privacy acknowledgement ---------------------------------------------------------------


def test_the_acknowledgement_column_records_a_real_acknowledgement(client, administrator):
    client.force_login(administrator)
    confirm(client, "person", upload(client, "person", italian_excel_csv(PEOPLE), "p.csv"))
    ack = PrivacyAcknowledgement.objects.get()
    assert ack.person.last_name == "Rossi"
    assert (ack.notice.version, ack.acknowledged_on) == ("1.0", dt.date(2021, 3, 10))
    assert (ack.channel, ack.operator) == ("presenza", administrator)
    assert ack.person.privacy_ack_on == dt.date(2021, 3, 10)


def test_an_acknowledgement_before_any_notice_is_a_bad_row():
    rows = [PEOPLE[0], [*PEOPLE[1][:-1], "10/03/2020"]]
    result = PersonResource().import_data(read_csv(italian_excel_csv(rows)), dry_run=True)
    (message,) = dict(row_errors(result)).values()
    assert "informativa_firmata_il" in message and "Nessuna informativa" in message
    header = [*PEOPLE[0], "informativa_modalita"]
    rows = [header, [*PEOPLE[1], "piccione"]]
    result = PersonResource().import_data(read_csv(italian_excel_csv(rows)), dry_run=True)
    (message,) = dict(row_errors(result)).values()
    assert "informativa_modalita" in message


def test_referral_import_is_for_administrators_only(client, udp_reader, op_casalmaggiore):
    for user in (udp_reader, op_casalmaggiore):
        user.is_staff = True
        user.save()
        client.force_login(user)
        assert client.get(reverse("admin:casework_referral_import")).status_code == 403
        response = client.post(reverse("admin:casework_referral_process_import"), {})
        assert response.status_code == 403


# --- Speed without losing a rule -----------------------------------------------------------


def test_check_constraints_evaluated_in_python_agree_with_the_database():
    """_holds() answers as Django's query would, for every check it evaluates."""
    from django.core.exceptions import ValidationError
    from django.db import models as dj_models

    from casework.resources import _fields_of, _holds

    person = factories.person()
    intake = factories.intake(person)
    variants = [
        {},
        {"status": "chiusa"},
        {"status": "chiusa", "closed_on": dt.date(2021, 3, 1), "closure_reason": "assunzione"},
        {"closed_on": dt.date(2021, 1, 1)},
        {"labour_status": "occupato", "unemployment_months": 3},
        {"labour_status": "occupato", "unemployment_months": None},
        {"needs": "x" * 2001},
        {"age_at_intake": 130},
        {"age_at_intake": None},
    ]
    checked = 0
    for changes in variants:
        for name, value in changes.items():
            setattr(intake, name, value)
        for constraint in Intake._meta.constraints:
            if not isinstance(constraint, dj_models.CheckConstraint):
                continue
            if _fields_of(constraint.condition) is None:
                continue
            try:
                constraint.validate(Intake, intake)
                expected = True
            except ValidationError:
                expected = False
            assert _holds(intake, constraint.condition) is expected, (constraint.name, changes)
            checked += 1
        intake.refresh_from_db()
    assert checked > 50
    from sportelli.models import Country

    person.residence_country = Country.objects.first()
    (one_residence,) = [
        c for c in Person._meta.constraints if c.name == "casework_person_one_residence"
    ]
    assert _holds(person, one_residence.condition) is False


def test_a_large_upload_is_spooled_in_the_private_directory_not_the_system_one(
    client, administrator, settings, monkeypatch, tmp_path
):
    """An upload over FILE_UPLOAD_MAX_MEMORY_SIZE is written to disk while its request runs:
    in IMPORT_TMP_DIR (0700, the file 0600), not in the system's temporary directory; it is
    gone when the request ends (security review M3)."""
    from casework.resources import files

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # the people file below is larger
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    spooled: list[tuple[str, int]] = []
    real_init = files.PrivateTemporaryUploadedFile.__init__

    def recording_init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        spooled.append((self.file.name, os.stat(self.file.name).st_mode & 0o777))

    monkeypatch.setattr(files.PrivateTemporaryUploadedFile, "__init__", recording_init)
    client.force_login(administrator)
    preview = upload(client, "person", italian_excel_csv(PEOPLE), "persone.csv")
    assert preview.status_code == 200 and preview.context["confirm_form"] is not None
    ((path, mode),) = spooled
    assert os.path.dirname(path) == str(settings.IMPORT_TMP_DIR) and mode == 0o600
    assert settings.IMPORT_TMP_DIR.stat().st_mode & 0o777 == 0o700
    assert not os.path.exists(path)  # closed, so deleted, with the request
    assert os.listdir(system_tmp) == []


def test_a_people_file_without_the_codice_fiscale_column_imports_by_name_and_birth_date(
    client, administrator
):
    """Not every legacy file has the column at all: people are then matched on surname,
    name and birth date (item 1), and the file imports."""
    without_cf = [line[1:] for line in PEOPLE]
    client.force_login(administrator)
    preview = upload(client, "person", italian_excel_csv(without_cf), "persone.csv")
    assert preview.context["report"]["bad_rows"] == [], preview.context["report"]
    confirm(client, "person", preview)
    assert Person.objects.count() == 4
    assert not Person.objects.exclude(fiscal_code=None).exists()
    again = upload(client, "person", italian_excel_csv(without_cf), "persone.csv")
    confirm(client, "person", again)
    assert Person.objects.count() == 4  # the same people, found by name and birth date
