"""L7 (security review, November 2026): the admin export page's "Select all" checkbox works
under the Content-Security-Policy (``script-src 'self'``, no inline handlers).

django-import-export's template wired it with ``onchange="..."``, which the CSP refuses:
the toggle did nothing and Chromium logged the refusal. The project's template
(``templates/admin/import_export/export.html``) attaches the handler from
``static/js/admin-export.js`` instead.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FIELD_BOXES = '.selectable-field-export-row input[type="checkbox"]:not(.select-toggle)'


def _states(page) -> list[bool]:
    return page.locator(FIELD_BOXES).evaluate_all("boxes => boxes.map(b => b.checked)")


def test_l7_select_all_toggles_every_field_with_the_csp_on(page, live_server, administrator):
    sign_in(page, administrator, live_server.url)
    response = page.goto("/admin/casework/person/export/")
    assert response.status == 200
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp

    toggle = page.get_by_label("Seleziona tutto")
    assert toggle.is_checked()
    states = _states(page)
    assert len(states) >= 10 and all(states)  # every column of the people's export

    toggle.uncheck()
    assert not any(_states(page))
    page.locator(FIELD_BOXES).first.check()  # one field chosen by hand
    assert _states(page).count(True) == 1
    toggle.check()
    assert all(_states(page))
    # Nothing refused by the CSP, no script error (the admin has no favicon: not ours).
    assert [e for e in page.browser_errors if "/favicon.ico" not in e] == []
