"""Issue 10, item 3 (UX audit A.9): the duplicate and known-person flows keep what was typed.

* While the CF is typed, the page says whether its person is already registered: with an
  open case at this desk (links to the case and to a new meeting), in the operator's desks,
  or only at another desk (existence only, as the search says).
* The "possibile doppione" of a person without a CF shows birth date, desk and status of the
  cases the operator may see, and taking in the person found keeps the typed intake part.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from casework.models import Intake
from tests import factories
from tests.casework.test_views_intake import NEW, form_data

pytestmark = pytest.mark.django_db
DECODE = reverse("casework:cf_decode")


@pytest.fixture
def operator(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    return op_casalmaggiore


def decode(client, code: str, desk: str = "casalmaggiore") -> dict:
    response = client.post(DECODE, {"fiscal_code": code, "desk": desk})
    assert response.status_code == 200
    return response.json()["registered"]


def test_a_new_cf_is_not_registered(client, operator):
    person = factories.person()
    code = person.fiscal_code
    person.delete()
    assert decode(client, code)["status"] == ""


def test_open_case_at_this_desk_gives_the_case_and_a_new_meeting(client, operator):
    intake = factories.intake(desk_slug="casalmaggiore")
    found = decode(client, intake.person.fiscal_code)
    assert found["status"] == "here"
    urls = [link["url"] for link in found["links"]]
    assert reverse("casework:person", args=[intake.person_id]) in urls
    assert reverse("casework:meeting_add", args=[intake.pk]) in urls


def test_registered_in_my_desks_without_an_open_case_offers_the_take_in(client, operator):
    intake = factories.intake(
        desk_slug="casalmaggiore", status="chiusa", closed_on=dt.date(2021, 3, 1),
        closure_reason="altro",
    )  # fmt: skip
    found = decode(client, intake.person.fiscal_code)
    assert found["status"] == "yours"
    assert NEW + f"?persona={intake.person_id}" in [link["url"] for link in found["links"]]


def test_known_only_at_another_desk_says_existence_only(client, operator):
    person = factories.intake(desk_slug="gussola").person
    found = decode(client, person.fiscal_code)
    assert found["status"] == "elsewhere"
    assert found["links"] == []
    assert person.last_name not in str(found)


def test_the_duplicate_warning_shows_what_is_needed_to_decide(client, operator):
    person = factories.person(with_cf=False, last_name="Rossi", first_name="Giulia",
                              birth_date=dt.date(1998, 5, 10))  # fmt: skip
    factories.intake(person, desk_slug="casalmaggiore", opened_on=dt.date(2021, 2, 15))
    typed = form_data(fiscal_code="", birth_date="1998-05-10", gender="F",
                      birthplace_comune="Casalmaggiore (CR)")  # fmt: skip
    response = client.post(NEW, typed)
    html = response.content.decode()
    assert 'id="duplicates"' in html
    assert "nata/o il 10/05/1998" in html
    assert "Casalmaggiore, dal 15/02/2021 (aperta)" in html


def test_taking_in_the_duplicate_keeps_the_typed_intake(client, operator):
    person = factories.person(with_cf=False, last_name="Rossi", first_name="Giulia",
                              birth_date=dt.date(1998, 5, 10))  # fmt: skip
    factories.intake(
        person, desk_slug="casalmaggiore", status="chiusa", closed_on=dt.date(2021, 3, 1),
        closure_reason="altro",
    )  # fmt: skip
    typed = form_data(fiscal_code="", birth_date="1998-05-10", gender="F",
                      birthplace_comune="Casalmaggiore (CR)")  # fmt: skip
    # The duplicate's button sends the same form to the known person's page.
    response = client.post(NEW + f"?persona={person.pk}", {**typed, "step": "start"})
    assert response.status_code == 200
    intake_form = response.context["intake_form"]
    assert intake_form["needs"].value() == typed["needs"]
    assert intake_form["channel"].value() == typed["channel"]
    assert not Intake.objects.filter(person=person, status="aperta").exists()
    # Confirming saves the intake for that person: no second person.
    confirm = client.post(
        NEW + f"?persona={person.pk}",
        {**typed, "submission_token": intake_form["submission_token"].value()},
    )
    assert confirm.status_code == 302
    assert person.intakes.filter(status="aperta").count() == 1
