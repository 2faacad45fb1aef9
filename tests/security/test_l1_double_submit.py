"""L1 (security review 2026-11): the same intake form sent twice at the same moment gave a
500 (the database refused the second person or the second open case) or, without a codice
fiscale, two identical people. The intake form now carries a one-time token: the same form
opens one case whatever happens, the second request lands on that case; a colleague's
take-in of the same person a moment earlier gives the known-person page, never an error."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from casework.models import Intake, Person
from tests import factories
from tests.casework.test_views_intake import NEW, form_data
from tests.security.matrix import login

TOKEN = "tok-" + "a" * 20


def _no_cf() -> dict:
    return form_data(
        fiscal_code="",
        birth_date="10/05/1998",
        gender="F",
        birthplace_comune="Casalmaggiore (CR)",
        submission_token=TOKEN,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["new_cf", "no_cf", "known_here"])
def test_l1_the_same_form_sent_twice_opens_one_case(client, op_casalmaggiore, kind):
    client.force_login(op_casalmaggiore)
    url, data = NEW, form_data(submission_token=TOKEN)
    if kind == "no_cf":
        data = _no_cf()
    if kind == "known_here":
        person = factories.intake(
            desk_slug="casalmaggiore", status="chiusa", closed_on="2021-03-01",
            closure_reason="altro",
        ).person  # fmt: skip
        url = NEW + f"?persona={person.pk}"
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    people = Person.objects.count()
    assert people == 1
    assert Intake.objects.filter(submission_token=TOKEN).count() == 1


@pytest.mark.django_db
def test_l1_the_token_is_in_the_page_and_new_at_each_load(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    tokens = {client.get(NEW).context["intake_form"]["submission_token"].value() for _ in range(3)}
    assert len(tokens) == 3 and all(len(t) >= 20 for t in tokens)


@pytest.mark.django_db
def test_l1_another_operators_token_is_not_theirs(client, op_casalmaggiore):
    """A token names a case for the operator who sent it only."""
    colleague = factories.user(
        "op.casalmaggiore.2", role="Operatore di sportello", desks=("casalmaggiore",)
    )
    client.force_login(op_casalmaggiore)
    assert client.post(NEW, form_data(submission_token=TOKEN)).status_code == 302
    other = Client()
    other.force_login(colleague)
    response = other.post(NEW, form_data(submission_token=TOKEN))
    # The CF is known now, with an open case here: that case (reached because the person is
    # at the colleague's desk too), not anything found through someone else's token.
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("casework:person", args=[person.pk]))


def _concurrently(posts: list[tuple[Client, str, dict]]) -> list[int]:
    barrier = threading.Barrier(len(posts))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def send(client: Client, url: str, data: dict) -> None:
        try:
            barrier.wait(timeout=30)
            statuses.append(client.post(url, data).status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=post) for post in posts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return sorted(statuses)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("kind", ["new_cf", "no_cf", "known_here"])
def test_l1_the_same_form_sent_twice_at_the_same_moment(op_casalmaggiore, settings, kind):
    settings.AXES_ENABLED = False
    url, data = NEW, form_data(submission_token=TOKEN)
    if kind == "no_cf":
        data = _no_cf()
    if kind == "known_here":
        person = factories.intake(
            desk_slug="casalmaggiore", status="chiusa", closed_on="2021-03-01",
            closure_reason="altro",
        ).person  # fmt: skip
        url = NEW + f"?persona={person.pk}"
    for _ in range(3):  # the review's 3 runs
        Intake.objects.filter(submission_token=TOKEN).delete()
        if kind != "known_here":
            Person.objects.all().delete()
        clients = [login(Client(), op_casalmaggiore) for _ in range(2)]
        assert _concurrently([(c, url, data) for c in clients]) == [302, 302]
        assert Intake.objects.filter(submission_token=TOKEN).count() == 1
        assert Person.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_l1_two_colleagues_register_the_same_cf_at_the_same_moment(op_casalmaggiore, settings):
    settings.AXES_ENABLED = False
    colleague = factories.user(
        "op.casalmaggiore.2", role="Operatore di sportello", desks=("casalmaggiore",)
    )
    posts = [
        (login(Client(), op_casalmaggiore), NEW, form_data(submission_token="a" * 22)),
        (login(Client(), colleague), NEW, form_data(submission_token="b" * 22)),
    ]
    statuses = _concurrently(posts)
    # One registers the person; the other gets the known-person page (or, if it ran
    # second, already the case): never a 500, never two people.
    assert 500 not in statuses
    assert 302 in statuses
    assert Person.objects.count() == 1
    assert Intake.objects.count() == 1
    assert reverse("casework:desk", args=["casalmaggiore"])  # the app still answers
