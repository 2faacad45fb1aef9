"""The operator's work list and its counts on the dashboard (issue 13 item 9): today's
appointments, tasks due within seven days, overdue tasks, open cases idle for 60 days; per
desk and per operator; scoped; a constant number of queries; the movable clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agenda import services as agenda_services
from agenda.models import AppointmentStatus
from casework.choices import ClosureReason
from followup import queries, services
from followup.choices import TaskKind
from followup.models import FollowUpTask
from tests import factories

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _closed(user, *, closed_days_ago: int, operator=None, desk="casalmaggiore", name="Rossi"):
    today = timezone.localdate()
    intake = factories.intake(
        factories.person(last_name=name),
        desk_slug=desk,
        opened_on=today - dt.timedelta(days=closed_days_ago + 30),
        operator=operator,
    )
    services.close_with_exit(
        intake=intake,
        version=intake.version,
        closed_on=today - dt.timedelta(days=closed_days_ago),
        closure_reason=ClosureReason.WITHDRAWN,
        closure_note="",
        exit_answer=services.ExitAnswer(results=frozenset()),
        by=user,
    )
    return intake


@pytest.fixture
def desk_work(op_casalmaggiore):
    user = op_casalmaggiore
    colleague = factories.user("op.collega", desks=("casalmaggiore",))
    today = timezone.localdate()
    # Four-week checks: one due in 3 days (mine), one overdue by 5 days (a colleague's),
    # one due in 20 days (not yet in the list).
    soon = _closed(user, closed_days_ago=25, operator=user, name="Presto")
    late = _closed(user, closed_days_ago=33, operator=colleague, name="Tardi")
    _closed(user, closed_days_ago=8, operator=user, name="Dopo")
    # An open case idle for 90 days, another with a booked appointment, one with a meeting.
    idle = factories.intake(
        factories.person(last_name="Fermo"), opened_on=today - dt.timedelta(days=90), operator=user
    )
    booked = factories.intake(
        factories.person(last_name="Prenotato"), opened_on=today - dt.timedelta(days=90)
    )
    agenda_services.book(
        intake=booked, operator=colleague, starts_at=_at(today + dt.timedelta(days=2), 10),
        check_time=False,
    )  # fmt: skip
    met = factories.intake(
        factories.person(last_name="Visto"), opened_on=today - dt.timedelta(days=90)
    )
    factories.meeting(met, days_after=80)
    # Today's appointments: mine at 9, a colleague's at 11, a cancelled one (not listed).
    fresh = factories.intake(
        factories.person(last_name="Oggi"), opened_on=today - dt.timedelta(days=3)
    )
    agenda_services.book(intake=fresh, operator=user, starts_at=_at(today, 9), check_time=False)
    agenda_services.book(
        intake=fresh, operator=colleague, starts_at=_at(today, 11), check_time=False
    )
    cancelled = agenda_services.book(
        intake=fresh, operator=user, starts_at=_at(today, 15), check_time=False
    )
    cancelled.status = AppointmentStatus.CANCELLED
    cancelled.save()
    # Gussola's work is not Casalmaggiore's.
    _closed(user, closed_days_ago=40, desk="gussola", name="Gussolese")
    return {"soon": soon, "late": late, "idle": idle, "user": user}


def test_the_desk_work_list(client, desk_work):
    client.force_login(desk_work["user"])
    response = client.get(reverse("followup:worklist", args=["casalmaggiore"]))
    work = response.context["work"]
    assert work.counts == queries.Counts(appointments_today=2, due_soon=1, overdue=1, idle=1)
    assert [t.intake for t in work.overdue] == [desk_work["late"]]
    assert [t.intake for t in work.due_soon] == [desk_work["soon"]]
    assert [i.person.last_name for i in work.idle] == ["Fermo"]
    page = response.content.decode()
    assert "Tardi" in page and "Presto" in page and "Gussolese" not in page


def test_the_operators_own_work_list(client, desk_work):
    client.force_login(desk_work["user"])
    url = reverse("followup:worklist", args=["casalmaggiore"]) + "?chi=miei"
    work = client.get(url).context["work"]
    assert work.counts == queries.Counts(appointments_today=1, due_soon=1, overdue=0, idle=1)


def test_the_dashboard_shows_the_counts_and_links_the_list(client, desk_work):
    client.force_login(desk_work["user"])
    page = client.get(reverse("casework:desk", args=["casalmaggiore"])).content.decode()
    assert 'id="count-overdue">1<' in page and 'id="count-due-soon">1<' in page
    assert 'id="count-appointments">2<' in page and 'id="count-idle">1<' in page
    assert reverse("followup:worklist", args=["casalmaggiore"]) in page


def test_moving_the_clock_brings_the_six_month_follow_up_due(client, settings, desk_work):
    client.force_login(desk_work["user"])
    settings.CLOCK_OFFSET = dt.timedelta(days=190)
    work = client.get(reverse("followup:worklist", args=["casalmaggiore"])).context["work"]
    six = [t for t in work.overdue + work.due_soon if t.kind == TaskKind.SIX_MONTHS]
    assert {t.intake.person.last_name for t in six} >= {"Presto", "Tardi"}


def test_a_task_answered_leaves_the_list(client, desk_work):
    client.force_login(desk_work["user"])
    task = FollowUpTask.objects.get(intake=desk_work["late"], kind=TaskKind.EXIT_CHECK)
    services.close_unanswered(task=task, by=desk_work["user"])
    work = client.get(reverse("followup:worklist", args=["casalmaggiore"])).context["work"]
    assert work.counts.overdue == 0


def test_another_desks_list_is_a_404(client, op_gussola, desk_work):
    client.force_login(op_gussola)
    assert client.get(reverse("followup:worklist", args=["casalmaggiore"])).status_code == 404
    response = client.get(reverse("followup:worklist", args=["gussola"]))
    assert response.context["work"].counts.overdue == 1


def test_the_list_runs_a_constant_number_of_queries(
    client, desk_work, django_assert_max_num_queries
):
    client.force_login(desk_work["user"])
    url = reverse("followup:worklist", args=["casalmaggiore"])
    client.get(url)

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        _closed(desk_work["user"], closed_days_ago=30 + n, name=f"Altro{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["work"].counts.overdue == 7
