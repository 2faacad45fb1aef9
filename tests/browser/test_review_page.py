"""Issue 4: the quarterly review page in a real browser (Debian's Chromium): the charts are drawn by
static/js/reports.js with Chart.js served by the app, and axe-core finds no serious or
critical problem."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from casework import roles
from reports.periods import PROJECT_START
from reports.sending import send_review
from tests import factories
from tests.browser.conftest import assert_accessible, horizontal_overflow, sign_in
from tests.reports.conftest import build_article_quarter

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_ufficio_di_piano_reads_the_quarter_with_its_charts(page, live_server):
    build_article_quarter()
    reader = factories.user("udp.browser", role=roles.PLANNING_OFFICE)
    sign_in(page, reader, live_server.url)
    page.goto("/report/")

    # The period selector: the article's first three months, all desks.
    page.locator("#id_period").select_option("first-project")
    page.get_by_role("button", name="Mostra").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", level=1)).to_have_text("Revisione trimestrale")
    expect(page.locator("#review-summary")).to_contain_text(
        "gli sportelli hanno accolto 72 persone (73 prese in carico), con una media di 2,0 "
        "colloqui a persona"
    )
    charts = page.locator("canvas[data-drawn=true]")
    expect(charts).to_have_count(9)  # people, age band, gender, labour, ISCED, modes, ...
    box = page.locator("#chart-age_band").bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    # Month by month, coinciding lines stay apart by dash and marker (UX audit C 29).
    styles = page.evaluate(
        """() => window.Chart.getChart(document.getElementById('chart-trend'))
               .data.datasets.map(d => JSON.stringify([d.borderDash, d.pointStyle]))"""
    )
    assert len(styles) >= 2 and len(set(styles)) == len(styles), styles
    # Each chart is followed by its table, read by screen readers.
    expect(page.locator("#table-age_band tfoot td").last).to_have_text("72")
    assert horizontal_overflow(page) == 0
    assert_accessible(page)

    # The desk filter keeps the period.
    page.locator("#id_desk").select_option("gussola")
    page.get_by_role("button", name="Mostra").click()
    page.wait_for_load_state()
    expect(page.locator("#review-summary")).to_contain_text("lo sportello di Gussola ha accolto")
    assert "period=first-project" in page.url and "desk=gussola" in page.url


def test_a_wrong_range_is_explained_next_to_the_field(page, live_server):
    reader = factories.user("udp.browser2", role=roles.PLANNING_OFFICE)
    sign_in(page, reader, live_server.url)
    page.goto("/report/")
    page.locator("#id_period").select_option("custom")
    page.get_by_label("Dal", exact=True).fill("01/05/2021")
    page.get_by_label("Al", exact=True).fill("01/04/2021")
    page.get_by_role("button", name="Mostra").click()
    page.wait_for_load_state()
    end = page.get_by_label("Al", exact=True)
    expect(end).to_have_value("01/04/2021")
    expect(end).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_end_error")).to_contain_text(
        "La data di fine non può precedere quella di inizio."
    )
    assert_accessible(page)


def test_typing_dates_picks_the_custom_range(page, live_server):
    """UX audit B 15: Dal/Al typed while a quarter was selected were silently ignored; typing
    a date now switches Periodo to the custom range, and the dates typed are shown."""
    reader = factories.user("udp.browser3", role=roles.PLANNING_OFFICE)
    sign_in(page, reader, live_server.url)
    page.goto("/report/")
    assert page.locator("#id_period").input_value() != "custom"
    page.get_by_label("Dal", exact=True).fill("01/02/2021")
    expect(page.locator("#id_period")).to_have_value("custom")
    page.get_by_label("Al", exact=True).fill("30/04/2021")
    page.get_by_role("button", name="Mostra").click()
    page.wait_for_load_state()
    assert "period=custom" in page.url
    expect(page.get_by_text("Periodo: dal 01/02/2021 al 30/04/2021")).to_be_visible()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_review_passes_axe_on_a_phone_as_on_a_desktop(page, live_server, width):
    """Issue 11, item 9: the scrolling tables take keyboard focus and have a name, at 390 px
    as at 1,280 px, on a sent review with its drift and versions too."""
    build_article_quarter()
    reader = factories.user(f"udp.axe{width}", role=roles.PLANNING_OFFICE)
    send_review(
        user=reader,
        start=PROJECT_START,
        end=dt.date(2021, 4, 27),
        desk=None,
        recipients="Regione Lombardia",
        sent_on=dt.date(2021, 5, 10),
    )
    factories.intake(opened_on=dt.date(2021, 3, 3))  # a late record: the drift has a row
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, reader, live_server.url)
    page.goto("/report/?period=first-project")
    expect(page.locator("#sent-banner")).to_be_visible()
    expect(page.locator("#drift-table")).to_be_visible()
    regions = page.locator("div.table-responsive[tabindex='0']")
    assert regions.count() >= 25
    first = page.locator("#table-people .table-responsive")
    first.focus()
    expect(first).to_be_focused()
    expect(first).to_have_accessible_name("Persone, prese in carico, colloqui e accessi")
    assert_accessible(page)


def test_an_empty_period_says_nessun_dato_instead_of_blank_charts(page, live_server):
    factories.intake(opened_on=dt.date(2024, 2, 5))
    reader = factories.user("udp.empty", role=roles.PLANNING_OFFICE)
    sign_in(page, reader, live_server.url)
    page.goto("/report/?period=q2022-1")
    expect(page.locator("#where-the-data-is")).to_contain_text("05/02/2024")
    expect(page.locator("canvas")).to_have_count(0)
    expect(page.locator("#chart-age_band-empty")).to_contain_text("nessun dato")
    assert_accessible(page)
