"""Closing a case with the situation at exit, the follow-up tasks the system schedules, and
a task's contact attempts and answer (issue 13 items 7 and 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from agenda import services as agenda_services
from agenda.models import AppointmentStatus, MessageKind, ReminderMessage
from casework import services as casework_services
from casework.choices import ClosureReason, IntakeStatus, LabourStatus
from casework.models import local_today
from followup import services
from followup.choices import ExitResult, TaskKind, TaskStatus, add_months
from followup.models import ContactAttempt, ExitSituation, FollowUpTask
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = local_today()  # at collection; the tests that compare with "now" read it again


@pytest.fixture(autouse=True)
def _clock_at_today(settings):
    """TODAY is read once, when the module is imported; a run that crosses midnight in Rome
    would find "tomorrow" is today. The follow-through's clock stays on TODAY."""
    settings.CLOCK_OFFSET = TODAY - local_today()


@pytest.fixture
def intake():
    return factories.intake(
        factories.person(last_name="Superti", first_name="Chiara"),
        opened_on=TODAY - dt.timedelta(days=90),
    )


@pytest.fixture
def operator(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    return op_casalmaggiore


def close_data(**overrides) -> dict:
    data = {
        "closed_on": (TODAY - dt.timedelta(days=2)).isoformat(),
        "closure_reason": ClosureReason.HIRED,
        "closure_note": "",
        "exit_results": [ExitResult.EMPLOYED, ExitResult.QUALIFICATION],
        "exit_source": "co",
        "exit_as_of": (TODAY - dt.timedelta(days=1)).isoformat(),
        "version": 1,
    }
    data.update(overrides)
    return data


def test_add_months_keeps_the_day_or_the_month_end():
    assert add_months(dt.date(2026, 1, 15), 6) == dt.date(2026, 7, 15)
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 9, 30), 6) == dt.date(2027, 3, 30)


def test_closing_with_a_known_situation_records_it_and_schedules_six_months(
    client, operator, intake
):
    url = reverse("followup:intake_close", args=[intake.pk])
    page = client.get(url).content.decode()
    assert 'name="exit_results"' in page and "Comunicazioni obbligatorie" in page
    response = client.post(url, close_data())
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.CLOSED
    situation = ExitSituation.objects.get(intake=intake)
    assert situation.known and situation.employed and situation.qualification
    assert not situation.job_searching and not situation.in_education
    assert situation.source == "co" and situation.recorded_by == operator
    tasks = {t.kind: t for t in FollowUpTask.objects.filter(intake=intake)}
    assert set(tasks) == {TaskKind.SIX_MONTHS}  # known at exit: no four-week check
    assert tasks[TaskKind.SIX_MONTHS].due_on == add_months(intake.closed_on, 6)
    case = client.get(reverse("casework:person", args=[intake.person_id])).content.decode()
    assert "Occupato/a, compreso il lavoro autonomo" in case
    assert "Follow-up a sei mesi" in case


def test_closing_with_the_situation_unknown_schedules_the_four_week_check(client, operator, intake):
    url = reverse("followup:intake_close", args=[intake.pk])
    response = client.post(url, close_data(exit_results=[], exit_source="", exit_as_of=""))
    assert response.status_code == 302
    assert not ExitSituation.objects.get(intake=intake).known
    check = FollowUpTask.objects.get(intake=intake, kind=TaskKind.EXIT_CHECK)
    assert check.due_on == TODAY - dt.timedelta(days=2) + dt.timedelta(days=28)
    assert FollowUpTask.objects.filter(intake=intake, kind=TaskKind.SIX_MONTHS).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"exit_source": ""}, "exit_source", "Indicare la fonte"),
        ({"exit_as_of": ""}, "exit_as_of", "Indicare la data"),
        (
            {"exit_results": [ExitResult.NONE, ExitResult.EMPLOYED]},
            "exit_results",
            "esclude le altre",
        ),
        ({"exit_results": [], "exit_as_of": ""}, "exit_results", "lasciare vuote"),
        (
            {"exit_as_of": (TODAY - dt.timedelta(days=200)).isoformat()},
            "exit_as_of",
            "precedere la presa in carico",
        ),
        ({"exit_as_of": "tomorrow"}, "exit_as_of", "futuro"),
        (
            {"closed_on": (TODAY - dt.timedelta(days=60)).isoformat()},
            "exit_as_of",
            "entro quattro settimane",
        ),
    ],
)
def test_a_wrong_situation_at_exit_is_a_clear_message_and_nothing_is_saved(
    client, operator, intake, overrides, field, message
):
    url = reverse("followup:intake_close", args=[intake.pk])
    if overrides.get("exit_as_of") == "tomorrow":  # read now: the run may pass midnight
        overrides = {"exit_as_of": (local_today() + dt.timedelta(days=1)).isoformat()}
    response = client.post(url, close_data(**overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page or f"id_{field}" in page
    assert message in page
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.OPEN
    assert not ExitSituation.objects.exists() and not FollowUpTask.objects.exists()


def _close(intake, user, answer=None, closed_on=None):
    return services.close_with_exit(
        intake=intake,
        version=intake.version,
        closed_on=closed_on or TODAY - dt.timedelta(days=2),
        closure_reason=ClosureReason.WITHDRAWN,
        closure_note="",
        exit_answer=answer or services.ExitAnswer(results=frozenset()),
        by=user,
    )


def test_correcting_the_closure_moves_open_tasks_and_a_known_situation_answers_the_check(
    client, operator, intake
):
    _close(intake, operator)
    intake.refresh_from_db()
    url = reverse("followup:intake_closure_edit", args=[intake.pk])
    assert 'name="exit_results"' in client.get(url).content.decode()
    new_date = TODAY - dt.timedelta(days=5)
    response = client.post(
        url,
        close_data(
            closed_on=new_date.isoformat(),
            exit_results=[ExitResult.JOB_SEARCHING],
            exit_source="dichiarazione",
            version=intake.version,
        ),
    )
    assert response.status_code == 302
    check = FollowUpTask.objects.get(intake=intake, kind=TaskKind.EXIT_CHECK)
    assert check.status == TaskStatus.ANSWERED and check.source == "dichiarazione"
    six = FollowUpTask.objects.get(intake=intake, kind=TaskKind.SIX_MONTHS)
    assert six.due_on == add_months(new_date, 6)
    assert ExitSituation.objects.get(intake=intake).job_searching
    # The correction page starts from what is recorded.
    intake.refresh_from_db()
    page = client.get(url).content.decode()
    assert 'value="ricerca" checked' in page or 'value="ricerca"\n' in page or "checked" in page


def test_reopening_pauses_the_tasks_and_closing_again_moves_them(operator, intake):
    _close(intake, operator)
    intake.refresh_from_db()
    casework_services.reopen_intake(intake=intake, version=intake.version)
    assert not FollowUpTask.objects.pending().exists()
    intake.refresh_from_db()
    _close(intake, operator, closed_on=TODAY)
    tasks = FollowUpTask.objects.filter(intake=intake)
    assert tasks.count() == 2  # one per kind, moved, never duplicated
    assert {t.due_on for t in tasks} == {TODAY + dt.timedelta(days=28), add_months(TODAY, 6)}
    assert FollowUpTask.objects.pending().count() == 2


def test_one_task_per_kind_is_a_database_constraint(operator, intake):
    _close(intake, operator)
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpTask.objects.create(intake=intake, kind=TaskKind.SIX_MONTHS, due_on=TODAY)


def test_the_four_week_check_answered_makes_the_situation_known(client, operator, intake):
    _close(intake, operator)
    task = FollowUpTask.objects.get(intake=intake, kind=TaskKind.EXIT_CHECK)
    url = reverse("followup:task", args=[task.pk])
    page = client.get(url).content.decode()
    assert "Superti Chiara" in page and 'name="results"' in page
    response = client.post(
        reverse("followup:task_attempt", args=[task.pk]),
        {
            "made_at": f"{TODAY.isoformat()}T00:01",
            "channel": "telefono",
            "outcome": "nessuna_risposta",
        },
    )
    assert response.status_code == 302
    assert ContactAttempt.objects.get(task=task).operator == operator
    response = client.post(
        reverse("followup:task_answer", args=[task.pk]),
        {"results": [ExitResult.EDUCATION], "source": "partner", "answered_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.ANSWERED and task.done_by == operator
    situation = ExitSituation.objects.get(intake=intake)
    assert situation.known and situation.in_education and situation.source == "partner"
    page = client.get(url).content.decode()
    assert "Nessuna risposta" in page and "In istruzione o formazione" in page
    assert 'id="answer-form"' not in page  # answered: nothing more to record


def test_the_six_month_answer_asks_improvement_only_of_who_was_employed(client, operator):
    intake = factories.intake(factories.person(), opened_on=TODAY - dt.timedelta(days=400))
    employed = factories.intake(
        factories.person(), opened_on=TODAY - dt.timedelta(days=400),
        labour_status=LabourStatus.EMPLOYED,
    )  # fmt: skip
    _close(intake, operator, closed_on=TODAY - dt.timedelta(days=200))
    _close(employed, operator, closed_on=TODAY - dt.timedelta(days=200))
    task = FollowUpTask.objects.get(intake=intake, kind=TaskKind.SIX_MONTHS)
    other = FollowUpTask.objects.get(intake=employed, kind=TaskKind.SIX_MONTHS)
    assert (
        'name="improved"'
        not in client.get(reverse("followup:task", args=[task.pk])).content.decode()
    )
    assert (
        'name="improved"' in client.get(reverse("followup:task", args=[other.pk])).content.decode()
    )
    answer = {"employed": "si", "source": "co", "answered_on": TODAY.isoformat()}
    response = client.post(reverse("followup:task_answer", args=[other.pk]), answer)
    assert response.status_code == 200
    assert "indicare se la sua situazione" in response.content.decode()
    response = client.post(
        reverse("followup:task_answer", args=[other.pk]), {**answer, "improved": "si"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.employed is True and other.improved is True
    response = client.post(
        reverse("followup:task_answer", args=[task.pk]), {**answer, "employed": "no"}
    )
    task.refresh_from_db()
    assert task.employed is False and task.improved is None


def test_an_answer_dated_in_the_future_or_before_the_exit_is_refused(client, operator, intake):
    _close(intake, operator, closed_on=TODAY - dt.timedelta(days=10))
    task = FollowUpTask.objects.get(intake=intake, kind=TaskKind.SIX_MONTHS)
    url = reverse("followup:task_answer", args=[task.pk])
    for day, message in (
        (local_today() + dt.timedelta(days=1), "futuro"),
        (TODAY - dt.timedelta(days=11), "precedere la chiusura"),
    ):
        response = client.post(
            url, {"employed": "no", "source": "co", "answered_on": day.isoformat()}
        )
        assert response.status_code == 200 and message in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_closing_unanswered_then_a_stale_answer_is_sent_back(client, operator, intake):
    _close(intake, operator)
    task = FollowUpTask.objects.get(intake=intake, kind=TaskKind.SIX_MONTHS)
    response = client.post(reverse("followup:task_close", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.UNREACHABLE
    response = client.post(
        reverse("followup:task_answer", args=[task.pk]),
        {"employed": "si", "source": "co", "answered_on": TODAY.isoformat()},
        follow=True,
    )
    assert "già chiusa" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.UNREACHABLE and task.employed is None


def test_another_desks_task_is_a_404_and_the_planning_office_reads_only(
    client, op_gussola, udp_reader, op_casalmaggiore, intake
):
    _close(intake, op_casalmaggiore)
    task = FollowUpTask.objects.get(intake=intake, kind=TaskKind.SIX_MONTHS)
    client.force_login(op_gussola)
    assert client.get(reverse("followup:task", args=[task.pk])).status_code == 404
    assert client.post(reverse("followup:task_close", args=[task.pk])).status_code == 404
    client.force_login(udp_reader)
    page = client.get(reverse("followup:task", args=[task.pk]))
    assert page.status_code == 200 and 'id="answer-form"' not in page.content.decode()
    assert client.post(reverse("followup:task_close", args=[task.pk])).status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_the_case_page_reads_the_follow_up_in_constant_queries(
    client, operator, intake, django_assert_max_num_queries
):
    _close(intake, operator)
    person = intake.person
    url = reverse("casework:person", args=[person.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _n in range(3):
        other = factories.intake(
            person, desk_slug="casalmaggiore", opened_on=TODAY - dt.timedelta(days=300)
        )
        _close(other, operator, closed_on=TODAY - dt.timedelta(days=250))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_opening_a_task_is_a_recorded_read(client, operator, intake):

    _close(intake, operator)
    task = FollowUpTask.objects.get(intake=intake, kind=TaskKind.SIX_MONTHS)
    client.get(reverse("followup:task", args=[task.pk]))
    read = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(task.pk)).get(
        content_type__model="followuptask"
    )
    assert read.actor == operator


def test_closing_cancels_the_cases_booked_appointments(client, operator, intake):
    """A closed case keeps no booked appointment (nor its reminders): each is cancelled,
    with the cancelled invitation for a person who consented to e-mail reminders."""
    intake.person.email = "chiara@example.org"
    intake.person.save()
    agenda_services.give_consent(
        person=intake.person, channel="email", source="presenza", given_on=TODAY, operator=operator
    )
    booked = agenda_services.book(
        intake=intake, operator=None, starts_at=timezone.now() + dt.timedelta(days=3)
    )
    response = client.post(reverse("followup:intake_close", args=[intake.pk]), close_data())
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED
    assert ReminderMessage.objects.filter(appointment=booked, kind=MessageKind.CANCEL).exists()
