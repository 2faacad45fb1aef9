"""M7 (security review 2026-11): no codice fiscale or surname in any admin URL. The admin
search is sent by POST and the list comes back at an opaque, per-session reference; the
autocomplete answers POST only."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

CHANGELISTS = (
    "/admin/casework/person/",
    "/admin/casework/intake/",
    "/admin/casework/meeting/",
    "/admin/casework/referral/",
    "/admin/auditlog/logentry/",
)


@pytest.fixture
def case(db):
    person = factories.person(last_name="Lodirizzini")
    intake = factories.intake(person, desk_slug="casalmaggiore")
    factories.meeting(intake)
    return person


def _urls_in(html: str) -> list[str]:
    return re.findall(r'(?:href|action|src)="([^"]*)"', html)


@pytest.mark.parametrize("url", CHANGELISTS)
def test_m7_admin_search_goes_by_post_and_comes_back_at_an_opaque_address(
    client, administrator, case, url
):
    client.force_login(administrator)
    for term in (case.fiscal_code, case.last_name):
        response = client.post(url, {"_search": "1", "q": term})
        assert response.status_code == 302
        location = response["Location"]
        assert term not in location
        assert term.lower() not in location.lower()
        assert re.fullmatch(re.escape(url) + r"\?_ricerca=[\w-]+", location), location
        page = client.get(location)
        assert page.status_code == 200
        html = page.content.decode()
        for link in _urls_in(html):
            assert term.lower() not in link.lower(), link
        assert page.context["cl"].query == term  # the search did run


def test_m7_the_search_finds_the_person_and_links_carry_only_the_reference(
    client, administrator, case
):
    client.force_login(administrator)
    other = factories.person(last_name="Zanardelli")
    factories.intake(other, desk_slug="gussola")
    location = client.post("/admin/casework/person/", {"_search": "1", "q": case.fiscal_code})[
        "Location"
    ]
    page = client.get(location)
    assert list(page.context["cl"].result_list) == [case]
    token = location.split("=", 1)[1]
    change_links = [u for u in _urls_in(page.content.decode()) if "/change/" in u]
    assert change_links and all(token in u for u in change_links)
    # Reload and Back: the same address gives the same results.
    again = client.get(location)
    assert list(again.context["cl"].result_list) == [case]


def test_m7_an_address_with_q_is_turned_into_a_reference(client, administrator, case):
    client.force_login(administrator)
    response = client.get("/admin/casework/person/", {"q": case.fiscal_code, "gender": "F"})
    assert response.status_code == 302
    assert case.fiscal_code not in response["Location"]
    assert "gender=F" in response["Location"]


def test_m7_the_reference_means_nothing_to_another_session(client, administrator, case):
    client.force_login(administrator)
    location = client.post("/admin/casework/person/", {"_search": "1", "q": case.fiscal_code})[
        "Location"
    ]
    other_admin = factories.user("admin.two", role="Amministratore", is_staff=True)
    other = Client()
    other.force_login(other_admin)
    page = other.get(location)
    assert page.status_code == 200
    assert page.context["cl"].query == ""


def test_m7_the_search_form_is_a_post_form_with_a_csrf_token(client, administrator, case):
    client.force_login(administrator)
    html = client.get("/admin/casework/person/").content.decode()
    form = re.search(r'<form id="changelist-search"[^>]*>', html).group(0)
    assert 'method="post"' in form
    assert "csrfmiddlewaretoken" in html.split('id="changelist-search"', 1)[1].split("</form>")[0]


def test_m7_autocomplete_answers_post_only(client, administrator, case):
    client.force_login(administrator)
    params = {
        "app_label": "casework",
        "model_name": "intake",
        "field_name": "person",
        "term": case.last_name,
    }
    assert client.get("/admin/autocomplete/", params).status_code == 405
    response = client.post("/admin/autocomplete/", params)
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(case.pk)]


def test_m7_autocomplete_post_needs_the_csrf_token(administrator, case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    response = client.post(
        "/admin/autocomplete/",
        {"app_label": "casework", "model_name": "intake", "field_name": "person", "term": "x"},
    )
    assert response.status_code == 403


def test_m7_change_forms_load_the_post_autocomplete_script(client, administrator, case):
    client.force_login(administrator)
    html = client.get("/admin/casework/intake/add/").content.decode()
    assert "js/admin-autocomplete-post.js" in html
