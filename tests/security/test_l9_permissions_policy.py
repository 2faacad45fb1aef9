"""L9 (part) — a Permissions-Policy header turns off the browser features the app never uses
(camera, microphone, geolocation, payment, USB), on every response, in development and in
production alike (``activitycr.security.SecurityHeadersMiddleware``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from activitycr.security import PERMISSIONS_POLICY

pytestmark = pytest.mark.django_db


def test_l9_permissions_policy_on_public_private_and_error_pages(client, op_casalmaggiore):
    for directive in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert directive in PERMISSIONS_POLICY
    responses = [
        client.get(reverse("login")),
        client.get("/pagina-che-non-esiste/"),
        client.get(reverse("admin:login")),
    ]
    client.force_login(op_casalmaggiore)
    responses.append(client.get(reverse("casework:desk", args=["casalmaggiore"])))
    for response in responses:
        assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_l9_permissions_policy_in_production_mode(client, settings):
    settings.PRODUCTION = True
    settings.DEBUG = False
    response = client.get(reverse("login"))
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
