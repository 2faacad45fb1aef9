"""M6 (security review 2026-11): knowing a codice fiscale was enough to take a person in at
another desk and read their record. Now it is a deliberate act: the operator states a
reason, the desks that were following the person see it on their dashboard, administrators
have a report of every cross-desk take-in, and the new desk sees the person's registry
data but never the other desks' cases (docs/operators.md, "People followed by more than
one desk")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from casework.models import CrossDeskTakeIn, Intake
from tests import factories
from tests.casework.test_views_intake import form_data

pytestmark = pytest.mark.django_db

NEW = reverse("casework:intake_new", args=["casalmaggiore"])


@pytest.fixture
def followed_at_gussola(db):
    return factories.intake(desk_slug="gussola", needs="Segreto del caso di Gussola").person


def _take_in(client, person, **extra):
    data = {**form_data(), "known_cf": person.fiscal_code, "last_name_check": person.last_name}
    return client.post(NEW, {**data, **extra})


def test_b27_the_surname_on_the_document_must_match_the_registry(
    client, op_casalmaggiore, followed_at_gussola
):
    """UX audit B 27: the registered name is not shown before the take-in (M6), so the
    operator checks the identity by typing the surname from the person's document."""
    client.force_login(op_casalmaggiore)
    response = _take_in(client, followed_at_gussola, reason="trasferimento", last_name_check="X")
    assert response.status_code == 200
    assert response.context["reason_form"].errors["last_name_check"] == [
        "Il cognome non corrisponde a quello registrato con questo codice fiscale: "
        "controllare il documento e il codice fiscale della persona."
    ]
    assert followed_at_gussola.last_name not in response.content.decode()
    assert not Intake.objects.filter(person=followed_at_gussola, desk__slug="casalmaggiore")
    # Typed in capitals, with other spacing or accents: the same surname.
    typed = f" {followed_at_gussola.last_name.upper()} "
    response = _take_in(client, followed_at_gussola, reason="trasferimento", last_name_check=typed)
    assert response.status_code == 302


def test_m6_no_take_in_at_another_desk_without_a_reason(
    client, op_casalmaggiore, followed_at_gussola
):
    client.force_login(op_casalmaggiore)
    response = _take_in(client, followed_at_gussola)
    assert response.status_code == 200
    assert response.context["reason_form"].errors["reason"] == [
        "Indicare il motivo della presa in carico."
    ]
    # What was typed for the intake is still in the form.
    assert response.context["intake_form"]["needs"].value() == form_data()["needs"]
    assert not Intake.objects.filter(person=followed_at_gussola, desk__slug="casalmaggiore")
    # The record stays out of reach.
    person_url = reverse("casework:person", args=[followed_at_gussola.pk])
    assert client.get(person_url).status_code == 404


def test_m6_other_reason_needs_an_explanation(client, op_casalmaggiore, followed_at_gussola):
    client.force_login(op_casalmaggiore)
    response = _take_in(client, followed_at_gussola, reason="altro", note="  ")
    assert response.status_code == 200
    assert "note" in response.context["reason_form"].errors
    assert not CrossDeskTakeIn.objects.exists()


def test_m6_the_take_in_is_recorded_and_shown_to_the_other_desk(
    client, op_casalmaggiore, op_gussola, followed_at_gussola
):
    client.force_login(op_casalmaggiore)
    response = _take_in(client, followed_at_gussola, reason="trasferimento")
    assert response.status_code == 302
    record = CrossDeskTakeIn.objects.get()
    assert record.intake.desk.slug == "casalmaggiore"
    assert record.reason == "trasferimento"
    assert [d.slug for d in record.other_desks.all()] == ["gussola"]

    # Gussola's dashboard tells its operators who took their person in, and why.
    gussola = Client()
    gussola.force_login(op_gussola)
    page = gussola.get(reverse("casework:desk", args=["gussola"]))
    html = page.content.decode()
    assert 'id="cross-desk-intakes"' in html
    assert followed_at_gussola.last_name in html
    assert "Casalmaggiore" in html
    assert "La persona si è trasferita" in html
    # Casalmaggiore's own dashboard has no such notice (it is the one that took them in).
    own = client.get(reverse("casework:desk", args=["casalmaggiore"])).content.decode()
    assert 'id="cross-desk-intakes"' not in own


def test_m6_the_new_desk_sees_the_registry_data_not_the_other_desks_cases(
    client, op_casalmaggiore, followed_at_gussola
):
    client.force_login(op_casalmaggiore)
    _take_in(client, followed_at_gussola, reason="richiesta_persona")
    page = client.get(reverse("casework:person", args=[followed_at_gussola.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert followed_at_gussola.last_name in html
    assert "Segreto del caso di Gussola" not in html
    gussola_intake = followed_at_gussola.intakes.get(desk__slug="gussola")
    assert client.get(reverse("casework:intake", args=[gussola_intake.pk])).status_code == 404


def test_m6_the_notice_leaves_the_dashboard_after_thirty_days(
    client, op_casalmaggiore, op_gussola, followed_at_gussola
):
    client.force_login(op_casalmaggiore)
    _take_in(client, followed_at_gussola, reason="richiesta_persona")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    CrossDeskTakeIn.objects.update(created_at=old)
    gussola = Client()
    gussola.force_login(op_gussola)
    html = gussola.get(reverse("casework:desk", args=["gussola"])).content.decode()
    assert 'id="cross-desk-intakes"' not in html


def test_m6_administrators_get_the_report_of_cross_desk_take_ins(
    client, op_casalmaggiore, administrator, followed_at_gussola
):
    client.force_login(op_casalmaggiore)
    _take_in(client, followed_at_gussola, reason="altro", note="Segnalata dal Comune")
    admin = Client()
    admin.force_login(administrator)
    url = reverse("admin:casework_crossdesktakein_changelist")
    listing = admin.get(url)
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Casalmaggiore" in html and "Gussola" in html
    assert "Altro motivo" in html
    # A record, not a form: nobody adds, edits or deletes them.
    assert admin.get(reverse("admin:casework_crossdesktakein_add")).status_code == 403
    # Operators do not see the report.
    assert client.get(url).status_code == 302


def test_m6_a_person_already_followed_here_needs_no_reason(client, op_casalmaggiore):
    person = factories.intake(
        desk_slug="casalmaggiore",
        status="chiusa",
        closed_on=dt.date(2021, 3, 1),
        closure_reason="altro",
    ).person
    client.force_login(op_casalmaggiore)
    response = client.post(NEW + f"?persona={person.pk}", form_data())
    assert response.status_code == 302
    assert not CrossDeskTakeIn.objects.exists()
