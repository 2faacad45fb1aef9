"""The database refuses bad rows by itself, on SQLite and PostgreSQL.

Rows are written through the ORM without ``full_clean()`` (or with ``update()``), as a bug,
a script or a race would write them: the named constraints and the triggers of
``casework/guards.py`` must answer with an ``IntegrityError`` naming the rule.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.choices import (
    ClosureReason,
    IntakeStatus,
    MeetingMode,
    ReferralKind,
    ReferralOutcome,
)
from casework.models import Intake, Meeting, Person, Referral
from sportelli.models import Comune, Country
from tests import factories

pytestmark = pytest.mark.django_db

FUTURE = 5  # days: beyond the database's one day of slack around midnight


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@contextmanager
def refused(*names: str):
    """The block raises IntegrityError whose message names one of ``names``.

    PostgreSQL names every constraint; SQLite names check constraints and triggers, and for
    a unique index names the columns instead.
    """
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        yield
    message = str(info.value)
    assert any(name in message for name in names), message


@pytest.fixture
def intake() -> Intake:
    return factories.intake(opened_on=dt.date(2021, 2, 15))


# --- Dates --------------------------------------------------------------------------------


def test_a_meeting_before_its_intake_is_refused(intake):
    with refused("casework_meeting_after_intake"):
        Meeting.objects.create(
            intake=intake, held_on=dt.date(2021, 2, 14), mode=MeetingMode.IN_PERSON
        )
    Meeting.objects.create(intake=intake, held_on=dt.date(2021, 2, 15), mode=MeetingMode.PHONE)


def test_a_referral_before_its_intake_is_refused(intake):
    with refused("casework_referral_after_intake"):
        Referral.objects.create(
            intake=intake, kind=ReferralKind.GOL, referred_on=dt.date(2021, 1, 1)
        )


def test_moving_an_intake_after_its_meetings_is_refused(intake):
    factories.meeting(intake, days_after=3)  # 18/02/2021
    with refused("casework_intake_before_its_meetings"):
        Intake.objects.filter(pk=intake.pk).update(opened_on=dt.date(2021, 2, 20))
    Intake.objects.filter(pk=intake.pk).update(opened_on=dt.date(2021, 2, 18))  # same day: fine


def test_moving_an_intake_after_its_referrals_is_refused(intake):
    Referral.objects.create(intake=intake, kind=ReferralKind.SIL, referred_on=dt.date(2021, 3, 1))
    with refused("casework_intake_before_its_meetings"):
        Intake.objects.filter(pk=intake.pk).update(opened_on=dt.date(2021, 3, 2))


def test_future_intake_dates_are_refused():
    person = factories.person()
    with refused("casework_intake_not_future"):
        factories.intake(person, opened_on=in_days(FUTURE))
    today = factories.intake(person, opened_on=timezone.localdate())
    with refused("casework_intake_closed_not_future"):
        Intake.objects.filter(pk=today.pk).update(
            status=IntakeStatus.CLOSED, closed_on=in_days(FUTURE), closure_reason="altro"
        )


def test_future_meeting_dates_are_refused(intake):
    with refused("casework_meeting_not_future"):
        Meeting.objects.create(intake=intake, held_on=in_days(FUTURE), mode=MeetingMode.VIDEO)
    meeting = factories.meeting(intake)
    with refused("casework_meeting_not_future"):
        Meeting.objects.filter(pk=meeting.pk).update(held_on=in_days(FUTURE))


def test_future_referral_dates_are_refused(intake):
    with refused("casework_referral_not_future"):
        Referral.objects.create(intake=intake, kind=ReferralKind.GOL, referred_on=in_days(FUTURE))
    with refused("casework_referral_outcome_not_future"):
        Referral.objects.create(
            intake=intake,
            kind=ReferralKind.GOL,
            referred_on=dt.date(2021, 3, 1),
            outcome=ReferralOutcome.HIRED,
            outcome_on=in_days(FUTURE),
        )


def test_closure_before_opening_is_refused(intake):
    with refused("casework_intake_closed_after_opened"):
        Intake.objects.filter(pk=intake.pk).update(
            status=IntakeStatus.CLOSED,
            closed_on=dt.date(2021, 2, 1),
            closure_reason=ClosureReason.GOALS_MET,
        )


def test_an_outcome_before_its_referral_is_refused(intake):
    with refused("casework_referral_outcome_after_referral"):
        Referral.objects.create(
            intake=intake,
            kind=ReferralKind.INTERNSHIP,
            referred_on=dt.date(2021, 3, 10),
            outcome=ReferralOutcome.INTERNSHIP_STARTED,
            outcome_on=dt.date(2021, 3, 1),
        )


# --- Closure and outcomes -----------------------------------------------------------------


def test_a_closed_intake_needs_its_reason_and_date(intake):
    with refused("casework_intake_closure_complete"):
        Intake.objects.filter(pk=intake.pk).update(
            status=IntakeStatus.CLOSED, closed_on=dt.date(2021, 5, 1), closure_reason=""
        )
    with refused("casework_intake_closure_complete"):
        Intake.objects.filter(pk=intake.pk).update(
            status=IntakeStatus.CLOSED, closed_on=None, closure_reason=ClosureReason.HIRED
        )
    with refused("casework_intake_closure_complete"):
        Intake.objects.filter(pk=intake.pk).update(closure_reason=ClosureReason.HIRED)
    Intake.objects.filter(pk=intake.pk).update(
        status=IntakeStatus.CLOSED, closed_on=dt.date(2021, 5, 1), closure_reason="assunzione"
    )


def test_an_outcome_date_needs_an_outcome_and_the_other_way_round(intake):
    with refused("casework_referral_outcome_dated"):
        Referral.objects.create(
            intake=intake,
            kind=ReferralKind.GOL,
            referred_on=dt.date(2021, 3, 1),
            outcome=ReferralOutcome.PENDING,
            outcome_on=dt.date(2021, 3, 5),
        )
    with refused("casework_referral_outcome_dated"):
        Referral.objects.create(
            intake=intake,
            kind=ReferralKind.GOL,
            referred_on=dt.date(2021, 3, 1),
            outcome=ReferralOutcome.HIRED,
        )


def test_unemployment_months_only_for_the_unemployed(intake):
    with refused("casework_intake_unemployment_months_only_if_unemployed"):
        Intake.objects.filter(pk=intake.pk).update(labour_status="occupato", unemployment_months=3)


# --- Uniqueness ---------------------------------------------------------------------------


def test_two_open_intakes_for_one_person_at_one_desk_are_refused(intake):
    with refused(
        "casework_one_open_intake_per_desk", "casework_intake.person_id, casework_intake.desk_id"
    ):
        factories.intake(intake.person, desk_slug="casalmaggiore", opened_on=dt.date(2021, 4, 1))
    # Another desk, or the same desk once the first case is closed, is fine.
    factories.intake(intake.person, desk_slug="gussola", opened_on=dt.date(2021, 4, 1))
    Intake.objects.filter(pk=intake.pk).update(
        status=IntakeStatus.CLOSED, closed_on=dt.date(2021, 3, 31), closure_reason="ritiro"
    )
    factories.intake(intake.person, desk_slug="casalmaggiore", opened_on=dt.date(2021, 4, 1))


def test_a_fiscal_code_belongs_to_one_person_only():
    first = factories.person()
    with refused("casework_person_cf_unique", "casework_person.fiscal_code"):
        Person.objects.create(
            fiscal_code=first.fiscal_code,
            last_name="Altro",
            first_name="Nome",
            birth_date=first.birth_date,
            gender=first.gender,
            education=first.education,
        )
    # People without a codice fiscale are many, and that is fine.
    factories.person(with_cf=False)
    factories.person(with_cf=False)
    assert Person.objects.filter(fiscal_code__isnull=True).count() == 2


def test_fiscal_code_format_and_a_single_residence():
    person = factories.person()
    with refused("casework_person_cf_format"):
        Person.objects.filter(pk=person.pk).update(fiscal_code=person.fiscal_code.lower())
    with refused("casework_person_one_residence"):
        Person.objects.filter(pk=person.pk).update(
            residence_comune=Comune.objects.get(name="Gussola"),
            residence_country=Country.objects.first(),
        )


# --- Closed lists -------------------------------------------------------------------------


CLOSED = {"status": "chiusa", "closed_on": dt.date(2021, 5, 1)}


@pytest.mark.parametrize(
    ("model", "field", "constraint", "also"),
    [
        (Person, "gender", "casework_person_gender_valid", {}),
        (Person, "citizenship", "casework_person_citizenship_valid", {}),
        (Person, "education", "casework_person_education_valid", {}),
        (Intake, "channel", "casework_intake_channel_valid", {}),
        (Intake, "main_need", "casework_intake_main_need_valid", {}),
        (Intake, "labour_status", "casework_intake_labour_status_valid", {}),
        # An unknown status is neither open nor closed: the closure rule refuses it too.
        (Intake, "status", "casework_intake_status_valid|casework_intake_closure_complete", {}),
        (Intake, "closure_reason", "casework_intake_closure_reason_valid", CLOSED),
        (Intake, "origin", "casework_intake_origin_valid", {}),
        (Intake, "age_band", "casework_intake_age_band_valid", {}),
        (Meeting, "mode", "casework_meeting_mode_valid", {}),
        (Referral, "kind", "casework_referral_kind_valid", {}),
        (
            Referral,
            "outcome",
            "casework_referral_outcome_valid",
            {"outcome_on": dt.date(2021, 3, 2)},
        ),
    ],
)
def test_choice_fields_hold_only_their_values(intake, model, field, constraint, also):
    meeting = factories.meeting(intake)
    referral = Referral.objects.create(
        intake=intake, kind=ReferralKind.SIL, referred_on=dt.date(2021, 3, 1)
    )
    row = {Person: intake.person, Intake: intake, Meeting: meeting, Referral: referral}[model]
    with refused(*constraint.split("|")):
        model.objects.filter(pk=row.pk).update(**{field: "x"}, **also)


def test_meeting_duration_is_bounded(intake):
    with refused("casework_meeting_duration_range"):
        Meeting.objects.create(
            intake=intake,
            held_on=dt.date(2021, 2, 20),
            mode=MeetingMode.EMAIL,
            duration_minutes=0,
        )
