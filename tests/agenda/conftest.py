"""A real SMTP server on localhost (aiosmtpd) for the reminders, and a case to book in."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage

import icalendar
import pytest
from aiosmtpd.controller import Controller

from tests import factories


class Inbox:
    """What the SMTP server received, parsed."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.raw.append(envelope.content)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[misc]
            for raw in self.raw
        ]


def invitation(message: EmailMessage) -> icalendar.Calendar:
    """The .ics attached to ``message``, parsed."""
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.walk()]
    return icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def sms_dir(settings, tmp_path):
    settings.SMS_BACKEND = "agenda.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    return tmp_path / "sms"


@pytest.fixture
def case(db):
    """An open case at Casalmaggiore of a person with an e-mail and a phone; the desk has
    an address, a phone and an e-mail."""
    desk = factories.desk("casalmaggiore")
    desk.address = "Piazza Garibaldi 26, Casalmaggiore"
    desk.phone = "0375 284411"
    desk.email = "sportello.casalmaggiore@concass.it"
    desk.save()
    person = factories.person(
        last_name="Bianchi", first_name="Giulia", email="giulia@example.org", phone="+393331234567"
    )
    return factories.intake(person, opened_on=dt.date(2024, 3, 4))
