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


def _token_value(html: str) -> str:
    tag = html.split('name="token"')[1].split(">")[0]
    return tag.split('value="')[1].split('"')[0] if 'value="' in tag else ""


def test_i10_a_refused_code_is_cleared_from_the_field(client, settings, udp_reader):
    """Audit C 32: a wrong code stayed in the field."""
    settings.TWO_FACTOR_REQUIRED = True
    device = enrol(udp_reader)
    client.force_login(udp_reader)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    html = client.post(reverse("twofactor:verify"), {"token": wrong}).content.decode()
    assert "Codice non valido" in html and _token_value(html) == ""
    # A code that is not 6 digits stays, to be corrected.
    html = client.post(reverse("twofactor:verify"), {"token": "12a456"}).content.decode()
    assert _token_value(html) == "12a456"


def test_i10_the_enrolment_page_asks_for_the_current_code_before_the_clock(
    client, settings, udp_reader
):
    """Audit B 13: the enrolment's wrong-code message sent users to the phone's clock."""
    settings.TWO_FACTOR_REQUIRED = True
    settings.TWO_FACTOR_ENROLMENT_CODE_REQUIRED = False
    client.force_login(udp_reader)
    client.get(reverse("twofactor:setup"))
    html = client.post(reverse("twofactor:setup"), {"token": "000000"}).content.decode()
    message = "Codice non valido o scaduto: scrivere il codice mostrato adesso dall'app."
    assert message.replace("'", "&#x27;") in html
    assert _token_value(html) == ""


def test_i10_logging_out_says_so_on_the_login_page(client, op_casalmaggiore):
    """Audit C 37: Esci returned to the login page with no "sei uscito"."""
    client.force_login(op_casalmaggiore)
    response = client.post(reverse("logout"), follow=True)
    assert response.request["PATH_INFO"] == reverse("login")
    assert "Sei uscito. Per continuare, accedi di nuovo." in response.content.decode()


def test_i10_the_menu_waits_for_the_second_factor(client, settings, udp_reader):
    """Audit C 32: the 2FA pages showed the whole menu before the code was verified; they
    show only the language and Esci. After the code, the menu is back."""
    settings.TWO_FACTOR_REQUIRED = True
    device = enrol(udp_reader)
    client.force_login(udp_reader)
    html = client.get(reverse("twofactor:verify")).content.decode()
    assert reverse("reports:review") not in html
    assert reverse("password_change") not in html
    assert reverse("logout") in html and "language-select" in html
    response = client.post(reverse("twofactor:verify"), {"token": current_code(device)})
    assert response.status_code == 302
    html = client.get(reverse("reports:review")).content.decode()
    assert reverse("reports:review") in html  # the menu's link


def test_i10_enrolment_shows_no_menu_either(client, settings, udp_reader):
    settings.TWO_FACTOR_REQUIRED = True
    client.force_login(udp_reader)
    response = client.get(reverse("twofactor:setup"), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("reports:review") not in html and reverse("logout") in html
