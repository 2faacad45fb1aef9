"""Issue 12, item 8: an admin that is Italian and readable.

The search finds people as the desk's search does (accents, case, spaces); the audit trail
shows names, Italian labels and dd/mm/yyyy dates instead of ids, codes and URL names; the
third-party apps have Italian names (and English ones in English); the header names the
product. The accessibility of every page is checked in a browser
(tests/browser/test_admin_accessibility.py).
"""

from __future__ import annotations

import datetime as dt
import html as html_lib

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from audit.display import describe_entries
from casework.choices import LabourStatus, ReferralKind
from casework.models import Partner, Referral
from sportelli.models import Comune
from tests import factories

pytestmark = pytest.mark.django_db


def search(client, url: str, term: str):
    """The admin search is a POST; the list comes back at an opaque address (review M7)."""
    return client.post(url, {"_search": "1", "q": term}, follow=True)


def found(response) -> list[int]:
    return [obj.pk for obj in response.context["cl"].result_list]


@pytest.fixture
def nicolo():
    person = factories.person(last_name="Pèrego", first_name="Nicolò", gender="M")
    intake = factories.intake(person, desk_slug="casalmaggiore")
    meeting = factories.meeting(intake, days_after=1)
    referral = Referral.objects.create(
        intake=intake,
        kind=ReferralKind.JOB_CANDIDACY,
        partner=Partner.objects.get(name="Mestieri Lombardia"),
        description="Magazzino",
        referred_on=intake.opened_on,
    )
    other = factories.intake(factories.person(last_name="Nicoli", first_name="Anna"))
    return person, intake, meeting, referral, other


def test_the_admin_search_finds_nicolo_as_the_desks_search_does(client, administrator, nicolo):
    person, intake, meeting, referral, other = nicolo
    client.force_login(administrator)
    people = reverse("admin:casework_person_changelist")
    for term in ("nicolo", "NICOLÒ", "perego nicolo", "  Pérego  ", person.fiscal_code.lower()):
        assert found(search(client, people, term)) == [person.pk], term
    spaced = " ".join(person.fiscal_code[i : i + 4] for i in range(0, 16, 4))
    assert found(search(client, people, spaced)) == [person.pk]
    assert set(found(search(client, people, "nicol"))) == {person.pk, other.person_id}
    assert found(search(client, people, "nicolo zzz")) == []  # every word must match

    lists = {
        "admin:casework_intake_changelist": intake.pk,
        "admin:casework_meeting_changelist": meeting.pk,
        "admin:casework_referral_changelist": referral.pk,
    }
    for name, pk in lists.items():
        assert found(search(client, reverse(name), "perego nicolo")) == [pk], name
    # A referral is still found by its description (not part of the person's key).
    referrals = reverse("admin:casework_referral_changelist")
    assert found(search(client, referrals, "magazz")) == [referral.pk]
    assert found(search(client, referrals, "nicolo magazz")) == [referral.pk]


def test_the_autocomplete_finds_nicolo_too(client, administrator, nicolo):
    person, *_ = nicolo
    client.force_login(administrator)
    response = client.post(
        reverse("admin:autocomplete"),
        {
            "term": "nicolo",
            "app_label": "casework",
            "model_name": "intake",
            "field_name": "person",
        },
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(person.pk)]


def test_the_audit_trail_shows_names_labels_and_pages(client, administrator, op_casalmaggiore):
    person = factories.person(last_name="Ghisolfi", first_name="Marta", residence="Casalmaggiore")
    intake = factories.intake(person, desk_slug="casalmaggiore")
    gussola = Comune.objects.get(name="Gussola")
    old_comune = person.residence_comune
    person.residence_comune = gussola
    person.has_disability = True
    person.save()
    intake.labour_status = LabourStatus.EMPLOYED
    intake.recent_graduate = True
    intake.save()
    client.force_login(op_casalmaggiore)
    client.get(reverse("casework:meeting_add", args=[intake.pk]))  # a read

    client.force_login(administrator)
    response = client.get(reverse("admin:audit_person_history", args=[person.pk]))
    page = html_lib.unescape(response.content.decode())
    assert "Storico accessi e modifiche di Ghisolfi Marta" in page
    assert f"{old_comune} → {gussola}" in page  # names, not ids
    assert f"{old_comune.pk} → {gussola.pk}" not in page
    assert str(LabourStatus.EMPLOYED.label) in page  # the list's label, not its code
    assert "→ sì" in page  # a yes/no, not True
    assert "→ ***" in page  # a special-category answer stays masked
    assert f"{intake.opened_on:%d/%m/%Y}" in page  # dates as everywhere else
    assert intake.opened_on.isoformat() not in page
    assert "nuovo colloquio" in page and "casework:meeting_add" not in page
    assert "modifica" in page and "lettura" in page and "creazione" in page
    for english in (">update<", ">create<", "person #", "intake #"):
        assert english not in page, english

    listed = client.get(reverse("admin:auditlog_logentry_changelist"), {"persona": person.pk})
    page = html_lib.unescape(listed.content.decode())
    for header in ("Quando", "Chi", "Azione", "Oggetto", "Dettagli"):
        assert f">{header}<" in page, header
    for english in ("Created", "Resource", "Correlation ID", "person #", ">update<"):
        assert english not in page, english
    assert f"{old_comune} → {gussola}" in page
    assert "Persona «Ghisolfi Marta»" in page
    # The filter names the person too.
    assert ">Ghisolfi Marta</a>" in page or "Ghisolfi Marta</option>" in page

    entry = (
        LogEntry.objects.filter(object_pk=str(person.pk), content_type__model="person")
        .order_by("pk")
        .last()
    )
    detail = client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))
    assert detail.status_code == 200
    page = html_lib.unescape(detail.content.decode())
    assert f"{old_comune} → {gussola}" in page
    assert "Modifica: Persona «Ghisolfi Marta»" in page and "Logged" not in page


def test_a_deleted_object_is_named_as_it_was():
    intake = factories.intake(desk_slug="casalmaggiore")
    meeting = factories.meeting(intake, days_after=1)
    name = str(meeting)
    meeting_pk = meeting.pk
    meeting.delete()
    entries = LogEntry.objects.filter(object_pk=str(meeting_pk), content_type__model="meeting")
    described = describe_entries(entries.select_related("content_type", "actor"))
    assert {d.subject for d in described} == {f"Colloquio «{name}» (non più presente)"}


def test_describing_a_page_of_entries_costs_a_query_per_kind_of_object(
    django_assert_max_num_queries,
):
    for _ in range(12):
        person = factories.person()
        intake = factories.intake(person, desk_slug="gussola")
        factories.meeting(intake, days_after=2)
    entries = list(LogEntry.objects.select_related("content_type", "actor"))
    assert len(entries) >= 36
    # people, intakes (with their desk), meetings, desks, comuni: not one per entry
    with django_assert_max_num_queries(6):
        described = describe_entries(entries)
    assert not any("non più presente" in d.subject for d in described)


def test_third_party_apps_have_italian_names_and_english_ones(client, settings):
    root = factories.user("root", is_staff=True, is_superuser=True)
    client.force_login(root)
    page = html_lib.unescape(client.get(reverse("admin:index")).content.decode())
    for italian in (
        "Blocco degli accessi",
        "Tentativi di accesso falliti",
        "Registro degli accessi",
        "Accesso a due fattori: app di autenticazione",
        "App di autenticazione registrate",
        "Attività in background",
        "Registro delle attività",
    ):
        assert italian in page, italian
    for english in ("Axes", "Access attempts", "Access logs", "TOTP devices", "Otp_Totp"):
        assert english not in page, english
    assert "Task Results" not in page and "Tasks Database Backend" not in page
    assert "Audit log" not in page

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("admin:index"))
    page = html_lib.unescape(response.content.decode())
    assert "Login lockout" in page and "Failed login attempts" in page
    assert "Background tasks" in page


def test_the_header_names_the_product(client, administrator):
    client.force_login(administrator)
    for name in ("admin:index", "admin:casework_person_changelist"):
        page = html_lib.unescape(client.get(reverse(name)).content.decode())
        assert "Activity.Cr — amministrazione" in page
        assert "Amministrazione Django" not in page and "Django administration" not in page
        assert "<title>" in page and "| Activity.Cr — amministrazione</title>" in page


def test_dates_in_a_history_are_local():
    """A date and time in the trail (a next appointment) is shown in Rome's time."""
    intake = factories.intake(desk_slug="casalmaggiore")
    meeting = factories.meeting(intake, days_after=1)
    meeting.next_appointment_at = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)
    meeting.save()
    # The meeting's own entry (the next appointment also books an agenda appointment).
    entry = (
        LogEntry.objects.get_for_object(meeting).filter(changes__has_key="next_appointment_at")
    ).first()
    (described,) = describe_entries([entry])
    assert ("Prossimo appuntamento", "—", "01/12/2026 09:30") in described.changes


def test_the_delete_action_agrees_with_any_model(client, administrator):
    """UX audit C 34: Django's Italian read "Cancella persone selezionati"."""
    client.force_login(administrator)
    page = html_lib.unescape(
        client.get(reverse("admin:casework_partner_changelist")).content.decode()
    )
    assert "Elimina le righe selezionate (partner)" in page
    assert "selezionati" not in page.split('name="action"')[1].split("</select>")[0]
