"""Sending a quarter (issue 11, item 7): the figures of both variants and the two files are
frozen; the page shows them by default with the drift against the live data; new versions
need a reason; earlier versions stay readable and downloadable byte for byte."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from casework.models import Intake
from privacy.services import anonymise_person
from reports.models import SentFile, SentReview
from reports.review import compute_review
from reports.sending import send_review
from reports.workbook import Variant, visible_tables
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("reports:review")
SEND = reverse("reports:send")
FILE = reverse("reports:sent_file")
Q = {"period": "custom", "start": "2024-01-01", "end": "2024-03-31"}
START, END = dt.date(2024, 1, 1), dt.date(2024, 3, 31)


def _cell(table, row_key, column=-1):
    return next(r for r in table.rows if r.key == row_key).values[column]


@pytest.fixture
def quarter(db):
    """Six people at two desks, a meeting each, in the first quarter of 2024."""
    intakes = []
    for i in range(6):
        intake = factories.intake(
            desk_slug="gussola" if i % 2 else "casalmaggiore", opened_on=dt.date(2024, 2, 1 + i)
        )
        factories.meeting(intake, days_after=2)
        intakes.append(intake)
    return intakes


def _send(client, user, **extra):
    client.force_login(user)
    data = {**Q, "recipients": "Regione Lombardia", "sent_on": "15/04/2024", **extra}
    return client.post(SEND, data)


def test_sending_freezes_both_variants_and_both_files(client, udp_reader, quarter):
    response = _send(client, udp_reader)
    assert response.status_code == 302
    sending = SentReview.objects.get()
    assert (sending.version, sending.recipients, sending.sent_by) == (
        1,
        "Regione Lombardia",
        udp_reader,
    )
    assert sending.sent_on == dt.date(2024, 4, 15)
    live = compute_review(user=udp_reader, start=START, end=END)
    internal = {t["key"]: t for t in sending.figures["internal"]["tables"]}
    external = {t["key"]: t for t in sending.figures["external"]["tables"]}
    # The frozen figures are those the existing functions compute, variant by variant.
    for variant, frozen in (("internal", internal), ("external", external)):
        for key, table in visible_tables(live, user=udp_reader, variant=variant).items():
            assert [list(r.values) for r in table.rows] == [r[2] for r in frozen[key]["rows"]]
    assert _cell(live.tables["people"], "people") == 6
    assert sending.figures["internal"]["summary"] == live.summary
    files = {f.variant: f for f in SentFile.objects.filter(sending=sending)}
    assert set(files) == {"external", "internal"}
    for f in files.values():
        content = bytes(f.content)
        assert f.sha256 == hashlib.sha256(content).hexdigest() and f.size == len(content)
        wb = load_workbook(io.BytesIO(content))
        assert "Sintesi" in wb.sheetnames
    assert files["external"].filename.endswith("-all-desks-external-v1.xlsx")


def test_the_page_shows_the_sent_figures_and_the_drift(client, udp_reader, quarter):
    _send(client, udp_reader)
    factories.meeting(factories.intake(desk_slug="gussola", opened_on=dt.date(2024, 3, 1)))
    response = client.get(URL, Q)
    html = response.content.decode()
    shown = response.context["review"]
    assert _cell(shown.tables["people"], "people") == 6  # as sent, not the live 7
    assert 'id="sent-banner"' in html and "Regione Lombardia" in html
    drift = response.context["drift"]
    changed = {(c.table, c.row, c.column): (c.sent, c.live) for c in drift.internal}
    title = shown.tables["people"].title
    assert changed[(title, "Persone accolte", "Totale")] == (6, 7)
    assert changed[(title, "Persone accolte", "Gussola")] == (3, 4)
    # Each changed cell says why, from the records it counts at its desk.
    why = {(c.table, c.row, c.column): c.why for c in drift.internal}
    assert why[(title, "Persone accolte", "Gussola")] == (
        "1 presa in carico registrata dopo l'invio",
    )
    assert why[(title, "Colloqui svolti", "Gussola")] == ("1 colloquio registrato dopo l'invio",)
    assert why[(title, "Colloqui svolti", "Totale")] == ("1 colloquio registrato dopo l'invio",)
    per_person = shown.tables["meetings_per_person"].title  # people and their meetings
    assert set(why[(per_person, "Persone accolte", "Gussola")]) == {
        "1 presa in carico registrata dopo l'invio",
        "1 colloquio registrato dopo l'invio",
    }
    assert "1 colloquio registrato dopo l&#x27;invio" in html
    assert drift.reasons["intakes_added"] == 1 and drift.reasons["meetings_added"] == 1
    assert drift.reasons["intakes_corrected"] == 0 and drift.reasons["people_anonymised"] == 0
    assert 'id="drift-table"' in html
    live = client.get(URL, {**Q, "view": "live"})
    assert _cell(live.context["review"].tables["people"], "people") == 7
    assert "Mostra le cifre inviate" in live.content.decode()


def test_no_change_says_so_and_an_anonymisation_is_a_reason_not_a_change(
    client, udp_reader, quarter
):
    _send(client, udp_reader)
    html = client.get(URL, Q).content.decode()
    assert 'id="drift-none"' in html
    anonymise_person(person=quarter[0].person)
    response = client.get(URL, Q)
    drift = response.context["drift"]
    assert not drift.internal
    assert drift.reasons["people_anonymised"] == 1
    assert drift.reasons["intakes_corrected"] == 0 and drift.reasons["meetings_corrected"] == 0


def test_a_correction_and_a_deletion_are_explained(client, udp_reader, quarter):
    _send(client, udp_reader)
    intake = Intake.objects.get(pk=quarter[1].pk)
    intake.opened_on = dt.date(2024, 2, 3)  # a typo fixed: same quarter, same figures
    intake.save()
    quarter[2].meetings.get().delete()
    drift = client.get(URL, Q).context["drift"]
    assert drift.reasons["intakes_corrected"] == 1
    assert drift.reasons["deleted"] == 1
    title = client.get(URL, Q).context["review"].tables["people"].title
    why = {(c.table, c.row, c.column): c.why for c in drift.internal}
    # the meeting's deletion is among what the meetings' cells count
    assert why[(title, "Colloqui svolti", "Totale")] == ("1 registrazione cancellata",)
    desk = quarter[2].desk.name
    # its desk's column: the deletion at that desk (the intake was corrected at another)
    assert why[(title, "Colloqui svolti", desk)] == ("1 registrazione cancellata",)


def test_a_new_version_needs_a_reason_and_the_old_one_stays(client, udp_reader, quarter):
    _send(client, udp_reader)
    first = SentFile.objects.get(variant="external")
    first_bytes, first_hash = bytes(first.content), first.sha256
    factories.intake(desk_slug="gussola", opened_on=dt.date(2024, 3, 5))
    response = _send(client, udp_reader)  # no reason
    assert response.status_code == 200
    assert SentReview.objects.count() == 1
    assert response.context["send_form"].errors["reason"]
    response = _send(client, udp_reader, reason="Prese in carico registrate in ritardo")
    assert response.status_code == 302
    second = SentReview.objects.get(version=2)
    assert second.reason == "Prese in carico registrate in ritardo"
    page = client.get(URL, Q)
    assert page.context["shown_version"] == second
    assert _cell(page.context["review"].tables["people"], "people") == 7
    old = client.get(URL, {**Q, "version": "1"})
    assert _cell(old.context["review"].tables["people"], "people") == 6
    html = page.content.decode()
    links = [
        u.replace("&amp;", "&") for u in re.findall(r'href="(/report/inviata\.xlsx[^"]+)"', html)
    ]
    v1 = next(u for u in links if "version=1" in u and "variant=external" in u)
    download = client.get(v1)
    assert download.status_code == 200
    assert download.content == first_bytes
    assert hashlib.sha256(download.content).hexdigest() == first_hash
    assert download["Repr-Digest"].startswith("sha-256=:")
    assert download["Content-Disposition"].endswith('-external-v1.xlsx"')
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    export = entry.additional_data["export"]
    assert (export["sent_version"], export["sha256"], export["variant"]) == (
        1,
        first_hash,
        "external",
    )
    assert entry.actor == udp_reader


def test_bad_send_input_gets_an_italian_message_and_writes_nothing(client, udp_reader, quarter):
    response = _send(client, udp_reader, recipients="  ", sent_on="01/01/2099")
    assert response.status_code == 200
    errors = response.context["send_form"].errors
    assert "recipients" in errors
    assert errors["sent_on"] == ["La data di invio non può essere nel futuro."]
    assert not SentReview.objects.exists()
    response = _send(client, udp_reader, sent_on="31/12/2023")
    assert response.context["send_form"].errors["sent_on"] == [
        "La data di invio non può precedere l'inizio del periodo."
    ]
    assert not SentReview.objects.exists()


def test_only_the_ufficio_di_piano_and_administrators_send_and_download(
    client, udp_reader, op_gussola, administrator, quarter
):
    assert _send(client, op_gussola).status_code == 403
    assert not SentReview.objects.exists()
    assert client.get(SEND).status_code in (403, 405)
    _send(client, udp_reader)
    query = {**Q, "version": "1", "variant": "external"}
    client.force_login(op_gussola)
    assert client.get(FILE, query).status_code == 403
    html = client.get(URL, {**Q, "desk": "gussola"}).content.decode()
    assert 'id="sent"' not in html  # operators see the live page only
    client.force_login(administrator)
    assert client.get(FILE, query).status_code == 200
    assert client.get(FILE, {**query, "version": "7"}).status_code == 404
    assert client.get(FILE, {**query, "variant": "other"}).status_code == 404


def test_a_version_with_special_categories_is_for_those_who_may_see_them(
    client, udp_reader, administrator, quarter
):
    sending = send_review(
        user=administrator, start=START, end=END, desk=None, recipients="FSE+", sent_on=END
    )
    assert sending.includes_special
    query = {**Q, "version": "1", "variant": "internal"}
    client.force_login(udp_reader)
    assert client.get(FILE, query).status_code == 403
    page = client.get(URL, Q)
    assert not any(t.special_category for t in page.context["review"].tables.values())
    client.force_login(administrator)
    assert client.get(FILE, query).status_code == 200


def test_one_desk_and_all_desks_are_separate_selections(client, udp_reader, quarter):
    desk = factories.desk("gussola")
    send_review(user=udp_reader, start=START, end=END, desk=desk, recipients="A", sent_on=END)
    send_review(user=udp_reader, start=START, end=END, desk=None, recipients="B", sent_on=END)
    client.force_login(udp_reader)
    one = client.get(URL, {**Q, "desk": "gussola"})
    assert one.context["shown_version"].recipients == "A"
    assert _cell(one.context["review"].tables["people"], "people") == 3
    assert client.get(URL, Q).context["shown_version"].recipients == "B"
    assert Variant.INTERNAL in {f.variant for f in SentFile.objects.all()}


def test_a_single_desks_version_names_only_its_own_records(client, udp_reader, quarter):
    """A version of Gussola's figures: a meeting deleted at Casalmaggiore is no reason for a
    change of Gussola's, and what changed at Gussola is named."""
    gussola = {**Q, "desk": "gussola"}
    _send(client, udp_reader, desk="gussola")
    quarter[2].meetings.get().delete()  # Casalmaggiore's
    factories.meeting(quarter[1], days_after=9)  # Gussola's, a second meeting
    response = client.get(URL, gussola)
    drift = response.context["drift"]
    assert drift.reasons["deleted"] == 0 and drift.reasons["meetings_added"] == 1
    title = response.context["review"].tables["people"].title
    why = {(c.table, c.row, c.column): c.why for c in drift.internal}
    assert why[(title, "Colloqui svolti", "Gussola")] == ("1 colloquio registrato dopo l'invio",)
    assert all("cancellat" not in reason for reasons in why.values() for reason in reasons)
