"""The agenda: booking from the case page and from a meeting, the day and week views per
desk and per operator (scoped, constant queries), a no-show in one click, recording the
meeting holds its appointment, overdue follow-ups leave out people with a booking,
consent recorded and withdrawn, the data migration of the old next appointments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from activitycr import clock
from agenda import services
from agenda.models import Appointment, AppointmentStatus, ReminderConsent
from casework import queries as casework_queries
from casework.models import Meeting
from tests import factories
from tests.casework.query_budget import own_queries

pytestmark = pytest.mark.django_db


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_booking_from_the_case_page(client, case, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    page = client.get(reverse("casework:person", args=[case.person_id])).content.decode()
    url = reverse("agenda:book", args=[case.pk])
    assert url in page
    when = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        url,
        {
            "starts_at": f"{when.isoformat()}T10:30",
            "mode": "video",
            "duration_minutes": "30",
            "place": "https://meet.example.org/abc",
        },
    )
    assert response.status_code == 302
    appt = Appointment.objects.get()
    assert (appt.person, appt.intake, appt.desk) == (case.person, case, case.desk)
    assert appt.operator == op_casalmaggiore and appt.status == AppointmentStatus.BOOKED
    assert timezone.localtime(appt.starts_at) == _local(when, 10, 30)
    page = client.get(reverse("casework:person", args=[case.person_id])).content.decode()
    assert f'id="appuntamento-{appt.pk}"' in page and "Videochiamata" in page


def test_booking_in_the_past_is_a_clear_form_error(client, case, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    response = client.post(
        reverse("agenda:book", args=[case.pk]),
        {"starts_at": "2020-01-01T10:00", "mode": "presenza", "duration_minutes": "45"},
    )
    assert response.status_code == 200
    assert "da adesso in avanti" in response.content.decode()
    assert not Appointment.objects.exists()


def test_another_desks_appointment_is_a_404(client, case, op_gussola):
    appt = services.book(
        intake=case, operator=None, starts_at=timezone.now() + dt.timedelta(days=1)
    )
    client.force_login(op_gussola)
    assert client.get(reverse("agenda:reschedule", args=[appt.pk])).status_code == 404
    assert client.post(reverse("agenda:cancel", args=[appt.pk])).status_code == 404
    assert client.get(reverse("agenda:desk", args=["casalmaggiore"])).status_code == 404
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.BOOKED


def test_a_meetings_next_appointment_is_booked_moved_and_cancelled_with_it(case, op_casalmaggiore):
    when = timezone.now() + dt.timedelta(days=5)
    meeting = factories.meeting(case, days_after=10, next_appointment_at=when)
    appt = Appointment.objects.get(booked_in=meeting)
    assert appt.status == AppointmentStatus.BOOKED and appt.starts_at == when
    meeting.next_appointment_at = when + dt.timedelta(days=1)
    meeting.save()
    moved = Appointment.objects.get(booked_in=meeting, status=AppointmentStatus.BOOKED)
    assert moved.uid == appt.uid and moved.sequence == 1
    meeting.next_appointment_at = None
    meeting.save()
    assert not Appointment.objects.filter(booked_in=meeting, status="prenotato").exists()


def test_recording_the_meeting_marks_its_appointment_held_and_links_them(
    client, case, op_casalmaggiore
):
    start = timezone.now() - dt.timedelta(minutes=10)
    appt = services.book(intake=case, operator=op_casalmaggiore, starts_at=start, check_time=False)
    client.force_login(op_casalmaggiore)
    day = timezone.localtime(start).date()
    agenda = client.get(reverse("agenda:desk", args=["casalmaggiore"]), {"data": day})
    record = reverse("casework:meeting_add", args=[case.pk])
    assert record in agenda.content.decode()
    response = client.post(
        record,
        {
            "held_on": day.isoformat(),
            "mode": "presenza",
            "duration_minutes": "45",
            "attended": "on",
        },
    )
    assert response.status_code == 302
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.HELD
    assert appt.meeting == Meeting.objects.get(intake=case)


def test_a_missed_appointment_is_one_click_and_counts_as_a_no_show(client, case, op_casalmaggiore):
    appt = services.book(
        intake=case,
        operator=op_casalmaggiore,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        check_time=False,
    )
    client.force_login(op_casalmaggiore)
    response = client.post(
        reverse("agenda:mark", args=[appt.pk]),
        {"esito": "mancato", "next": "/agenda/mia/"},
    )
    assert response.status_code == 302 and response["Location"] == "/agenda/mia/"
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.MISSED
    assert Appointment.objects.filter(status=AppointmentStatus.MISSED).count() == 1


def test_an_appointment_ahead_cannot_be_missed(client, case, op_casalmaggiore):
    appt = services.book(
        intake=case, operator=op_casalmaggiore, starts_at=timezone.now() + dt.timedelta(hours=3)
    )
    client.force_login(op_casalmaggiore)
    client.post(reverse("agenda:mark", args=[appt.pk]), {"esito": "mancato"})
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.BOOKED


def test_the_day_and_week_views_per_desk_and_per_operator(
    client, case, op_casalmaggiore, administrator
):
    monday = clock.today() + dt.timedelta(days=7 - clock.today().weekday())
    mine = services.book(intake=case, operator=op_casalmaggiore, starts_at=_local(monday, 9))
    other = factories.intake(factories.person(last_name="Verdi"), opened_on=dt.date(2024, 3, 4))
    theirs = services.book(
        intake=other, operator=administrator, starts_at=_local(monday + dt.timedelta(2), 11)
    )
    client.force_login(op_casalmaggiore)
    url = reverse("agenda:desk", args=["casalmaggiore"])
    day = client.get(url, {"data": monday.isoformat()}).content.decode()
    assert f'id="appuntamento-{mine.pk}"' in day and f'id="appuntamento-{theirs.pk}"' not in day
    week = client.get(url, {"data": monday.isoformat(), "vista": "settimana"}).content.decode()
    assert f'id="appuntamento-{mine.pk}"' in week and f'id="appuntamento-{theirs.pk}"' in week
    assert week.count('class="agenda-day') == 7
    only_admin = client.get(
        url, {"data": monday.isoformat(), "vista": "settimana", "operatore": administrator.pk}
    ).content.decode()
    assert f'id="appuntamento-{mine.pk}"' not in only_admin
    assert f'id="appuntamento-{theirs.pk}"' in only_admin
    my_week = client.get(
        reverse("agenda:mine"), {"data": monday.isoformat(), "vista": "settimana"}
    ).content.decode()
    assert f'id="appuntamento-{mine.pk}"' in my_week
    assert f'id="appuntamento-{theirs.pk}"' not in my_week
    # Printable: the print style sheet is there, the buttons are not printed.
    assert "css/agenda.css" in week and "d-print-none" in week


def test_a_bad_date_in_the_address_shows_today(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    response = client.get(reverse("agenda:desk", args=["casalmaggiore"]), {"data": "31/02"})
    assert response.status_code == 200
    assert clock.today().strftime("%d/%m/%Y") in response.content.decode()


def test_the_week_runs_a_fixed_number_of_queries(client, case, op_casalmaggiore):
    monday = clock.today() + dt.timedelta(days=7 - clock.today().weekday())
    url = reverse("agenda:desk", args=["casalmaggiore"])

    def grow(n: int) -> None:
        for i in range(n):
            person = factories.person()
            intake = factories.intake(person, opened_on=dt.date(2024, 3, 4))
            services.book(
                intake=intake,
                operator=op_casalmaggiore,
                starts_at=_local(monday + dt.timedelta(days=i % 5), 9 + i % 8),
            )

    client.force_login(op_casalmaggiore)
    grow(2)
    small, _ = own_queries(client, "get", url + f"?vista=settimana&data={monday}")
    grow(30)
    large, response = own_queries(client, "get", url + f"?vista=settimana&data={monday}")
    assert response.content.decode().count('id="appuntamento-') == 32
    # the user's desks, the desk's operators (the filter), the week's appointments
    assert small == large == 3


def test_overdue_follow_ups_leave_out_people_with_a_booked_appointment(case):
    today = timezone.localdate()
    assert case in casework_queries.overdue_intakes(case.desk, today=today)
    appt = services.book(
        intake=case, operator=None, starts_at=timezone.now() + dt.timedelta(days=2)
    )
    assert case not in casework_queries.overdue_intakes(case.desk, today=today)
    services.cancel(appointment=appt)
    assert case in casework_queries.overdue_intakes(case.desk, today=today)


def test_consent_recorded_with_date_operator_and_source_then_withdrawn(
    client, case, op_casalmaggiore
):
    client.force_login(op_casalmaggiore)
    url = reverse("agenda:consent_add", args=[case.person_id])
    response = client.post(
        url, {"channel": "email", "source": "telefono", "given_on": timezone.localdate()}
    )
    assert response.status_code == 302
    consent = ReminderConsent.objects.get()
    assert (consent.channel, consent.source, consent.operator) == (
        "email",
        "telefono",
        op_casalmaggiore,
    )
    # The same channel twice: a clear message, nothing new.
    again = client.post(
        url, {"channel": "email", "source": "presenza", "given_on": timezone.localdate()}
    )
    assert again.status_code == 200 and "già registrato" in again.content.decode()
    assert ReminderConsent.objects.count() == 1
    client.post(reverse("agenda:consent_withdraw", args=[consent.pk]))
    consent.refresh_from_db()
    assert consent.withdrawn_on == clock.today() and consent.withdrawn_by == op_casalmaggiore
    page = client.get(reverse("casework:person", args=[case.person_id])).content.decode()
    assert "revocato il" in page


def test_consent_by_sms_needs_a_phone_number(client, op_casalmaggiore):
    person = factories.person(phone="")
    factories.intake(person, opened_on=dt.date(2024, 3, 4))
    client.force_login(op_casalmaggiore)
    response = client.post(
        reverse("agenda:consent_add", args=[person.pk]),
        {"channel": "sms", "source": "presenza", "given_on": timezone.localdate()},
    )
    assert response.status_code == 200
    assert "numero di telefono" in response.content.decode()
    assert not ReminderConsent.objects.exists()


def test_the_privacy_notice_gains_the_purpose_of_the_reminders():
    from casework.models import PrivacyNotice

    notice = PrivacyNotice.objects.get(version="1.1")
    assert "Promemoria degli appuntamenti" in notice.text
    assert PrivacyNotice.objects.current(notice.valid_from) == notice


def test_the_clock_moves_with_its_setting(settings):
    settings.CLOCK_OFFSET = dt.timedelta(days=200)
    ahead = timezone.now() + dt.timedelta(days=200)
    assert abs(clock.now() - ahead) < dt.timedelta(seconds=5)
    assert clock.today() == timezone.localdate(ahead)


def test_the_data_migration_turns_next_appointments_into_appointments(case):
    """The migration's function run again on meetings saved without the agenda's signal."""
    migration = __import__(
        "agenda.migrations.0002_appointments_from_meetings", fromlist=["appointments"]
    )
    now = timezone.now()
    ahead = factories.meeting(case, days_after=1)
    held_day = case.opened_on + dt.timedelta(days=20)
    past = factories.meeting(case, days_after=2)
    factories.meeting(case, days_after=20)  # the meeting held on the booked day
    nobody = factories.meeting(case, days_after=3)
    Appointment.objects.all().delete()
    Meeting.objects.filter(pk=ahead.pk).update(next_appointment_at=now + dt.timedelta(days=4))
    Meeting.objects.filter(pk=past.pk).update(next_appointment_at=_local(held_day, 10))
    Meeting.objects.filter(pk=nobody.pk).update(
        next_appointment_at=_local(case.opened_on + dt.timedelta(days=30), 10)
    )
    migration.appointments(apps, None)
    got = {a.booked_in_id: a for a in Appointment.objects.all()}
    assert got[ahead.pk].status == AppointmentStatus.BOOKED
    assert got[past.pk].status == AppointmentStatus.HELD
    assert got[past.pk].meeting.held_on == held_day
    assert got[nobody.pk].status == AppointmentStatus.MISSED
    assert {a.desk_id for a in got.values()} == {case.desk_id}


def test_moving_and_cancelling_from_the_pages(client, case, op_casalmaggiore):
    appt = services.book(
        intake=case, operator=op_casalmaggiore, starts_at=timezone.now() + dt.timedelta(days=2)
    )
    client.force_login(op_casalmaggiore)
    url = reverse("agenda:reschedule", args=[appt.pk])
    form = client.get(url).content.decode()
    assert f'value="{timezone.localtime(appt.starts_at):%Y-%m-%dT%H:%M}"' in form
    when = timezone.localdate() + dt.timedelta(days=4)
    response = client.post(
        url, {"starts_at": f"{when}T15:00", "mode": "telefono", "duration_minutes": "30"}
    )
    assert response.status_code == 302
    appt.refresh_from_db()
    moved = appt.rescheduled_to
    assert appt.status == AppointmentStatus.RESCHEDULED
    assert (moved.mode, moved.duration_minutes, moved.sequence) == ("telefono", 30, 1)
    assert timezone.localtime(moved.starts_at) == _local(when, 15)
    # A rescheduled one cannot be moved again: back to the case with a message.
    assert client.get(url).status_code == 302
    # Cancel, sent back to a local page only (never to another site).
    response = client.post(
        reverse("agenda:cancel", args=[moved.pk]), {"next": "/\\\\evil.example.org/"}
    )
    assert response["Location"].startswith(f"/persona/{case.person_id}/")
    moved.refresh_from_db()
    assert moved.status == AppointmentStatus.CANCELLED
