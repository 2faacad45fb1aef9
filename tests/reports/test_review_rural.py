"""The ESF+ "rural areas" figure is only as good as the comuni flagged rural by the
administrators in Django admin (default: not rural)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from reports.review import compute_review
from sportelli.models import Comune
from tests import factories


def rural_total(user) -> int:
    review = compute_review(user=user, start=dt.date(2021, 4, 1), end=dt.date(2021, 6, 30))
    return next(r for r in review.tables["esf_other"].rows if r.key == "rural").values[-1]


def test_an_administrator_flags_a_comune_rural_in_admin(client, administrator):
    factories.intake(factories.person(residence="Spineda"), opened_on=dt.date(2021, 4, 9))
    assert not Comune.objects.filter(is_rural=True).exists()  # nobody has set the flag yet
    assert rural_total(administrator) == 0

    client.force_login(administrator)
    spineda = Comune.objects.get(name="Spineda")
    url = reverse("admin:sportelli_comune_changelist")
    listing = client.get(url, {"q": "Spineda"})
    assert listing.status_code == 200
    assert 'name="form-0-is_rural"' in listing.content.decode()
    response = client.post(
        f"{url}?q=Spineda",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(spineda.pk),
            "form-0-is_casalasco": "on",
            "form-0-is_rural": "on",
            "_save": "Salva",
        },
    )
    assert response.status_code == 302
    spineda.refresh_from_db()
    assert spineda.is_rural and spineda.is_casalasco
    assert rural_total(administrator) == 1
