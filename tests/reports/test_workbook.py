"""The quarterly workbook of the article's quarter, opened back with openpyxl: the same figures
as the page, both variants, suppression, formula escaping, formatting, charts, meta sheet."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from casework import roles
from casework.models import Partner
from reports.periods import period_slug
from reports.review import compute_review
from reports.suppression import HIDDEN, SMALL
from reports.workbook import Variant, build_workbook, workbook_filename
from sportelli.models import Comune
from tests import factories
from tests.reports.conftest import END, START, build_article_quarter

DESKS = ("Casalmaggiore", "Piadena Drizzona", "San Giovanni in Croce", "Gussola", "Totale")
QUERY = {"period": "custom", "start": "2021-01-28", "end": "2021-04-27"}


def save(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def find_table(wb, title: str):
    """(sheet, header row, headers, {row label: values}) of the table with this title, on
    the breakdown sheets (the summary sheet repeats some of them for its charts)."""
    for ws in wb.worksheets[1:]:
        for (cell,) in ws.iter_rows(min_col=1, max_col=1):
            if cell.value == title:
                header_row = cell.row + 1
                headers = [c.value for c in ws[header_row][1:] if c.value is not None]
                rows = {}
                r = header_row + 1
                while ws.cell(r, 1).value not in (None, ""):
                    rows[ws.cell(r, 1).value] = tuple(
                        ws.cell(r, c).value for c in range(2, len(headers) + 2)
                    )
                    r += 1
                return ws, header_row, headers, rows
    raise AssertionError(f"table {title!r} not in the workbook")


@pytest.fixture(scope="module")
def files(django_db_setup, django_db_blocker):
    """The article quarter's reviews and workbooks, built once (rolled back afterwards)."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_article_quarter()
        udp = factories.user("wb.udp", role=roles.PLANNING_OFFICE, first_name="Ufficio",
                             last_name="di Piano")  # fmt: skip
        admin = factories.user("wb.admin", role=roles.ADMINISTRATOR)
        review = compute_review(user=udp, start=START, end=END)
        admin_review = compute_review(user=admin, start=START, end=END)
        made_at = dt.datetime(2021, 5, 3, 8, 5, tzinfo=dt.UTC)  # 10:05 in Rome (summer time)
        result = {
            "review": review,
            "internal": load_workbook(io.BytesIO(raw := save(build_workbook(
                review=review, user=udp, variant=Variant.INTERNAL, made_at=made_at)))),
            "internal_raw": raw,
            "external": load_workbook(io.BytesIO(save(build_workbook(
                review=review, user=udp, variant=Variant.EXTERNAL, made_at=made_at)))),
            "admin": load_workbook(io.BytesIO(save(build_workbook(
                review=admin_review, user=admin, variant=Variant.INTERNAL)))),
            "admin_review": admin_review,
        }  # fmt: skip
        transaction.set_rollback(True)
    return result


def test_sheets(files):
    assert files["internal"].sheetnames == [
        "Sintesi",
        "Persone e accessi",
        "Età",
        "Genere",
        "Provenienza",
        "Lavoro e istruzione",
        "Colloqui",
        "Appuntamenti",
        "Invii ed esiti",
        "Andamento",
        "FSE+",
        "Definizioni",
        "Informazioni",
    ]


def test_internal_cells_are_the_page_figures(files):
    wb, review = files["internal"], files["review"]
    # Worked out by hand in tests/reports/test_review_figures.py from the cohorts.
    _ws, _h, headers, people = find_table(wb, "Persone, prese in carico, colloqui e accessi")
    assert tuple(headers) == DESKS
    assert people["Persone accolte"] == (30, 16, 14, 13, 72)
    assert people["Nuove prese in carico"] == (30, 16, 14, 13, 73)
    assert people["Accessi (prese in carico + colloqui svolti)"] == (90, 49, 41, 38, 218)
    _ws, _h, _headers, gender = find_table(wb, "Genere")
    assert gender == {
        "Donna": (18, 9, 8, 9, 43),
        "Uomo": (11, 7, 4, 4, 26),
        "Non binario": (1, 0, 0, 0, 1),
        "Non dichiarato": (0, 0, 2, 0, 2),
        "Totale": (30, 16, 14, 13, 72),
    }
    _ws, _h, _headers, mean = find_table(wb, "Colloqui per persona (media)")
    assert mean == {"Media dei colloqui per persona accolta": (1.97, 2.06, 1.93, 1.92, 2.0)}
    # And every table of the page, cell by cell, with the same labels and numbers.
    for table in review.tables.values():
        _ws, _h, headers, rows = find_table(wb, table.title)
        assert tuple(headers) == table.columns, table.key
        expected = {r.label: r.values for r in table.rows}
        if table.total is not None:
            expected[table.total.label] = table.total.values
        assert rows == expected, table.key


def test_numbers_are_numbers_and_headers_bold_and_panes_frozen(files):
    ws, header_row, _headers, _rows = find_table(files["internal"], "Fasce d'età degli sportelli")
    assert all(c.font.b for c in ws[header_row] if c.value is not None)
    assert ws.cell(header_row + 2, 2).data_type == "n"
    assert ws.cell(header_row + 2, 2).number_format == "#,##0"
    for ws in files["internal"].worksheets[1:]:
        assert ws.freeze_panes, ws.title
        assert ws.column_dimensions["A"].width >= 10, ws.title


def test_summary_has_native_charts_referencing_cells(files):
    ws = files["internal"]["Sintesi"]
    assert len(ws._charts) == 4
    with zipfile.ZipFile(io.BytesIO(files["internal_raw"])) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 4
        xml = z.read(charts[0]).decode()
    assert "'Sintesi'!$B$" in xml or "Sintesi!$B$" in xml
    assert ws["A4"].value == files["review"].summary


def test_definitions_sheet_defines_every_table(files):
    ws = files["internal"]["Definizioni"]
    titles = {row[0].value: row[2].value for row in ws.iter_rows(min_row=2) if row[0].value}
    for table in files["review"].tables.values():
        assert titles[table.title] == table.definition
    assert SMALL in titles and HIDDEN in titles


def test_meta_sheet(files):
    ws = files["internal"]["Informazioni"]
    meta = {row[0].value: row[1].value for row in ws.iter_rows(min_row=2)}
    assert meta["Periodo"] == "dal 28/01/2021 al 27/04/2021"
    assert meta["Sportelli"] == ", ".join(DESKS[:-1])
    assert meta["Creato il"] == "03/05/2021 10:05 (Europe/Rome)"
    assert meta["Creato da"] == "Ufficio di Piano"
    assert meta["Versione"] == "interna (tutti i valori)"
    ext = {r[0].value: r[1].value for r in files["external"]["Informazioni"].iter_rows(min_row=2)}
    assert ext["Versione"] == "esterna (valori piccoli nascosti)"
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d \(Europe/Rome\)", ext["Creato il"])


def test_external_variant_hides_small_cells(files):
    wb = files["external"]
    _ws, _h, headers, gender = find_table(wb, "Genere")
    assert headers == ["Totale"]  # outside, the breakdowns show the desks' total only
    assert gender == {
        "Donna": (43,),
        "Uomo": (26,),
        "Non binario o non dichiarato": (3,),  # merged: 1 + 2, no longer small
        "Totale": (72,),
    }
    # Every count cell of the file is a number other than 1 and 2, or a marker.
    for title in {t.title for t in files["review"].tables.values()}:
        _ws, _h, _headers, rows = find_table(wb, title)
        for label, values in rows.items():
            if "media" in label.lower():  # a mean of 2.0 reads back as 2
                continue
            for v in values:
                assert v not in (1, 2) or isinstance(v, float), (title, values)
                if isinstance(v, str):
                    assert v in (SMALL, HIDDEN), (title, v)
    _ws, _h, _headers, ages = find_table(wb, "Fasce d'età degli sportelli")
    assert ages["meno di 18"] == (SMALL,)


def test_external_file_says_how_it_is_protected(files):
    ws = files["external"]["Definizioni"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Protezione dei dati (versione esterna)" in texts
    assert any("Non binario o non dichiarato" in t for t in texts)
    assert any(t.startswith("Tabella non protetta") for t in texts) == any(
        t.startswith("Tabella non protetta")
        for ws2 in files["external"].worksheets
        for row in ws2.iter_rows()
        for c in row
        if isinstance(t := c.value, str)
    )
    internal = files["internal"]["Definizioni"]
    assert "Protezione dei dati (versione esterna)" not in [
        c.value for row in internal.iter_rows() for c in row
    ]


def test_external_charts_plot_only_visible_figures(files):
    ws = files["external"]["Sintesi"]
    for chart in ws._charts:
        for series in chart.series:
            ref = series.val.numRef.f  # e.g. 'Sintesi'!$B$20:$B$24
            cells = ref.split("!")[1].replace("$", "")
            for row in ws[cells]:
                for cell in row:
                    assert isinstance(cell.value, int | float), (ref, cell.value)


def test_external_means_over_hidden_counts_are_hidden(files):
    wb = files["external"]
    _ws, _h, headers, people = find_table(wb, "Persone, prese in carico, colloqui e accessi")
    _ws, _h, _headers, mean = find_table(wb, "Colloqui per persona (media)")
    for c, value in enumerate(mean["Media dei colloqui per persona accolta"]):
        hidden = any(v in (SMALL, HIDDEN) for v in (r[c] for r in people.values()))
        assert (value == HIDDEN) == hidden, headers[c]


def test_special_category_only_with_permission(files):
    title = "FSE+ · Dati particolari (art. 9 GDPR)"
    assert "esf_special" not in files["review"].tables
    with pytest.raises(AssertionError):
        find_table(files["internal"], title)
    _ws, _h, _headers, rows = find_table(files["admin"], title)
    # C4: 3 people with a disability; the admin's internal file shows them.
    assert rows["Partecipanti con disabilità"] == (0, 3, 0, 0, 3)


def test_filenames_carry_no_personal_data(files):
    review = files["review"]
    assert period_slug(dt.date(2021, 1, 1), dt.date(2021, 3, 31)) == "2021Q1"
    assert period_slug(dt.date(2021, 10, 1), dt.date(2021, 12, 31)) == "2021Q4"
    assert (
        workbook_filename(review, variant="external", all_desks=True)
        == "activitycr-review-20210128-20210427-all-desks-external.xlsx"
    )


# --- formula escaping -----------------------------------------------------------------------


@pytest.mark.django_db
def test_names_that_look_like_formulas_stay_text(udp_reader):
    evil_partner = Partner.objects.create(name='=HYPERLINK("http://x","clic")', kind="altro")
    intake = factories.intake(opened_on=dt.date(2021, 2, 15))
    Comune.objects.filter(name="Casalmaggiore").update(name="+SUM(1,2)")
    factories.meeting(intake)
    intake.referrals.create(kind="altra_misura", partner=evil_partner, referred_on=intake.opened_on)
    review = compute_review(user=udp_reader, start=START, end=END)
    raw = save(build_workbook(review=review, user=udp_reader, variant=Variant.INTERNAL))
    wb = load_workbook(io.BytesIO(raw))
    found = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+")):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    found.add(cell.value)
    assert {evil_partner.name, "+SUM(1,2)"} <= found
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(name).decode(), name


# --- the download view ----------------------------------------------------------------------


def download(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reports:workbook"), {**QUERY, **params})


def test_anonymous_goes_to_login(client, db):
    response = client.get(reverse("reports:workbook"), QUERY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_no_role_is_forbidden(client, no_role_user):
    assert download(client, no_role_user).status_code == 403


def test_operator_gets_only_own_desk_and_only_external(client, article_quarter, op_casalmaggiore):
    response = download(client, op_casalmaggiore)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        "activitycr-review-20210128-20210427-all-desks-external.xlsx"
        in (response["Content-Disposition"])
    )
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    _ws, _h, headers, people = find_table(wb, "Persone, prese in carico, colloqui e accessi")
    assert headers == ["Casalmaggiore"]
    assert people["Nuove prese in carico"] == (30,)
    assert download(client, op_casalmaggiore, variant="internal").status_code == 403
    assert download(client, op_casalmaggiore, desk="gussola").status_code == 404


def test_a_one_desk_file_of_30_people_shows_its_people(client, article_quarter, op_casalmaggiore):
    wb = load_workbook(io.BytesIO(b"".join(download(client, op_casalmaggiore).streaming_content)))
    _ws, _h, _headers, people = find_table(wb, "Persone, prese in carico, colloqui e accessi")
    assert people["Persone accolte"] == (30,)


def test_staff_internal_and_external(client, article_quarter, udp_reader):
    response = download(client, udp_reader, variant="internal", desk="gussola")
    assert response.status_code == 200
    assert (
        "activitycr-review-20210128-20210427-gussola-internal.xlsx"
        in (response["Content-Disposition"])
    )
    external = download(client, udp_reader)
    assert "all-desks-external.xlsx" in external["Content-Disposition"]
    assert download(client, udp_reader, variant="bogus").status_code == 404


def test_invalid_period_goes_back_to_the_form(client, udp_reader):
    response = download(client, udp_reader, start="2021-05-01", end="2021-01-01")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:review"))


def test_workbook_query_count_does_not_grow_with_data(
    client, udp_reader, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(udp_reader)
    factories.meeting(factories.intake(opened_on=dt.date(2021, 2, 15)))
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("reports:workbook"), QUERY).status_code == 200
    build_article_quarter()
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(reverse("reports:workbook"), QUERY).status_code == 200
