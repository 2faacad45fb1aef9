"""Issue 10 item 12 and the counter of item 11, in a real browser: a form sent back with
errors puts them all in a summary at the top, focus moves to it, and each of its links
moves focus to its field; a long text counts its characters against its limit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_error_summary_takes_focus_and_links_to_each_field(page, live_server, op_casalmaggiore):
    sign_in(page, op_casalmaggiore, live_server.url)
    page.goto("/sportello/casalmaggiore/nuova-presa-in-carico/")
    # A person part and an intake part both wrong: one round, one summary.
    page.locator("[name=last_name]").fill("Bonvicini")
    page.locator("[name=first_name]").fill("Giulia")
    page.locator("[name=birth_date]").fill("1998-05-12")
    page.locator("[name=gender]").select_option("F")
    page.locator("[name=phone]").fill("telefono di casa")
    page.locator("[name=email]").fill("giulia@")
    page.locator("[name=main_need]").select_option(label="Orientamento")
    page.locator("#intake-submit").click()

    summary = page.locator("#form-errors")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    links = summary.locator("a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    for wanted in ("#id_phone", "#id_email", "#id_education", "#id_channel"):
        assert wanted in targets, targets
    for target in targets:  # every link leads to a field of the page
        assert page.locator(target).count() == 1, target
    expect(summary).to_contain_text("Numero di telefono non valido")

    summary.locator("a[href='#id_phone']").click()
    expect(page.locator("#id_phone")).to_be_focused()
    expect(page.locator("#id_phone")).to_have_value("telefono di casa")  # kept as typed


def test_a_long_text_counts_its_characters(page, live_server, op_casalmaggiore):
    sign_in(page, op_casalmaggiore, live_server.url)
    page.goto("/sportello/casalmaggiore/nuova-presa-in-carico/")
    needs = page.locator("[name=needs]")
    counter = page.locator("#id_needs-counter")
    expect(counter).to_have_text("0 caratteri su 2000")
    needs.fill("Cerca un primo impiego.")
    expect(counter).to_have_text("23 caratteri su 2000")
    assert "id_needs-counter" in (needs.get_attribute("aria-describedby") or "")
    needs.fill("x" * 2500)  # the browser stops at the limit
    expect(counter).to_have_text("2000 caratteri su 2000")
    expect(counter).to_have_class(re.compile(r"\btext-danger\b"))
