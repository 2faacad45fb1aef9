"""The operators' forms, fuzzed with hypothesis: whatever is typed, never a server error.

Every form page receives POSTs whose fields are random: unicode text, control characters,
NUL bytes, huge and negative numbers, impossible and extreme dates in every format, times,
markup, SQL, very long strings, valid choice values in the wrong field, repeated values.
The test client re-raises any exception of a view, so a crash fails the example (and
hypothesis shrinks it to the smallest input); a 5xx answer fails it too. A bad value is
the form's job: the page answers 200 with the form again (or 302 when it was valid).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from casework import fiscal_code
from casework.choices import (
    ClosureReason,
    EducationLevel,
    Gender,
    IntakeChannel,
    LabourStatus,
    MeetingMode,
    Need,
    ReferralKind,
    ReferralOutcome,
)
from tests.security.matrix import build_objects, login

pytestmark = pytest.mark.slow  # hypothesis fuzzers: make test runs them, make test-fast does not

EXAMPLES = 40
CHOICES = [
    *Gender.values,
    *EducationLevel.values,
    *IntakeChannel.values,
    *Need.values,
    *LabourStatus.values,
    *MeetingMode.values,
    *ReferralKind.values,
    *ReferralOutcome.values,
    *ClosureReason.values,
]
EDGE = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "on",
    "true",
    "99999999999999999999999999",
    "-9223372036854775809",
    "1e308",
    "NaN",
    "31/02/2021",
    "2021-02-31",
    "29/02/2023",
    "0001-01-01",
    "9999-12-31",
    "01/01/0001",
    "2021-03-01",
    "01/03/2021",
    "2021-03-01T10:00",
    "2999-01-01T25:61",
    "12:30",
    "25:61",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "a\x00b",
    "\u202e\u200b\ufeff",
    "Nicolò D'Àlessandro",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀",
    "A" * 5000,
    "RSSMRA80A01B898X",
    "rssmra80a01b898x",
    "RSSMRA80A01B89LX",
    "Casalmaggiore (CR)",
    "Casalmaggiore",
    "Zzzzz (ZZ)",
]


def _date_strings() -> st.SearchStrategy[str]:
    dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
    return st.one_of(
        dates.map(lambda d: d.isoformat()),
        dates.map(lambda d: f"{d:%d/%m/%Y}"),
        st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)).map(
            lambda d: d.isoformat()
        ),
    )


VALUE = st.one_of(
    st.sampled_from(EDGE),
    st.sampled_from(CHOICES),
    st.text(max_size=60),
    st.integers().map(str),
    _date_strings(),
)
VALUES = st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=4))


def _fields(names: list[str]) -> st.SearchStrategy[dict]:
    """A random subset of the form's field names, each with a random value (or list)."""
    return st.fixed_dictionaries({}, optional={name: VALUES for name in names})


PERSON = [
    "fiscal_code", "last_name", "first_name", "birth_date", "gender", "birthplace_comune",
    "residence_comune", "birthplace_country", "residence_country", "citizenship",
    "education", "email", "phone", "privacy_ack_on", "foreign_background", "is_homeless",
    "has_disability", "is_minority",
]  # fmt: skip
INTAKE = [
    "opened_on", "channel", "main_need", "needs", "labour_status", "unemployment_months",
    "recent_graduate", "returning_after_care", "confirm_new_person", "known_cf",
]  # fmt: skip
MEETING = [
    "held_on", "start_time", "mode", "duration_minutes", "attended", "activities", "notes",
    "next_appointment_at", "version",
]  # fmt: skip
REFERRAL = [
    "kind", "partner", "description", "referred_on", "outcome", "outcome_on", "notes", "version"
]  # fmt: skip
CLOSE = [
    "closed_on", "closure_reason", "closure_note", "exit_results", "exit_source", "exit_as_of",
    "version",
]  # fmt: skip
ATTEMPT = ["made_at", "channel", "outcome", "note"]
ANSWER = ["results", "employed", "improved", "source", "answered_on", "note"]

FORMS = {
    "casework:intake_new": ("desk", PERSON + INTAKE),
    "casework:person_edit": ("person", [*PERSON, "version"]),
    "casework:meeting_add": ("intake", MEETING),
    "casework:meeting_edit": ("meeting", MEETING),
    "casework:referral_add": ("intake", REFERRAL),
    "casework:referral_edit": ("referral", REFERRAL),
    "casework:referral_outcome": ("referral", REFERRAL),
    "followup:intake_close": ("intake", CLOSE),
    "followup:task_attempt": ("task", ATTEMPT),
    "followup:task_answer": ("task", ANSWER),
    "casework:intake_edit": ("intake", [*INTAKE[:8], "residence_comune", "version"]),
    "casework:intake_reopen": ("intake", ["version"]),
    "casework:search": ("desk", ["q"]),
    "casework:cf_decode": ("none", ["fiscal_code", "gender"]),
}
FUZZ = hsettings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run, as the import fuzzer: CI is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def operator_client(db, op_casalmaggiore, settings):
    settings.AXES_ENABLED = False
    objects = build_objects("casalmaggiore")
    urls = {}
    for name, (kind, _) in FORMS.items():
        kwargs = {
            "none": {},
            "desk": {"slug": objects.desk_slug},
            "person": {"pk": objects.person_id},
            "intake": {"pk": objects.intake_id},
            "meeting": {"pk": objects.meeting_id},
            "referral": {"pk": objects.referral_id},
            "task": {"pk": objects.extra["task"]},
        }[kind]
        urls[name] = reverse(name, kwargs=kwargs or None)
    return login(Client(), op_casalmaggiore), urls


def _post(client: Client, url: str, data: dict) -> None:
    response = client.post(url, data)
    assert response.status_code < 500, (url, data, response.status_code)
    assert response.status_code in (200, 302, 400, 404), (url, response.status_code)
    if response.status_code == 302 and response["Location"].startswith(url + "?"):
        # POST-redirect-GET to the same page (the people search): the fuzzed term is
        # used there, so the page it leads to must not fail either.
        shown = client.get(response["Location"])
        assert shown.status_code == 200, (url, data, shown.status_code)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_random_input_never_answers_a_server_error(name, operator_client):
    client, urls = operator_client
    url = urls[name]

    @FUZZ
    @given(data=_fields(FORMS[name][1]))
    # Found by this test: a primary key beyond 64 bits in a multiple choice (SQLite raised
    # OverflowError inside ModelMultipleChoiceField, a 500).
    @example(data={"activities": "99999999999999999999999999", "partner": "9" * 30})
    def fuzz(data: dict) -> None:
        _post(client, url, data)

    fuzz()


def test_a_well_formed_intake_still_goes_through_after_the_fuzzing(operator_client):
    """The fuzzed pages are the real ones: a valid POST is accepted (the test can fail)."""
    client, urls = operator_client
    cf = fiscal_code.encode(
        last_name="Fuzzi",
        first_name="Anna",
        birth_date=dt.date(1990, 5, 17),
        sex="F",
        place_code="B898",
    )
    response = client.post(urls["casework:search"], {"q": "Nessuno Conosciuto"}, follow=True)
    assert response.status_code == 200
    assert "Nessuna persona trovata" in response.content.decode()
    response = client.post(reverse("casework:cf_decode"), {"fiscal_code": cf, "gender": "F"})
    assert response.status_code == 200
    assert response.json()
