"""The codice fiscale decoder gives exactly what the library's full ``decode`` gave.

``casework.fiscal_code`` no longer calls ``codicefiscale.decode`` (which also computes the
128 omocodes, candidate first names and parses dates with dateutil: most of an import's
time per row); it finds the birth date and birthplace itself, with the library's data and
rules. ``reference_decode`` below is the module as it was, on ``codicefiscale.decode``; the
property compares the two on valid codes, omocodes, codes of places that no longer exist
and codes with a character changed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from codicefiscale import codicefiscale as cf
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import fiscal_code
from casework.choices import age_on

pytestmark = pytest.mark.slow

_OMOCODE_LETTERS = "LMNPQRSTUV"
_OMOCODE_POSITIONS = (6, 7, 9, 10, 12, 13, 14)
_ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def reference_decode(code: str, on: dt.date) -> fiscal_code.FiscalCodeData:
    """``fiscal_code._decode`` as it was, on the library's ``decode``."""
    if len(code) != 16:
        raise ValidationError("", code="cf_length")
    try:
        raw = cf.decode_raw(code)
    except ValueError as exc:
        raise ValidationError("", code="cf_format") from exc
    if cf.encode_cin(code) != raw["cin"]:
        raise ValidationError("", code="cf_check")
    try:
        decoded = cf.decode(code)
    except ValueError as exc:
        raise ValidationError("", code="cf_invalid") from exc
    year2 = int(raw["birthdate_year"].translate(fiscal_code._OMOCODIA))
    library_date: dt.date = decoded["birthdate"].date()
    birth_date = None
    for century in (2000, 1900):
        try:
            candidate = library_date.replace(year=century + year2)
        except ValueError:
            continue
        if fiscal_code.MIN_AGE <= age_on(candidate, on) <= fiscal_code.MAX_AGE:
            birth_date = candidate
            break
    if birth_date is None:
        raise ValidationError("", code="cf_implausible_age")
    place = decoded["birthplace"] or {}
    return fiscal_code.FiscalCodeData(
        code=code,
        birth_date=birth_date,
        sex=decoded["gender"],
        birthplace_code=str(place.get("code", raw["birthplace"])),
        birthplace_name=str(place.get("name", "")),
        born_abroad=place.get("province") == "EE",
    )


def outcome(decoder, code: str, on: dt.date) -> object:
    try:
        return decoder(code, on)
    except ValidationError as exc:
        return ("error", exc.code)


_PLACE_CODES = sorted(cf._get_data()["codes"])


@st.composite
def codes(draw: st.DrawFn) -> str:
    body = fiscal_code.encode(
        last_name=draw(st.sampled_from(["Rossi", "Ng", "Öztürk", "De Luca", "Xu"])),
        first_name=draw(st.sampled_from(["Anna", "Luca", "Nicolò", "Y", "Maria Grazia"])),
        birth_date=draw(st.dates(dt.date(1900, 1, 1), dt.date(2026, 12, 31))),
        sex=draw(st.sampled_from(["F", "M"])),
        place_code=draw(st.sampled_from(_PLACE_CODES)),
    )[:15]
    # Omocodia: some digits replaced by their letters, right to left as the law does.
    for position in draw(st.lists(st.sampled_from(_OMOCODE_POSITIONS), unique=True)):
        if body[position].isdigit():
            body = body[:position] + _OMOCODE_LETTERS[int(body[position])] + body[position + 1 :]
    if draw(st.integers(0, 3)) == 0:  # a typing error somewhere
        position = draw(st.integers(0, 14))
        body = body[:position] + draw(st.sampled_from(_ALPHANUMERIC)) + body[position + 1 :]
    code = body + cf.encode_cin(body)
    if draw(st.integers(0, 9)) == 0:  # a wrong check character
        code = body + draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return code


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(code=codes(), on=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)))
def test_the_decoder_agrees_with_the_librarys_decode(code: str, on: dt.date) -> None:
    assert outcome(fiscal_code._decode.__wrapped__, code, on) == outcome(reference_decode, code, on)


@pytest.mark.parametrize(
    "code",
    [
        "RSSMRA85T10A562S",  # a comune
        "RSSMRA85T10A56NO",  # the same with omocodia (check recomputed below)
        "BNCNNA70A41Z404T",  # born abroad
        "RSSMRA85T10A944I",  # Bologna
    ],
)
def test_known_codes_agree(code: str) -> None:
    code = code[:15] + cf.encode_cin(code[:15])
    on = dt.date(2026, 11, 30)
    assert outcome(fiscal_code._decode.__wrapped__, code, on) == outcome(reference_decode, code, on)
