"""The write services: one transaction per operation, full_clean before save, desk scope,
optimistic concurrency on ``version``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from casework import services
from casework.choices import (
    ClosureReason,
    EducationLevel,
    Gender,
    IntakeChannel,
    IntakeStatus,
    LabourStatus,
    MeetingMode,
    Need,
)
from casework.models import Intake, Meeting, Person, Referral, local_today
from tests import factories

pytestmark = pytest.mark.django_db


def person_data(**overrides) -> dict:
    data = {
        "last_name": "Zanoni",
        "first_name": "Sara",
        "birth_date": dt.date(1990, 7, 1),
        "gender": Gender.WOMAN,
        "education": EducationLevel.BACHELOR,
        "residence_comune": factories.comune("Casalmaggiore"),
    }
    data.update(overrides)
    return data


def intake_data(**overrides) -> dict:
    data = {
        "opened_on": local_today(),
        "channel": IntakeChannel.WALK_IN,
        "main_need": Need.JOB_SEARCH,
        "labour_status": LabourStatus.UNEMPLOYED,
    }
    data.update(overrides)
    return data


def test_take_in_creates_person_and_intake_with_snapshot(op_casalmaggiore):
    intake = services.take_in(
        operator=op_casalmaggiore,
        desk=factories.desk("casalmaggiore"),
        person_data=person_data(),
        intake_data=intake_data(),
    )
    assert intake.person.search_key == "zanoni sara"
    assert intake.operator == op_casalmaggiore
    assert intake.origin == "casalasco"
    assert intake.isced_band == "5-8"
    assert intake.status == IntakeStatus.OPEN


def test_failing_intake_leaves_no_person_behind(op_casalmaggiore):
    with pytest.raises(ValidationError) as exc:
        services.take_in(
            operator=op_casalmaggiore,
            desk=factories.desk("casalmaggiore"),
            person_data=person_data(),
            intake_data=intake_data(opened_on=local_today() + dt.timedelta(days=3)),
        )
    assert "opened_on" in exc.value.error_dict
    assert not Person.objects.exists()
    assert not Intake.objects.exists()


def test_intake_refused_by_the_database_rolls_back_the_person(op_casalmaggiore, monkeypatch):
    """Even what full_clean cannot see (here: the database's own guard on future dates,
    reached by skipping full_clean) undoes the person created in the same call."""
    monkeypatch.setattr(Intake, "full_clean", lambda self, *a, **k: None)
    with pytest.raises(Exception, match="casework_intake_not_future"):
        services.take_in(
            operator=op_casalmaggiore,
            desk=factories.desk("casalmaggiore"),
            person_data=person_data(),
            intake_data=intake_data(opened_on=local_today() + dt.timedelta(days=30)),
        )
    assert not Person.objects.exists()


def test_invalid_person_is_refused_before_any_write(op_casalmaggiore):
    with pytest.raises(ValidationError) as exc:
        services.take_in(
            operator=op_casalmaggiore,
            desk=factories.desk("casalmaggiore"),
            person_data=person_data(fiscal_code="RSSMRA80A01B898X"),
            intake_data=intake_data(),
        )
    assert "fiscal_code" in exc.value.error_dict
    assert not Person.objects.exists()


def test_take_in_of_a_known_person_adds_an_intake_only(op_casalmaggiore):
    person = factories.intake(desk_slug="gussola").person
    intake = services.take_in(
        operator=op_casalmaggiore,
        desk=factories.desk("casalmaggiore"),
        person=person,
        intake_data=intake_data(),
        cross_desk_reason="richiesta_persona",
    )
    assert intake.person == person
    assert Person.objects.count() == 1
    assert person.intakes.count() == 2
    assert intake.cross_desk.reason == "richiesta_persona"


def test_take_in_of_a_person_followed_elsewhere_needs_a_reason(op_casalmaggiore):
    person = factories.intake(desk_slug="gussola").person
    with pytest.raises(ValidationError) as exc:
        services.take_in(
            operator=op_casalmaggiore,
            desk=factories.desk("casalmaggiore"),
            person=person,
            intake_data=intake_data(),
        )
    assert "reason" in exc.value.error_dict
    assert person.intakes.count() == 1


def test_take_in_at_a_desk_the_operator_does_not_work_at(op_gussola):
    with pytest.raises(PermissionDenied):
        services.take_in(
            operator=op_gussola,
            desk=factories.desk("casalmaggiore"),
            person_data=person_data(),
            intake_data=intake_data(),
        )
    assert not Person.objects.exists()


def test_take_in_needs_exactly_one_person_source(op_casalmaggiore):
    with pytest.raises(ValueError):
        services.take_in(
            operator=op_casalmaggiore,
            desk=factories.desk("casalmaggiore"),
            intake_data=intake_data(),
        )


def test_add_meeting_and_update_with_version(op_casalmaggiore):
    intake = factories.intake(opened_on=local_today() - dt.timedelta(days=10))
    meeting = services.add_meeting(
        intake=intake,
        operator=op_casalmaggiore,
        data={"held_on": local_today(), "mode": MeetingMode.VIDEO, "duration_minutes": 40},
    )
    assert meeting.version == 1
    meeting.notes = "Aggiornato"
    services.update_meeting(meeting=meeting, version=1, fields=["notes"])
    assert meeting.version == 2
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.notes, stored.version) == ("Aggiornato", 2)
    stale = Meeting.objects.get(pk=meeting.pk)
    stale.notes = "Vecchio"
    with pytest.raises(services.ConflictError, match="questo colloquio"):
        services.update_meeting(meeting=stale, version=1, fields=["notes"])
    assert Meeting.objects.get(pk=meeting.pk).notes == "Aggiornato"


def test_update_validates_before_writing():
    intake = factories.intake(opened_on=local_today() - dt.timedelta(days=10))
    meeting = factories.meeting(intake, days_after=1)
    meeting.held_on = intake.opened_on - dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.update_meeting(meeting=meeting, version=1, fields=["held_on"])
    assert Meeting.objects.get(pk=meeting.pk).version == 1


def test_closed_case_takes_no_meeting_or_referral(op_casalmaggiore):
    intake = factories.intake(opened_on=local_today() - dt.timedelta(days=10))
    services.close_intake(
        intake=intake, version=1, closed_on=local_today(), closure_reason=ClosureReason.MOVED
    )
    with pytest.raises(ValidationError):
        services.add_meeting(
            intake=intake,
            operator=op_casalmaggiore,
            data={"held_on": local_today(), "mode": MeetingMode.PHONE},
        )
    with pytest.raises(ValidationError):
        services.add_referral(intake=intake, data={"kind": "gol", "referred_on": local_today()})
    assert not Meeting.objects.exists() and not Referral.objects.exists()


def test_close_and_reopen_use_the_version():
    intake = factories.intake(opened_on=local_today() - dt.timedelta(days=10))
    with pytest.raises(ValidationError):
        services.close_intake(
            intake=intake,
            version=1,
            closed_on=intake.opened_on - dt.timedelta(days=1),
            closure_reason=ClosureReason.HIRED,
        )
    intake = Intake.objects.get(pk=intake.pk)
    services.close_intake(
        intake=intake, version=1, closed_on=local_today(), closure_reason=ClosureReason.HIRED
    )
    with pytest.raises(services.ConflictError):
        services.reopen_intake(intake=Intake.objects.get(pk=intake.pk), version=1)
    services.reopen_intake(intake=Intake.objects.get(pk=intake.pk), version=2)
    intake.refresh_from_db()
    assert (intake.status, intake.version) == (IntakeStatus.OPEN, 3)


def test_update_person_keeps_search_key():
    person = factories.person(last_name="Rossi", first_name="Mario", gender="M")
    person.first_name = "Mosè"
    services.update_person(person=person, version=1, fields=["first_name"])
    stored = Person.objects.get(pk=person.pk)
    assert stored.search_key.startswith("rossi mose ")
    assert stored.version == 2


def test_referral_outcome_is_checked():
    intake = factories.intake(opened_on=local_today() - dt.timedelta(days=10))
    referral = services.add_referral(
        intake=intake, data={"kind": "tirocinio", "referred_on": local_today()}
    )
    referral.outcome = "tirocinio_avviato"
    with pytest.raises(ValidationError) as exc:
        services.update_referral(referral=referral, version=1, fields=["outcome"])
    assert "outcome_on" in exc.value.error_dict
    referral.outcome_on = local_today()
    services.update_referral(referral=referral, version=1, fields=["outcome", "outcome_on"])
    assert Referral.objects.get(pk=referral.pk).outcome == "tirocinio_avviato"
