"""Every quarter since the project started, and where the data is (issue 11, items 6, 9)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("reports:review")


@pytest.fixture
def q2024_1(db):
    for day in (5, 6, 7):
        factories.meeting(factories.intake(opened_on=dt.date(2024, 2, day)), days_after=1)


def test_any_quarter_since_2021_is_bookmarkable(client, udp_reader):
    client.force_login(udp_reader)
    response = client.get(URL, {"period": "q2021-1"})
    review = response.context["review"]
    assert (review.start, review.end) == (dt.date(2021, 1, 1), dt.date(2021, 3, 31))
    html = response.content.decode()
    assert '<option value="q2021-1" selected>' in html
    assert client.get(URL, {"period": "q2020-4"}).context["review"] is None  # before the project


def test_an_empty_last_quarter_opens_on_the_last_quarter_with_data(client, udp_reader, q2024_1):
    client.force_login(udp_reader)
    response = client.get(URL)
    review = response.context["review"]
    assert (review.start, review.end) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert response.context["form"].data["period"] == "q2024-1"
    assert not review.is_empty
    # Data in the last completed quarter: that one, as before.
    today = timezone.localdate()  # Rome's day, as the page's
    first_month = 3 * ((today.month - 1) // 3) + 1
    last_quarter_day = dt.date(today.year, first_month, 1) - dt.timedelta(days=1)
    factories.intake(opened_on=last_quarter_day)
    review = client.get(URL).context["review"]
    assert review.end == last_quarter_day


def test_an_empty_period_says_where_the_data_is(client, udp_reader, q2024_1):
    client.force_login(udp_reader)
    html = client.get(URL, {"period": "q2022-3"}).content.decode()
    notice = re.search(r'id="where-the-data-is">(.*?)</div>', html, re.S).group(1)
    assert "I dati registrati vanno dal 05/02/2024 al 08/02/2024." in notice
    assert 'href="?period=q2024-1"' in notice
    # Empty charts say so instead of drawing blank axes.
    assert "nessun dato nel periodo" in html
    assert "<canvas" not in html


def test_without_any_data_the_page_says_so(client, udp_reader):
    client.force_login(udp_reader)
    html = client.get(URL).content.decode()
    assert "non ci sono ancora prese in carico né colloqui registrati" in html


def test_the_scrolling_tables_take_keyboard_focus_and_have_a_name(client, udp_reader, q2024_1):
    client.force_login(udp_reader)
    html = client.get(URL, {"period": "q2024-1"}).content.decode()
    containers = re.findall(r'<div class="table-responsive"[^>]*>', html)
    assert len(containers) >= 23
    for tag in containers:
        assert 'tabindex="0"' in tag and 'role="region"' in tag and "aria-labelledby=" in tag
