"""The review page: who may open it, what it shows, and what it never does."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

URL = reverse("reports:review")
ARTICLE = {"period": "first-project"}


def get(client, user, params=None):
    if user is not None:
        client.force_login(user)
    return client.get(URL, params or {})


def test_anonymous_is_sent_to_login(client):
    response = get(client, None, ARTICLE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_without_a_role_gets_403(client, no_role_user):
    assert get(client, no_role_user, ARTICLE).status_code == 403


def test_ufficio_di_piano_reads_the_review_of_all_desks(client, udp_reader, article_quarter):
    response = get(client, udp_reader, ARTICLE)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "Dal 28/01/2021 al 27/04/2021 gli sportelli hanno accolto 72 persone" in html
    people = response.context["review"].tables["people"]
    assert people.columns[-1] == "Totale" and len(people.columns) == 5
    # The people table as rendered: the row of people taken in.
    row = re.search(r'<tr data-key="people">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row) == ["30", "16", "14", "13", "72"]
    mean = re.search(r'<tr data-key="mean">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", mean) == ["2,0", "2,1", "1,9", "1,9", "2,0"]
    # Special-category figures need their own permission.
    assert "esf_special" not in response.context["review"].tables
    assert 'id="table-esf_special"' not in html
    assert 'id="table-esf_labour"' in html


def test_administrators_also_see_special_category_indicators(
    client, administrator, article_quarter
):
    response = get(client, administrator, ARTICLE)
    assert response.status_code == 200
    assert 'id="table-esf_special"' in response.content.decode()


def test_an_operator_sees_their_own_desk_only(client, op_gussola, article_quarter):
    response = get(client, op_gussola, {"period": "first-gussola"})
    assert response.status_code == 200
    review = response.context["review"]
    assert [d.slug for d in review.desks] == ["gussola"]
    assert review.tables["people"].columns == ("Gussola",)
    # Gussola's first three months (01/04-30/06/2021): G1 5 + G2 4 + G3 3 + C11 = 13.
    assert review.tables["people"].rows[0].values == (13,)
    desk_choices = [value for value, _label in response.context["form"].fields["desk"].choices]
    assert desk_choices == ["", "gussola"]
    html = response.content.decode()
    assert '<th scope="col">Casalmaggiore</th>' not in html
    assert '<th scope="col">Gussola</th>' in html
    assert "first-project" not in html  # the whole project's preset is for who sees it all


def test_an_operator_asking_for_another_desk_gets_404(client, op_gussola):
    assert get(client, op_gussola, {**ARTICLE, "desk": "casalmaggiore"}).status_code == 404
    assert get(client, op_gussola, {**ARTICLE, "desk": "no-such-desk"}).status_code == 404


def test_the_desk_filter_and_a_custom_range(client, udp_reader, article_quarter):
    response = get(
        client,
        udp_reader,
        {"period": "custom", "start": "2021-04-01", "end": "2021-04-27", "desk": "gussola"},
    )
    assert response.status_code == 200
    review = response.context["review"]
    assert (review.start, review.end) == (dt.date(2021, 4, 1), dt.date(2021, 4, 27))
    people = {r.key: r.values for r in review.tables["people"].rows}
    # G1 5 + G2 4 + G3 3 + C11 = 13 people; 25 meetings attended.
    assert people["people"] == (13,)
    assert people["meetings"] == (25,)
    assert "lo sportello di Gussola ha accolto 13 persone" in review.summary


def test_a_wrong_range_keeps_what_was_typed_and_says_why(client, udp_reader):
    wrong = {"period": "custom", "start": "01/05/2021", "end": "01/04/2021"}
    response = get(client, udp_reader, wrong)
    assert response.status_code == 200
    assert response.context["review"] is None
    html = response.content.decode()
    assert "La data di fine non può precedere quella di inizio." in html
    assert 'value="01/04/2021"' in html and 'value="01/05/2021"' in html
    missing = get(client, udp_reader, {"period": "custom", "start": "2021-05-01"})
    assert "Indicare la data di fine dell&#x27;intervallo." in missing.content.decode()
    unknown = get(client, udp_reader, {"period": "q1999-1"})
    assert unknown.context["form"].errors["period"]


def test_without_parameters_the_last_completed_quarter_is_shown(client, udp_reader):
    response = get(client, udp_reader)
    assert response.status_code == 200
    review = response.context["review"]
    assert review.end < dt.date.today()
    assert (review.end - review.start).days in (89, 90, 91)
    assert review.start.day == 1 and review.start.month in (1, 4, 7, 10)


def test_charts_come_from_the_app_and_no_script_is_inline(client, udp_reader, article_quarter):
    html = get(client, udp_reader, ARTICLE).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attributes, _body in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes
        assert "src=" not in attributes or "//" not in attributes.split("src=")[1][:10]
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    assert "/static/js/reports.js" in html
    assert finders.find("vendor/chartjs/chart.umd.min.js")
    assert finders.find("js/reports.js")
    specs = json.loads(re.search(r'id="review-charts"[^>]*>(.*?)</script>', html, re.S).group(1))
    by_table = {spec["table"]: spec for spec in specs}
    assert by_table["age_band"]["datasets"][0]["data"] == [1, 51, 6, 9, 5]
    assert by_table["trend"]["labels"] == [
        "Gennaio 2021",
        "Febbraio 2021",
        "Marzo 2021",
        "Aprile 2021",
    ]
    for table in by_table:  # every chart sits next to the table with its figures
        assert f'id="chart-{table}"' in html and f'id="table-{table}"' in html


def test_the_page_never_puts_personal_data_on_screen(client, udp_reader, article_quarter):
    html = get(client, udp_reader, ARTICLE).content.decode()
    for people in article_quarter.people.values():
        for person in people:
            assert person.last_name not in html
            assert person.fiscal_code not in html


def test_the_page_runs_a_fixed_number_of_queries(client, udp_reader):
    client.force_login(udp_reader)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, ARTICLE).status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        factories.meeting(factories.intake(opened_on=dt.date(2021, 2, 1 + i)), days_after=1)
    few = queries()
    for i in range(60):
        factories.meeting(factories.intake(opened_on=dt.date(2021, 3, 1 + i % 28)), days_after=1)
    assert queries() == few
    # The review's 17 plus what the session, the user and the security middleware read.
    assert few <= 27


def test_the_downloads_carry_the_same_selection(client, udp_reader, op_gussola, article_quarter):
    html = get(client, udp_reader, {**ARTICLE, "desk": "gussola"}).content.decode()
    links = re.findall(r'href="(/report/[^"]+)"', html)
    workbook = [link.replace("&amp;", "&") for link in links if "foglio.xlsx" in link]
    assert len(workbook) == 2  # external and internal
    assert "variant=internal" in workbook[1]
    response = client.get(workbook[0])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert any("dati-pseudonimizzati.xlsx" in link for link in links)
    # An operator gets the external workbook of their desk only.
    client.logout()
    html = get(client, op_gussola, {"period": "first-gussola"}).content.decode()
    links = re.findall(r'href="(/report/[^"]+)"', html)
    assert [link for link in links if "xlsx" in link] == [
        "/report/foglio.xlsx?period=first-gussola&amp;start=2021-04-01&amp;end=2021-06-30&amp;desk="
    ]


def test_a_desk_without_a_period_shows_the_last_quarter_of_that_desk(client, udp_reader):
    response = get(client, udp_reader, {"desk": "gussola"})
    assert response.status_code == 200
    review = response.context["review"]
    assert [d.slug for d in review.desks] == ["gussola"]
    assert review.start.day == 1 and review.end < dt.date.today()
