"""Issue 10, items 2 and 13 (UX audit 2026-11, A6 and C40), in a real browser.

Search → open a person → Back shows the results again (the search is POST-redirect-GET to
an opaque reference; before, Chrome showed "Confirm Form Resubmission"), and no address
the browser requests carries the CF or the surname. At 390 px the results' key columns
(name, CF, desk and status) are in view without a sideways scroll, and so are the status
and operator of the dashboard's recent intakes.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}


def test_back_after_opening_a_search_result_shows_the_results_again(
    page, live_server, op_casalmaggiore
):
    person = factories.person(last_name="Vaccarossi", first_name="Serena")
    factories.intake(person, desk_slug="casalmaggiore")
    factories.intake(factories.person(last_name="Vaccarini"), desk_slug="casalmaggiore")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    sign_in(page, op_casalmaggiore, live_server.url)

    page.goto("/sportello/casalmaggiore/")
    page.locator("[name=q]").first.fill("vaccar")
    page.locator("[name=q]").first.press("Enter")
    expect(page.locator("#results tbody tr")).to_have_count(2)
    assert "ricerca=" in page.url
    page.get_by_role("link", name="Vaccarossi Serena").click()
    expect(page).to_have_url(f"{live_server.url}/persona/{person.pk}/")

    page.go_back()
    expect(page.locator("#results tbody tr")).to_have_count(2)
    expect(page.locator("#results")).to_contain_text("Vaccarossi Serena")
    expect(page.locator("[name=q]").first).to_have_value("vaccar")
    page.reload()
    expect(page.locator("#results")).to_contain_text("Vaccarossi Serena")

    # The same by CF: the results come back, the code is in no address.
    page.locator("[name=q]").first.fill(person.fiscal_code)
    page.locator("[name=q]").first.press("Enter")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Vaccarossi Serena").click()
    page.go_back()
    expect(page.locator("#results")).to_contain_text(person.fiscal_code)

    assert requested
    for url in requested:
        assert person.fiscal_code.lower() not in url.lower(), url
        assert "vaccar" not in url.lower(), url
    assert page.browser_errors == []


def test_at_390px_the_key_columns_of_the_results_are_in_view(page, live_server, op_casalmaggiore):
    person = factories.person(last_name="Vaccarossi-Bonvicini", first_name="Serena Maria")
    factories.intake(person, desk_slug="casalmaggiore")
    page.set_viewport_size(PHONE)
    sign_in(page, op_casalmaggiore, live_server.url)
    page.goto("/sportello/casalmaggiore/")
    page.locator("[name=q]").first.fill("vaccarossi")
    page.locator("[name=q]").first.press("Enter")
    expect(page.locator("#results")).to_be_visible()

    scroller = page.locator("#search-results .table-responsive")
    sideways = scroller.evaluate("el => el.scrollWidth - el.clientWidth")
    assert sideways <= 0, f"the results scroll sideways by {sideways}px"
    row = page.locator("#results tbody tr").first
    for cell in (
        row.get_by_role("link", name="Vaccarossi-Bonvicini Serena Maria"),
        row.get_by_text(person.fiscal_code),
        row.get_by_text("Casalmaggiore ·", exact=False),
    ):
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def test_at_390px_the_recent_intakes_show_status_and_operator(page, live_server, op_casalmaggiore):
    """UX audit C40: *Stato* and *Operatore* of "Prese in carico recenti" are in view too."""
    intake = factories.intake(desk_slug="casalmaggiore", operator=op_casalmaggiore)
    page.set_viewport_size(PHONE)
    sign_in(page, op_casalmaggiore, live_server.url)
    page.goto("/sportello/casalmaggiore/")
    row = page.locator("#recent-intakes tbody tr").first
    expect(row).to_contain_text(intake.person.last_name)
    sideways = page.locator("#recent-intakes").evaluate(
        "el => el.parentElement.scrollWidth - el.parentElement.clientWidth"
    )
    assert sideways <= 0, f"the recent intakes scroll sideways by {sideways}px"
    for text in (intake.get_status_display(), op_casalmaggiore.username):
        cell = row.locator("td", has_text=text).last
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"], (text, box)
