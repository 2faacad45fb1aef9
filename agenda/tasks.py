"""The background task that sends one reminder message (django-tasks, database queue).

The task's only argument is the message's id. A failure that may pass (the SMTP server
down, a timeout, a gateway error) is retried with back-off: the message counts its
attempts and the task is enqueued again to run after ``REMINDER_RETRY_MINUTES[n]``; after
the last one, or at once for a permanent failure (no address, an address refused), the
message ends in the error state shown on the case and in the admin.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from activitycr import clock
from agenda import delivery
from agenda.models import (
    AppointmentStatus,
    MessageKind,
    MessageStatus,
    ReminderConsent,
    ReminderMessage,
)

logger = logging.getLogger(__name__)

QUEUE = "default"


def enqueue(message: ReminderMessage, *, run_after: dt.datetime | None = None) -> None:
    """Queue the sending of ``message`` (inside the caller's transaction: the database
    queue commits or rolls back with the message itself)."""
    if run_after is None:
        send_message.enqueue(message.pk)
    else:
        send_message.using(run_after=run_after).enqueue(message.pk)


def still_wanted(message: ReminderMessage) -> bool:
    """Whether the message should still go: consent active, and for a reminder or an update
    the appointment still booked and ahead; a cancellation only for an appointment ahead."""
    appt = message.appointment
    if appt.starts_at <= clock.now():
        return False
    if message.kind != MessageKind.CANCEL and appt.status != AppointmentStatus.BOOKED:
        return False
    return (
        ReminderConsent.objects.active()
        .filter(person_id=appt.person_id, channel=message.channel)
        .exists()
    )


def attempt(message_id: int) -> str:
    """One attempt at sending a message; returns the message's status afterwards."""
    message = (
        ReminderMessage.objects.select_related("appointment__person", "appointment__desk")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.status not in (MessageStatus.PENDING, MessageStatus.RETRYING):
        return message.status if message else "missing"
    now = timezone.now()
    if not still_wanted(message):
        message.status = MessageStatus.SKIPPED
        message.next_attempt_at = None
        message.save(update_fields=["status", "next_attempt_at", "updated_at"])
        return message.status
    message.attempts += 1
    delays = settings.REMINDER_RETRY_MINUTES
    try:
        delivery.send(message)
    except Exception as exc:  # any failure of the transport is recorded
        message.last_error = delivery.describe_error(exc)
        permanent = isinstance(exc, delivery.PermanentError)
        if permanent or message.attempts > len(delays):
            message.status = MessageStatus.FAILED
            message.next_attempt_at = None
        else:
            message.status = MessageStatus.RETRYING
            message.next_attempt_at = now + dt.timedelta(minutes=delays[message.attempts - 1])
            enqueue(message, run_after=message.next_attempt_at)
        logger.warning(
            "reminder message id=%s attempt %s failed: %s",
            message.pk,
            message.attempts,
            message.last_error,
        )
    else:
        message.status = MessageStatus.SENT
        message.sent_at = now
        message.next_attempt_at = None
        message.last_error = ""
    message.save(
        update_fields=[
            "status",
            "attempts",
            "sent_at",
            "next_attempt_at",
            "last_error",
            "updated_at",
        ]
    )
    return message.status


@task(queue_name=QUEUE)
def send_message(message_id: int) -> str:
    return attempt(message_id)
