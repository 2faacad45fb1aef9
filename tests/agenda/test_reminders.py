"""Reminders: consent per channel, the e-mail with its .ics at a real SMTP server, the
update and the cancellation of the invitation, retries with back-off, the SMS backend,
and ``manage.py run_due_work`` running the real database worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from agenda import reminders, services
from agenda.models import (
    AppointmentStatus,
    MessageKind,
    MessageStatus,
    ReminderMessage,
)
from tests.agenda.conftest import invitation

pytestmark = pytest.mark.django_db


def _book(case, op, hours: float, **extra):
    return services.book(
        intake=case,
        operator=op,
        starts_at=timezone.now() + dt.timedelta(hours=hours),
        **extra,
    )


def _consent(case, op, channel="email"):
    return services.give_consent(
        person=case.person,
        channel=channel,
        source="presenza",
        given_on=timezone.localdate(),
        operator=op,
    )


def run_due_work() -> None:
    call_command("run_due_work", verbosity=0)


def test_a_reminder_two_days_before_reaches_the_smtp_server_with_a_valid_ics(
    smtp, case, op_casalmaggiore
):
    _consent(case, op_casalmaggiore)
    appt = _book(case, op_casalmaggiore, hours=40)
    run_due_work()

    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "giulia@example.org"
    assert mail["Reply-To"] == "sportello.casalmaggiore@concass.it"
    local = timezone.localtime(appt.starts_at)
    assert f"{local:%d/%m/%Y}" in mail["Subject"]
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Giulia Bianchi" in text
    assert "Piazza Garibaldi 26" in text and "0375 284411" in text
    # Nothing personal beyond name, time and place: no codice fiscale, no case details.
    assert case.person.fiscal_code not in mail.as_string()

    cal = invitation(mail)
    assert cal["METHOD"] == "REQUEST"
    event = cal.walk("VEVENT")[0]
    assert str(event["UID"]) == f"{appt.uid}@activitycr.concass.it"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == appt.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=45)
    assert "Piazza Garibaldi 26" in str(event["LOCATION"])
    assert "0375 284411" in str(event["DESCRIPTION"])

    message = ReminderMessage.objects.get()
    assert (message.kind, message.channel, message.days_before) == ("promemoria", "email", 2)
    assert message.status == MessageStatus.SENT and message.attempts == 1
    assert message.sent_at is not None

    # Running again sends nothing twice; the one-day reminder is not due yet.
    run_due_work()
    assert len(smtp.messages) == 1


def test_the_one_day_reminder_goes_when_its_time_comes(smtp, case, op_casalmaggiore):
    _consent(case, op_casalmaggiore)
    appt = _book(case, op_casalmaggiore, hours=40)
    now = timezone.now()
    assert reminders.enqueue_due(now) == 1
    assert reminders.enqueue_due(now + dt.timedelta(hours=10)) == 0  # 30 h before: none new
    assert reminders.enqueue_due(now + dt.timedelta(hours=17)) == 1  # 23 h before: one day
    assert set(appt.messages.values_list("days_before", flat=True)) == {1, 2}


def test_an_appointment_booked_for_tomorrow_gets_only_the_one_day_reminder(
    smtp, case, op_casalmaggiore
):
    _consent(case, op_casalmaggiore)
    _book(case, op_casalmaggiore, hours=20)
    run_due_work()
    assert list(ReminderMessage.objects.values_list("days_before", flat=True)) == [1]
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("days", [[3], [5, 1]])
def test_the_days_before_are_a_setting(settings, smtp, case, op_casalmaggiore, days):
    settings.REMINDER_DAYS_BEFORE = days
    _consent(case, op_casalmaggiore)
    _book(case, op_casalmaggiore, hours=24 * max(days) - 2)
    run_due_work()
    assert list(ReminderMessage.objects.values_list("days_before", flat=True)) == [max(days)]


def test_no_consent_no_reminder_and_a_withdrawn_consent_stops_them(smtp, case, op_casalmaggiore):
    _book(case, op_casalmaggiore, hours=40)
    run_due_work()
    assert smtp.messages == [] and not ReminderMessage.objects.exists()

    consent = _consent(case, op_casalmaggiore)
    services.withdraw_consent(consent=consent, operator=op_casalmaggiore)
    run_due_work()
    assert smtp.messages == [] and not ReminderMessage.objects.exists()

    # Consent by SMS only: no e-mail.
    _consent(case, op_casalmaggiore, channel="sms")
    call_command("run_due_work", "--no-worker", verbosity=0)
    assert list(ReminderMessage.objects.values_list("channel", flat=True)) == ["sms"]


def test_a_consent_withdrawn_after_queueing_skips_the_message(smtp, case, op_casalmaggiore):
    consent = _consent(case, op_casalmaggiore)
    _book(case, op_casalmaggiore, hours=40)
    call_command("run_due_work", "--no-worker", verbosity=0)
    services.withdraw_consent(consent=consent, operator=op_casalmaggiore)
    run_due_work()
    assert smtp.messages == []
    assert ReminderMessage.objects.get().status == MessageStatus.SKIPPED


def test_rescheduling_sends_the_updated_invitation_and_cancelling_the_cancellation(
    smtp, case, op_casalmaggiore
):
    _consent(case, op_casalmaggiore)
    first = _book(case, op_casalmaggiore, hours=24 * 10)
    moved = services.reschedule(
        appointment=first,
        operator=op_casalmaggiore,
        starts_at=first.starts_at + dt.timedelta(days=1),
    )
    first.refresh_from_db()
    assert first.status == AppointmentStatus.RESCHEDULED and first.rescheduled_to == moved
    run_due_work()
    assert len(smtp.messages) == 1
    update = invitation(smtp.messages[0])
    event = update.walk("VEVENT")[0]
    assert update["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"{first.uid}@activitycr.concass.it"
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == moved.starts_at.replace(microsecond=0)
    assert "spostato" in smtp.messages[0]["Subject"]

    services.cancel(appointment=moved)
    run_due_work()
    assert len(smtp.messages) == 2
    cancel = invitation(smtp.messages[1])
    event = cancel.walk("VEVENT")[0]
    assert cancel["METHOD"] == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"{first.uid}@activitycr.concass.it"
    assert int(event["SEQUENCE"]) == 2
    kinds = list(ReminderMessage.objects.order_by("pk").values_list("kind", "status"))
    assert kinds == [(MessageKind.UPDATE, "inviato"), (MessageKind.CANCEL, "inviato")]


def test_a_failed_send_is_retried_with_back_off_then_ends_in_a_visible_error(
    settings, smtp, case, op_casalmaggiore, client
):
    settings.REMINDER_RETRY_MINUTES = [5, 30]
    _consent(case, op_casalmaggiore)
    _book(case, op_casalmaggiore, hours=40)
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there: connection refused
    before = timezone.now()
    run_due_work()
    message = ReminderMessage.objects.get()
    assert message.status == MessageStatus.RETRYING and message.attempts == 1
    assert message.last_error == "ConnectionRefusedError"
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.args_kwargs["args"] == [message.pk]
    assert (
        before + dt.timedelta(minutes=5)
        <= retry.run_after
        <= timezone.now() + dt.timedelta(minutes=5)
    )
    # Not due yet: the worker leaves it.
    run_due_work()
    message.refresh_from_db()
    assert message.attempts == 1

    # Its time comes; still failing: the second retry, then the final error.
    for attempts, status in ((2, MessageStatus.RETRYING), (3, MessageStatus.FAILED)):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_due_work()
        message.refresh_from_db()
        assert (message.attempts, message.status) == (attempts, status)
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert smtp.messages == []

    # Visible on the case page.
    client.force_login(op_casalmaggiore)
    page = client.get(reverse("casework:person", args=[case.person_id])).content.decode()
    assert "Non inviato (errore)" in page and "ConnectionRefusedError" in page
    assert port != settings.EMAIL_PORT


def test_an_address_refused_by_the_server_fails_at_once(smtp, case, op_casalmaggiore):
    smtp.refuse = True
    _consent(case, op_casalmaggiore)
    _book(case, op_casalmaggiore, hours=40)
    run_due_work()
    message = ReminderMessage.objects.get()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 1)
    assert message.last_error == "SMTPRecipientsRefused"
    assert "example.org" not in message.last_error


def test_sms_goes_through_the_file_backend(sms_dir, case, op_casalmaggiore):
    _consent(case, op_casalmaggiore, channel="sms")
    appt = _book(case, op_casalmaggiore, hours=20)
    run_due_work()
    files = list(sms_dir.glob("*.txt"))
    assert len(files) == 1
    text = files[0].read_text()
    assert text.startswith("To: +393331234567")
    local = timezone.localtime(appt.starts_at)
    assert f"{local:%d/%m/%Y} alle {local:%H:%M}" in text
    assert "0375 284411" in text
    assert ReminderMessage.objects.get().status == MessageStatus.SENT


def test_a_reminder_task_carries_only_an_id(smtp, case, op_casalmaggiore):
    _consent(case, op_casalmaggiore)
    _book(case, op_casalmaggiore, hours=40)
    call_command("run_due_work", "--no-worker", verbosity=0)
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [ReminderMessage.objects.get().pk], "kwargs": {}}
