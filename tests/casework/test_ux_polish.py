"""Small things desk users notice (UX audit, sections B and C): each language in its own
name, a word after logging out, dates dd/mm/yyyy wherever a saved value is quoted."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from casework.editing import shown_value
from tests import factories

pytestmark = pytest.mark.django_db


def test_c33_each_language_is_offered_in_its_own_name(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    html = client.get(reverse("casework:desk", args=["casalmaggiore"])).content.decode()
    options = re.findall(r'<option value="(it|en)" lang="\1"[^>]*>([^<]+)</option>', html)
    assert dict(options) == {"it": "Italiano", "en": "English"}


def test_c37_logging_out_says_so(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    response = client.post(reverse("logout"), follow=True)
    assert "Sei uscito" in response.content.decode()
    # Only once: the next visit to the login page is a plain one.
    assert "Sei uscito" not in Client().get(reverse("login")).content.decode()


def test_c35_saved_dates_are_quoted_dd_mm_yyyy():
    person = factories.person()
    assert shown_value(person, "birth_date") == f"{person.birth_date:%d/%m/%Y}"


def test_b24_the_new_intake_page_starts_on_the_cf(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    html = client.get(reverse("casework:intake_new", args=["casalmaggiore"])).content.decode()
    field = re.search(r'<input[^>]*name="fiscal_code"[^>]*>', html).group(0)
    assert "autofocus" in field


@pytest.mark.parametrize("name", ["casework:meeting_add", "casework:referral_add"])
def test_b25_a_closed_case_says_so_before_any_form(client, op_casalmaggiore, name):
    import datetime as dt

    intake = factories.intake(
        desk_slug="casalmaggiore", status="chiusa", closed_on=dt.date(2021, 3, 1),
        closure_reason="altro",
    )  # fmt: skip
    client.force_login(op_casalmaggiore)
    response = client.get(reverse(name, args=[intake.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("casework:person", args=[intake.person_id]))
    page = client.get(response["Location"]).content.decode()
    assert "La presa in carico è chiusa: riaprirla" in page


@pytest.mark.parametrize("minutes", ["-5", "0", "601"])
def test_b26_one_message_for_any_duration_out_of_range(client, op_casalmaggiore, minutes):
    intake = factories.intake(desk_slug="casalmaggiore")
    client.force_login(op_casalmaggiore)
    response = client.post(
        reverse("casework:meeting_add", args=[intake.pk]),
        {"held_on": intake.opened_on.isoformat(), "mode": "presenza", "duration_minutes": minutes},
    )
    assert response.context["form"].errors["duration_minutes"] == [
        "La durata va da 1 a 600 minuti (10 ore)."
    ]
