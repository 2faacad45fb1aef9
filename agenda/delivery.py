"""What a reminder says and how it goes out: the e-mail with its .ics invitation, the SMS.

A message carries nothing personal beyond the person's name, the time and the place (and
the desk's own address and phone): no codice fiscale, no case details, no notes. Errors
are recorded by their kind (exception class, SMTP code), never with an address.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from email.mime.text import MIMEText

import icalendar
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from activitycr import clock
from agenda.models import Appointment, AppointmentMode, Channel, MessageKind, ReminderMessage
from agenda.sms import SmsRejected, get_backend

ICS_DOMAIN = "activitycr.concass.it"


class PermanentError(Exception):
    """Sending cannot work by retrying (no address, an address refused for good)."""


def _when(appt: Appointment) -> str:
    local = timezone.localtime(appt.starts_at)
    return f"{local:%d/%m/%Y} alle {local:%H:%M}"


def _contacts(appt: Appointment) -> str:
    desk = appt.desk
    parts = [f"{_('Sportello')} Activity.Cr {desk.name}"]
    if desk.address:
        parts.append(desk.address)
    if desk.phone:
        parts.append(f"{_('tel.')} {desk.phone}")
    if desk.email:
        parts.append(desk.email)
    return " · ".join(parts)


def subject(message: ReminderMessage) -> str:
    appt = message.appointment
    when = _when(appt)
    if message.kind == MessageKind.CANCEL:
        return _("Appuntamento annullato: %(when)s") % {"when": when}
    if message.kind == MessageKind.UPDATE:
        return _("Appuntamento spostato: %(when)s") % {"when": when}
    return _("Promemoria: appuntamento il %(when)s") % {"when": when}


def body(message: ReminderMessage) -> str:
    appt = message.appointment
    person = appt.person
    lines = [_("Gentile %(name)s,") % {"name": f"{person.first_name} {person.last_name}"}, ""]
    when = _when(appt)
    if message.kind == MessageKind.CANCEL:
        lines.append(_("il suo appuntamento del %(when)s è annullato.") % {"when": when})
    elif message.kind == MessageKind.UPDATE:
        lines.append(_("il suo appuntamento è spostato al %(when)s.") % {"when": when})
    else:
        lines.append(_("le ricordiamo il suo appuntamento il %(when)s.") % {"when": when})
    if message.kind != MessageKind.CANCEL:
        lines.append(f"{_('Modalità')}: {appt.get_mode_display()}")
        if appt.where:
            lines.append(f"{_('Dove')}: {appt.where}")
    lines += [
        "",
        _("Per spostare o annullare l'appuntamento contatti lo sportello:"),
        _contacts(appt),
    ]
    return "\n".join(lines)


def sms_text(message: ReminderMessage) -> str:
    appt = message.appointment
    when = _when(appt)
    if message.kind == MessageKind.CANCEL:
        head = _("Activity.Cr: il suo appuntamento del %(when)s è annullato.") % {"when": when}
    elif message.kind == MessageKind.UPDATE:
        head = _("Activity.Cr: appuntamento spostato al %(when)s.") % {"when": when}
    else:
        head = _("Activity.Cr: promemoria appuntamento il %(when)s.") % {"when": when}
    where = f" {appt.where}." if appt.where and message.kind != MessageKind.CANCEL else ""
    phone = f" {_('Info')}: {appt.desk.phone}" if appt.desk.phone else ""
    return f"{head}{where}{phone}"


def invitation(message: ReminderMessage) -> bytes:
    """The calendar invitation (RFC 5545/5546): one event per appointment uid, its sequence
    counting the versions; METHOD:CANCEL for a cancellation."""
    appt = message.appointment
    cancel = message.kind == MessageKind.CANCEL
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Con.Ca.S.S.//Activity.Cr case desk//IT")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"{appt.uid}@{ICS_DOMAIN}")
    event.add("sequence", appt.sequence)
    event.add("dtstamp", clock.now().astimezone(dt.UTC))
    event.add("dtstart", appt.starts_at.astimezone(dt.UTC))
    event.add("dtend", appt.ends_at.astimezone(dt.UTC))
    event.add(
        "summary", _("Appuntamento allo sportello Activity.Cr %(desk)s") % {"desk": appt.desk}
    )
    if appt.where:
        event.add("location", appt.where)
    event.add("description", _contacts(appt))
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = appt.desk.email or settings.DEFAULT_FROM_EMAIL
    event.add("organizer", f"mailto:{organizer}")
    event.add("attendee", f"mailto:{appt.person.email}")
    if appt.mode == AppointmentMode.VIDEO and appt.place.startswith(("https://", "http://")):
        event.add("url", appt.place)
    cal.add_component(event)
    return cal.to_ical()


def send_email(message: ReminderMessage) -> None:
    appt = message.appointment
    if not appt.person.email:
        raise PermanentError("no e-mail address")
    mail = EmailMultiAlternatives(
        subject=subject(message),
        body=body(message),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[appt.person.email],
        reply_to=[appt.desk.email] if appt.desk.email else None,
    )
    part = MIMEText(invitation(message).decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", "CANCEL" if message.kind == MessageKind.CANCEL else "REQUEST")
    part.add_header("Content-Disposition", "attachment", filename="invito.ics")
    mail.attach(part)
    try:
        mail.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError("SMTPRecipientsRefused") from exc


def send_sms(message: ReminderMessage) -> None:
    if not message.appointment.person.phone:
        raise PermanentError("no phone number")
    try:
        get_backend().send(to=message.appointment.person.phone, text=sms_text(message))
    except SmsRejected as exc:
        raise PermanentError("SmsRejected") from exc


def send(message: ReminderMessage) -> None:
    """Send ``message`` now, in Italian (the language of the desks). Raises on failure."""
    with translation.override("it"):
        if message.channel == Channel.EMAIL:
            send_email(message)
        else:
            send_sms(message)


def describe_error(exc: BaseException) -> str:
    """The kind of failure, safe to store and show: no address, no text."""
    if isinstance(exc, PermanentError):
        return str(exc)[:200]
    code = getattr(exc, "smtp_code", None)
    name = type(exc).__name__
    return f"{name} {code}" if code else name
