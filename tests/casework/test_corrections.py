"""Correcting records at the desk (issue 10, items 6 and 7): an intake's answers, a recorded
outcome, a closure. Versioned and audited like every edit; correcting an intake re-takes
its snapshot, while a later change in the person's life leaves past intakes as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from casework import services
from casework.choices import (
    AgeBand,
    ClosureReason,
    EsfAgeBand,
    IntakeChannel,
    IntakeStatus,
    LabourStatus,
    Need,
    ReferralOutcome,
)
from casework.models import Intake, Referral, local_today
from sportelli.models import Comune, Origin
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def intake():
    return factories.intake(
        factories.person(last_name="Superti", first_name="Chiara", birth_date=dt.date(1995, 3, 14)),
        opened_on=local_today() - dt.timedelta(days=30),
        needs="Vuole rientrare nel lavoro d'ufficio",
    )


@pytest.fixture
def operator(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    return op_casalmaggiore


def case_page(client: Client, intake: Intake) -> str:
    return client.get(reverse("casework:person", args=[intake.person_id])).content.decode()


def intake_data(intake: Intake, **overrides) -> dict:
    data = {
        "opened_on": intake.opened_on.isoformat(),
        "channel": intake.channel,
        "main_need": intake.main_need,
        "needs": intake.needs,
        "labour_status": intake.labour_status,
        "unemployment_months": intake.unemployment_months or "",
        "residence_comune": str(intake.residence_comune) if intake.residence_comune else "",
        "version": intake.version,
    }
    if intake.recent_graduate:
        data["recent_graduate"] = "on"
    if intake.returning_after_care:
        data["returning_after_care"] = "on"
    data.update(overrides)
    return data


def closed(intake: Intake) -> Intake:
    services.close_intake(
        intake=intake,
        version=intake.version,
        closed_on=local_today() - dt.timedelta(days=2),
        closure_reason=ClosureReason.HIRED,
        closure_note="Assunta",
    )
    intake.refresh_from_db()
    return intake


def updates(obj) -> list[LogEntry]:
    return list(
        LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.UPDATE).order_by("pk")
    )


# --- Item 6: correcting an intake -----------------------------------------------------------


def test_intake_correction_saves_every_answer_retakes_the_snapshot_and_is_audited(
    client, operator, intake
):
    assert intake.origin == Origin.CASALASCO
    assert intake.esf_age_band == EsfAgeBand.FROM_30_TO_54
    url = reverse("casework:intake_edit", args=[intake.pk])
    page = case_page(client, intake)
    assert url in page and "Modifica la presa in carico" in page
    form = client.get(url).content.decode()
    assert 'name="version" value="1"' in form
    assert 'value="Casalmaggiore (CR)"' in form  # the residence at intake
    assert intake.opened_on.isoformat() in form  # its own date, not today's
    milano = Comune.objects.get(name="Milano")
    response = client.post(
        url,
        intake_data(
            intake,
            opened_on="2024-03-13",  # the day before her 29th birthday
            channel=IntakeChannel.PHONE,
            main_need=Need.TRAINING,
            needs="Corso di contabilità",
            labour_status=LabourStatus.UNEMPLOYED,
            unemployment_months="7",
            recent_graduate="on",
            returning_after_care="on",
            residence_comune="Milano (MI)",
        ),
    )
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.opened_on == dt.date(2024, 3, 13)
    assert intake.channel == IntakeChannel.PHONE
    assert intake.main_need == Need.TRAINING
    assert intake.needs == "Corso di contabilità"
    assert intake.unemployment_months == 7
    assert intake.recent_graduate and intake.returning_after_care
    # The snapshot follows the correction: age and bands from the date, origin from the
    # residence at intake.
    assert intake.age_at_intake == 28
    assert intake.age_band == AgeBand.FROM_18_TO_35
    assert intake.esf_age_band == EsfAgeBand.FROM_18_TO_29
    assert intake.residence_comune == milano
    assert intake.origin == Origin.LOMBARDIA
    assert intake.version == 2
    # The person is not touched: a correction of the intake is not a move.
    assert intake.person.residence_comune.name == "Casalmaggiore"
    (entry,) = updates(intake)
    assert entry.actor == operator
    assert entry.changes["channel"] == [IntakeChannel.WALK_IN, IntakeChannel.PHONE]
    assert entry.changes["origin"] == [Origin.CASALASCO, Origin.LOMBARDIA]
    assert "opened_on" in entry.changes and "age_at_intake" in entry.changes


def test_intake_correction_to_a_residence_abroad_and_errors_in_italian(client, operator, intake):
    url = reverse("casework:intake_edit", args=[intake.pk])
    html = client.post(
        url, intake_data(intake, opened_on=(local_today() + dt.timedelta(days=1)).isoformat())
    ).content.decode()
    assert "non può essere nel futuro" in html
    html = client.post(url, intake_data(intake, residence_comune="Atlantide")).content.decode()
    assert "Comune non trovato" in html
    intake.refresh_from_db()
    assert intake.version == 1
    response = client.post(url, intake_data(intake, residence_comune=""))
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.residence_comune is None
    assert intake.origin == Origin.ESTERO


def test_a_move_recorded_on_the_person_leaves_past_intakes_as_they_were(client, operator, intake):
    person = intake.person
    person.residence_comune = Comune.objects.get(name="Milano")
    services.update_person(person=person, version=person.version, fields=["residence_comune"])
    intake.refresh_from_db()
    assert intake.residence_comune.name == "Casalmaggiore"
    assert intake.origin == Origin.CASALASCO
    # Correcting that intake later keeps its residence at intake, not today's address.
    url = reverse("casework:intake_edit", args=[intake.pk])
    assert 'value="Casalmaggiore (CR)"' in client.get(url).content.decode()
    response = client.post(url, intake_data(intake, needs="Corretto"))
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.needs == "Corretto"
    assert intake.residence_comune.name == "Casalmaggiore"
    assert intake.origin == Origin.CASALASCO


def test_intake_correction_on_a_stale_version_is_a_conflict(client, operator, intake):
    url = reverse("casework:intake_edit", args=[intake.pk])
    stale = intake_data(intake, needs="La mia correzione")
    services.correct_intake(
        intake=Intake.objects.get(pk=intake.pk),
        version=1,
        fields=["needs"],
        residence_comune=intake.residence_comune,
    )
    Intake.objects.filter(pk=intake.pk).update(needs="La correzione della collega")
    response = client.post(url, stale)
    assert response.status_code == 200
    assert response.context["conflict"] is True
    html = response.content.decode()
    assert "La mia correzione" in html and "La correzione della collega" in html
    intake.refresh_from_db()
    assert intake.needs == "La correzione della collega"
    assert 'name="version" value="2"' in html


def test_a_closed_intake_can_be_corrected_but_not_opened_after_its_closure(
    client, operator, intake
):
    intake = closed(intake)
    url = reverse("casework:intake_edit", args=[intake.pk])
    assert url in case_page(client, intake)
    html = client.post(url, intake_data(intake, opened_on=local_today().isoformat()))
    assert "è stata chiusa il" in html.content.decode()
    response = client.post(url, intake_data(intake, channel=IntakeChannel.EMAIL))
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.channel == IntakeChannel.EMAIL
    assert intake.status == IntakeStatus.CLOSED


# --- Item 7: editing a recorded outcome ---------------------------------------------------------


def test_a_recorded_outcome_is_edited_from_the_case_page(client, operator, intake):
    referral = Referral.objects.create(
        intake=intake,
        kind="tirocinio",
        referred_on=intake.opened_on,
        outcome=ReferralOutcome.PENDING,
    )
    url = reverse("casework:referral_outcome", args=[referral.pk])
    page = case_page(client, intake)
    assert "Registra l'esito" in page and "Modifica l'esito" not in page
    day = (local_today() - dt.timedelta(days=3)).isoformat()
    response = client.post(url, {"outcome": ReferralOutcome.HIRED, "outcome_on": day, "version": 1})
    assert response.status_code == 302
    page = case_page(client, intake)
    assert url in page and "Modifica l'esito" in page and "Registra l'esito" not in page
    assert "Modifica l&#x27;esito dell&#x27;invio" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "outcome": ReferralOutcome.NOT_SELECTED,
            "outcome_on": day,
            "notes": "Corretto: non selezionata",
            "version": 2,
        },
        follow=True,
    )
    assert "Esito aggiornato." in response.content.decode()
    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.NOT_SELECTED
    assert referral.version == 3
    last = updates(referral)[-1]
    assert last.actor == operator
    assert last.changes["outcome"] == [ReferralOutcome.HIRED, ReferralOutcome.NOT_SELECTED]
    # Back to "no outcome yet" takes its date away, or it is refused.
    html = client.post(
        url, {"outcome": ReferralOutcome.PENDING, "outcome_on": day, "version": 3}
    ).content.decode()
    assert "togliere la data dell&#x27;esito" in html


# --- Item 7: correcting a closure ---------------------------------------------------------------


def test_a_closure_is_corrected_versioned_and_audited(client, operator, intake):
    url = reverse("followup:intake_closure_edit", args=[intake.pk])
    assert url not in case_page(client, intake)  # open: nothing to correct
    response = client.get(url, follow=True)
    assert "non c&#x27;è una chiusura da correggere" in response.content.decode()
    intake = closed(intake)
    page = case_page(client, intake)
    assert url in page and "Correggi la chiusura" in page
    form = client.get(url).content.decode()
    assert f'name="version" value="{intake.version}"' in form
    html = client.post(
        url,
        {
            "closed_on": (intake.opened_on - dt.timedelta(days=1)).isoformat(),
            "closure_reason": ClosureReason.HIRED,
            "closure_note": "",
            "version": intake.version,
        },
    ).content.decode()
    assert "La data di chiusura non può precedere la presa in carico." in html
    day = local_today() - dt.timedelta(days=5)
    response = client.post(
        url,
        {
            "closed_on": day.isoformat(),
            "closure_reason": ClosureReason.GOALS_MET,
            "closure_note": "Obiettivi raggiunti, non assunta",
            "version": intake.version,
        },
    )
    assert response.status_code == 302
    before = intake.version
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.CLOSED
    assert intake.closed_on == day
    assert intake.closure_reason == ClosureReason.GOALS_MET
    assert intake.closure_note == "Obiettivi raggiunti, non assunta"
    assert intake.version == before + 1
    last = updates(intake)[-1]
    assert last.actor == operator
    assert last.changes["closure_reason"] == [ClosureReason.HIRED, ClosureReason.GOALS_MET]


def test_closure_correction_on_a_stale_version_is_a_conflict(client, operator, intake):
    intake = closed(intake)
    url = reverse("followup:intake_closure_edit", args=[intake.pk])
    stale = {
        "closed_on": intake.closed_on.isoformat(),
        "closure_reason": ClosureReason.HIRED,
        "closure_note": "La mia nota",
        "version": intake.version,
    }
    services.correct_closure(
        intake=Intake.objects.get(pk=intake.pk),
        version=intake.version,
        closed_on=intake.closed_on,
        closure_reason=ClosureReason.OTHER,
        closure_note="La nota della collega",
    )
    response = client.post(url, stale)
    assert response.status_code == 200
    assert response.context["conflict"] is True
    html = response.content.decode()
    assert "La mia nota" in html and "La nota della collega" in html
    intake.refresh_from_db()
    assert intake.closure_note == "La nota della collega"


def test_closure_correction_service_refuses_an_open_intake(intake):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.correct_closure(
            intake=intake,
            version=1,
            closed_on=local_today(),
            closure_reason=ClosureReason.OTHER,
        )
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.OPEN and intake.version == 1


# --- Who may correct --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["casework:intake_edit", "followup:intake_closure_edit"])
@pytest.mark.parametrize(
    ("who", "status"),
    [("op_casalmaggiore", 200), ("op_gussola", 404), ("udp_reader", 403), ("no_role_user", 403)],
)
def test_who_may_correct_an_intake(request, intake, name, who, status):
    intake = closed(intake)
    client = Client()
    client.force_login(request.getfixturevalue(who))
    url = reverse(name, args=[intake.pk])
    assert client.get(url).status_code == status
    data = intake_data(intake, needs="Tentativo") | {
        "closed_on": intake.closed_on.isoformat(),
        "closure_reason": ClosureReason.OTHER,
        "closure_note": "Tentativo",
    }
    response = client.post(url, data)
    assert response.status_code == (302 if status == 200 else status)
    intake.refresh_from_db()
    changed = intake.needs == "Tentativo" or intake.closure_note == "Tentativo"
    assert changed is (status == 200)


def test_the_ufficio_di_piano_sees_no_correction_links(client, udp_reader, intake):
    intake = closed(intake)
    client.force_login(udp_reader)
    page = case_page(client, intake)
    assert "Superti" in page
    assert reverse("casework:intake_edit", args=[intake.pk]) not in page
    assert reverse("followup:intake_closure_edit", args=[intake.pk]) not in page
