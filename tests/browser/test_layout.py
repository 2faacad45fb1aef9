"""Issue 3, item 6: the operator pages are usable at 1280 px and on a tablet.

"Usable" here is what breaks first on a narrow screen: nothing may make the page wider
than the window (a sideways scroll bar hides the end of a form or a table row).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.choices import MeetingMode, ReferralKind
from casework.models import Partner, Referral
from tests import factories
from tests.browser.conftest import DESKTOP, TABLET, horizontal_overflow, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["1280px", "tablet-820px"])
def test_no_page_is_wider_than_the_window(page, live_server, op_casalmaggiore, viewport):
    today = timezone.localdate()
    intake = factories.intake(
        desk_slug="casalmaggiore",
        opened_on=today - dt.timedelta(days=45),
        needs="Cerca lavoro come magazziniere; disponibile su turni; patente B e muletto.",
    )
    for days, mode in ((3, MeetingMode.IN_PERSON), (10, MeetingMode.PHONE)):
        factories.meeting(
            intake,
            days_after=days,
            mode=mode,
            notes="Colloquio di approfondimento: " + "competenze, disponibilità, canali. " * 4,
            next_appointment_at=timezone.now() + dt.timedelta(days=days),
        )
    Referral.objects.create(
        intake=intake,
        kind=ReferralKind.SPECIALISATION_COURSE,
        partner=Partner.objects.get(name="Energheia Impresa Sociale"),
        description="Corso di specializzazione in logistica e gestione del magazzino",
        referred_on=intake.opened_on + dt.timedelta(days=4),
    )
    factories.intake(desk_slug="casalmaggiore", opened_on=today - dt.timedelta(days=70))
    page.set_viewport_size(viewport)
    sign_in(page, op_casalmaggiore, live_server.url)

    wide: list[str] = []

    def measure(label: str) -> None:
        page.wait_for_load_state()
        extra = horizontal_overflow(page)
        if extra > 0:
            wide.append(f"{label} ({page.url}): {extra}px wider than the window")

    page.goto("/account/login/")
    measure("login")
    page.goto("/sportello/casalmaggiore/")
    expect(page.locator("h1")).to_be_visible()
    measure("dashboard")
    page.locator("[name=q]").first.fill(intake.person.last_name[:3])
    page.locator("[name=q]").first.press("Enter")
    expect(page.locator("#results")).to_be_visible()
    measure("search results")
    page.goto("/sportello/casalmaggiore/nuova-presa-in-carico/")
    page.locator("#intake-submit").click()
    expect(page.locator("#form-errors")).to_be_visible()
    measure("new intake form with errors")
    page.goto(f"/persona/{intake.person_id}/")
    expect(page.locator("ol.timeline > li")).to_have_count(2)
    measure("case page")
    page.goto(f"/presa-in-carico/{intake.pk}/colloquio/")
    measure("new meeting form")
    page.goto(f"/presa-in-carico/{intake.pk}/invio/")
    measure("new referral form")
    page.goto("/account/password_change/")
    measure("password change")
    assert not wide, "\n".join(wide)
