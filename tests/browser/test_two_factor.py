"""Two-factor login in a real browser (Debian's Chromium through Playwright): an Ufficio di
Piano user enrols by reading the key off the page, the QR code shows under the app's CSP,
and the next login asks for a code."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from casework import roles
from tests import factories
from tests.browser.conftest import axe_violations, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def code_for(secret: str, *, steps_ahead: int = 0) -> str:
    return f"{totp(b32decode(secret), drift=steps_ahead):06d}"


def test_enrol_then_log_in_with_a_code(page, settings):
    settings.TWO_FACTOR_REQUIRED = True
    # Without drift sync a code accepted one step late does not shift the device's window,
    # so the second login's "next" code is always within tolerance (no time-step flakiness).
    settings.OTP_TOTP_SYNC = False
    factories.user("udp.reader", role=roles.PLANNING_OFFICE)

    login(page, "udp.reader")
    expect(page.get_by_role("heading", level=1)).to_have_text("Attiva l'accesso a due fattori")
    assert "/account/2fa/attiva/" in page.url
    qr = page.locator("#totp-qr")
    expect(qr).to_be_visible()
    assert page.evaluate("document.getElementById('totp-qr').naturalWidth") > 0
    assert axe_violations(page) == []
    secret = page.locator("#totp-secret").inner_text().strip()

    page.get_by_label("Codice a 6 cifre").fill("12345")
    page.get_by_role("button", name="Attiva").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("6 cifre")

    page.get_by_label("Codice a 6 cifre").fill(code_for(secret))
    page.get_by_role("button", name="Attiva").click()
    page.wait_for_load_state()
    assert "/account/2fa/" not in page.url
    expect(page.get_by_text("Accesso a due fattori attivato.")).to_be_visible()

    page.get_by_role("button", name="Esci").click()
    login(page, "udp.reader")
    expect(page.get_by_role("heading", level=1)).to_have_text("Codice di verifica")
    # The code just used is spent; the next one (within the allowed drift) is accepted.
    page.get_by_label("Codice a 6 cifre").fill(code_for(secret, steps_ahead=1))
    page.get_by_role("button", name="Verifica").click()
    page.wait_for_load_state()
    assert "/account/2fa/" not in page.url
    assert page.browser_errors == []
