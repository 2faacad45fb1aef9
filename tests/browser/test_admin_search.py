"""M7 (security review 2026-11) in a real browser: an administrator searches the people's
list by codice fiscale and picks a person in an autocomplete widget; no address the browser
requests carries the codice fiscale or the surname, and both still work (under the CSP)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_m7_admin_search_and_autocomplete_keep_names_out_of_urls(page, live_server, administrator):
    person = factories.person(last_name="Lodirizzini", first_name="Elena")
    factories.intake(person, desk_slug="casalmaggiore")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    sign_in(page, administrator, live_server.url)

    # The people's list: search by CF; the list comes back at an opaque address.
    page.goto("/admin/casework/person/")
    page.locator("#searchbar").fill(person.fiscal_code)
    page.locator("#changelist-search input[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#result_list")).to_contain_text("Lodirizzini")
    assert "_ricerca=" in page.url
    page.reload()
    expect(page.locator("#result_list")).to_contain_text("Lodirizzini")
    expect(page.locator("#searchbar")).to_have_value(person.fiscal_code)

    # A new meeting: the intake's autocomplete finds the case by surname, by POST.
    page.goto("/admin/casework/intake/add/")
    page.locator(".field-person .select2-selection").click()
    page.locator(".select2-search__field").fill("Lodiriz")
    option = page.locator(".select2-results__option", has_text="Lodirizzini")
    expect(option).to_be_visible()
    option.click()
    expect(page.locator("#select2-id_person-container")).to_contain_text("Lodirizzini")

    for url in requested:
        assert person.fiscal_code not in url, url
        assert "lodiriz" not in url.lower(), url
    # The admin pages have no favicon of their own; anything else the browser reports counts.
    assert [e for e in page.browser_errors if "favicon.ico" not in e] == []
