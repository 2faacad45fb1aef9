"""L2 (security review, November 2026): crafted input never answers 500.

Every surface the review found is here, one parametrised test each, and each asserts a
sensible answer as well as "no server error": the form again with an Italian error, a 404,
or a list filter that matches nothing. The test client re-raises a view's exception, so a
crash fails the test before any status is read.
"""

from __future__ import annotations

import datetime as dt

import pytest
import tablib
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activitycr.ids import parse_id
from casework.choices import MeetingMode
from casework.models import Activity, Meeting, Person, local_today
from casework.resources import MeetingResource, bad_row_numbers, row_errors
from reports.periods import previous_period
from reports.queries import months_between
from tests import factories
from tests.security.matrix import build_objects, login

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
# A value that str.isdigit() accepts but int() refuses ("²"), one that int() reads as 3
# (Arabic-Indic digit three), one beyond 64 bits, one just beyond a PostgreSQL bigint.
CRAFTED_IDS = ["²", "٣", HUGE, str(2**63)]


@pytest.fixture(autouse=True)
def _no_lockout(settings):
    settings.AXES_ENABLED = False


# --- parse_id ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        (HUGE, None),
        ("0", None),
        ("", None),
        (None, None),
        ("²", None),
        ("٣", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1e3", None),
        ("0x10", None),
        ("1_000", None),
    ],
)
def test_l2_parse_id_accepts_only_plain_ascii_ids_of_64_bits(value, expected):
    assert parse_id(value) == expected


# --- The review's dates: /report/, the workbook, the record export ---------------------------

EXTREME_PERIODS = [
    ("0001-01-01", "0001-12-31"),
    ("0001-01-01", "0001-01-01"),
    ("0002-01-01", "0011-12-31"),
    ("9999-01-01", "9999-12-31"),
    ("9990-01-01", "9999-12-30"),
    ("1900-01-01", "1900-03-31"),
    ("2100-01-01", "2100-03-31"),
]


@pytest.mark.parametrize(("start", "end"), EXTREME_PERIODS)
@pytest.mark.parametrize("url_name", ["reports:review", "reports:workbook", "reports:records"])
def test_l2_report_dates_out_of_range_are_a_form_error(url_name, start, end, udp_reader):
    client = login(Client(), udp_reader)
    query = {"period": "custom", "start": start, "end": end}
    response = client.get(reverse(url_name), query)
    if url_name == "reports:review":
        assert response.status_code == 200
        form = response.context["form"]
        assert not form.is_valid()
        messages = " ".join(
            str(m) for m in [*form.errors.get("start", []), *form.errors.get("end", [])]
        )
        assert "Le date vanno dal" in messages, form.errors
        assert "Le date vanno dal 01/01/2020 al " in response.content.decode()  # shown
        assert response.context["review"] is None
    else:  # the downloads send an invalid period back to the page, which shows the error
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("reports:review"))


def test_l2_report_dates_inside_the_range_still_give_the_review(udp_reader):
    client = login(Client(), udp_reader)
    today = timezone.localdate()
    for start, end in (
        ("2020-01-01", "2020-03-31"),
        ((today - dt.timedelta(days=30)).isoformat(), (today + dt.timedelta(days=300)).isoformat()),
    ):
        response = client.get(
            reverse("reports:review"), {"period": "custom", "start": start, "end": end}
        )
        assert response.status_code == 200
        assert response.context["form"].is_valid(), response.context["form"].errors
        assert response.context["review"] is not None


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(1, 1, 1), dt.date(1, 12, 31)),
        (dt.date(1, 1, 1), dt.date(1, 1, 1)),
        (dt.date(2, 1, 1), dt.date(11, 12, 31)),
        (dt.date(9999, 1, 1), dt.date(9999, 12, 31)),
        (dt.date(9990, 1, 1), dt.date(9999, 12, 30)),
        (dt.date(9999, 10, 1), dt.date(9999, 12, 31)),
    ],
)
def test_l2_previous_period_and_months_between_are_safe_at_the_limits_of_dates(start, end):
    previous_start, previous_end = previous_period(start, end)
    assert dt.date.min <= previous_start <= previous_end <= start
    months = months_between(start, end)
    assert months[0] == start.replace(day=1)
    assert months[-1] == end.replace(day=1)
    assert len(months) == (end.year - start.year) * 12 + end.month - start.month + 1


def test_l2_previous_period_is_unchanged_inside_the_range():
    assert previous_period(dt.date(2021, 4, 1), dt.date(2021, 6, 30)) == (
        dt.date(2021, 1, 1),
        dt.date(2021, 3, 31),
    )
    assert previous_period(dt.date(2021, 4, 1), dt.date(2021, 4, 10)) == (
        dt.date(2021, 3, 22),
        dt.date(2021, 3, 31),
    )


# --- The meeting form's next appointment -----------------------------------------------------


def _meeting_data(next_appointment_at: str, **extra: str) -> dict:
    return {
        "held_on": local_today().isoformat(),
        "start_time": "10:30",
        "mode": MeetingMode.PHONE,
        "duration_minutes": "30",
        "attended": "on",
        "activities": [a.pk for a in Activity.objects.filter(active=True)[:1]],
        "notes": "Colloquio",
        "next_appointment_at": next_appointment_at,
        **extra,
    }


def _in_years(years: int) -> str:
    return local_today().replace(year=local_today().year + years).isoformat() + "T09:00"


BAD_APPOINTMENTS = [
    "0001-01-01T00:00",
    "0001-01-01T23:59",
    "9999-12-31T23:59",
    "9999-01-01T00:00",
    "1900-01-01T09:00",
]


@pytest.mark.parametrize(
    "value", [*BAD_APPOINTMENTS, "in 13 months", "in 3 years", "before the meeting"]
)
@pytest.mark.parametrize("page", ["add", "edit"])
def test_l2_meeting_next_appointment_out_of_range_is_a_form_error(page, value, op_casalmaggiore):
    objects = build_objects("casalmaggiore")
    client = login(Client(), op_casalmaggiore)
    if value == "in 3 years":
        value = _in_years(3)
    elif value == "in 13 months":  # at most a year ahead (issue 10)
        value = (local_today() + dt.timedelta(days=396)).isoformat() + "T09:00"
    elif value == "before the meeting":
        value = (local_today() - dt.timedelta(days=1)).isoformat() + "T09:00"
    if page == "add":
        url = reverse("casework:meeting_add", args=[objects.intake_id])
        data = _meeting_data(value)
    else:
        meeting = Meeting.objects.get(pk=objects.meeting_id)
        url = reverse("casework:meeting_edit", args=[meeting.pk])
        data = _meeting_data(value, version=str(meeting.version))
    before = list(Meeting.objects.values_list("pk", "next_appointment_at"))
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "next_appointment_at" in errors, errors
    assert "Il prossimo appuntamento" in str(errors["next_appointment_at"])
    assert list(Meeting.objects.values_list("pk", "next_appointment_at")) == before


@pytest.mark.parametrize("value", ["today", "in 7 days", "in 11 months"])
def test_l2_meeting_next_appointment_in_range_is_saved(value, op_casalmaggiore):
    objects = build_objects("casalmaggiore")
    client = login(Client(), op_casalmaggiore)
    day = {
        "today": local_today(),
        "in 7 days": local_today() + dt.timedelta(days=7),
        "in 11 months": local_today() + dt.timedelta(days=330),
    }[value]
    url = reverse("casework:meeting_add", args=[objects.intake_id])
    response = client.post(url, _meeting_data(day.isoformat() + "T18:00"))
    assert response.status_code == 302, response.context["form"].errors
    meeting = Meeting.objects.latest("pk")
    assert timezone.localtime(meeting.next_appointment_at).date() == day


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_l2_admin_meeting_form_refuses_the_next_appointment_out_of_range(value, administrator):
    objects = build_objects("casalmaggiore")
    meeting = Meeting.objects.get(pk=objects.meeting_id)
    client = login(Client(), administrator)
    url = reverse("admin:casework_meeting_change", args=[meeting.pk])
    response = client.post(
        url,
        {
            "intake": meeting.intake_id,
            "held_on": f"{meeting.held_on:%d/%m/%Y}",
            "mode": meeting.mode,
            "duration_minutes": meeting.duration_minutes,
            "attended": "on",
            "notes": "",
            "next_appointment_at_0": value,
            "next_appointment_at_1": "00:00",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "next_appointment_at" in errors, errors
    meeting.refresh_from_db()
    assert meeting.next_appointment_at is None


# --- Admin list filters ----------------------------------------------------------------------


@pytest.mark.parametrize("value", CRAFTED_IDS)
@pytest.mark.parametrize(
    "changelist",
    [
        "admin:casework_person_changelist",
        "admin:casework_intake_changelist",
        "admin:casework_meeting_changelist",
        "admin:casework_referral_changelist",
    ],
)
def test_l2_admin_desk_filter_with_a_crafted_id_matches_nothing(changelist, value, administrator):
    build_objects("casalmaggiore")
    client = login(Client(), administrator)
    assert client.get(reverse(changelist)).context["cl"].result_count >= 1
    response = client.get(reverse(changelist), {"sportello": value})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def test_l2_admin_desk_filter_with_a_real_desk_still_filters(administrator):
    build_objects("casalmaggiore")
    client = login(Client(), administrator)
    url = reverse("admin:casework_intake_changelist")
    casalmaggiore = factories.desk("casalmaggiore").pk
    gussola = factories.desk("gussola").pk
    everything = client.get(url).context["cl"].result_count
    assert everything >= 1
    assert client.get(url, {"sportello": casalmaggiore}).context["cl"].result_count == everything
    assert client.get(url, {"sportello": gussola}).context["cl"].result_count == 0


@pytest.mark.parametrize("value", CRAFTED_IDS)
def test_l2_audit_person_filter_with_a_crafted_id_is_ignored(value, administrator):
    """No person filter is offered for a value that is no id: the list is the whole trail."""
    objects = build_objects("casalmaggiore")
    factories.person()  # entries about someone else, which a person filter would leave out
    client = login(Client(), administrator)
    url = reverse("admin:auditlog_logentry_changelist")
    everything = client.get(url).context["cl"].result_count
    one_person = client.get(url, {"persona": objects.person_id}).context["cl"].result_count
    assert 0 < one_person < everything
    response = client.get(url, {"persona": value})
    assert response.status_code == 200
    assert response.context["cl"].result_count == everything
    assert "#" + value not in response.content.decode()


@pytest.mark.parametrize("value", CRAFTED_IDS)
def test_l2_audit_model_filter_with_a_crafted_id_matches_nothing(value, administrator):
    build_objects("casalmaggiore")
    client = login(Client(), administrator)
    url = reverse("admin:auditlog_logentry_changelist")
    person_type = ContentType.objects.get_for_model(Person).pk
    assert client.get(url, {"resource_type": person_type}).context["cl"].result_count > 0
    response = client.get(url, {"resource_type": value})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


@pytest.mark.parametrize("value", [HUGE, str(2**63), str(2**64)])
def test_l2_audit_person_history_of_an_impossible_id_is_a_404(value, administrator):
    objects = build_objects("casalmaggiore")
    client = login(Client(), administrator)
    ok = client.get(reverse("admin:audit_person_history", args=[objects.person_id]))
    assert ok.status_code == 200
    response = client.get(f"/admin/auditlog/logentry/persona/{value}/")
    assert response.status_code == 404


# --- Other ids read from a query string --------------------------------------------------------


@pytest.mark.parametrize("value", [*CRAFTED_IDS, "", "abc", "-1", "0"])
def test_l2_new_intake_for_a_crafted_person_id_is_a_404(value, op_casalmaggiore):
    objects = build_objects("casalmaggiore")
    client = login(Client(), op_casalmaggiore)
    url = reverse("casework:intake_new", kwargs={"slug": "casalmaggiore"})
    # A real id: the page, or (the person has an open case here) that case.
    assert client.get(url, {"persona": objects.person_id}).status_code in (200, 302)
    assert client.get(url, {"persona": value}).status_code == 404


@pytest.mark.parametrize("value", ["²", "٣", HUGE])
def test_l2_meeting_import_with_a_crafted_intake_id_is_a_row_error(value):
    objects = build_objects("casalmaggiore")
    header = ["presa_in_carico", "data", "modalita", "durata_minuti"]
    good = [str(objects.intake_id), local_today().strftime("%d/%m/%Y"), "telefono", "30"]
    data = tablib.Dataset(good, [value, *good[1:]], headers=header)
    before = Meeting.objects.count()
    result = MeetingResource().import_data(data, dry_run=False)
    assert Meeting.objects.count() == before
    assert bad_row_numbers(result) == [2]
    assert f"Presa in carico n. {value} inesistente" in dict(row_errors(result))[2]


@pytest.mark.parametrize("value", CRAFTED_IDS)
@pytest.mark.parametrize(
    "url",
    [
        "/admin/casework/meeting/add/?intake={}",
        "/admin/casework/referral/add/?intake={}",
        "/admin/casework/intake/add/?person={}",
        "/admin/casework/intake/add/?desk={}",
        "/admin/casework/person/add/?residence_comune={}",
        "/admin/casework/privacyacknowledgement/add/?person={}",
    ],
)
def test_l2_admin_add_form_with_a_crafted_initial_id_is_an_empty_form(
    url, value, client, administrator
):
    client.force_login(administrator)
    response = client.get(url.format(value))
    assert response.status_code == 200
    field = url.split("?")[1].split("=")[0]
    assert not response.context["adminform"].form.initial.get(field)


def test_l2_admin_add_form_keeps_a_real_initial_id(client, administrator):
    intake = factories.intake()
    client.force_login(administrator)
    response = client.get(f"/admin/casework/meeting/add/?intake={intake.pk}")
    assert response.context["adminform"].form.initial["intake"] == str(intake.pk)
