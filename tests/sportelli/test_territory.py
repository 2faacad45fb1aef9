"""The territory loaded by migration: ISTAT's comuni, the foreign states, the Casalasco flag."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from django.urls import reverse
from django.utils import translation

from sportelli import territory
from sportelli.models import Comune, Country

pytestmark = pytest.mark.django_db

CASALASCO_CODES = {
    "Calvatone": "B439",
    "Casalmaggiore": "B898",
    "Casteldidone": "C089",
    "Cingia de' Botti": "C703",
    "Gussola": "E272",
    "Martignana di Po": "E983",
    "Motta Baluffi": "F771",
    "Piadena Drizzona": "M418",
    "Rivarolo del Re ed Uniti": "H341",
    "San Giovanni in Croce": "H918",
    "San Martino del Lago": "I007",
    "Scandolara Ravara": "I497",
    "Solarolo Rainerio": "I790",
    "Spineda": "I909",
    "Tornata": "L225",
    "Torricella del Pizzo": "L296",
    "Voltido": "M127",
}


def test_about_7900_comuni_are_loaded_from_istat():
    total = Comune.objects.count()
    assert 7_850 <= total <= 8_000
    assert total == sum(1 for _ in territory.istat_comuni())
    # Every province and region is filled in; codes have the codice fiscale's shape.
    assert not Comune.objects.filter(province="").exists()
    assert not Comune.objects.filter(region="").exists()
    assert Comune.objects.filter(province="CR").count() == 113
    assert Comune.objects.filter(province="MN").count() == 64
    cremona = Comune.objects.get(name="Cremona")
    assert (cremona.code, cremona.province, cremona.region) == ("D150", "CR", "Lombardia")


def test_exactly_the_17_concass_comuni_are_flagged_casalasco():
    flagged = dict(Comune.objects.filter(is_casalasco=True).values_list("name", "code"))
    assert flagged == CASALASCO_CODES
    assert set(flagged) == set(territory.CASALASCO_2020)
    assert set(Comune.objects.filter(is_casalasco=True).values_list("province", flat=True)) == {
        "CR"
    }


def test_casalasco_codes_agree_with_the_anpr_list_of_python_codicefiscale():
    """A second, independent source for the codici catastali (ANPR, via the CF library)."""
    anpr = json.loads(
        resources.files("codicefiscale").joinpath("data/municipalities.json").read_text("utf-8")
    )
    active = {(m["code"], m["name"].casefold(), m["province"]) for m in anpr if m["active"]}
    for name, code in CASALASCO_CODES.items():
        assert (code, name.casefold(), "CR") in active, name


def test_foreign_states_are_loaded_with_their_codes():
    assert Country.objects.count() >= 190
    assert Country.objects.filter(code__startswith="Z").count() == Country.objects.count()
    germany = Country.objects.get(code="Z112")
    assert germany.is_eu is True
    assert Country.objects.get(code="Z404").is_eu is False  # Stati Uniti d'America
    assert Country.objects.filter(is_eu=True).count() == 26  # the EU without Italy


@pytest.mark.slow
def test_a_reload_keeps_what_administrators_set():
    Comune.objects.filter(name="Viadana").update(is_casalasco=True)
    Comune.objects.filter(name="Voltido").update(is_casalasco=False)
    before = Comune.objects.count()
    comuni, countries = territory.load(Comune, Country)
    assert comuni == before and countries == 0  # nothing new: every row updated in place
    assert Comune.objects.count() == before
    assert Comune.objects.get(name="Viadana").is_casalasco is True
    assert Comune.objects.get(name="Voltido").is_casalasco is False


# --- Issue 10 item 13 (audit C 28): country names are right and translated -----------------


@pytest.mark.parametrize(
    ("code", "italian", "english"),
    [
        ("Z611", "Perù", "Peru"),
        ("Z341", "São Tomé e Príncipe", "São Tomé and Príncipe"),
        ("Z106", "Città del Vaticano", "Vatican City"),
        ("Z532", "Antigua e Barbuda", "Antigua and Barbuda"),
        ("Z313", "Costa d'Avorio", "Côte d'Ivoire"),
        ("Z404", "Stati Uniti d'America", "United States"),
        ("Z112", "Germania", "Germany"),
        ("Z330", "Marocco", "Morocco"),
        ("Z214", "Corea del Nord", "North Korea"),
        ("Z228", "Laos", "Laos"),
    ],
)
def test_i10_country_names_are_right_in_italian_and_english(code, italian, english):
    country = Country.objects.get(code=code)
    assert (country.name, country.name_en) == (italian, english)
    with translation.override("it"):
        assert str(country) == italian
    with translation.override("en"):
        assert str(country) == english


def test_i10_no_country_name_keeps_istat_s_upper_case_spelling():
    for name, name_en in Country.objects.values_list("name", "name_en"):
        assert name_en, name
        for text in (name, name_en):
            assert not text.endswith("'") and "' " not in text, text
            assert " E " not in text and " Di " not in text and " D'" not in text, text
            assert " And " not in text and " Of " not in text and "," not in text, text


def test_i10_the_intake_form_lists_countries_in_english_in_english_mode(
    client, op_casalmaggiore, settings
):
    client.force_login(op_casalmaggiore)
    url = reverse("casework:intake_new", args=["casalmaggiore"])
    assert ">Marocco</option>" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert ">Morocco</option>" in client.get(url).content.decode()


def test_i10_a_reload_renames_countries_left_with_the_old_names():
    Country.objects.filter(code="Z611").update(name="Peru'", name_en="")
    territory.load_countries(Country)
    assert Country.objects.filter(code="Z611").values_list("name", "name_en").get() == (
        "Perù",
        "Peru",
    )
