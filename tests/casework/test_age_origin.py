"""Age at intake, age bands and origin: what the quarterly figures are grouped by."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from casework.choices import AgeBand, EsfAgeBand, age_on
from sportelli.models import Comune, Country, Origin, origin_for
from tests import factories

# --- Age ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (dt.date(1990, 3, 15), dt.date(2021, 3, 14), 30),  # the day before the birthday
        (dt.date(1990, 3, 15), dt.date(2021, 3, 15), 31),  # on the birthday
        (dt.date(1990, 3, 15), dt.date(2021, 12, 31), 31),
        (dt.date(2000, 2, 29), dt.date(2021, 2, 28), 20),  # born on 29 February
        (dt.date(2000, 2, 29), dt.date(2021, 3, 1), 21),
        (dt.date(2000, 2, 29), dt.date(2024, 2, 29), 24),
    ],
)
def test_age_on_a_date(birth, on, age):
    assert age_on(birth, on) == age


@pytest.mark.django_db
def test_age_at_intake_is_the_age_on_the_intake_date_not_today():
    person = factories.person(birth_date=dt.date(1985, 6, 10))
    before = factories.intake(person, desk_slug="casalmaggiore", opened_on=dt.date(2021, 6, 9))
    on_the_day = factories.intake(person, desk_slug="gussola", opened_on=dt.date(2021, 6, 10))
    assert (before.age_at_intake, before.age_band) == (35, AgeBand.FROM_18_TO_35)
    assert (on_the_day.age_at_intake, on_the_day.age_band) == (36, AgeBand.FROM_36_TO_44)
    # Stored: re-reading the row does not recompute it from today's date.
    before.refresh_from_db()
    assert before.age_at_intake == 35


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (15, AgeBand.UNDER_18),
        (17, AgeBand.UNDER_18),
        (18, AgeBand.FROM_18_TO_35),
        (35, AgeBand.FROM_18_TO_35),
        (36, AgeBand.FROM_36_TO_44),
        (44, AgeBand.FROM_36_TO_44),
        (45, AgeBand.FROM_45_TO_54),
        (54, AgeBand.FROM_45_TO_54),
        (55, AgeBand.FROM_55),
        (100, AgeBand.FROM_55),
    ],
)
def test_desk_age_band_edges(age, band):
    assert AgeBand.for_age(age) == band


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (17, EsfAgeBand.UNDER_18),
        (18, EsfAgeBand.FROM_18_TO_29),
        (29, EsfAgeBand.FROM_18_TO_29),
        (30, EsfAgeBand.FROM_30_TO_54),
        (54, EsfAgeBand.FROM_30_TO_54),
        (55, EsfAgeBand.FROM_55),
    ],
)
def test_esf_age_band_edges(age, band):
    assert EsfAgeBand.for_age(age) == band


@pytest.mark.django_db
def test_both_bands_are_stored_at_intake():
    person = factories.person(birth_date=dt.date(1991, 1, 1))
    intake = factories.intake(person, opened_on=dt.date(2021, 3, 1))  # 30
    assert (intake.age_band, intake.esf_age_band) == (
        AgeBand.FROM_18_TO_35,
        EsfAgeBand.FROM_30_TO_54,
    )


# --- Origin -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("comune", "origin"),
    [
        ("Casalmaggiore", Origin.CASALASCO),
        ("Piadena Drizzona", Origin.CASALASCO),
        ("Cremona", Origin.CREMONA),
        ("Crema", Origin.CREMONA),
        ("Viadana", Origin.MANTOVA),
        ("Mantova", Origin.MANTOVA),
        ("Milano", Origin.LOMBARDIA),
        ("Brescia", Origin.LOMBARDIA),
        ("Roma", Origin.ITALIA),
        ("Parma", Origin.ITALIA),
    ],
)
def test_origin_from_the_comune_of_residence(comune, origin):
    assert origin_for(Comune.objects.get(name=comune)) == origin
    person = factories.person(residence=comune)
    assert person.origin == origin
    assert factories.intake(person).origin == origin


@pytest.mark.django_db
def test_a_residence_abroad_is_estero():
    assert origin_for(None) == Origin.ESTERO
    person = factories.person(residence=None)
    person.residence_country = Country.objects.get(code="Z112")
    person.save()
    intake = factories.intake(person)
    assert (intake.origin, intake.residence_comune_id) == (Origin.ESTERO, None)


@pytest.mark.django_db
def test_origin_comes_from_residence_not_birthplace():
    # Born in Milano (the codice fiscale says F205), living in Gussola.
    person = factories.person(residence="Gussola")
    person.birthplace_comune = Comune.objects.get(name="Milano")
    person.save()
    assert factories.intake(person).origin == Origin.CASALASCO


@pytest.mark.django_db
def test_a_move_after_the_intake_does_not_change_its_origin():
    person = factories.person(residence="Casalmaggiore")
    old = factories.intake(person, desk_slug="casalmaggiore", opened_on=dt.date(2021, 2, 1))
    person.residence_comune = Comune.objects.get(name="Milano")
    person.save()
    new = factories.intake(person, desk_slug="gussola", opened_on=dt.date(2021, 5, 1))
    old.refresh_from_db()
    assert (old.origin, new.origin) == (Origin.CASALASCO, Origin.LOMBARDIA)


@pytest.mark.django_db
def test_flipping_is_casalasco_in_admin_changes_new_intakes_not_old_ones(
    client, administrator, settings
):
    settings.TWO_FACTOR_REQUIRED = False
    viadana = Comune.objects.get(name="Viadana")
    person = factories.person(residence="Viadana")
    old = factories.intake(person, desk_slug="casalmaggiore", opened_on=dt.date(2021, 2, 1))
    assert old.origin == Origin.MANTOVA

    client.force_login(administrator)
    response = client.post(
        reverse("admin:sportelli_comune_changelist") + "?q=Viadana",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(viadana.pk),
            "form-0-is_casalasco": "on",
            "_save": "Salva",
        },
    )
    assert response.status_code == 302
    viadana.refresh_from_db()
    assert viadana.is_casalasco is True

    person.refresh_from_db()  # as the next request would load it
    new = factories.intake(person, desk_slug="gussola", opened_on=dt.date(2021, 6, 1))
    old.refresh_from_db()
    assert (old.origin, new.origin) == (Origin.MANTOVA, Origin.CASALASCO)
