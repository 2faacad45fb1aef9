"""Issue 3, item 6: an axe-core audit of every operator page, in Chromium.

axe-core comes from npm (``node_modules/axe-core``, the file the app also serves at
``static/vendor/axe/axe.min.js``); it is injected into each page and run there. No page
may have a violation of impact *serious* or *critical*, every page has exactly one h1, and
the browser logs no error (a script refused by the Content-Security-Policy, a JS error).
Forms are audited empty and sent back with errors, since that is when they are read most
carefully.

Each test walks several pages and reports every problem of every page at once.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.choices import MeetingMode, ReferralKind
from casework.models import Partner, Referral
from tests import factories
from tests.browser.conftest import axe_violations, login, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class Audit:
    """Collects the problems of each page visited, to report them all together."""

    def __init__(self, page) -> None:
        self.page = page
        self.problems: list[str] = []
        self.pages: list[str] = []

    def check(self, label: str) -> None:
        self.page.wait_for_load_state()
        self.pages.append(label)
        found = axe_violations(self.page)
        h1 = self.page.locator("h1").count()
        if h1 != 1:
            found.append(f"{h1} h1 elements (expected exactly one)")
        found += [f"browser console: {e}" for e in self.page.browser_errors]
        self.page.browser_errors.clear()
        self.problems += [f"[{label}] {self.page.url}: {p}" for p in found]

    def assert_clean(self) -> None:
        assert not self.problems, "Accessibility problems:\n" + "\n".join(self.problems)


def a_case_at_casalmaggiore():
    """An open case with a meeting (and a next appointment), a referral and its partner."""
    today = timezone.localdate()
    intake = factories.intake(desk_slug="casalmaggiore", opened_on=today - dt.timedelta(days=40))
    factories.meeting(
        intake,
        days_after=5,
        mode=MeetingMode.PHONE,
        notes="Primo colloquio telefonico.",
        next_appointment_at=timezone.now() + dt.timedelta(days=1),
    )
    Referral.objects.create(
        intake=intake,
        kind=ReferralKind.JOB_CANDIDACY,
        partner=Partner.objects.get(name="Mestieri Lombardia"),
        description="Magazziniere",
        referred_on=intake.opened_on + dt.timedelta(days=6),
    )
    # An overdue follow-up: opened two months ago, never seen again.
    factories.intake(desk_slug="casalmaggiore", opened_on=today - dt.timedelta(days=60))
    return intake


def test_login_and_password_change_pages(page, op_casalmaggiore):
    audit = Audit(page)
    page.goto("/account/login/")
    audit.check("login")
    page.get_by_label("Nome utente").fill("op.casalmaggiore")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Accedi", exact=True).click()
    expect(page.locator(".alert-danger, .errorlist, .invalid-feedback").first).to_be_visible()
    audit.check("login with a wrong password")

    login(page, "op.casalmaggiore")
    page.goto("/account/password_change/")
    audit.check("password change")
    page.locator("#form-submit").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit.check("password change with errors")
    audit.assert_clean()


def test_dashboard_search_and_intake_form(page, live_server, op_casalmaggiore):
    intake = a_case_at_casalmaggiore()
    elsewhere = factories.intake(desk_slug="gussola").person
    sign_in(page, op_casalmaggiore, live_server.url)
    audit = Audit(page)

    page.goto("/sportello/casalmaggiore/")
    expect(page.locator("#appointments-title")).to_be_visible()
    audit.check("dashboard")

    search = page.locator("[name=q]").first
    search.fill(intake.person.last_name[:4])
    search.press("Enter")
    expect(page.locator("#search-results")).to_be_visible()
    expect(page.locator("#results")).to_contain_text(intake.person.last_name)
    audit.check("search results")

    page.locator("[name=q]").first.fill("zzzz-nessuno")
    page.locator("[name=q]").first.press("Enter")
    expect(page.locator("#no-results")).to_be_visible()
    audit.check("search without results")

    page.locator("[name=q]").first.fill(elsewhere.fiscal_code)
    page.locator("[name=q]").first.press("Enter")
    expect(page.locator("#known-elsewhere")).to_be_visible()
    audit.check("search: person known at another desk")

    page.goto("/sportello/casalmaggiore/nuova-presa-in-carico/")
    audit.check("new intake form")
    page.locator("[name=fiscal_code]").fill("RSSMRA95C54B898A")
    page.locator("#intake-submit").click()
    expect(page.locator("#form-errors")).to_be_visible()
    audit.check("new intake form with errors")

    page.goto(f"/sportello/casalmaggiore/nuova-presa-in-carico/?persona={intake.person.pk}")
    audit.check("new intake for a known person")
    audit.assert_clean()


def test_case_page_and_its_forms(page, live_server, op_casalmaggiore):
    intake = a_case_at_casalmaggiore()
    referral = intake.referrals.get()
    meeting = intake.meetings.get()
    sign_in(page, op_casalmaggiore, live_server.url)
    audit = Audit(page)

    page.goto(f"/persona/{intake.person_id}/")
    expect(page.locator(f"#presa-{intake.pk}")).to_be_visible()
    audit.check("case page")

    forms = {
        "new meeting": f"/presa-in-carico/{intake.pk}/colloquio/",
        "edit meeting": f"/colloquio/{meeting.pk}/modifica/",
        "new referral": f"/presa-in-carico/{intake.pk}/invio/",
        "edit referral": f"/invio/{referral.pk}/modifica/",
        "referral outcome": f"/invio/{referral.pk}/esito/",
        "close the case": f"/presa-in-carico/{intake.pk}/chiudi/",
        "edit the person": f"/persona/{intake.person_id}/modifica/",
    }
    for label, path in forms.items():
        page.goto(path)
        audit.check(label)

    # The same forms sent back with errors.
    page.goto(forms["new meeting"])
    page.locator("[name=held_on]").fill("")
    page.locator("#form-submit").click()
    expect(page.locator("#form-errors")).to_be_visible()
    audit.check("new meeting with errors")

    page.goto(forms["new referral"])
    page.locator("#form-submit").click()
    expect(page.locator("#form-errors")).to_be_visible()
    audit.check("new referral with errors")

    page.goto(forms["close the case"])
    page.locator("#form-submit").click()
    expect(page.locator("#form-errors")).to_be_visible()
    audit.check("close with errors")
    audit.assert_clean()
