"""Writes of the agenda: booking, rescheduling, cancelling, marking an appointment held or
missed, consent to reminders. Typed, keyword-only, under ``transaction.atomic``.

Every change a person should hear about (a new time, a cancellation) queues its message
here, inside the same transaction; the worker sends it once the transaction commits
(``agenda/reminders.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activitycr import clock
from agenda import reminders
from agenda.models import (
    Appointment,
    AppointmentMode,
    AppointmentStatus,
    Channel,
    ConsentSource,
    MessageKind,
    ReminderConsent,
)
from casework.choices import IntakeStatus
from casework.models import Intake, Meeting, Person

if TYPE_CHECKING:
    from activitycr.http import AnyUser

# How far ahead an appointment may be booked.
BOOKING_DAYS_AHEAD = 366


def _user(user: AnyUser | None) -> User | None:
    return user if isinstance(user, User) else None


def check_when(starts_at: dt.datetime, *, field: str = "starts_at") -> None:
    """An appointment is booked from now on, at most a year ahead."""
    now = clock.now()
    if starts_at < now - dt.timedelta(minutes=5):
        raise ValidationError({field: _("L'appuntamento va fissato da adesso in avanti.")})
    if starts_at > now + dt.timedelta(days=BOOKING_DAYS_AHEAD):
        raise ValidationError({field: _("L'appuntamento va fissato entro un anno.")})


@transaction.atomic
def book(
    *,
    intake: Intake,
    operator: AnyUser | None,
    starts_at: dt.datetime,
    mode: str = AppointmentMode.IN_PERSON,
    place: str = "",
    duration_minutes: int = 45,
    booked_in: Meeting | None = None,
    check_time: bool = True,
) -> Appointment:
    """Book an appointment in an open case, at the case's desk."""
    if intake.status != IntakeStatus.OPEN:
        raise ValidationError(
            _("La presa in carico è chiusa: riaprirla per fissare un appuntamento.")
        )
    if check_time:
        check_when(starts_at)
    appointment = Appointment(
        person_id=intake.person_id,
        intake=intake,
        desk_id=intake.desk_id,
        operator=_user(operator),
        starts_at=starts_at,
        mode=mode,
        place=place,
        duration_minutes=duration_minutes,
        booked_in=booked_in,
        status_changed_at=clock.now(),
    )
    appointment.full_clean()
    appointment.save()
    return appointment


@transaction.atomic
def reschedule(
    *,
    appointment: Appointment,
    operator: AnyUser | None,
    starts_at: dt.datetime,
    mode: str | None = None,
    place: str | None = None,
    check_time: bool = True,
) -> Appointment:
    """Move a booked appointment: the old row becomes "rinviato", a new one is booked with
    the same calendar uid and the next sequence, and the person (with consent) receives
    the updated invitation."""
    old = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if old.status != AppointmentStatus.BOOKED:
        raise ValidationError(_("Si può spostare solo un appuntamento prenotato."))
    if check_time:
        check_when(starts_at)
    new = Appointment(
        person_id=old.person_id,
        intake_id=old.intake_id,
        desk_id=old.desk_id,
        operator=_user(operator) or old.operator,
        starts_at=starts_at,
        mode=mode or old.mode,
        place=old.place if place is None else place,
        duration_minutes=old.duration_minutes,
        booked_in=old.booked_in,
        uid=old.uid,
        sequence=old.sequence + 1,
        status_changed_at=clock.now(),
    )
    new.full_clean()
    new.save()
    old.status = AppointmentStatus.RESCHEDULED
    old.rescheduled_to = new
    old.status_changed_at = clock.now()
    old.save(update_fields=["status", "rescheduled_to", "status_changed_at", "updated_at"])
    reminders.queue_change(appointment=new, kind=MessageKind.UPDATE)
    return new


@transaction.atomic
def cancel(*, appointment: Appointment) -> Appointment:
    """Cancel a booked appointment; the person (with consent) receives the cancellation."""
    appt = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appt.status != AppointmentStatus.BOOKED:
        raise ValidationError(_("Si può annullare solo un appuntamento prenotato."))
    appt.status = AppointmentStatus.CANCELLED
    appt.sequence += 1  # RFC 5545: the cancellation is a newer version of the event
    appt.status_changed_at = clock.now()
    appt.save(update_fields=["status", "sequence", "status_changed_at", "updated_at"])
    reminders.queue_change(appointment=appt, kind=MessageKind.CANCEL)
    return appt


OUTCOMES = (AppointmentStatus.MISSED, AppointmentStatus.EXCUSED)


@transaction.atomic
def mark(*, appointment: Appointment, status: str) -> Appointment:
    """Record that the person did not come (a no-show) or sent word (excused).

    Only an appointment that has started can be missed; a wrong click is put right by
    marking the other outcome, or by recording the meeting (held)."""
    appt = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if status not in OUTCOMES:
        raise ValidationError(_("Esito dell'appuntamento non valido."))
    if appt.status not in (AppointmentStatus.BOOKED, *OUTCOMES):
        raise ValidationError(_("Questo appuntamento non è più prenotato."))
    if appt.starts_at > clock.now():
        raise ValidationError(_("L'appuntamento non è ancora iniziato."))
    appt.status = status
    appt.status_changed_at = clock.now()
    appt.save(update_fields=["status", "status_changed_at", "updated_at"])
    return appt


def link_meeting(*, meeting: Meeting) -> Appointment | None:
    """A meeting was recorded: the case's appointment booked for that day becomes held (or
    missed, when the meeting says the person did not come) and is linked to it."""
    if Appointment.objects.filter(meeting=meeting).exists():
        return None
    start = timezone.make_aware(dt.datetime.combine(meeting.held_on, dt.time.min))
    appt = (
        Appointment.objects.filter(
            intake_id=meeting.intake_id,
            status__in=(AppointmentStatus.BOOKED, *OUTCOMES),
            meeting__isnull=True,
        )
        .between(start, start + dt.timedelta(days=1))
        .order_by("starts_at", "id")
        .first()
    )
    if appt is None:
        return None
    appt.meeting = meeting
    appt.status = AppointmentStatus.HELD if meeting.attended else AppointmentStatus.MISSED
    appt.status_changed_at = clock.now()
    appt.save(update_fields=["meeting", "status", "status_changed_at", "updated_at"])
    return appt


# --- Consent --------------------------------------------------------------------------------


@transaction.atomic
def give_consent(
    *,
    person: Person,
    channel: str,
    source: str,
    given_on: dt.date,
    operator: AnyUser | None,
) -> ReminderConsent:
    if channel == Channel.EMAIL and not person.email:
        raise ValidationError(
            {"channel": _("La persona non ha un indirizzo e-mail: aggiungerlo nella scheda.")}
        )
    if channel == Channel.SMS and not person.phone:
        raise ValidationError(
            {"channel": _("La persona non ha un numero di telefono: aggiungerlo nella scheda.")}
        )
    if given_on > clock.today():
        raise ValidationError({"given_on": _("La data del consenso non può essere futura.")})
    consent = ReminderConsent(
        person=person,
        channel=channel,
        source=source or ConsentSource.IN_PERSON,
        given_on=given_on,
        operator=_user(operator),
    )
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def withdraw_consent(*, consent: ReminderConsent, operator: AnyUser | None) -> ReminderConsent:
    consent = ReminderConsent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        return consent
    consent.withdrawn_on = max(clock.today(), consent.given_on)
    consent.withdrawn_by = _user(operator)
    consent.save(update_fields=["withdrawn_on", "withdrawn_by"])
    return consent
