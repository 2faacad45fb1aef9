"""Codice fiscale: validation, decoding, omocodia, plausibility and the Italian messages."""

from __future__ import annotations

import datetime as dt

import pytest
from codicefiscale import codicefiscale as cf
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from casework import fiscal_code
from casework.choices import EducationLevel, Gender
from casework.models import Person

ON = dt.date(2026, 11, 24)  # the reference date for the plausibility of ages


def code(birth: dt.date, sex: str = "M", place: str = "B898", last="Rossi", first="Mario"):
    return fiscal_code.encode(
        last_name=last, first_name=first, birth_date=birth, sex=sex, place_code=place
    )


def error_code(value: str, on: dt.date = ON) -> str:
    with pytest.raises(ValidationError) as info:
        fiscal_code.decode(value, on=on)
    return info.value.code


def test_a_valid_code_gives_birth_date_sex_and_birthplace():
    value = code(dt.date(1980, 1, 1))
    assert value == "RSSMRA80A01B898W"
    data = fiscal_code.decode(value, on=ON)
    assert data.birth_date == dt.date(1980, 1, 1)
    assert data.sex == "M"
    assert data.birthplace_code == "B898"
    assert data.birthplace_name.lower() == "casalmaggiore"
    assert data.born_abroad is False
    assert fiscal_code.is_valid(value)


def test_a_woman_born_abroad():
    value = code(dt.date(1992, 9, 17), sex="F", place="Z112", last="Müller", first="Anna")
    assert value[9:11] == "57"  # day + 40 for women
    data = fiscal_code.decode(value, on=ON)
    assert (data.birth_date, data.sex, data.born_abroad) == (dt.date(1992, 9, 17), "F", True)


def test_spaces_and_lower_case_are_accepted():
    value = code(dt.date(1980, 1, 1))
    spaced = " ".join(value[i : i + 4] for i in range(0, 16, 4)).lower()
    assert fiscal_code.decode(spaced, on=ON).code == value


def test_a_wrong_check_letter_is_refused_in_italian():
    value = code(dt.date(1980, 1, 1))
    wrong = value[:15] + ("A" if value[15] != "A" else "B")
    assert error_code(wrong) == "cf_check"
    with pytest.raises(ValidationError) as info:
        fiscal_code.decode(wrong, on=ON)
    assert "lettera di controllo" in info.value.messages[0]
    assert not fiscal_code.is_valid(wrong)


def test_omocodes_are_valid_and_describe_the_same_person():
    value = code(dt.date(1985, 4, 12), sex="F", first="Chiara")
    original = fiscal_code.decode(value, on=ON)
    omocodes = [o for o in cf.decode(value)["omocodes"] if o != value]
    assert len(omocodes) >= 7
    for omocode in omocodes:
        assert any(ch in "LMNPQRSTUV" for ch in omocode[6:15]), omocode
        data = fiscal_code.decode(omocode, on=ON)
        assert (data.birth_date, data.sex, data.birthplace_code) == (
            original.birth_date,
            original.sex,
            original.birthplace_code,
        )


def test_wrong_length_and_shape():
    assert error_code("RSSMRA80A01B898") == "cf_length"
    with pytest.raises(ValidationError) as info:
        fiscal_code.decode("RSSMRA80A01B898", on=ON)
    assert "16 caratteri (ne sono stati inseriti 15)" in info.value.messages[0]
    assert error_code("RSSMRA80A01B898WX") == "cf_length"
    assert error_code("1234567890123456") == "cf_format"


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (dt.date(2011, 11, 24), dt.date(2011, 11, 24)),  # 15 today: the youngest accepted
        (dt.date(1930, 6, 1), dt.date(1930, 6, 1)),  # 96: a two-digit 30 read as 1930
        (dt.date(1926, 11, 25), dt.date(1926, 11, 25)),  # 99, a day before turning 100
    ],
)
def test_the_century_is_settled_by_plausibility(birth, expected):
    assert fiscal_code.decode(code(birth), on=ON).birth_date == expected


@pytest.mark.parametrize(
    "birth",
    [
        dt.date(2015, 6, 1),  # 11 (or 111 if 1915): neither is plausible
        dt.date(2011, 11, 25),  # turns 15 tomorrow (or 115)
        dt.date(1925, 1, 10),  # 101 (or 1 if 2025)
    ],
)
def test_an_implausible_age_is_refused(birth):
    assert error_code(code(birth)) == "cf_implausible_age"
    with pytest.raises(ValidationError) as info:
        fiscal_code.decode(code(birth), on=ON)
    assert "meno di 15 o più di 100 anni" in info.value.messages[0]


@settings(max_examples=150, deadline=None)
@given(
    birth=st.dates(min_value=dt.date(1926, 11, 25), max_value=dt.date(2011, 11, 24)),
    sex=st.sampled_from("MF"),
)
def test_encode_then_decode_gives_back_the_data(birth, sex):
    data = fiscal_code.decode(code(birth, sex=sex), on=ON)
    assert (data.birth_date, data.sex) == (birth, sex)


def test_sex_mismatch_is_only_a_warning():
    data = fiscal_code.decode(code(dt.date(1980, 1, 1), sex="M"), on=ON)
    warning = fiscal_code.sex_mismatch(data, Gender.WOMAN)
    assert warning is not None
    assert warning.startswith("Attenzione") and "«Uomo»" in warning
    assert fiscal_code.sex_mismatch(data, Gender.MAN) is None
    assert fiscal_code.sex_mismatch(data, Gender.NON_BINARY) is None
    assert fiscal_code.sex_mismatch(data, Gender.NOT_STATED) is None


# --- Through Person.full_clean ------------------------------------------------------------


def person(**kwargs) -> Person:
    defaults = dict(
        last_name="Rossi",
        first_name="Mario",
        birth_date=dt.date(1980, 1, 1),
        gender=Gender.MAN,
        education=EducationLevel.UPPER_SECONDARY,
    )
    return Person(**(defaults | kwargs))


@pytest.mark.django_db
def test_a_typed_birth_date_that_disagrees_gets_a_clear_message():
    p = person(fiscal_code=code(dt.date(1980, 1, 1)), birth_date=dt.date(1980, 1, 2))
    with pytest.raises(ValidationError) as info:
        p.full_clean()
    message = info.value.message_dict["birth_date"][0]
    assert message == (
        "La data di nascita inserita (02/01/1980) non corrisponde a quella del codice fiscale "
        "(01/01/1980): correggere l'una o l'altro."
    )


@pytest.mark.django_db
def test_person_clean_normalises_and_accepts_an_omocode():
    value = code(dt.date(1980, 1, 1))
    omocode = next(o for o in cf.decode(value)["omocodes"] if o != value)
    p = person(fiscal_code=omocode.lower())
    p.full_clean()
    assert p.fiscal_code == omocode


@pytest.mark.django_db
def test_person_without_fiscal_code_is_fine_and_empty_becomes_null():
    p = person(fiscal_code="")
    p.full_clean()
    assert p.fiscal_code is None


@pytest.mark.django_db
def test_person_with_an_implausible_birth_date_is_refused():
    p = person(birth_date=dt.date(1900, 1, 1))
    with pytest.raises(ValidationError) as info:
        p.full_clean()
    assert "Età non plausibile" in info.value.message_dict["birth_date"][0]


@pytest.mark.django_db
def test_person_with_a_wrong_check_letter_is_refused_on_the_field():
    value = code(dt.date(1980, 1, 1))
    p = person(fiscal_code=value[:15] + ("A" if value[15] != "A" else "B"))
    with pytest.raises(ValidationError) as info:
        p.full_clean()
    assert "lettera di controllo" in info.value.message_dict["fiscal_code"][0]
