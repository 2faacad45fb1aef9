"""Issue 10, item 3 in a real browser: typing the CF of someone with an open case at this
desk says so at once, with a link to the case and one to add a meeting; the duplicate
warning's button takes the person found with what was typed for the intake."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_cf_check_says_the_person_has_an_open_case_here(page, live_server, op_casalmaggiore):
    intake = factories.intake(desk_slug="casalmaggiore")
    sign_in(page, op_casalmaggiore, live_server.url)
    page.goto("/sportello/casalmaggiore/nuova-presa-in-carico/")
    page.locator("[name=fiscal_code]").fill(intake.person.fiscal_code)
    notice = page.locator("#cf-registered")
    expect(notice).to_contain_text("presa in carico aperta qui")
    notice.get_by_role("link", name="Aggiungi un colloquio").click()
    expect(page).to_have_url(f"{live_server.url}/presa-in-carico/{intake.pk}/colloquio/")
    assert page.browser_errors == []


def test_the_duplicates_button_keeps_the_typed_intake(page, live_server, op_casalmaggiore):
    person = factories.person(with_cf=False, last_name="Rossi", first_name="Giulia",
                              birth_date=dt.date(1998, 5, 10))  # fmt: skip
    factories.intake(
        person, desk_slug="casalmaggiore", status="chiusa", closed_on=dt.date(2021, 3, 1),
        closure_reason="altro",
    )  # fmt: skip
    sign_in(page, op_casalmaggiore, live_server.url)
    page.goto("/sportello/casalmaggiore/nuova-presa-in-carico/")
    page.locator("[name=last_name]").fill("Rossi")
    page.locator("[name=first_name]").fill("Giulia")
    page.locator("[name=birth_date]").fill("1998-05-10")
    page.locator("[name=gender]").select_option("F")
    page.locator("[name=birthplace_comune]").fill("Casalmaggiore (CR)")
    page.locator("[name=residence_comune]").fill("Casalmaggiore (CR)")
    page.locator("[name=citizenship]").select_option("IT")
    page.locator("[name=education]").select_option(label="Laurea triennale")
    page.locator("[name=channel]").select_option(label="Accesso spontaneo allo sportello")
    page.locator("[name=main_need]").select_option(label="Orientamento")
    page.locator("[name=needs]").fill("Scritto una volta sola.")
    page.locator("[name=labour_status]").select_option(label="Disoccupato/a")
    page.locator("#intake-submit").click()

    warning = page.locator("#duplicates")
    expect(warning).to_contain_text("nata/o il 10/05/1998")
    warning.get_by_role("button", name="È lei/lui: prendere in carico questa persona").click()
    expect(page.locator("#known-person")).to_contain_text("Rossi Giulia")
    expect(page.locator("[name=needs]")).to_have_value("Scritto una volta sola.")
    page.locator("#intake-submit").click()
    expect(page.locator("h1")).to_have_text("Rossi Giulia")
    assert person.intakes.filter(status="aperta").count() == 1
    assert page.browser_errors == []
