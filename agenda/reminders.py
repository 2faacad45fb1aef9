"""Which reminders are due, and the messages a change of appointment sends.

Reminders go out ``REMINDER_DAYS_BEFORE`` days before an appointment (2 and 1 by default):
``enqueue_due`` (run by ``manage.py run_due_work``, from cron or a timer) finds the booked
appointments ahead, in open cases, whose person consented to a channel, creates the one
reminder due now for each (the nearest: an appointment booked for tomorrow gets the one-day
reminder only) and queues its sending. Each (appointment, channel, days) reminder exists
once, so running the command twice sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from activitycr import clock
from agenda import tasks
from agenda.models import (
    Appointment,
    Channel,
    MessageKind,
    ReminderConsent,
    ReminderMessage,
)
from casework.choices import IntakeStatus


def days_before() -> list[int]:
    return sorted(set(settings.REMINDER_DAYS_BEFORE))


def due_days(starts_at: dt.datetime, now: dt.datetime) -> int | None:
    """The reminder due now for an appointment at ``starts_at``: the smallest number of
    days d with ``starts_at - d days <= now`` (None when none is due yet)."""
    for days in days_before():
        if starts_at - dt.timedelta(days=days) <= now:
            return days
    return None


def _consented(channel: str) -> Exists:
    return Exists(
        ReminderConsent.objects.active().filter(person_id=OuterRef("person_id"), channel=channel)
    )


@transaction.atomic
def enqueue_due(now: dt.datetime | None = None) -> int:
    """Create and queue the reminders due at ``now``; return how many. Four queries and
    one insert per reminder, whatever the size of the agenda."""
    now = now or clock.now()
    days = days_before()
    if not days:
        return 0
    window = (
        Appointment.objects.booked()
        .filter(starts_at__gt=now, starts_at__lte=now + dt.timedelta(days=max(days)))
        .filter(intake__status=IntakeStatus.OPEN)
        .annotate(email_ok=_consented(Channel.EMAIL), sms_ok=_consented(Channel.SMS))
        .filter(Exists(ReminderConsent.objects.active().filter(person_id=OuterRef("person_id"))))
        .values_list("pk", "starts_at", "email_ok", "sms_ok")
    )
    rows = list(window)
    existing = set(
        ReminderMessage.objects.filter(
            kind=MessageKind.REMINDER, appointment_id__in=[r[0] for r in rows]
        ).values_list("appointment_id", "channel", "days_before")
    )
    created = 0
    for pk, starts_at, email_ok, sms_ok in rows:
        due = due_days(starts_at, now)
        if due is None:
            continue
        for channel, ok in ((Channel.EMAIL, email_ok), (Channel.SMS, sms_ok)):
            if not ok or (pk, channel.value, due) in existing:
                continue
            message = ReminderMessage.objects.create(
                appointment_id=pk,
                kind=MessageKind.REMINDER,
                channel=channel,
                days_before=due,
                due_at=starts_at - dt.timedelta(days=due),
            )
            tasks.enqueue(message)
            created += 1
    return created


def queue_change(*, appointment: Appointment, kind: str) -> list[ReminderMessage]:
    """An appointment moved or was cancelled: tell the person on each channel they agreed
    to, if the appointment is still ahead."""
    now = clock.now()
    if appointment.starts_at <= now:
        return []
    channels = ReminderConsent.objects.active().filter(person_id=appointment.person_id)
    messages = []
    for channel in sorted(set(channels.values_list("channel", flat=True))):
        message, created = ReminderMessage.objects.get_or_create(
            appointment=appointment,
            kind=kind,
            channel=channel,
            days_before=0,
            defaults={"due_at": now},
        )
        if created:
            tasks.enqueue(message)
            messages.append(message)
    return messages
