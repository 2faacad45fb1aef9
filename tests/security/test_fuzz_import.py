"""Imports fuzzed with hypothesis: all or nothing, every bad row named, never a crash.

* The three resources of ``casework/resources.py`` (people, intakes, meetings) receive
  files of random rows: good values mixed with junk (text, control characters, numbers,
  spreadsheet-typed cells — dates, datetimes, floats, booleans —, impossible dates,
  unknown comuni and desks, bad codici fiscali). Whatever the rows: no exception escapes;
  every problem is an invalid row with its number and an Italian message; when any row is
  bad nothing at all is written; when none is, every row is written.
* The admin's import page receives random bytes as xlsx and random text as csv: never a
  server error, never a write.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import tablib
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from import_export.formats.base_formats import CSV, XLSX

from casework import fiscal_code
from casework.models import Intake, Meeting, Person
from casework.resources import IntakeResource, MeetingResource, PersonResource, row_errors
from tests import factories
from tests.security.matrix import login

pytestmark = pytest.mark.slow  # hypothesis fuzzers: make test runs them, make test-fast does not

FUZZ = hsettings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: CI is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

JUNK = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "31/02/2021",
            "2999-01-01",
            "0",
            "-5",
            "1e9",
            "=1+1",
            "@SUM(A1)",
            "RSSMRA80A01B898Y",
            "Atlantide",
            "sportello fantasma",
            "sì",
            "forse",
            "A" * 400,
            "01/01/1900",
            "10:99",
            "25:00",
            "2021-03-01 10:00",
            "🙂",
            "\u202e",
        ]
    ),
    st.integers(min_value=-(2**63), max_value=2**63),
    # A spreadsheet cell holds finite numbers only (no inf/nan in xlsx; csv gives text).
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(min_value=dt.datetime(1, 1, 1)),
)


def _cf(n: int, birth: dt.date, sex: str) -> str:
    return fiscal_code.encode(
        last_name=f"Fuzz{'abcdefghij'[n % 10]}",
        first_name=["Anna", "Marco", "Sara"][n % 3],
        birth_date=birth,
        sex=sex,
        place_code="B898",
    )


GOOD_PEOPLE = {
    "cognome": ["Rossi", "D'Àlessandro", "Bianchi"],
    "nome": ["Anna", "Nicolò"],
    "data_nascita": ["04/05/1999", "1980-12-31", dt.date(1975, 1, 2)],
    "genere": ["F", "M", "Donna", "N"],
    "comune_residenza": ["Gussola", "B898", "Cremona", ""],
    "cittadinanza": ["IT", "UE"],
    "titolo_studio": ["its", "diploma", "media"],
    "email": ["", "a@example.org"],
    "telefono": ["", "0375 1234"],
}
BIRTH_DATES = {
    repr("04/05/1999"): dt.date(1999, 5, 4),
    repr("1980-12-31"): dt.date(1980, 12, 31),
    repr(dt.date(1975, 1, 2)): dt.date(1975, 1, 2),
}
GOOD_INTAKES = {
    "sportello": ["Casalmaggiore", "gussola"],
    "data_presa_in_carico": ["01/03/2021", dt.date(2022, 5, 4)],
    "canale": ["spontaneo", "telefono"],
    "bisogno_principale": ["orientamento", "tirocinio"],
    "condizione_occupazionale": ["disoccupato", "occupato"],
    "mesi_disoccupazione": ["", 6],
    "neolaureato": ["", "no", "sì"],
    "stato": ["aperta"],
}
GOOD_MEETINGS = {
    "data": ["05/04/2021", dt.date(2021, 4, 20)],  # after the intakes (01/04/2021)
    "ora": ["", "10:30"],
    "modalita": ["presenza", "telefono", "video", "email"],
    "durata_minuti": ["", 30, 90],
    "note": ["", "ok"],
    "presente": ["", "sì"],
}


def _row(good: dict[str, list]) -> st.SearchStrategy[dict]:
    """Each column: a good value most of the time, junk sometimes."""
    return st.fixed_dictionaries(
        {column: st.one_of(*[st.sampled_from(values)] * 6, JUNK) for column, values in good.items()}
    )


def _state() -> tuple:
    return (
        list(Person.objects.order_by("pk").values_list()),
        list(Intake.objects.order_by("pk").values_list()),
        list(Meeting.objects.order_by("pk").values_list()),
    )


def _check_all_or_nothing(resource, dataset: tablib.Dataset) -> tuple[bool, int]:
    before = _state()
    result = resource.import_data(dataset, dry_run=False)  # must not raise
    assert not result.base_errors, [str(e.error) for e in result.base_errors]
    assert not result.error_rows, [
        (r.number, [f"{type(e.error).__name__}: {e.error}" for e in r.errors])
        for r in result.error_rows
    ]
    errors = row_errors(result)
    numbers = {n for n, _message in errors}
    assert numbers <= set(range(1, len(dataset) + 1)), numbers
    assert all(message.strip() for _n, message in errors)
    if errors:
        assert _state() == before, "a file with a bad row wrote something"
        return False, len(numbers)
    return True, 0


@pytest.fixture
def fuzz_db(db, settings):
    settings.TWO_FACTOR_REQUIRED = False
    settings.AXES_ENABLED = False


def test_people_files_are_all_or_nothing(fuzz_db):
    seen = {"good": 0, "bad": 0}
    counter = iter(range(10**6))

    @FUZZ
    @given(rows=st.lists(_row(GOOD_PEOPLE), min_size=1, max_size=5), cf_junk=JUNK)
    def fuzz(rows: list[dict], cf_junk: object) -> None:
        header = ["codice_fiscale", *GOOD_PEOPLE]
        data = tablib.Dataset(headers=header)
        for i, row in enumerate(rows):
            n = next(counter)
            # The CF agrees with the row's birth date and sex when those are good values.
            birth = BIRTH_DATES.get(repr(row["data_nascita"]), dt.date(1960 + n % 40, 1, 1))
            sex = "M" if row["genere"] == "M" else "F"
            cf = _cf(n, birth, sex) if i or not isinstance(cf_junk, str) else cf_junk
            data.append([cf, *row.values()])
        written, _bad = _check_all_or_nothing(PersonResource(), data)
        seen["good" if written else "bad"] += 1
        if written:
            for cf in data["codice_fiscale"]:
                if cf and isinstance(cf, str):
                    assert Person.objects.filter(fiscal_code=fiscal_code.normalise(cf)).exists()

    fuzz()
    assert seen["bad"] and seen["good"], f"the fuzzing produced good and bad files: {seen}"


def test_intake_files_are_all_or_nothing(fuzz_db):
    people = [factories.person() for _ in range(3)]
    seen = {"good": 0, "bad": 0}

    @FUZZ
    @given(rows=st.lists(_row(GOOD_INTAKES), min_size=1, max_size=5), who=st.data())
    def fuzz(rows: list[dict], who: st.DataObject) -> None:
        header = ["codice_fiscale", *GOOD_INTAKES]
        data = tablib.Dataset(headers=header)
        for row in rows:
            cf = who.draw(st.one_of(st.sampled_from([p.fiscal_code for p in people]), JUNK))
            data.append([cf, *row.values()])
        written, _bad = _check_all_or_nothing(IntakeResource(), data)
        seen["good" if written else "bad"] += 1

    fuzz()
    assert seen["bad"] and seen["good"], seen


def test_meeting_files_are_all_or_nothing(fuzz_db):
    intakes = [
        factories.intake(desk_slug=slug, opened_on=dt.date(2021, 4, 1))  # both desks open
        for slug in ("casalmaggiore", "gussola")
    ]
    seen = {"good": 0, "bad": 0}

    @FUZZ
    @given(rows=st.lists(_row(GOOD_MEETINGS), min_size=1, max_size=5), which=st.data())
    def fuzz(rows: list[dict], which: st.DataObject) -> None:
        header = ["presa_in_carico", *GOOD_MEETINGS]
        data = tablib.Dataset(headers=header)
        for row in rows:
            intake = which.draw(st.one_of(st.sampled_from([i.pk for i in intakes]), JUNK))
            data.append([intake, *row.values()])
        written, _bad = _check_all_or_nothing(MeetingResource(), data)
        seen["good" if written else "bad"] += 1

    fuzz()
    assert seen["bad"] and seen["good"], seen


def _format_index(fmt: type) -> str:
    # The admin's own format classes may subclass the package's (activitycr/export_formats).
    formats = django_settings.IMPORT_EXPORT_FORMATS
    return str(next(i for i, f in enumerate(formats) if issubclass(f, fmt)))


def test_the_admin_import_page_survives_random_files(fuzz_db, administrator):
    client = login(Client(), administrator)
    url = reverse("admin:casework_person_import")
    before = _state()

    @FUZZ
    @given(
        payload=st.one_of(
            st.binary(max_size=2000).map(lambda b: ("persone.xlsx", XLSX, b)),
            st.text(max_size=500).map(lambda t: ("persone.csv", CSV, t.encode())),
            st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=6), max_size=6).map(
                lambda rows: (
                    "persone.csv",
                    CSV,
                    "\n".join(
                        ",".join(["codice_fiscale", "cognome", "nome", "data_nascita"])
                        if i == 0
                        else ",".join(r)
                        for i, r in enumerate([[""], *rows])
                    ).encode(),
                )
            ),
        )
    )
    def fuzz(payload: tuple) -> None:
        name, fmt, content = payload
        upload = io.BytesIO(content)
        upload.name = name
        response = client.post(
            url, {"resource": "0", "format": _format_index(fmt), "import_file": upload}
        )
        assert response.status_code == 200, response.status_code

    fuzz()
    assert _state() == before
