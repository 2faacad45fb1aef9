"""Appointments (the agenda), consent to reminders, and the reminders sent.

An appointment belongs to a case (intake) and so to its person and desk; it is scoped
like the case: an operator sees the appointments of their desks' cases, another desk's
appointment is a 404. Rescheduling keeps the old row (status "rinviato") and books a new
one with the same calendar ``uid`` and the next ``sequence``: the person's calendar
updates the event it already has, and the no-show rate still sees what happened.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.choices import label_of
from casework.models import Intake, Meeting, Person, in_choices
from casework.permissions import sees_all_desks
from sportelli.models import Desk

if TYPE_CHECKING:
    from activitycr.http import AnyUser


class AppointmentMode(models.TextChoices):
    IN_PERSON = "presenza", _("In presenza")
    PHONE = "telefono", _("Telefono")
    VIDEO = "video", _("Videochiamata")


class AppointmentStatus(models.TextChoices):
    BOOKED = "prenotato", _("Prenotato")
    HELD = "svolto", _("Svolto")
    MISSED = "mancato", _("Non presentato")
    EXCUSED = "giustificato", _("Assenza giustificata")
    CANCELLED = "annullato", _("Annullato")
    RESCHEDULED = "rinviato", _("Rinviato")


class Channel(models.TextChoices):
    """How a reminder reaches the person."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class ConsentSource(models.TextChoices):
    """How the person gave (or withdrew) their consent."""

    IN_PERSON = "presenza", _("In presenza, firmato")
    PHONE = "telefono", _("Al telefono")
    EMAIL = "email", _("Per e-mail")


class MessageKind(models.TextChoices):
    REMINDER = "promemoria", _("Promemoria")
    UPDATE = "aggiornamento", _("Appuntamento spostato")
    CANCEL = "annullamento", _("Appuntamento annullato")


class MessageStatus(models.TextChoices):
    PENDING = "in_attesa", _("Da inviare")
    RETRYING = "riprova", _("Nuovo tentativo in programma")
    SENT = "inviato", _("Inviato")
    FAILED = "errore", _("Non inviato (errore)")
    SKIPPED = "saltato", _("Non inviato (non più necessario)")


# --- Appointment --------------------------------------------------------------------------


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def visible_to(self, user: AnyUser) -> AppointmentQuerySet:
        """The appointments of the desks ``user`` sees (all for staff roles)."""
        if not user.is_authenticated:
            return self.none()
        if sees_all_desks(user):
            return self.all()
        return self.filter(desk__operators=user)

    def booked(self) -> AppointmentQuerySet:
        return self.filter(status=AppointmentStatus.BOOKED)

    def between(self, start: dt.datetime, end: dt.datetime) -> AppointmentQuerySet:
        return self.filter(starts_at__gte=start, starts_at__lt=end)


class Appointment(models.Model):
    """A meeting booked for a date and time (the agenda)."""

    person = models.ForeignKey(
        Person, verbose_name=_("persona"), on_delete=models.CASCADE, related_name="appointments"
    )
    intake = models.ForeignKey(
        Intake,
        verbose_name=_("presa in carico"),
        on_delete=models.CASCADE,
        related_name="appointments",
    )
    desk = models.ForeignKey(
        Desk, verbose_name=_("sportello"), on_delete=models.PROTECT, related_name="appointments"
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operatore"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    starts_at = models.DateTimeField(_("data e ora"))
    duration_minutes = models.PositiveSmallIntegerField(_("durata (minuti)"), default=45)
    mode = models.CharField(
        _("modalità"),
        max_length=10,
        choices=AppointmentMode.choices,
        default=AppointmentMode.IN_PERSON,
    )
    place = models.CharField(
        _("luogo o collegamento"),
        max_length=300,
        blank=True,
        help_text=_(
            "In presenza: vuoto per l'indirizzo dello sportello; videochiamata: il link; "
            "telefono: chi chiama chi."
        ),
    )
    status = models.CharField(
        _("stato"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    meeting = models.OneToOneField(
        Meeting,
        verbose_name=_("colloquio svolto"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointment",
    )
    booked_in = models.ForeignKey(
        Meeting,
        verbose_name=_("fissato nel colloquio"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments_booked",
    )
    rescheduled_to = models.OneToOneField(
        "self",
        verbose_name=_("spostato a"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rescheduled_from",
    )
    # The calendar event: one uid for an appointment and its reschedulings, the sequence
    # counts the versions (RFC 5545), so the person's calendar updates the same event.
    uid = models.UUIDField(_("identificativo calendario"), default=uuid.uuid4, editable=False)
    sequence = models.PositiveSmallIntegerField(_("versione"), default=0, editable=False)
    status_changed_at = models.DateTimeField(_("stato aggiornato il"), null=True, blank=True)
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modificato il"), auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appuntamento")
        verbose_name_plural = _("appuntamenti")
        ordering = ["starts_at", "id"]
        indexes = [
            # The agenda of a desk / an operator for a day or a week.
            models.Index(fields=["desk", "starts_at"], name="agenda_appt_desk_idx"),
            models.Index(fields=["operator", "starts_at"], name="agenda_appt_operator_idx"),
            # The reminders due, the overdue follow-ups' "has a booked appointment".
            models.Index(fields=["status", "starts_at"], name="agenda_appt_status_idx"),
            models.Index(fields=["person", "status", "starts_at"], name="agenda_appt_person_idx"),
            models.Index(fields=["intake", "starts_at"], name="agenda_appt_intake_idx"),
        ]
        constraints = [
            in_choices("mode", AppointmentMode, "agenda_appointment_mode_valid"),
            in_choices("status", AppointmentStatus, "agenda_appointment_status_valid"),
            models.UniqueConstraint(
                fields=["uid", "sequence"], name="agenda_appointment_uid_sequence_unique"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="agenda_appointment_duration_range",
            ),
            models.CheckConstraint(
                condition=~Q(status=AppointmentStatus.RESCHEDULED)
                | Q(rescheduled_to__isnull=False),
                name="agenda_appointment_rescheduled_has_new",
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{local:%d/%m/%Y %H:%M} · {label_of(AppointmentMode, self.mode)}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_booked(self) -> bool:
        return self.status == AppointmentStatus.BOOKED

    @property
    def where(self) -> str:
        """The place told to the person: the link or place typed, else the desk's address."""
        if self.place:
            return self.place
        if self.mode == AppointmentMode.IN_PERSON:
            return f"{self.desk.name}, {self.desk.address}" if self.desk.address else self.desk.name
        return ""


# --- Consent --------------------------------------------------------------------------------


class ReminderConsentQuerySet(models.QuerySet["ReminderConsent"]):
    def active(self) -> ReminderConsentQuerySet:
        return self.filter(withdrawn_on__isnull=True)


class ReminderConsent(models.Model):
    """The person agreed to receive reminders on one channel; withdrawable."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("persona"),
        on_delete=models.CASCADE,
        related_name="reminder_consents",
    )
    channel = models.CharField(_("canale dei promemoria"), max_length=10, choices=Channel.choices)
    given_on = models.DateField(_("consenso dato il"))
    source = models.CharField(
        _("modalità del consenso"), max_length=10, choices=ConsentSource.choices
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operatore"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_on = models.DateField(_("revocato il"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoca registrata da"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registrato il"), auto_now_add=True)

    objects = ReminderConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consenso ai promemoria")
        verbose_name_plural = _("consensi ai promemoria")
        ordering = ["-given_on", "-id"]
        constraints = [
            in_choices("channel", Channel, "agenda_consent_channel_valid"),
            in_choices("source", ConsentSource, "agenda_consent_source_valid"),
            models.UniqueConstraint(
                fields=["person", "channel"],
                condition=Q(withdrawn_on__isnull=True),
                name="agenda_one_active_consent_per_channel",
                violation_error_message=_("Il consenso per questo canale è già registrato."),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="agenda_consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.person_id} · {label_of(Channel, self.channel)} · {self.given_on:%d/%m/%Y}"


# --- Messages -------------------------------------------------------------------------------


class ReminderMessage(models.Model):
    """One message about an appointment, on one channel: a reminder N days before, or the
    update/cancellation of the invitation. Logged on the case whatever its result; it
    stores no text: what it says is rebuilt from the appointment (name, time, place)."""

    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("appuntamento"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    kind = models.CharField(_("tipo"), max_length=15, choices=MessageKind.choices)
    channel = models.CharField(_("canale"), max_length=10, choices=Channel.choices)
    days_before = models.PositiveSmallIntegerField(_("giorni prima"), default=0)
    due_at = models.DateTimeField(_("da inviare dal"))
    status = models.CharField(
        _("esito"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentativi"), default=0)
    next_attempt_at = models.DateTimeField(_("prossimo tentativo"), null=True, blank=True)
    sent_at = models.DateTimeField(_("inviato il"), null=True, blank=True)
    # The kind of failure only (e.g. "SMTPRecipientsRefused 550"): never an address.
    last_error = models.CharField(_("ultimo errore"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("aggiornato il"), auto_now=True)

    class Meta:
        verbose_name = _("messaggio di promemoria")
        verbose_name_plural = _("messaggi di promemoria")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="agenda_message_due_idx"),
        ]
        constraints = [
            in_choices("kind", MessageKind, "agenda_message_kind_valid"),
            in_choices("channel", Channel, "agenda_message_channel_valid"),
            in_choices("status", MessageStatus, "agenda_message_status_valid"),
            models.UniqueConstraint(
                fields=["appointment", "kind", "channel", "days_before"],
                name="agenda_message_once",
            ),
        ]

    def __str__(self) -> str:
        kind, channel = label_of(MessageKind, self.kind), label_of(Channel, self.channel)
        return f"{kind} · {channel} · {self.due_at:%d/%m/%Y}"
