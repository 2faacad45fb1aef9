"""Issue 13's "done when", in one run of a real browser: an operator records a person's
consent to e-mail reminders and books an appointment from the case page; the due work runs
(``manage.py run_due_work``: the real database worker); the reminder with a valid .ics is
at the local SMTP server; the clock moves past the start, and recording the meeting from
the agenda marks the appointment held; then the case is closed with the situation at exit,
the clock moves past six months, the follow-up task is on the work list, its answer is
recorded and the review counts it (``close_and_follow_up``).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from agenda.models import Appointment, AppointmentStatus, ReminderConsent, ReminderMessage
from casework.models import Meeting
from tests import factories
from tests.agenda.conftest import invitation, smtp  # noqa: F401 - the SMTP server fixture
from tests.browser.conftest import login
from tests.browser.test_exit_followup import close_and_follow_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_book_remind_and_hold_an_appointment(page, smtp, settings, op_casalmaggiore):  # noqa: F811
    desk = factories.desk("casalmaggiore")
    desk.address = "Piazza Garibaldi 26, Casalmaggiore"
    desk.phone = "0375 284411"
    desk.save()
    person = factories.person(
        last_name="Bianchi", first_name="Giulia", gender="F", email="giulia@example.org"
    )
    intake = factories.intake(person, opened_on=timezone.localdate() - dt.timedelta(days=40))

    login(page, "op.casalmaggiore")
    page.goto(f"/persona/{person.pk}/")

    # Consent to e-mail reminders, recorded by the operator.
    page.locator("#consent-add").click()
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("In presenza, firmato").check()
    page.locator("#form-submit").click()
    expect(page.locator("#consents")).to_contain_text("E-mail")
    consent = ReminderConsent.objects.get()
    assert consent.operator == op_casalmaggiore and consent.given_on == timezone.localdate()

    # An appointment in a few minutes (today still, even just before midnight: the service
    # accepts a start up to 5 minutes ago), booked from the case page.
    now = timezone.localtime()
    starts = min(now + dt.timedelta(minutes=5), now.replace(hour=23, minute=59))
    page.locator(f"#book-{intake.pk}").click()
    page.locator("[name=starts_at]").fill(f"{starts:%Y-%m-%dT%H:%M}")
    page.locator("#form-submit").click()
    expect(page).to_have_url(re.compile(rf"/persona/{person.pk}/"))
    appt = Appointment.objects.get()
    assert appt.status == AppointmentStatus.BOOKED

    # The due work: the reminder reaches the SMTP server with its invitation.
    call_command("run_due_work", verbosity=0)
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "giulia@example.org"
    cal = invitation(mail)
    event = cal.walk("VEVENT")[0]
    assert cal["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"{appt.uid}@activitycr.concass.it"
    assert event.decoded("DTSTART") == appt.starts_at
    assert "Piazza Garibaldi 26" in str(event["LOCATION"])
    page.reload()
    expect(page.locator(f"#appuntamento-{appt.pk}")).to_contain_text("Inviato")
    assert ReminderMessage.objects.get().status == "inviato"

    # The clock moves past the start: the agenda offers to record the meeting.
    settings.CLOCK_OFFSET = dt.timedelta(minutes=10)
    page.goto(f"/agenda/sportello/casalmaggiore/?data={starts.date().isoformat()}")
    row = page.locator(f"#appuntamento-{appt.pk}")
    expect(row).to_contain_text("Bianchi Giulia")
    row.locator(f"#record-{appt.pk}").click()
    page.get_by_label("In presenza").check()
    page.locator("#form-submit").click()
    expect(page).to_have_url(re.compile(rf"/persona/{person.pk}/"))
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.HELD
    assert appt.meeting == Meeting.objects.get(intake=intake)
    expect(page.locator(f"#appuntamento-{appt.pk}")).to_contain_text("Svolto")

    # The exit and its six-month follow-up, on the same case, to the review.
    close_and_follow_up(page, intake, settings)


def test_the_agenda_from_the_keyboard(page, op_casalmaggiore):
    login(page, "op.casalmaggiore")
    page.goto("/agenda/sportello/casalmaggiore/")
    today = timezone.localdate()
    expect(page.locator("h1")).to_contain_text(f"{today:%d/%m/%Y}")
    page.keyboard.press("ArrowRight")
    expect(page.locator("h1")).to_contain_text(f"{today + dt.timedelta(days=1):%d/%m/%Y}")
    page.keyboard.press("s")
    expect(page.locator(".agenda-day")).to_have_count(7)
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(rf"data={today.isoformat()}"))
    # Printed: no menu, no buttons.
    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()
    expect(page.locator("#agenda-controls")).to_be_hidden()
