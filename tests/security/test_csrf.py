"""CSRF on every POST: with ``Client(enforce_csrf_checks=True)`` a POST without the token is
refused (403) by every URL of the URL map, logged in or not; with the token it goes through.

The refusal is recognised by a marker failure view (``CSRF_FAILURE_VIEW``), so a 403 for a
missing permission cannot pass for a CSRF refusal.
"""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import reverse

from tests.security.matrix import DESKS, Pattern, build_objects, login, url_for, url_patterns
from tests.security.test_matrix import EXPECTED, EXTRA_URLS, extra_patterns, import_job

MARKER = "X-Test-CSRF-Rejected"
# Views allowed to take a POST without a token (csrf_exempt): none.
CSRF_EXEMPT: set[str] = set()


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    response = HttpResponse(status=403)
    response[MARKER] = "1"
    return response


@pytest.fixture
def marked_csrf(settings):
    settings.CSRF_FAILURE_VIEW = "tests.security.test_csrf.csrf_failure"
    settings.AXES_ENABLED = False


def _targets(objects):
    table = [(p, EXPECTED[p.name]) for p in url_patterns() if p.name in EXPECTED]
    table += extra_patterns()
    table.append((Pattern("admin:login", "", ()), EXTRA_URLS["admin:index"]))
    return [(p.name, url_for(p, e, objects)) for p, e in table]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "operator", "administrator"])
def test_every_url_refuses_a_post_without_the_token(
    who, marked_csrf, op_casalmaggiore, administrator
):
    objects = {desk: build_objects(desk) for desk in DESKS}["casalmaggiore"]
    objects.extra["import_job"] = import_job(administrator).pk
    user = {"anonymous": None, "operator": op_casalmaggiore, "administrator": administrator}[who]
    client = login(Client(enforce_csrf_checks=True), user)
    accepted = []
    targets = _targets(objects)
    assert len(targets) >= 25
    for name, url in targets:
        response = client.post(url, {"q": "Rossi", "version": "1"})
        if response.get(MARKER) != "1" and name not in CSRF_EXEMPT:
            accepted.append(f"{name} {url} -> {response.status_code}")
    assert not accepted, "POST without CSRF token not refused:\n" + "\n".join(accepted)


@pytest.mark.django_db
def test_with_the_token_the_same_post_goes_through(marked_csrf, op_casalmaggiore):
    client = login(Client(enforce_csrf_checks=True), op_casalmaggiore)
    url = reverse("casework:search", kwargs={"slug": "casalmaggiore"})
    page = client.get(url)
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"q": "Rossi", "csrfmiddlewaretoken": token})
    assert response.status_code == 302  # to the results (POST-redirect-GET)
    assert response.get(MARKER) is None
    # A forged token is refused like a missing one.
    forged = client.post(url, {"q": "Rossi", "csrfmiddlewaretoken": "x" * 64})
    assert forged.get(MARKER) == "1"
