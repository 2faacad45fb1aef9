"""The browser tests' database set-up: every test starts with the rows the migrations seed.

A transactional test empties every table when it ends; ``serialized_rollback`` (loaded in
bulk by ``conftest._bulk_deserialize``) must put the desks, comuni, partners, role groups
and their permissions back before the next one, also once Playwright's event loop runs.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from casework import roles
from casework.models import Partner
from sportelli.models import Comune, Desk
from tests import factories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("round_", [1, 2, 3])
def test_every_browser_test_starts_with_the_seeded_rows(page, round_):
    assert set(Desk.objects.values_list("slug", flat=True)) == {
        "casalmaggiore",
        "piadena-drizzona",
        "san-giovanni-in-croce",
        "gussola",
    }
    assert Comune.objects.filter(is_casalasco=True).count() == 17
    assert Comune.objects.count() > 7000
    assert Partner.objects.filter(name="Mestieri Lombardia").exists()
    for role, perms in roles.ROLE_PERMISSIONS.items():
        held = set(
            Group.objects.get(name=role).permissions.values_list(
                "content_type__app_label", "codename"
            )
        )
        assert set(perms) <= held, role
    page.goto("/account/login/")
    assert page.locator("h1").count() == 1
    # Leave something behind for the flush at the end of this test to remove.
    factories.intake(factories.person(), desk_slug="gussola")
