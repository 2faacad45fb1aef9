"""The case page and its forms: meetings, referrals and outcomes, closing and reopening,
editing with optimistic concurrency (nobody's change silently lost)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda import services as agenda_services
from agenda.models import ReminderMessage
from casework import services
from casework.choices import ClosureReason, IntakeStatus, MeetingMode, ReferralOutcome
from casework.models import Activity, Intake, Meeting, Partner, Person, Referral, local_today
from tests import factories
from tests.casework.query_budget import own_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def intake():
    return factories.intake(
        factories.person(last_name="Superti", first_name="Chiara"),
        opened_on=local_today() - dt.timedelta(days=30),
        needs="Vuole rientrare nel lavoro d'ufficio",
    )


@pytest.fixture
def operator(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    return op_casalmaggiore


def case_url(intake: Intake) -> str:
    return reverse("casework:person", args=[intake.person_id]) + f"#presa-{intake.pk}"


def meeting_data(**overrides) -> dict:
    data = {
        "held_on": local_today().isoformat(),
        "start_time": "10:30",
        "mode": MeetingMode.PHONE,
        "duration_minutes": "30",
        "attended": "on",
        "activities": [a.pk for a in Activity.objects.filter(active=True)[:2]],
        "notes": "Rivisto il CV insieme",
        "next_appointment_at": (local_today() + dt.timedelta(days=7)).isoformat() + "T09:00",
    }
    data.update(overrides)
    return data


def test_case_page_shows_person_and_timeline(client, operator, intake):
    factories.meeting(intake, days_after=2, notes="Primo approfondimento")
    factories.intake(intake.person, desk_slug="gussola", needs="Caso riservato di Gussola")
    page = client.get(reverse("casework:person", args=[intake.person_id])).content.decode()
    assert page.count("<h1") == 1
    assert "Superti Chiara" in page
    assert intake.person.fiscal_code in page
    assert "Vuole rientrare nel lavoro d&#x27;ufficio" in page
    assert "Primo approfondimento" in page
    # Only the intakes at the user's desks.
    assert "Caso riservato di Gussola" not in page
    assert "Sportello di Gussola" not in page


def test_intake_url_redirects_to_its_place_on_the_case_page(client, operator, intake):
    response = client.get(reverse("casework:intake", args=[intake.pk]))
    assert response["Location"] == case_url(intake)


def test_add_a_meeting_by_phone(client, operator, intake):
    url = reverse("casework:meeting_add", args=[intake.pk])
    form = client.get(url).content.decode()
    assert 'name="mode" value="telefono"' in form
    response = client.post(url, meeting_data())
    assert response.status_code == 302
    assert response["Location"] == case_url(intake)
    meeting = intake.meetings.get()
    assert meeting.mode == MeetingMode.PHONE
    assert meeting.operator == operator
    assert meeting.activities.count() == 2
    assert meeting.next_appointment_at.date() == local_today() + dt.timedelta(days=7)
    page = client.get(response["Location"]).content.decode()
    assert "Colloquio registrato." in page
    assert "Telefono" in page and "Rivisto il CV insieme" in page


def test_no_show_and_errors_in_italian_keep_the_input(client, operator, intake):
    url = reverse("casework:meeting_add", args=[intake.pk])
    before = (intake.opened_on - dt.timedelta(days=1)).isoformat()
    response = client.post(url, meeting_data(held_on=before, attended="", notes="Non risponde"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "non può precedere la presa in carico" in html
    assert 'id="id_held_on_error"' in html
    assert "Non risponde" in html
    future = (local_today() + dt.timedelta(days=3)).isoformat()
    html = client.post(url, meeting_data(held_on=future)).content.decode()
    assert "non può avere una data futura" in html
    assert not Meeting.objects.exists()
    html = client.post(url, meeting_data(duration_minutes="0")).content.decode()
    assert 'id="id_duration_minutes_error"' in html and "da 1 a 600 minuti" in html
    client.post(url, meeting_data(attended=""))
    assert intake.meetings.get().attended is False


def test_referral_to_mestieri_then_its_outcome(client, operator, intake):
    mestieri = Partner.objects.get(name__icontains="Mestieri")
    url = reverse("casework:referral_add", args=[intake.pk])
    response = client.post(
        url,
        {
            "kind": "candidatura",
            "partner": mestieri.pk,
            "description": "Addetta amministrativa",
            "referred_on": local_today().isoformat(),
            "outcome": ReferralOutcome.PENDING,
            "outcome_on": "",
            "notes": "",
        },
    )
    assert response.status_code == 302
    referral = intake.referrals.get()
    assert referral.partner == mestieri
    outcome_url = reverse("casework:referral_outcome", args=[referral.pk])
    form = client.get(outcome_url).content.decode()
    assert 'name="version" value="1"' in form
    # An outcome without its date is refused in Italian.
    html = client.post(
        outcome_url, {"outcome": ReferralOutcome.HIRED, "outcome_on": "", "version": 1}
    ).content.decode()
    assert "Indicare la data dell&#x27;esito." in html
    response = client.post(
        outcome_url,
        {"outcome": ReferralOutcome.HIRED, "outcome_on": local_today().isoformat(), "version": 1},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.HIRED
    assert referral.version == 2
    page = client.get(case_url(intake)).content.decode()
    assert "Assunzione" in page and "Mestieri" in page


def test_close_and_reopen(client, operator, intake):
    close_url = reverse("followup:intake_close", args=[intake.pk])
    assert 'name="version" value="1"' in client.get(close_url).content.decode()
    html = client.post(close_url, {"closed_on": "", "closure_reason": "", "version": 1})
    assert 'id="id_closed_on_error"' in html.content.decode()
    response = client.post(
        close_url,
        {
            "closed_on": local_today().isoformat(),
            "closure_reason": ClosureReason.HIRED,
            "closure_note": "Assunta a tempo determinato",
            "version": 1,
        },
    )
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.CLOSED
    assert intake.closure_reason == ClosureReason.HIRED
    page = client.get(case_url(intake)).content.decode()
    assert "Ha trovato lavoro" in page
    assert reverse("casework:meeting_add", args=[intake.pk]) not in page
    # A closed case takes no new meeting.
    response = client.post(
        reverse("casework:meeting_add", args=[intake.pk]), meeting_data(), follow=True
    )
    assert "riaprirla" in response.content.decode()
    assert not intake.meetings.exists()
    # Reopen (POST with the version).
    response = client.post(
        reverse("casework:intake_reopen", args=[intake.pk]), {"version": intake.version}
    )
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.OPEN
    assert intake.closed_on is None and intake.closure_reason == ""


def test_reopen_refused_when_another_case_is_open_at_the_desk(client, operator, intake):
    services.close_intake(
        intake=intake, version=1, closed_on=local_today(), closure_reason=ClosureReason.OTHER
    )
    factories.intake(intake.person, opened_on=local_today())
    intake.refresh_from_db()
    response = client.post(
        reverse("casework:intake_reopen", args=[intake.pk]),
        {"version": intake.version},
        follow=True,
    )
    assert "già una presa in carico aperta" in response.content.decode()
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.CLOSED


def test_meeting_edit_conflict_keeps_my_input_and_shows_theirs(client, operator, intake):
    meeting = factories.meeting(intake, days_after=1, notes="Versione iniziale")
    url = reverse("casework:meeting_edit", args=[meeting.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    # Someone else saves first.
    theirs = Meeting.objects.get(pk=meeting.pk)
    theirs.notes = "Le note della collega"
    services.update_meeting(meeting=theirs, version=1, fields=["notes"])
    # My save, started from version 1, is not applied and not lost.
    data = meeting_data(held_on=meeting.held_on.isoformat(), notes="Le mie note", version=1)
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nel frattempo un&#x27;altra persona ha modificato questi dati" in html
    assert "Le mie note" in html  # my input, still in the form
    assert "Le note della collega" in html  # what is saved now
    assert 'name="version" value="2"' in html
    meeting.refresh_from_db()
    assert meeting.notes == "Le note della collega"
    # Saving again, now knowingly over version 2, applies my change.
    response = client.post(url, {**data, "version": 2})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.notes == "Le mie note"
    assert meeting.version == 3


def test_person_edit_conflict_and_search_key(client, operator, intake):
    person = intake.person
    url = reverse("casework:person_edit", args=[person.pk])
    form = client.get(url).content.decode()
    assert 'value="Superti"' in form and 'value="Casalmaggiore (CR)"' in form
    assert 'name="version" value="1"' in form
    assert '<datalist id="residence-comuni">' in form  # the autocomplete's list

    def data(**overrides):
        base = {
            "fiscal_code": person.fiscal_code,
            "last_name": "Superti",
            "first_name": "Chiara",
            "birth_date": person.birth_date.isoformat(),
            "gender": person.gender,
            "residence_comune": "Casalmaggiore (CR)",
            "citizenship": "IT",
            "education": person.education,
            "phone": "",
            "email": "",
            "foreign_background": "unknown",
            "is_homeless": "unknown",
            "has_disability": "unknown",
            "is_minority": "unknown",
            "version": 1,
        }
        return {**base, **overrides}

    response = client.post(url, data(first_name="Chiàra", phone="333 1234567"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Chiàra" and person.version == 2
    assert person.search_key.startswith("superti chiara ")
    # A stale form (version 1) does not overwrite the saved phone.
    html = client.post(url, data(phone="0375 000000")).content.decode()
    assert "Nel frattempo un&#x27;altra persona ha modificato questi dati" in html
    assert "0375 000000" in html and "333 123 4567" in html  # saved, the Italian way
    person.refresh_from_db()
    assert person.phone == "+393331234567"


def test_referral_edit_conflict(client, operator, intake):
    referral = Referral.objects.create(
        intake=intake, kind="gol", referred_on=intake.opened_on, description="Patto GOL"
    )
    url = reverse("casework:referral_outcome", args=[referral.pk])
    services.update_referral(
        referral=Referral.objects.get(pk=referral.pk), version=1, fields=["notes"]
    )
    html = client.post(
        url,
        {"outcome": "corso_avviato", "outcome_on": local_today().isoformat(), "version": 1},
    ).content.decode()
    assert "Nel frattempo" in html
    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.PENDING


def test_case_page_runs_a_fixed_number_of_queries(client, operator, intake):
    mestieri = Partner.objects.get(name__icontains="Mestieri")
    activities = list(Activity.objects.all()[:3])
    url = reverse("casework:person", args=[intake.person_id])

    def grow(n: int) -> None:
        for day in range(n):
            m = factories.meeting(intake, days_after=day % 25)
            m.activities.set(activities)
            Referral.objects.create(
                intake=intake, kind="candidatura", partner=mestieri, referred_on=intake.opened_on
            )
            appt = agenda_services.book(
                intake=intake,
                operator=operator,
                starts_at=timezone.now() + dt.timedelta(days=day + 1),
                check_time=False,
            )
            ReminderMessage.objects.create(
                appointment=appt, kind="promemoria", channel="email", due_at=appt.starts_at
            )

    grow(2)
    small, response = own_queries(client, "get", url)
    assert response.content.decode().count('id="colloquio-') == 2
    grow(18)
    large, response = own_queries(client, "get", url)
    assert response.content.decode().count('id="colloquio-') == 20
    assert response.content.decode().count('id="appuntamento-') == 20
    # person, intakes, meetings, activities, referrals (with partners), desks for new
    # intakes, the audit log's record of this read of the person's data, and the agenda:
    # appointments, their messages, consents
    assert small == large == 10


def test_person_list_of_new_intake_desks_offers_only_desks_without_an_open_case(
    client, operator, intake
):
    page = client.get(reverse("casework:person", args=[intake.person_id])).content.decode()
    assert "Nuova presa in carico a Casalmaggiore" not in page
    Intake.objects.filter(pk=intake.pk).update(
        status=IntakeStatus.CLOSED, closed_on=local_today(), closure_reason="altro"
    )
    page = client.get(reverse("casework:person", args=[intake.person_id])).content.decode()
    assert "Nuova presa in carico a Casalmaggiore" in page
    assert Person.objects.count() == 1


def test_i10_a_negative_duration_gets_the_same_message_as_zero(client, operator, intake):
    """Audit B 26: -5 said "maggiore o uguale a 0" while 0 was refused as out of 1-600."""
    url = reverse("casework:meeting_add", args=[intake.pk])
    for value in ("-5", "0", "601"):
        html = client.post(url, meeting_data(duration_minutes=value)).content.decode()
        assert "La durata va da 1 a 600 minuti (10 ore)." in html, value
        assert "maggiore o uguale a 0" not in html, value
    assert not Meeting.objects.exists()


def test_i10_a_new_meeting_or_referral_for_a_closed_case_says_so_before_typing(
    client, operator, intake
):
    """Audit B 25: the form of a closed case opened normally and refused only on Salva."""
    Intake.objects.filter(pk=intake.pk).update(
        status=IntakeStatus.CLOSED, closed_on=local_today(), closure_reason="altro"
    )
    case = reverse("casework:person", args=[intake.person_id]) + f"#presa-{intake.pk}"
    for name in ("casework:meeting_add", "casework:referral_add"):
        response = client.get(reverse(name, args=[intake.pk]))
        assert response.status_code == 302 and response["Location"] == case, name
        page = client.get(case).content.decode()
        assert "La presa in carico è chiusa: riaprirla per aggiungere colloqui o invii." in page
    # Sent from a stale tab anyway: the form comes back with the reason and what was typed.
    url = reverse("casework:meeting_add", args=[intake.pk])
    html = client.post(url, meeting_data(notes="Scritto prima")).content.decode()
    assert "La presa in carico è chiusa" in html and "Scritto prima" in html
    assert not Meeting.objects.exists()


def test_i10_meeting_activities_are_shown_in_english_in_english_mode(
    client, operator, intake, settings
):
    """Audit C 28: the Attività svolte checkboxes stayed Italian in English mode."""
    cv = Activity.objects.get(code="cv")
    assert cv.name_en == "CV and cover letter"
    assert all(Activity.objects.values_list("name_en", flat=True))  # every seeded one
    meeting = factories.meeting(intake, days_after=0)
    meeting.activities.set([cv])
    form_url = reverse("casework:meeting_add", args=[intake.pk])
    case_url = reverse("casework:person", args=[intake.person_id])
    for language, name in (("it", cv.name), ("en", "CV and cover letter")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        assert name in client.get(form_url).content.decode(), language
        assert name in client.get(case_url).content.decode(), language


def test_i10_a_long_note_is_shown_collapsed_on_the_case_page(client, operator, intake):
    """Audit C 36: a 5,000-character note made the case page 3,900 px tall."""
    long_note = ("Nota lunga. " * 150).strip()  # past 600 characters, within the 2000 limit
    meeting = factories.meeting(intake, days_after=0)
    Meeting.objects.filter(pk=meeting.pk).update(notes=long_note)
    Intake.objects.filter(pk=intake.pk).update(needs="Breve bisogno")
    page = client.get(reverse("casework:person", args=[intake.person_id])).content.decode()
    preview, rest = page.split('<div class="mb-1 long-text">')[1].split("<details>", 1)
    assert len(preview) < 600 and "…" in preview
    assert f"Mostra il testo intero ({len(long_note)} caratteri)" in rest
    assert long_note in rest  # all of it, one click away
    assert '<p class="mb-1">Breve bisogno</p>' in page  # short texts as before
