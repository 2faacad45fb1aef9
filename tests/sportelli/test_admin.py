"""Django admin for comuni, foreign states and desks."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sportelli.models import Comune, Desk
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _logged_in_admin(client, administrator, settings):
    settings.TWO_FACTOR_REQUIRED = False  # tested on its own
    client.force_login(administrator)


def test_comuni_list_filters_by_flag_province_and_region(client):
    url = reverse("admin:sportelli_comune_changelist")
    flagged = client.get(url, {"is_casalasco__exact": "1"}).context["cl"]
    assert flagged.result_count == 17
    mantova = client.get(url, {"province": "MN"}).context["cl"]
    assert mantova.result_count == 64
    lombardia = client.get(url, {"region": "Lombardia"}).context["cl"]
    assert 1_400 < lombardia.result_count < 1_600
    found = client.get(url, {"q": "B898"}).context["cl"].result_list
    assert [c.name for c in found] == ["Casalmaggiore"]
    found = client.get(url, {"q": "casalmaggiore"}).context["cl"].result_list
    assert [c.code for c in found] == ["B898"]


def test_comuni_list_shows_100_of_7900_in_a_few_queries(client):
    url = reverse("admin:sportelli_comune_changelist")
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["cl"].result_list) == 100
    assert len(ctx.captured_queries) <= 20
    # The flag is editable from the list.
    assert 'name="form-0-is_casalasco"' in page.content.decode()


def test_comuni_cannot_be_deleted_only_deactivated(client):
    comune = Comune.objects.get(name="Viadana")
    page = client.get(reverse("admin:sportelli_comune_delete", args=[comune.pk]))
    assert page.status_code == 403


def test_operators_are_assigned_to_desks_in_admin(client, op_casalmaggiore):
    gussola = Desk.objects.get(slug="gussola")
    page = client.get(reverse("admin:sportelli_desk_change", args=[gussola.pk]))
    html = page.content.decode()
    assert "selectfilter" in html.lower() or "SelectFilter" in html  # filter_horizontal
    assert html.count("<option") < 200  # no select of 7,900 comuni
    data = {
        "name": gussola.name,
        "slug": gussola.slug,
        "comune": gussola.comune_id,
        "address": "Piazza Comaschi 1",
        "active": "on",
        "opened_on": "01/04/2021",
        "opening_note": gussola.opening_note,
        "operators": [op_casalmaggiore.pk],
        "_save": "Salva",
    }
    response = client.post(reverse("admin:sportelli_desk_change", args=[gussola.pk]), data)
    assert response.status_code == 302
    assert set(Desk.objects.visible_to(op_casalmaggiore).values_list("slug", flat=True)) == {
        "casalmaggiore",
        "gussola",
    }


def test_desk_list_counts_operators_without_a_query_per_row(client):
    for i in range(5):
        factories.user(f"op{i}", desks=("gussola", "casalmaggiore"))
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("admin:sportelli_desk_changelist"))
    counts = {d.slug: d._operator_count for d in page.context["cl"].result_list}
    assert counts["gussola"] == 5 and counts["piadena-drizzona"] == 0
    assert len(ctx.captured_queries) <= 20


def test_countries_are_searchable(client):
    found = client.get(reverse("admin:sportelli_country_changelist"), {"q": "Z112"})
    assert [c.code for c in found.context["cl"].result_list] == ["Z112"]
