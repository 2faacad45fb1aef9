"""The four desks seeded by the data migration, and who works where."""

from __future__ import annotations

import datetime as dt

import pytest

from sportelli.models import Desk
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_exactly_the_four_desks():
    desks = list(Desk.objects.order_by("name").values_list("name", "slug", "comune__name"))
    assert desks == [
        ("Casalmaggiore", "casalmaggiore", "Casalmaggiore"),
        ("Gussola", "gussola", "Gussola"),
        ("Piadena Drizzona", "piadena-drizzona", "Piadena Drizzona"),
        ("San Giovanni in Croce", "san-giovanni-in-croce", "San Giovanni in Croce"),
    ]
    assert all(Desk.objects.values_list("active", flat=True))
    assert all(d.comune.is_casalasco for d in Desk.objects.select_related("comune"))


def test_opening_dates_as_known():
    casalmaggiore = Desk.objects.get(slug="casalmaggiore")
    assert casalmaggiore.opened_on == dt.date(2021, 1, 28)
    assert "piano terra" in casalmaggiore.address
    gussola = Desk.objects.get(slug="gussola")
    assert (gussola.opened_on.year, gussola.opened_on.month) == (2021, 4)
    # Not known exactly: left empty, with a note for the administrators to complete.
    for slug in ("piadena-drizzona", "san-giovanni-in-croce"):
        desk = Desk.objects.get(slug=slug)
        assert desk.opened_on is None
        assert "febbraio e aprile 2021" in desk.opening_note
    # The first desk opened first: the default ordering follows the opening dates.
    assert Desk.objects.exclude(opened_on=None).first().slug == "casalmaggiore"


def test_desks_visible_to_each_role(op_casalmaggiore, op_gussola, udp_reader, no_role_user):
    assert list(Desk.objects.visible_to(op_casalmaggiore).values_list("slug", flat=True)) == [
        "casalmaggiore"
    ]
    assert list(Desk.objects.visible_to(op_gussola).values_list("slug", flat=True)) == ["gussola"]
    assert Desk.objects.visible_to(udp_reader).count() == 4
    assert Desk.objects.visible_to(no_role_user).count() == 0
    both = factories.user("op.both", desks=("casalmaggiore", "gussola"))
    assert Desk.objects.visible_to(both).count() == 2
