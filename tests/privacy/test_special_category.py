"""Special-category data (GDPR art. 9: disability, minority, migrant background,
homelessness) behind their own permission, ``casework.view_special_category`` (held by the
Amministratore role only, casework/roles.py).

A user without it sees neither the fields nor the answers on the operators' pages; the
special-category tables of the quarterly review are left out for them (reports), and no
default export carries them (casework/resources.py, tested there).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.security.matrix import login

pytestmark = pytest.mark.django_db

SPECIAL = ("has_disability", "is_minority", "foreign_background", "is_homeless")
LABELS = (
    "persona con disabilità",
    "appartiene a una minoranza",
    "background migratorio",
    "senza dimora o in esclusione abitativa",
)


def _pages(person_pk: int) -> list[str]:
    return [
        reverse("casework:intake_new", kwargs={"slug": "casalmaggiore"}),
        reverse("casework:person_edit", kwargs={"pk": person_pk}),
        reverse("casework:person", kwargs={"pk": person_pk}),
    ]


def _shown(client: Client, url: str) -> set[str]:
    html = client.get(url).content.decode().lower()
    found = {name for name in SPECIAL if f'name="{name}"' in html}
    return found | {label for label in LABELS if label in html}


def test_the_permission_belongs_to_administrators_only(op_casalmaggiore, udp_reader, administrator):
    assert administrator.has_perm("casework.view_special_category")
    assert not op_casalmaggiore.has_perm("casework.view_special_category")
    assert not udp_reader.has_perm("casework.view_special_category")


def test_a_holder_of_the_permission_sees_the_fields(administrator, settings):
    settings.AXES_ENABLED = False
    person = factories.person(has_disability=True)
    factories.intake(person, desk_slug="casalmaggiore")
    client = login(Client(), administrator)
    assert _shown(client, _pages(person.pk)[0]) >= set(SPECIAL)


def test_operators_without_the_permission_do_not_see_them(op_casalmaggiore, settings):
    settings.AXES_ENABLED = False
    person = factories.person(has_disability=True, is_minority=False)
    factories.intake(person, desk_slug="casalmaggiore")
    client = login(Client(), op_casalmaggiore)
    shown = {url: _shown(client, url) for url in _pages(person.pk)}
    assert not any(shown.values()), shown
