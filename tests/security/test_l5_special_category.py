"""L5 (security review, November 2026): the four special-category answers — disability,
minority, migrant background, homelessness — are behind ``casework.view_special_category``
on every operator page, as the README says, not only the first two.

Without the permission an operator neither sees them (person edit page, case page, new
intake page) nor can set them by a forged POST; with it, all four are shown and saved.
The quarterly review still counts them for holders of the permission.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from casework import fiscal_code, roles
from casework.choices import Citizenship, EducationLevel, Gender, IntakeChannel, LabourStatus, Need
from casework.models import Person
from reports.review import compute_review
from tests import factories
from tests.security.matrix import login

pytestmark = pytest.mark.django_db

FIELDS = ("has_disability", "is_minority", "foreign_background", "is_homeless")
LABELS = (
    "persona con disabilità",
    "appartiene a una minoranza",
    "background migratorio",
    "senza dimora o in esclusione abitativa",
)


@pytest.fixture(autouse=True)
def _no_lockout(settings):
    settings.AXES_ENABLED = False


@pytest.fixture
def holder(db):
    """An operator of Casalmaggiore who was also given the special-category permission."""
    user = factories.user("op.special", role=roles.OPERATOR, desks=("casalmaggiore",))
    user.user_permissions.add(Permission.objects.get(codename="view_special_category"))
    return user


@pytest.fixture
def person(db):
    p = factories.person(
        has_disability=True, is_minority=True, foreign_background=True, is_homeless=True
    )
    factories.intake(p, desk_slug="casalmaggiore", opened_on=dt.date(2024, 3, 4))
    return p


def _pages(person_pk: int) -> dict[str, str]:
    return {
        "edit": reverse("casework:person_edit", kwargs={"pk": person_pk}),
        "case": reverse("casework:person", kwargs={"pk": person_pk}),
        "intake": reverse("casework:intake_new", kwargs={"slug": "casalmaggiore"}),
    }


def _shown(client: Client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode().lower()
    return {name for name in FIELDS if f'name="{name}"' in html} | {
        label for label in LABELS if label in html
    }


def _edit_data(person: Person, **answers: str) -> dict:
    return {
        "fiscal_code": person.fiscal_code,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "birth_date": person.birth_date.isoformat(),
        "gender": person.gender,
        "residence_comune": "Casalmaggiore (CR)",
        "citizenship": person.citizenship,
        "education": person.education,
        "phone": "0375 111222",
        "version": str(person.version),
        **answers,
    }


def _intake_data(**answers: str) -> dict:
    cf = fiscal_code.encode(
        last_name="Nuovi",
        first_name="Sara",
        birth_date=dt.date(1990, 5, 14),
        sex="F",
        place_code="B898",
    )
    return {
        "fiscal_code": cf,
        "last_name": "Nuovi",
        "first_name": "Sara",
        "birth_date": "1990-05-14",
        "gender": Gender.WOMAN,
        "residence_comune": "Casalmaggiore (CR)",
        "citizenship": Citizenship.ITALIAN,
        "education": EducationLevel.UPPER_SECONDARY,
        "opened_on": dt.date.today().isoformat(),
        "channel": IntakeChannel.WALK_IN,
        "main_need": Need.GUIDANCE,
        "labour_status": LabourStatus.UNEMPLOYED,
        **answers,
    }


@pytest.mark.parametrize("page", ["edit", "case", "intake"])
def test_l5_operator_without_the_permission_sees_none_of_the_four(page, op_casalmaggiore, person):
    assert not op_casalmaggiore.has_perm("casework.view_special_category")
    client = login(Client(), op_casalmaggiore)
    assert _shown(client, _pages(person.pk)[page]) == set()


@pytest.mark.parametrize("page", ["edit", "intake"])
def test_l5_holder_of_the_permission_sees_all_four(page, holder, person):
    client = login(Client(), holder)
    assert _shown(client, _pages(person.pk)[page]) == {*FIELDS, *LABELS}


def test_l5_operator_without_the_permission_cannot_set_them_by_post(op_casalmaggiore, person):
    client = login(Client(), op_casalmaggiore)
    url = _pages(person.pk)["edit"]
    response = client.post(url, _edit_data(person, **dict.fromkeys(FIELDS, "false")))
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert person.phone == "+390375111222"  # the edit went through...
    assert [getattr(person, name) for name in FIELDS] == [True] * 4  # ...without these

    response = client.post(
        _pages(person.pk)["intake"], _intake_data(**dict.fromkeys(FIELDS, "true"))
    )
    assert response.status_code == 302
    created = Person.objects.get(last_name="Nuovi")
    assert [getattr(created, name) for name in FIELDS] == [None] * 4


def test_l5_holder_of_the_permission_sets_all_four(holder, person):
    client = login(Client(), holder)
    response = client.post(
        _pages(person.pk)["edit"], _edit_data(person, **dict.fromkeys(FIELDS, "false"))
    )
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert [getattr(person, name) for name in FIELDS] == [False] * 4


def test_l5_the_review_still_counts_the_four_for_holders(administrator, udp_reader, person):
    start, end = dt.date(2024, 1, 1), dt.date(2024, 3, 31)
    review = compute_review(user=administrator, start=start, end=end)
    special = {row.key: row.values[-1] for row in review.tables["esf_special"].rows}
    assert special == {"disability": 1, "foreign_background": 1, "minority": 1, "homeless": 1}
    assert "esf_special" not in compute_review(user=udp_reader, start=start, end=end).tables
