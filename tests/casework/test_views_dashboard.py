"""Login, the landing redirect and the desk dashboard: appointments, overdue follow-ups,
recent intakes; a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from casework import queries
from casework.choices import ClosureReason, CrossDeskReason, IntakeStatus
from casework.models import CrossDeskTakeIn, local_today
from tests import factories
from tests.casework.query_budget import own_queries

pytestmark = pytest.mark.django_db

DESK = reverse("casework:desk", args=["casalmaggiore"])


def test_login_page_is_italian_and_lands_on_the_desk(client, op_casalmaggiore):
    page = client.get(reverse("login")).content.decode()
    assert "Accesso agli sportelli Activity.Cr" in page
    assert 'name="username"' in page and 'name="password"' in page
    assert page.count("<h1") == 1
    response = client.post(
        reverse("login"), {"username": "op.casalmaggiore", "password": "pw-test-1234"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("after_login")
    response = client.get(reverse("after_login"))
    assert response["Location"] == reverse("home")
    response = client.get(reverse("home"))
    assert response["Location"] == DESK


@pytest.mark.parametrize(
    "who, lands_on",
    [
        ("op_casalmaggiore", DESK),
        ("udp_reader", reverse("reports:review")),
        ("administrator", reverse("admin:index")),
    ],
)
def test_after_login_each_role_lands_where_its_work_is(client, request, who, lands_on, settings):
    """Issue 10, item 13 (UX audit C31): the Ufficio di Piano on the review, administrators
    on the admin, operators on their last desk."""
    settings.TWO_FACTOR_REQUIRED = False
    request.getfixturevalue(who)
    username = {"op_casalmaggiore": "op.casalmaggiore", "udp_reader": "udp.reader"}.get(
        who, "admin.cons"
    )
    response = client.post(reverse("login"), {"username": username, "password": "pw-test-1234"})
    assert response.status_code == 302
    visited = [response["Location"]]
    for _ in range(3):  # the landing page, then at most the operators' "home"
        if visited[-1] == lands_on or response.status_code != 302:
            break
        response = client.get(visited[-1])
        visited.append(response.get("Location", ""))
    assert visited[-1] == lands_on, visited


def test_an_explicit_next_wins_over_the_role_landing(client, udp_reader, settings):
    settings.TWO_FACTOR_REQUIRED = False
    desk = reverse("casework:desk", args=["gussola"])
    response = client.post(
        reverse("login") + f"?next={desk}", {"username": "udp.reader", "password": "pw-test-1234"}
    )
    assert response.status_code == 302 and response["Location"] == desk


def test_wrong_password_says_so_in_italian(client, op_casalmaggiore):
    response = client.post(reverse("login"), {"username": "op.casalmaggiore", "password": "no"})
    assert response.status_code == 200
    assert "Inserisci nome utente e password corretti" in response.content.decode()


def test_logout_is_a_post_and_goes_back_to_login(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    page = client.get(DESK).content.decode()
    assert f'action="{reverse("logout")}" method="post"' in page
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(DESK).status_code == 302


def test_password_change_page(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    page = client.get(reverse("password_change")).content.decode()
    assert "Cambio password" in page
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-test-1234",
            "new_password1": "Casalasco-2026-sportello",
            "new_password2": "Casalasco-2026-sportello",
        },
    )
    assert response.status_code == 302
    op_casalmaggiore.refresh_from_db()
    assert op_casalmaggiore.check_password("Casalasco-2026-sportello")


def test_operator_of_several_desks_gets_a_switcher_and_returns_to_the_last(
    client, op_casalmaggiore
):
    factories.desk("gussola").operators.add(op_casalmaggiore)
    client.force_login(op_casalmaggiore)
    page = client.get(DESK).content.decode()
    gussola = reverse("casework:desk", args=["gussola"])
    assert f'href="{gussola}"' in page
    assert 'aria-current="page"' in page
    assert f'href="{reverse("casework:desk", args=["piadena-drizzona"])}"' not in page
    client.get(gussola)
    assert client.get(reverse("home"))["Location"] == gussola


def test_single_desk_operator_has_no_switcher(client, op_gussola):
    client.force_login(op_gussola)
    page = client.get(reverse("casework:desk", args=["gussola"])).content.decode()
    assert 'aria-label="Scegli lo sportello"' not in page


def test_operator_without_desk_is_told_so(client):
    user = factories.user("op.nodesk", role="Operatore di sportello")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Nessuno sportello assegnato" in response.content.decode()


def test_planning_office_lands_on_a_desk_and_sees_no_add_button(client, udp_reader):
    client.force_login(udp_reader)
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    assert "Nuova presa in carico" not in response.content.decode()
    assert 'aria-label="Scegli lo sportello"' in response.content.decode()


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture
def board_data():
    today = local_today()
    # Today's and upcoming appointments, and one past (not shown) one.
    soon = factories.intake(
        factories.person(last_name="Appuntamento", first_name="Oggi"),
        opened_on=today - dt.timedelta(days=10),
    )
    factories.meeting(soon, days_after=0, next_appointment_at=_at(today, 23))
    later = factories.intake(
        factories.person(last_name="Appuntamento", first_name="Futuro"),
        opened_on=today - dt.timedelta(days=10),
    )
    factories.meeting(later, days_after=0, next_appointment_at=_at(today + dt.timedelta(5), 9))
    past = factories.intake(
        factories.person(last_name="Appuntamento", first_name="Passato"),
        opened_on=today - dt.timedelta(days=10),
    )
    factories.meeting(past, days_after=0, next_appointment_at=_at(today - dt.timedelta(2), 9))
    # Overdue: open, last meeting 40 days ago; not overdue: a meeting 5 days ago; closed.
    overdue = factories.intake(
        factories.person(last_name="Ritardo", first_name="Ada"),
        opened_on=today - dt.timedelta(days=90),
    )
    factories.meeting(overdue, days_after=50)
    recent_meeting = factories.intake(
        factories.person(last_name="Seguito", first_name="Bea"),
        opened_on=today - dt.timedelta(days=90),
    )
    factories.meeting(recent_meeting, days_after=85)
    factories.intake(
        factories.person(last_name="Chiuso", first_name="Caio"),
        opened_on=today - dt.timedelta(days=90),
        status=IntakeStatus.CLOSED,
        closed_on=today - dt.timedelta(days=60),
        closure_reason=ClosureReason.HIRED,
    )
    # Another desk's case never shows.
    factories.intake(
        factories.person(last_name="Gussolese", first_name="Dino"),
        desk_slug="gussola",
        opened_on=today - dt.timedelta(days=90),
    )
    return {"today": today}


def test_dashboard_lists_appointments_overdue_and_recent(client, op_casalmaggiore, board_data):
    client.force_login(op_casalmaggiore)
    page = client.get(DESK).content.decode()
    appointments = page.split('id="appointments"')[1].split("</table>")[0]
    assert "Appuntamento Oggi" in appointments and "oggi" in appointments
    assert "Appuntamento Futuro" in appointments
    assert "Appuntamento Passato" not in appointments
    assert appointments.index("Oggi") < appointments.index("Futuro")
    overdue = page.split('id="overdue"')[1].split("</table>")[0]
    assert "Ritardo Ada" in overdue
    assert "Seguito Bea" not in overdue
    assert "Chiuso Caio" not in overdue
    recent = page.split('id="recent-intakes"')[1].split("</table>")[0]
    assert "Appuntamento Oggi" in recent
    assert "Gussolese" not in page
    # Dates as dd/mm/yyyy.
    opened = (board_data["today"] - dt.timedelta(days=90)).strftime("%d/%m/%Y")
    assert opened in overdue


@override_settings(OVERDUE_FOLLOWUP_DAYS=60)
def test_overdue_threshold_comes_from_settings(client, op_casalmaggiore, board_data):
    client.force_login(op_casalmaggiore)
    page = client.get(DESK).content.decode()
    assert "da più di 60 giorni" in page
    assert "Ritardo Ada" not in page.split('id="overdue-title"')[1].split("</section>")[0]


def test_dashboard_runs_a_fixed_number_of_queries(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    today = local_today()

    def add_cases(n: int) -> None:
        for _ in range(n):
            intake = factories.intake(opened_on=today - dt.timedelta(days=60))
            factories.meeting(
                intake, days_after=1, next_appointment_at=_at(today + dt.timedelta(1), 10)
            )
            factories.intake(opened_on=today - dt.timedelta(days=3))
            # A person of this desk taken in by Gussola: shown in the cross-desk notice.
            elsewhere = factories.intake(factories.person(), desk_slug="gussola", opened_on=today)
            CrossDeskTakeIn.objects.create(
                intake=elsewhere, reason=CrossDeskReason.OWN_REQUEST
            ).other_desks.add(factories.desk("casalmaggiore"))
            factories.intake(elsewhere.person, opened_on=today - dt.timedelta(days=90))

    add_cases(2)
    small, response = own_queries(client, "get", DESK)
    assert response.content.decode().count("/persona/") >= 6
    add_cases(18)
    large, response = own_queries(client, "get", DESK)
    assert response.content.decode().count("/persona/") >= 40
    assert "cross-desk-intakes" in response.content.decode()
    # desks, appointments, overdue list, overdue count, recent intakes, cross-desk take-ins,
    # and the work list's counts: today's appointments, follow-up tasks, idle cases
    assert small == large == 9


def test_overdue_count_stops_at_the_cap(client, op_casalmaggiore, monkeypatch):
    monkeypatch.setattr(queries, "OVERDUE_COUNT_CAP", 3)
    for _ in range(4):
        factories.intake(opened_on=local_today() - dt.timedelta(days=90))
    board = queries.dashboard(desk=factories.desk("casalmaggiore"))
    assert board.overdue_count == 3 and board.overdue_capped
    assert len(board.overdue) == 4
    client.force_login(op_casalmaggiore)
    page = client.get(DESK).content.decode()
    assert "più di 2" in page


# --- Issue 10 item 13: the overdue list -----------------------------------------------------

OVERDUE = reverse("casework:overdue", args=["casalmaggiore"])


def test_i10_a_person_with_a_booked_appointment_is_not_overdue(client, op_casalmaggiore):
    today = local_today()
    booked = factories.intake(
        factories.person(last_name="Prenotato", first_name="Enrico"),
        opened_on=today - dt.timedelta(days=90),
    )
    factories.meeting(booked, days_after=10, next_appointment_at=_at(today + dt.timedelta(2), 9))
    missed = factories.intake(
        factories.person(last_name="Mancato", first_name="Ugo"),
        opened_on=today - dt.timedelta(days=90),
    )
    # An appointment already past does not count as followed.
    factories.meeting(missed, days_after=10, next_appointment_at=_at(today - dt.timedelta(2), 9))
    client.force_login(op_casalmaggiore)
    assert "Non compare chi ha un appuntamento fissato." in client.get(DESK).content.decode()
    for url in (DESK, OVERDUE):
        overdue = client.get(url).content.decode().split('id="overdue"')[1].split("</table>")[0]
        assert "Mancato Ugo" in overdue
        assert "Prenotato Enrico" not in overdue


def test_i10_the_overdue_list_shows_the_days_overdue(client, op_casalmaggiore, settings):
    settings.OVERDUE_FOLLOWUP_DAYS = 30
    today = local_today()
    met = factories.intake(opened_on=today - dt.timedelta(days=90))
    factories.meeting(met, days_after=48)  # last meeting 42 days ago: 12 days overdue
    factories.intake(opened_on=today - dt.timedelta(days=35))  # no meeting: 5 days overdue
    board = queries.dashboard(desk=factories.desk("casalmaggiore"))
    assert [row.days_overdue for row in board.overdue] == [12, 5]
    client.force_login(op_casalmaggiore)
    page = client.get(DESK).content.decode()
    assert "Giorni di ritardo" in page
    assert '<td class="text-end overdue-days">12</td>' in page
    assert '<td class="text-end overdue-days">5</td>' in page


def test_i10_the_dashboard_links_to_all_overdue_cases_paginated(
    client, op_casalmaggiore, monkeypatch
):
    monkeypatch.setattr(queries, "OVERDUE_PAGE_SIZE", 4)
    today = local_today()
    for n in range(queries.OVERDUE_SHOWN + 3):
        factories.intake(
            factories.person(last_name=f"Ritardo{n:02d}"), opened_on=today - dt.timedelta(200 - n)
        )
    factories.intake(
        factories.person(last_name="Gussolese"),
        desk_slug="gussola",
        opened_on=today - dt.timedelta(days=300),
    )
    client.force_login(op_casalmaggiore)
    page = client.get(DESK).content.decode()
    assert f'href="{OVERDUE}" id="overdue-all"' in page
    overdue = page.split('id="overdue"')[1].split("</table>")[0]
    assert "Ritardo19" in overdue and "Ritardo20" not in overdue  # the oldest 20

    first = client.get(OVERDUE).content.decode()
    assert "Ritardo00" in first and "Ritardo03" in first and "Ritardo04" not in first
    assert "Pagina 1 di 6" in first and 'href="?pagina=2"' in first
    last = client.get(OVERDUE + "?pagina=6").content.decode()
    assert "Ritardo20" in last and "Ritardo22" in last and "Gussolese" not in last
    # A page beyond the end shows the last one, not an error.
    assert "Ritardo22" in client.get(OVERDUE + "?pagina=99").content.decode()


def test_i10_the_overdue_page_runs_a_fixed_number_of_queries(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    today = local_today()

    def add_cases(n: int) -> None:
        for _ in range(n):
            intake = factories.intake(opened_on=today - dt.timedelta(days=90))
            factories.meeting(intake, days_after=10)

    add_cases(2)
    small, response = own_queries(client, "get", OVERDUE)
    assert response.content.decode().count("/persona/") >= 2
    add_cases(60)
    large, response = own_queries(client, "get", OVERDUE)
    assert response.content.decode().count("/persona/") >= queries.OVERDUE_PAGE_SIZE
    # desks, count, page rows
    assert small == large == 3


def test_i10_the_overdue_page_is_only_for_the_desk_s_readers(client, op_gussola):
    client.force_login(op_gussola)
    assert client.get(OVERDUE).status_code == 404
