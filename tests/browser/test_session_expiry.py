"""Session expiry in a real browser (issue 10 item 1): the warning before the idle limit,
"Continua a lavorare" keeping the session without a reload, and a meeting form sent after
the session expired coming back, as typed, after logging in again."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from casework.models import Meeting
from tests import factories
from tests.browser.conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NOTES = "Cerca lavoro come magazziniere, patente C."


def test_warning_and_continua_a_lavorare_keep_the_session(
    page, live_server, op_casalmaggiore, settings
):
    settings.SESSION_COOKIE_AGE = 6  # the warning shows 3 s before the end
    intake = factories.intake()
    login(page, op_casalmaggiore.username)
    page.goto(reverse("casework:meeting_add", args=[intake.pk]))
    started = time.monotonic()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_hidden()
    page.locator("[name=notes]").fill(NOTES)
    expect(dialog).to_be_visible(timeout=6000)
    keep = dialog.get_by_role("button", name="Continua a lavorare")
    expect(keep).to_be_focused()
    keep.click()
    expect(dialog).to_be_hidden()
    expect(page.locator("[name=notes]")).to_have_value(NOTES)  # no reload
    # Past the first session's end: still logged in, thanks to the renewal.
    time.sleep(max(0.0, 7 - (time.monotonic() - started)))
    page.locator("[name=mode][value=presenza]").check()
    page.locator("#form-submit").click()
    page.wait_for_load_state()
    assert "/account/login/" not in page.url
    assert Meeting.objects.get().notes == NOTES
    assert page.browser_errors == []


def test_form_sent_after_expiry_comes_back_after_login(
    page, live_server, op_casalmaggiore, settings
):
    settings.SESSION_COOKIE_AGE = 4
    intake = factories.intake()
    login(page, op_casalmaggiore.username)
    page.goto(reverse("casework:meeting_add", args=[intake.pk]))
    page.locator("[name=mode][value=presenza]").check()
    page.locator("[name=notes]").fill(NOTES)
    # The idle limit passes: the dialog says so, and the form is sent anyway.
    expired = page.get_by_role("alertdialog").get_by_text("La sessione è scaduta")
    expect(expired).to_be_visible(timeout=8000)
    page.locator("#form-submit").click()
    page.wait_for_load_state()
    assert "/account/login/" in page.url
    expect(page.locator("#session-expired")).to_contain_text(
        "quanto avevi scritto non è andato perso"
    )
    assert not Meeting.objects.exists()
    # Nothing typed is in the browser's storage: only an opaque token in an HttpOnly cookie.
    for cookie in page.context.cookies():
        assert "magazziniere" not in cookie["value"]
    assert page.evaluate("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)") in (
        "{}{}",
    )

    page.get_by_label("Nome utente").fill(op_casalmaggiore.username)
    page.get_by_label("Password").fill("pw-test-1234")
    page.get_by_role("button", name="Accedi", exact=True).click()
    page.wait_for_load_state()
    assert page.url.endswith(reverse("casework:meeting_add", args=[intake.pk]))
    expect(page.locator("[name=notes]")).to_have_value(NOTES)
    expect(page.locator("[name=mode][value=presenza]")).to_be_checked()
    expect(page.locator("main")).to_contain_text("non è ancora salvato")
    page.locator("#form-submit").click()
    page.wait_for_load_state()
    assert Meeting.objects.get().notes == NOTES
    assert page.browser_errors == []
