"""Reads of the agenda: a desk's or an operator's day and week, a person's appointments.

Each read is a fixed number of queries whatever the size of the database: the agenda is
one range scan on the (desk, starts_at) or (operator, starts_at) index.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils import timezone

from agenda.models import Appointment, AppointmentQuerySet, ReminderConsent, ReminderMessage
from casework.models import Person

if TYPE_CHECKING:
    from activitycr.http import AnyUser
    from sportelli.models import Desk

UPCOMING_SHOWN = 20


def start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Day:
    date: dt.date
    appointments: list[Appointment]


def _rows(qs: AppointmentQuerySet) -> AppointmentQuerySet:
    return qs.select_related("person", "desk", "operator", "meeting").order_by("starts_at", "id")


def agenda_days(
    *, user: AnyUser, first: dt.date, days: int, desk: Desk | None, operator_id: int | None
) -> list[Day]:
    """The appointments from ``first`` for ``days`` days, grouped by day: one query."""
    qs = Appointment.objects.visible_to(user).between(
        start_of(first), start_of(first + dt.timedelta(days=days))
    )
    if desk is not None:
        qs = qs.filter(desk=desk)
    if operator_id is not None:
        qs = qs.filter(operator_id=operator_id)
    by_day: dict[dt.date, list[Appointment]] = {
        first + dt.timedelta(days=i): [] for i in range(days)
    }
    for appt in _rows(qs):
        by_day[timezone.localtime(appt.starts_at).date()].append(appt)
    return [Day(date=d, appointments=a) for d, a in by_day.items()]


def upcoming(*, desk: Desk, now: dt.datetime) -> list[Appointment]:
    """The desk's booked appointments from the start of today on (the dashboard)."""
    start = start_of(timezone.localtime(now).date())
    return list(
        _rows(Appointment.objects.booked().filter(desk=desk, starts_at__gte=start))[:UPCOMING_SHOWN]
    )


@dataclass(frozen=True)
class PersonAgenda:
    appointments: list[Appointment]
    consents: list[ReminderConsent]


def person_agenda(*, user: AnyUser, person: Person) -> PersonAgenda:
    """A person's appointments at the user's desks with their messages, their consents and
    two queries (three when there are appointments: their messages)."""
    appointments = list(
        _rows(Appointment.objects.visible_to(user).filter(person=person))
        .prefetch_related(
            Prefetch("messages", queryset=ReminderMessage.objects.order_by("due_at", "id"))
        )
        .order_by("-starts_at", "-id")
    )
    consents = list(
        ReminderConsent.objects.filter(person=person)
        .select_related("operator", "withdrawn_by")
        .order_by("withdrawn_on", "-given_on", "-id")
    )
    return PersonAgenda(appointments=appointments, consents=consents)
