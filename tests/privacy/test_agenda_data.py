"""Subject access and anonymisation cover the agenda: appointments, consents to reminders
and the reminders sent."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.utils import timezone

from agenda import services as agenda_services
from agenda.models import Appointment, ReminderConsent, ReminderMessage
from privacy.services import anonymise_person
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(op_casalmaggiore):
    person = factories.person(last_name="Superti", email="chiara@example.org")
    intake = factories.intake(person, opened_on=dt.date(2024, 3, 4))
    consent = agenda_services.give_consent(
        person=person,
        channel="email",
        source="presenza",
        given_on=dt.date(2024, 3, 4),
        operator=op_casalmaggiore,
    )
    appt = agenda_services.book(
        intake=intake,
        operator=op_casalmaggiore,
        starts_at=timezone.now() + dt.timedelta(days=2),
        mode="video",
        place="https://meet.example.org/superti-chiara",
    )
    message = ReminderMessage.objects.create(
        appointment=appt, kind="promemoria", channel="email", days_before=2, due_at=timezone.now()
    )
    return person, appt, consent, message


def test_subject_access_lists_appointments_consents_and_messages(booked):
    person, appt, consent, _message = booked
    out = io.StringIO()
    call_command("subject_access", str(person.pk), stdout=out)
    data = json.loads(out.getvalue())
    [a] = data["appointments"]
    assert a["id"] == appt.pk and a["mode_label"] == "Videochiamata"
    assert a["place"] == "https://meet.example.org/superti-chiara"
    assert a["status"] == "prenotato" and a["intake_id"] == appt.intake_id
    [c] = data["reminder_consents"]
    assert (c["channel"], c["given_on"], c["operator"]) == (
        "email",
        "2024-03-04",
        "op.casalmaggiore",
    )
    [m] = data["reminder_messages"]
    assert (m["appointment_id"], m["kind"], m["status"]) == (appt.pk, "promemoria", "in_attesa")
    # The trail of the appointment and the consent is part of the person's history.
    objects = {e["object"] for e in data["audit_trail"]}
    assert f"appointment #{appt.pk}" in objects and f"reminderconsent #{consent.pk}" in objects


def test_anonymisation_clears_the_place_withdraws_consent_and_stops_reminders(booked):
    person, appt, consent, message = booked
    anonymise_person(person=person)
    appt.refresh_from_db()
    consent.refresh_from_db()
    message.refresh_from_db()
    assert appt.place == "" and appt.mode == "video" and appt.status == "prenotato"
    assert consent.withdrawn_on is not None
    assert message.status == "saltato"
    assert not LogEntry.objects.filter(changes_text__contains="superti-chiara").exists()
    assert not any(
        "superti-chiara" in json.dumps(e.changes or {})
        for e in LogEntry.objects.filter(object_pk=str(appt.pk))
    )
    assert Appointment.objects.count() == 1 and ReminderConsent.objects.count() == 1
