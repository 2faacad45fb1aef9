"""The follow-through in the demo data: appointments booked in the open cases for the next
two weeks, and for the cases closed in the last year the situation at exit, the follow-up
tasks the system schedules and, for six-month follow-ups already due, an answer for most.
Through the services the desks use (the same checks, the audit trail), reproducibly from
the seed. Per case, so only for demo data of ordinary size (``MAX_CASES``)."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from agenda import services as agenda_services
from casework.choices import IntakeStatus, LabourStatus
from casework.models import Intake
from followup import services as followup_services
from followup.choices import ExitResult, Source, TaskKind, TaskStatus
from followup.models import FollowUpTask

MAX_CASES = 20_000  # above this the demo data is a benchmark's: no follow-through
BOOKED_SHARE = 0.4  # open cases with an appointment in the next two weeks
ANSWERED_SHARE = 0.6  # six-month follow-ups already due that have their answer


def _slot(rng: random.Random, today: dt.date) -> dt.datetime:
    day = today + dt.timedelta(days=rng.randint(1, 14))
    while day.weekday() >= 5:  # Saturday, Sunday: the next Monday
        day += dt.timedelta(days=1)
    at = dt.time(rng.choice([9, 10, 11, 14, 15, 16]), rng.choice([0, 30]))
    return timezone.make_aware(dt.datetime.combine(day, at))


def _results(rng: random.Random) -> frozenset[ExitResult]:
    draw = rng.random()
    if draw < 0.25:
        return frozenset()  # not known yet: the four-week check is scheduled
    if draw < 0.55:
        return frozenset({ExitResult.EMPLOYED})
    if draw < 0.75:
        return frozenset({ExitResult.JOB_SEARCHING})
    if draw < 0.9:
        return frozenset({ExitResult.EDUCATION, ExitResult.QUALIFICATION})
    return frozenset({ExitResult.NONE})


def add_follow_through(*, seed: int, today: dt.date | None = None) -> tuple[int, int, int]:
    """(appointments booked, exits recorded, six-month answers) added."""
    today = today or timezone.localdate()
    if Intake.objects.count() > MAX_CASES:
        return 0, 0, 0
    rng = random.Random(seed + 13)
    recorder = get_user_model().objects.filter(is_active=True).order_by("pk").first()
    booked = 0
    for intake in Intake.objects.filter(status=IntakeStatus.OPEN).order_by("pk"):
        if rng.random() < BOOKED_SHARE:
            agenda_services.book(
                intake=intake, operator=intake.operator, starts_at=_slot(rng, today)
            )
            booked += 1
    exits = answers = 0
    closed = Intake.objects.filter(
        status=IntakeStatus.CLOSED, closed_on__gte=today - dt.timedelta(days=365)
    )
    for intake in closed.order_by("pk"):
        assert intake.closed_on is not None
        by = intake.operator or recorder
        if by is None:
            break
        results = _results(rng)
        followup_services.correct_closure_with_exit(
            intake=intake,
            version=intake.version,
            closed_on=intake.closed_on,
            closure_reason=intake.closure_reason,
            closure_note=intake.closure_note,
            exit_answer=followup_services.ExitAnswer(
                results, Source.STATEMENT if results else "", intake.closed_on if results else None
            ),
            by=by,
        )
        exits += 1
        due = FollowUpTask.objects.filter(
            intake=intake, kind=TaskKind.SIX_MONTHS, status=TaskStatus.OPEN, due_on__lt=today
        )
        for task in due:
            if rng.random() < ANSWERED_SHARE:
                was_employed = intake.labour_status == LabourStatus.EMPLOYED
                followup_services.answer_six_months(
                    task=task,
                    answered_on=min(today, task.due_on + dt.timedelta(days=rng.randint(0, 10))),
                    source=Source.MANDATORY_NOTICES,
                    employed=rng.random() < 0.5,
                    improved=(rng.random() < 0.4) if was_employed else None,
                    by=by,
                )
                answers += 1
    return booked, exits, answers
