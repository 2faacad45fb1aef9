"""UX audit B 23: Enter in a one-line field of the intake form moves to the next field
instead of sending the half-filled form; the button and Ctrl+Enter still send it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from casework.models import Intake
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEW_INTAKE = "/sportello/casalmaggiore/nuova-presa-in-carico/"


def test_enter_in_a_field_moves_on_and_sends_nothing(page, live_server, op_casalmaggiore):
    sign_in(page, op_casalmaggiore, live_server.url)
    page.goto(NEW_INTAKE)
    page.locator("[name=last_name]").fill("Bonvicini")
    page.locator("[name=last_name]").press("Enter")
    expect(page.locator("[name=first_name]")).to_be_focused()
    comune = page.locator("[name=residence_comune]")
    comune.fill("Casalm")  # the audit's case: "Casalm", then Enter in Comune di residenza
    comune.press("Enter")
    expect(comune).not_to_be_focused()
    assert page.url.endswith(NEW_INTAKE)
    expect(page.locator("#form-errors")).to_have_count(0)  # nothing was sent
    expect(page.locator("[name=last_name]")).to_have_value("Bonvicini")
    expect(page.locator("#enter-hint")).to_contain_text("Ctrl+Invio")
    assert Intake.objects.count() == 0


def test_ctrl_enter_sends_the_form(page, live_server, op_casalmaggiore):
    sign_in(page, op_casalmaggiore, live_server.url)
    page.goto(NEW_INTAKE)
    page.locator("[name=last_name]").fill("Bonvicini")
    page.locator("[name=last_name]").press("Control+Enter")
    # Sent half-filled on purpose: the server answers with the error summary, text kept.
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("[name=last_name]")).to_have_value("Bonvicini")
