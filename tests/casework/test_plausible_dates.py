"""Issue 10, items 8-10: nothing implausible gets in — the same rule in the form, the
import (the row error names the column) and, where it can hold it, the database.

* An intake is not dated before its desk opened; a desk without an opening date takes
  intakes with a visible notice (new-intake page, Desk and intake admin).
* Months of unemployment are no more than the months since the 15th birthday.
* A case is not closed before its last meeting, referral or outcome; nothing is added to a
  closed case after its closure. A next appointment is at most a year ahead.
* Dates out of range (year 1, year 9999) are a field error, never a server error.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from casework import roles
from casework.choices import (
    ClosureReason,
    IntakeStatus,
    MeetingMode,
    ReferralKind,
    ReferralOutcome,
)
from casework.models import Intake, Meeting, Referral, months_since_15
from casework.resources import IntakeResource, MeetingResource, bad_row_numbers, row_errors
from sportelli.models import Desk
from tests import factories
from tests.casework.test_import_export import dataset, xlsx_file
from tests.casework.test_views_intake import form_data

pytestmark = pytest.mark.django_db

GUSSOLA_OPENED = dt.date(2021, 4, 1)  # sportelli migration 0003


def refused(name: str):
    """The block raises an IntegrityError naming the guard ``name`` (both backends)."""

    class _Refused:
        def __enter__(self):
            self.raises = pytest.raises(IntegrityError)
            self.info = self.raises.__enter__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()

        def __exit__(self, *exc):
            self.atomic.__exit__(*exc)
            handled = self.raises.__exit__(*exc)
            assert name in str(self.info.value), str(self.info.value)
            return handled

    return _Refused()


def _logged_in(*desks: str) -> Client:
    client = Client()
    client.force_login(factories.user("op.test", role=roles.OPERATOR, desks=desks))
    return client


# --- 8. Not before the desk opened --------------------------------------------------------


def test_an_intake_before_its_desks_opening_is_a_form_error():
    client = _logged_in("gussola")
    url = reverse("casework:intake_new", args=["gussola"])
    response = client.post(url, form_data(opened_on="2021-03-31"))
    assert response.status_code == 200
    errors = response.context["intake_form"].errors
    assert "apertura dello sportello (01/04/2021)" in str(errors["opened_on"]), errors
    assert not Intake.objects.exists()
    response = client.post(url, form_data(opened_on="2021-04-01"))
    assert response.status_code == 302
    assert Intake.objects.get().opened_on == GUSSOLA_OPENED


def test_a_desk_without_opening_date_takes_intakes_with_a_notice():
    client = _logged_in("piadena-drizzona", "casalmaggiore")
    url = reverse("casework:intake_new", args=["piadena-drizzona"])
    page = client.get(url).content.decode()
    assert 'id="desk-opening-unknown"' in page
    assert "non è ancora registrata" in page
    response = client.post(url, form_data(opened_on="2021-01-02"))
    assert response.status_code == 302
    assert Intake.objects.get().desk.slug == "piadena-drizzona"
    other = client.get(reverse("casework:intake_new", args=["casalmaggiore"])).content.decode()
    assert 'id="desk-opening-unknown"' not in other


@pytest.mark.parametrize(
    "url_name", ["admin:sportelli_desk_changelist", "admin:casework_intake_changelist"]
)
def test_the_admin_says_which_desks_have_no_opening_date(client, administrator, url_name):
    client.force_login(administrator)
    shown = [str(m) for m in client.get(reverse(url_name)).context["messages"]]
    assert any("Piadena Drizzona, San Giovanni in Croce" in m for m in shown), shown
    Desk.objects.filter(opened_on__isnull=True).update(opened_on=dt.date(2021, 3, 1))
    shown = [str(m) for m in client.get(reverse(url_name)).context["messages"]]
    assert not any("Data di apertura non ancora registrata" in m for m in shown), shown


def test_a_desk_change_page_also_says_so(client, administrator):
    client.force_login(administrator)
    gussola = Desk.objects.get(slug="gussola")
    response = client.get(reverse("admin:sportelli_desk_change", args=[gussola.pk]))
    assert any("Piadena Drizzona" in str(m) for m in response.context["messages"])


def test_an_import_row_before_its_desks_opening_names_the_column():
    person = factories.person()
    header = ["codice_fiscale", "sportello", "data_presa_in_carico", "canale",
              "bisogno_principale", "condizione_occupazionale"]  # fmt: skip
    rows = [
        [person.fiscal_code, "Gussola", "31/03/2021", "spontaneo", "orientamento", "occupato"],
        [
            person.fiscal_code,
            "Piadena Drizzona",
            "02/01/2021",
            "spontaneo",
            "orientamento",
            "occupato",
        ],
    ]
    result = IntakeResource().import_data(dataset(xlsx_file(header, rows)), dry_run=True)
    assert bad_row_numbers(result) == [1]
    message = dict(row_errors(result))[1]
    assert message.startswith("data_presa_in_carico:"), message
    assert "apertura dello sportello (01/04/2021)" in message


def test_the_database_refuses_an_intake_before_its_desks_opening():
    with refused("casework_intake_after_desk_opening"):
        factories.intake(desk_slug="gussola", opened_on=dt.date(2021, 3, 31))
    intake = factories.intake(desk_slug="gussola", opened_on=GUSSOLA_OPENED)
    with refused("casework_intake_after_desk_opening"):
        Intake.objects.filter(pk=intake.pk).update(opened_on=dt.date(2021, 3, 1))
    # A desk whose opening is unknown is not checked.
    factories.intake(desk_slug="piadena-drizzona", opened_on=dt.date(2021, 1, 2))


def test_a_desks_opening_cannot_move_after_its_intakes():
    factories.intake(desk_slug="piadena-drizzona", opened_on=dt.date(2021, 2, 10))
    desk = Desk.objects.get(slug="piadena-drizzona")
    desk.opened_on = dt.date(2021, 3, 1)
    with pytest.raises(ValidationError) as info:
        desk.full_clean()
    assert "10/02/2021" in str(info.value.message_dict["opened_on"])
    with refused("casework_desk_opened_before_its_intakes"):
        Desk.objects.filter(pk=desk.pk).update(opened_on=dt.date(2021, 3, 1))
    Desk.objects.filter(pk=desk.pk).update(opened_on=dt.date(2021, 2, 10))  # same day: fine


# --- 9. Months of unemployment ------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "months"),
    [
        (dt.date(2020, 1, 1), 0),  # not 15 yet
        (dt.date(2021, 3, 10), 0),  # the birthday itself
        (dt.date(2021, 4, 9), 0),
        (dt.date(2021, 4, 10), 1),
        (dt.date(2022, 3, 9), 11),
        (dt.date(2022, 3, 10), 12),
    ],
)
def test_months_since_the_15th_birthday(on, months):
    assert months_since_15(dt.date(2006, 3, 10), on) == months


def test_more_months_of_unemployment_than_since_15_is_a_form_error():
    client = _logged_in("casalmaggiore")
    url = reverse("casework:intake_new", args=["casalmaggiore"])
    # Born 10/05/1998: 15 on 10/05/2013; on 09/06/2021, 96 months later.
    response = client.post(url, form_data(opened_on="2021-06-09", unemployment_months="97"))
    assert response.status_code == 200
    errors = response.context["intake_form"].errors
    assert "quindicesimo compleanno alla presa in carico (96)" in str(
        errors["unemployment_months"]
    ), errors
    assert not Intake.objects.exists()
    response = client.post(url, form_data(opened_on="2021-06-09", unemployment_months="96"))
    assert response.status_code == 302


def test_an_import_row_with_too_many_months_names_the_column():
    young = factories.person(birth_date=dt.date(2006, 1, 20))
    header = ["codice_fiscale", "sportello", "data_presa_in_carico", "canale",
              "bisogno_principale", "condizione_occupazionale", "mesi_disoccupazione"]  # fmt: skip
    rows = [[young.fiscal_code, "Casalmaggiore", "20/07/2021", "spontaneo", "orientamento",
             "disoccupato", 19]]  # fmt: skip
    result = IntakeResource().import_data(dataset(xlsx_file(header, rows)), dry_run=True)
    message = dict(row_errors(result))[1]
    assert message.startswith("mesi_disoccupazione:"), message
    assert "(6)" in message


# --- 10. Closure after the last event; next appointment; dates out of range ---------------


@pytest.fixture
def followed() -> Intake:
    """Opened 15/02/2021, a meeting on 01/03, a referral on 05/03 with its outcome 20/03."""
    intake = factories.intake(opened_on=dt.date(2021, 2, 15))
    factories.meeting(intake, days_after=14)
    Referral.objects.create(
        intake=intake,
        kind=ReferralKind.GOL,
        referred_on=dt.date(2021, 3, 5),
        outcome=ReferralOutcome.HIRED,
        outcome_on=dt.date(2021, 3, 20),
    )
    return intake


def test_closing_before_the_last_event_is_a_form_error(followed):
    client = _logged_in("casalmaggiore")
    url = reverse("followup:intake_close", args=[followed.pk])
    data = {
        "version": followed.version,
        "closed_on": "2021-03-19",
        "closure_reason": ClosureReason.GOALS_MET,
        "closure_note": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "ultimo colloquio, invio o esito (20/03/2021)" in str(errors["closed_on"]), errors
    followed.refresh_from_db()
    assert followed.status == IntakeStatus.OPEN
    response = client.post(url, {**data, "closed_on": "2021-03-20"})
    assert response.status_code == 302
    followed.refresh_from_db()
    assert followed.closed_on == dt.date(2021, 3, 20)


def test_an_import_row_closing_before_the_last_meeting_names_the_column(followed):
    header = ["id", "codice_fiscale", "sportello", "data_presa_in_carico", "canale",
              "bisogno_principale", "condizione_occupazionale", "stato", "data_chiusura",
              "motivo_chiusura"]  # fmt: skip
    row = [followed.pk, followed.person.fiscal_code, "Casalmaggiore", "15/02/2021", "spontaneo",
           "orientamento", "disoccupato", "chiusa", "10/03/2021", "obiettivi"]  # fmt: skip
    result = IntakeResource().import_data(dataset(xlsx_file(header, [row])), dry_run=True)
    message = dict(row_errors(result))[1]
    assert message.startswith("data_chiusura:"), message
    assert "(20/03/2021)" in message


def test_the_database_refuses_a_closure_before_the_last_event(followed):
    closing = {"status": IntakeStatus.CLOSED, "closure_reason": ClosureReason.GOALS_MET}
    for day in (dt.date(2021, 2, 28), dt.date(2021, 3, 4), dt.date(2021, 3, 19)):
        with refused("casework_intake_closed_after_last_event"):
            Intake.objects.filter(pk=followed.pk).update(closed_on=day, **closing)
    Intake.objects.filter(pk=followed.pk).update(closed_on=dt.date(2021, 3, 20), **closing)


def test_nothing_is_added_to_a_closed_case_after_its_closure(followed):
    Intake.objects.filter(pk=followed.pk).update(
        status=IntakeStatus.CLOSED,
        closed_on=dt.date(2021, 3, 20),
        closure_reason=ClosureReason.GOALS_MET,
    )
    followed.refresh_from_db()
    late = Meeting(intake=followed, held_on=dt.date(2021, 3, 21), mode=MeetingMode.PHONE)
    with pytest.raises(ValidationError) as info:
        late.full_clean()
    assert "chiuso il 20/03/2021" in str(info.value.message_dict["held_on"])
    with refused("casework_meeting_not_after_closure"):
        late.save()
    referral = Referral(intake=followed, kind=ReferralKind.SIL, referred_on=dt.date(2021, 3, 22))
    with pytest.raises(ValidationError) as info:
        referral.full_clean()
    assert "referred_on" in info.value.message_dict
    with refused("casework_referral_not_after_closure"):
        referral.save()
    with refused("casework_referral_not_after_closure"):
        Referral.objects.filter(intake=followed).update(outcome_on=dt.date(2021, 3, 25))
    # On the closure day itself: fine.
    Meeting.objects.create(intake=followed, held_on=dt.date(2021, 3, 20), mode=MeetingMode.PHONE)


def test_a_meeting_import_row_after_the_closure_names_the_column(followed):
    Intake.objects.filter(pk=followed.pk).update(
        status=IntakeStatus.CLOSED,
        closed_on=dt.date(2021, 3, 20),
        closure_reason=ClosureReason.GOALS_MET,
    )
    header = ["presa_in_carico", "data", "modalita", "durata_minuti"]
    rows = [[followed.pk, "21/03/2021", "telefono", 30]]
    result = MeetingResource().import_data(dataset(xlsx_file(header, rows)), dry_run=True)
    message = dict(row_errors(result))[1]
    assert message.startswith("data:"), message
    assert "chiuso il 20/03/2021" in message


OUT_OF_RANGE = ["0001-01-01", "9999-12-31"]


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_out_of_range_dates_on_the_intake_page_are_field_errors(value):
    client = _logged_in("casalmaggiore")
    url = reverse("casework:intake_new", args=["casalmaggiore"])
    response = client.post(url, form_data(opened_on=value))
    assert response.status_code == 200
    assert "opened_on" in response.context["intake_form"].errors
    assert not Intake.objects.exists()


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize(
    ("url_name", "field", "extra"),
    [
        ("followup:intake_close", "closed_on", {"closure_reason": ClosureReason.GOALS_MET}),
        (
            "casework:meeting_add",
            "held_on",
            {"mode": MeetingMode.PHONE, "duration_minutes": "30", "attended": "on"},
        ),
        ("casework:referral_add", "referred_on", {"kind": ReferralKind.GOL, "outcome": "in_corso"}),
        (
            "casework:referral_add",
            "outcome_on",
            {"kind": ReferralKind.GOL, "referred_on": "2021-03-01", "outcome": "assunzione"},
        ),
    ],
)
def test_out_of_range_dates_on_the_case_forms_are_field_errors(
    followed, url_name, field, extra, value
):
    client = _logged_in("casalmaggiore")
    data = {"version": followed.version, **extra, field: value}
    response = client.post(reverse(url_name, args=[followed.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_out_of_range_outcome_dates_are_field_errors(followed, value):
    referral = followed.referrals.get()
    client = _logged_in("casalmaggiore")
    response = client.post(
        reverse("casework:referral_outcome", args=[referral.pk]),
        {"version": referral.version, "outcome": ReferralOutcome.HIRED, "outcome_on": value},
    )
    assert response.status_code == 200
    assert "outcome_on" in response.context["form"].errors


def test_the_admin_notice_names_only_the_users_desks(client):
    staff = factories.user(
        "op.staff.piadena", role=roles.OPERATOR, desks=("piadena-drizzona",), is_staff=True
    )
    client.force_login(staff)
    shown = [
        str(m) for m in client.get(reverse("admin:casework_intake_changelist")).context["messages"]
    ]
    assert any("Piadena Drizzona." in m for m in shown), shown
    assert not any("San Giovanni in Croce" in m for m in shown), shown
