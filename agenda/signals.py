"""The agenda follows the case: a recorded meeting holds its appointment, and a meeting's
"prossimo appuntamento" is an appointment booked in it (moved or cancelled with it)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from agenda import services
from agenda.models import Appointment, AppointmentStatus
from casework.choices import IntakeStatus
from casework.models import Meeting
from casework.signals import rows_created


@receiver(post_save, sender=Meeting, dispatch_uid="agenda_meeting_saved")
def meeting_saved(sender: type[Meeting], instance: Meeting, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures load rows as they are
    if created:
        services.link_meeting(meeting=instance)
    sync_next_appointment(instance)


@receiver(rows_created, sender=Meeting, dispatch_uid="agenda_meetings_imported")
def meetings_imported(sender: type[Meeting], instances: list[Meeting], **kwargs: Any) -> None:
    """Meetings the admin import inserted in a batch: as :func:`meeting_saved` for each,
    with one query to find the few whose case has an appointment to link. Also in a
    preview, so that it meets what the import will."""
    waiting = set(
        Appointment.objects.filter(
            intake_id__in={m.intake_id for m in instances},
            status__in=(AppointmentStatus.BOOKED, *services.OUTCOMES),
            meeting__isnull=True,
        ).values_list("intake_id", flat=True)
    )
    for meeting in instances:
        if meeting.intake_id in waiting:
            services.link_meeting(meeting=meeting)
        if meeting.next_appointment_at is not None:
            sync_next_appointment(meeting)


def sync_next_appointment(meeting: Meeting) -> None:
    """Book, move or cancel the appointment booked in ``meeting`` to match its
    ``next_appointment_at``."""
    booked = (
        Appointment.objects.filter(booked_in=meeting, status=AppointmentStatus.BOOKED)
        .order_by("-sequence", "-id")
        .first()
    )
    when = meeting.next_appointment_at
    if when is None:
        if booked is not None:
            services.cancel(appointment=booked)
        return
    if booked is None:
        if Appointment.objects.filter(booked_in=meeting).exists():
            return  # already held, missed or cancelled: the meeting's field is history
        intake = meeting.intake
        if intake.status != IntakeStatus.OPEN:
            return
        services.book(
            intake=intake,
            operator=meeting.operator,
            starts_at=when,
            booked_in=meeting,
            check_time=False,
        )
    elif booked.starts_at != when:
        services.reschedule(
            appointment=booked, operator=meeting.operator, starts_at=when, check_time=False
        )
