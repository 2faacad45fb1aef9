"""The operator's work list: what a desk (or one operator at it) has to do — the
appointments of today, the follow-up tasks due within seven days and those overdue, the open
cases with nothing happening for sixty days — and its counts on the dashboard.

Each list is one query and the counts one more each, whatever the size of the database
(range scans on the tasks' (status, due_on), the appointments' (desk, starts_at) and the
meetings' (intake, held_on) indexes). "Mine" narrows to the operator's appointments and to
the cases they opened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from agenda.models import Appointment, AppointmentQuerySet, AppointmentStatus
from casework.models import Intake, IntakeQuerySet, Meeting
from followup.choices import DUE_SOON_DAYS, IDLE_DAYS
from followup.models import FollowUpTask, FollowUpTaskQuerySet
from sportelli.models import Desk

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SHOWN = 50  # rows of each list on the page (the count says how many there are)

# Today's appointments worth listing: not the cancelled or moved ones.
_TODAY_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.HELD,
    AppointmentStatus.MISSED,
    AppointmentStatus.EXCUSED,
)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Scope:
    """A desk's work, or one operator's at that desk (``operator``)."""

    desk: Desk
    today: dt.date
    operator: User | None = None

    def appointments(self) -> AppointmentQuerySet:
        qs = Appointment.objects.filter(
            desk=self.desk,
            status__in=_TODAY_STATUSES,
            starts_at__gte=_start_of(self.today),
            starts_at__lt=_start_of(self.today + dt.timedelta(days=1)),
        )
        return qs.filter(operator=self.operator) if self.operator is not None else qs

    def tasks(self) -> FollowUpTaskQuerySet:
        qs = FollowUpTask.objects.pending().filter(intake__desk=self.desk)
        return qs.filter(intake__operator=self.operator) if self.operator is not None else qs

    def due_soon(self) -> FollowUpTaskQuerySet:
        return self.tasks().filter(
            due_on__gte=self.today, due_on__lte=self.today + dt.timedelta(days=DUE_SOON_DAYS)
        )

    def overdue(self) -> FollowUpTaskQuerySet:
        return self.tasks().filter(due_on__lt=self.today)

    def idle(self) -> IntakeQuerySet[Intake]:
        """Open cases with no contact (intake or meeting) for ``IDLE_DAYS`` days and no
        appointment booked from today on."""
        cutoff = self.today - dt.timedelta(days=IDLE_DAYS)
        recent = Meeting.objects.filter(intake=OuterRef("pk"), held_on__gte=cutoff)
        booked = Appointment.objects.filter(
            intake=OuterRef("pk"),
            status=AppointmentStatus.BOOKED,
            starts_at__gte=_start_of(self.today),
        )
        qs = (
            Intake.objects.open()
            .filter(desk=self.desk, opened_on__lt=cutoff)
            .filter(~Exists(recent), ~Exists(booked))
        )
        return qs.filter(operator=self.operator) if self.operator is not None else qs


@dataclass(frozen=True)
class Counts:
    appointments_today: int
    due_soon: int
    overdue: int
    idle: int


def counts(scope: Scope) -> Counts:
    """The four figures of the dashboard: three queries."""
    soon_end = scope.today + dt.timedelta(days=DUE_SOON_DAYS)
    tasks = scope.tasks().aggregate(
        due_soon=Count("pk", filter=Q(due_on__gte=scope.today, due_on__lte=soon_end)),
        overdue=Count("pk", filter=Q(due_on__lt=scope.today)),
    )
    return Counts(
        appointments_today=scope.appointments().count(),
        due_soon=tasks["due_soon"] or 0,
        overdue=tasks["overdue"] or 0,
        idle=scope.idle().count(),
    )


@dataclass(frozen=True)
class WorkList:
    counts: Counts
    appointments: list[Appointment]
    due_soon: list[FollowUpTask]
    overdue: list[FollowUpTask]
    idle: list[Intake]


def work_list(scope: Scope) -> WorkList:
    """The work list's four lists (at most ``SHOWN`` rows each) and their counts: seven
    queries."""
    return WorkList(
        counts=counts(scope),
        appointments=list(
            scope.appointments().select_related("person", "operator").order_by("starts_at", "id")
        ),
        due_soon=list(
            scope.due_soon().select_related("intake__person").order_by("due_on", "id")[:SHOWN]
        ),
        overdue=list(
            scope.overdue().select_related("intake__person").order_by("due_on", "id")[:SHOWN]
        ),
        idle=list(scope.idle().select_related("person").order_by("opened_on", "id")[:SHOWN]),
    )
