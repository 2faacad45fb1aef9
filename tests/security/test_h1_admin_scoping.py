"""H1 (security review 2026-11): a staff account limited to its own desks could, through
the admin add and change forms and the imports, write into other desks' cases and read any
person by id. Every foreign key to a desk, a person or an intake is limited to what the user
may see, and checked again on save; privacy acknowledgements are scoped like the cases."""

from __future__ import annotations

import datetime as dt

import pytest
import tablib
from django.core.exceptions import PermissionDenied

from casework import roles
from casework.admin import check_references
from casework.choices import AckChannel
from casework.models import Intake, Meeting, Person, PrivacyAcknowledgement, PrivacyNotice, Referral
from casework.resources import IntakeResource, MeetingResource
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_gussola(db):
    """The review's ``staff.gussola``: an operator of Gussola with access to the admin."""
    return factories.user("staff.gussola", role=roles.OPERATOR, desks=("gussola",), is_staff=True)


@pytest.fixture
def foreign_case(db):
    """A person and an open intake at Casalmaggiore only."""
    person = factories.person()
    return factories.intake(person, desk_slug="casalmaggiore", opened_on=dt.date(2024, 1, 10))


@pytest.fixture
def own_case(db):
    person = factories.person()
    return factories.intake(person, desk_slug="gussola", opened_on=dt.date(2024, 1, 10))


def _meeting_post(intake: Intake) -> dict[str, str]:
    return {
        "intake": str(intake.pk),
        "held_on": "20/01/2024",
        "mode": "presenza",
        "duration_minutes": "45",
        "attended": "on",
        "notes": "probe",
    }


def _referral_post(intake: Intake) -> dict[str, str]:
    return {
        "intake": str(intake.pk),
        "kind": "corso_professionale",
        "referred_on": "20/01/2024",
        "outcome": "in_corso",
    }


def test_h1_meeting_add_refuses_another_desks_intake(client, staff_gussola, foreign_case):
    client.force_login(staff_gussola)
    response = client.post("/admin/casework/meeting/add/", _meeting_post(foreign_case))
    assert response.status_code == 200  # the form again, with the error on the field
    assert "intake" in response.context["adminform"].form.errors
    assert not Meeting.objects.filter(intake=foreign_case).exists()


def test_h1_meeting_add_accepts_an_own_intake(client, staff_gussola, own_case):
    client.force_login(staff_gussola)
    response = client.post("/admin/casework/meeting/add/", _meeting_post(own_case))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Meeting.objects.filter(intake=own_case).count() == 1


def test_h1_meeting_change_cannot_move_a_meeting_to_another_desk(
    client, staff_gussola, own_case, foreign_case
):
    meeting = factories.meeting(own_case)
    client.force_login(staff_gussola)
    response = client.post(
        f"/admin/casework/meeting/{meeting.pk}/change/",
        {**_meeting_post(foreign_case), "held_on": "25/01/2024"},
    )
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.intake_id == own_case.pk


def test_h1_referral_add_refuses_another_desks_intake(client, staff_gussola, foreign_case):
    client.force_login(staff_gussola)
    response = client.post("/admin/casework/referral/add/", _referral_post(foreign_case))
    assert response.status_code == 200
    assert "intake" in response.context["adminform"].form.errors
    assert not Referral.objects.filter(intake=foreign_case).exists()


def test_h1_intake_add_cannot_pull_in_a_person_by_id(client, staff_gussola, foreign_case):
    person = foreign_case.person
    client.force_login(staff_gussola)
    response = client.post(
        "/admin/casework/intake/add/",
        {
            "person": str(person.pk),
            "desk": str(factories.desk("gussola").pk),
            "opened_on": "20/01/2024",
            "channel": "spontaneo",
            "main_need": "orientamento",
            "labour_status": "disoccupato",
            "status": "aperta",
            "meetings-TOTAL_FORMS": "0",
            "meetings-INITIAL_FORMS": "0",
            "referrals-TOTAL_FORMS": "0",
            "referrals-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "person" in response.context["adminform"].form.errors
    assert not Intake.objects.filter(person=person, desk__slug="gussola").exists()
    # And the person's record stays out of reach.
    page = client.get(f"/admin/casework/person/{person.pk}/change/")
    assert page.status_code == 302
    assert person.last_name not in page.content.decode()


def test_h1_the_autocomplete_offers_only_visible_people(client, staff_gussola, foreign_case):
    client.force_login(staff_gussola)
    response = client.post(
        "/admin/autocomplete/",
        {
            "app_label": "casework",
            "model_name": "intake",
            "field_name": "person",
            "term": foreign_case.person.last_name,
        },
    )
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_h1_acknowledgements_are_scoped(client, staff_gussola, foreign_case, own_case):
    notice = PrivacyNotice.objects.order_by("pk").first() or PrivacyNotice.objects.create(
        version="t1", text="Informativa", valid_from=dt.date(2020, 1, 1)
    )
    foreign_ack = PrivacyAcknowledgement.objects.create(
        person=foreign_case.person,
        notice=notice,
        acknowledged_on=dt.date(2024, 1, 10),
        channel=AckChannel.IN_PERSON,
    )
    own_ack = PrivacyAcknowledgement.objects.create(
        person=own_case.person,
        notice=notice,
        acknowledged_on=dt.date(2024, 1, 10),
        channel=AckChannel.IN_PERSON,
    )
    client.force_login(staff_gussola)
    listing = client.get("/admin/casework/privacyacknowledgement/")
    shown = {row.pk for row in listing.context["cl"].result_list}
    assert own_ack.pk in shown
    assert foreign_ack.pk not in shown
    # The change page of another desk's acknowledgement: not found (admin: to the index).
    change = client.get(f"/admin/casework/privacyacknowledgement/{foreign_ack.pk}/change/")
    assert change.status_code == 302
    # Adding one for a person of another desk is refused (no name oracle, no write).
    before = PrivacyAcknowledgement.objects.count()
    response = client.post(
        "/admin/casework/privacyacknowledgement/add/",
        {
            "person": str(foreign_case.person.pk),
            "notice": str(notice.pk),
            "acknowledged_on": "20/01/2024",
            "channel": "presenza",
        },
    )
    assert response.status_code == 200
    assert "person" in response.context["adminform"].form.errors
    assert PrivacyAcknowledgement.objects.count() == before
    assert foreign_case.person.last_name not in response.content.decode()


def test_h1_save_checks_the_references_again(staff_gussola, foreign_case, own_case):
    """Whatever path builds the object, saving it through the admin re-checks its keys."""
    check_references(Meeting(intake=own_case), staff_gussola)  # own: fine
    with pytest.raises(PermissionDenied):
        check_references(Meeting(intake=foreign_case), staff_gussola)
    with pytest.raises(PermissionDenied):
        check_references(Intake(person=foreign_case.person, desk=own_case.desk), staff_gussola)


def test_h1_imports_find_only_what_the_user_may_see(staff_gussola, foreign_case, own_case):
    """An import names intakes and people; a user who may not see them gets a row error."""
    meetings = tablib.Dataset(
        headers=["id", "presa_in_carico", "data", "modalita", "durata_minuti", "presente"]
    )
    meetings.append(["", foreign_case.pk, "20/01/2024", "presenza", 45, "sì"])
    meetings.append(["", own_case.pk, "20/01/2024", "presenza", 45, "sì"])
    result = MeetingResource().import_data(meetings, dry_run=True, user=staff_gussola)
    assert result.has_validation_errors() or result.has_errors()
    bad = {row.number for row in result.invalid_rows} | {n for n, _ in result.row_errors()}
    assert bad == {1}
    assert not Meeting.objects.filter(intake=foreign_case).exists()

    person = foreign_case.person
    intakes = tablib.Dataset(
        headers=["codice_fiscale", "sportello", "data_presa_in_carico", "canale"]
    )
    intakes.append([person.fiscal_code, "Gussola", "20/01/2024", "spontaneo"])
    result = IntakeResource().import_data(intakes, dry_run=True, user=staff_gussola)
    assert result.has_validation_errors() or result.has_errors()
    assert not Intake.objects.filter(person=person, desk__slug="gussola").exists()
    # The same file from an administrator who sees every desk is fine as far as the person.
    assert Person.objects.filter(pk=person.pk).exists()
