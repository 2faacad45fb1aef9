"""Issue 10 item 13: a correct 2FA code typed just after a wrong one is refused by django-otp's
slow-down; the page says so, with the exact seconds left, instead of calling it wrong."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from tests.security.test_login_protection import current_code, enrol, is_sent_to_two_factor


def test_i10_the_wait_after_a_wrong_code_is_explained_in_seconds(client, settings, udp_reader):
    settings.TWO_FACTOR_REQUIRED = True
    device = enrol(udp_reader)
    client.force_login(udp_reader)
    right = current_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    html = client.post(reverse("twofactor:verify"), {"token": wrong}).content.decode()
    assert "Codice non valido o scaduto." in html
    assert "riprova tra 1 secondo." in html

    # The right code during the slow-down: not "non valido", but the wait.
    html = client.post(reverse("twofactor:verify"), {"token": right}).content.decode()
    assert "Codice non valido" not in html
    assert "riprova tra 1 secondo." in html
    assert is_sent_to_two_factor(client.get(reverse("home")))

    # A second wrong code doubles the wait, and the page gives the new figure.
    device.refresh_from_db()
    device.throttling_failure_timestamp -= dt.timedelta(seconds=5)
    device.save()
    html = client.post(reverse("twofactor:verify"), {"token": wrong}).content.decode()
    assert "riprova tra 2 secondi." in html

    # Once the wait is over, the right code is accepted.
    device.refresh_from_db()
    device.throttling_failure_timestamp -= dt.timedelta(seconds=5)
    device.save()
    response = client.post(reverse("twofactor:verify"), {"token": right, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
