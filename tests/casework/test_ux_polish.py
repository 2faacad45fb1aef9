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
