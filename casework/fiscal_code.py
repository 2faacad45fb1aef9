"""Codice fiscale: validation and decoding through ``python-codicefiscale``.

The library checks the structure, the check character (CIN), omocodia and the birthplace
code. On top of it this module settles the century of the two-digit year by plausibility
(a person taken in is between 15 and 100 years old) and compares the code with what the
operator typed, in Italian.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, Literal

from codicefiscale import codicefiscale as cf
from codicefiscale import data as cf_data
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from casework.choices import Gender, age_on

MIN_AGE = 15
MAX_AGE = 100

# The sex a codice fiscale encodes, as the library's encoder takes it.
Sex = Literal["F", "M"]

_OMOCODIA = str.maketrans("LMNPQRSTUV", "0123456789")
_MONTHS = "ABCDEHLMPRST"  # the month letters of a codice fiscale


@dataclass(frozen=True, slots=True)
class FiscalCodeData:
    code: str
    birth_date: dt.date
    sex: str  # "M" or "F": what the code encodes
    birthplace_code: str  # codice catastale (Italy) or Z... (abroad)
    birthplace_name: str
    born_abroad: bool


def normalise(value: str) -> str:
    return "".join(value.split()).upper()


def decode(value: str, *, on: dt.date | None = None) -> FiscalCodeData:
    """Decode a codice fiscale or raise ``ValidationError`` with an Italian message.

    ``on`` is the reference date for the plausibility of the age (today by default).
    Decoded codes are remembered (imports decode the same codes in the preview and again
    in the confirmation; decoding costs about a millisecond); errors are not.
    """
    return _decode(normalise(value), on or timezone.localdate())


@functools.lru_cache(maxsize=250_000)
def _decode(code: str, on: dt.date) -> FiscalCodeData:
    if len(code) != 16:
        raise ValidationError(
            _("Il codice fiscale deve avere 16 caratteri (ne sono stati inseriti %(n)d).")
            % {"n": len(code)},
            code="cf_length",
        )
    try:
        raw = _decode_raw(code)
    except ValueError as exc:
        raise ValidationError(
            _(
                "Il codice fiscale non ha la forma giusta: 6 lettere, 2 cifre, una lettera, "
                "2 cifre, una lettera, 3 cifre e la lettera di controllo."
            ),
            code="cf_format",
        ) from exc
    if cf.encode_cin(code) != raw["cin"]:
        raise ValidationError(
            _(
                "La lettera di controllo del codice fiscale è sbagliata: probabilmente c'è un "
                "errore di battitura."
            ),
            code="cf_check",
        )
    library_date, place = _birth_date_and_place(raw)

    year2 = int(raw["birthdate_year"].translate(_OMOCODIA))
    birth_date = None
    for century in (2000, 1900):
        try:
            candidate = library_date.replace(year=century + year2)
        except ValueError:  # 29 February in a year that is not a leap year
            continue
        if MIN_AGE <= age_on(candidate, on) <= MAX_AGE:
            birth_date = candidate
            break
    if birth_date is None:
        raise ValidationError(
            _(
                "Dal codice fiscale la persona risulterebbe avere meno di %(min)d o più di "
                "%(max)d anni: controllare l'anno di nascita."
            )
            % {"min": MIN_AGE, "max": MAX_AGE},
            code="cf_implausible_age",
        )
    return FiscalCodeData(
        code=code,
        birth_date=birth_date,
        sex="F" if int(raw["birthdate_day"].translate(_OMOCODIA)) > 40 else "M",  # a date: digits
        birthplace_code=str(place.get("code", raw["birthplace"])),
        birthplace_name=str(place.get("name", "")),
        born_abroad=place.get("province") == "EE",
    )


def _decode_raw(code: str) -> dict[str, str]:
    """``codicefiscale.decode_raw``: the code's parts. The library first slugifies the code
    (accents, punctuation); a code already in plain capitals and digits, as ``normalise``
    leaves a typed one, needs only its pattern."""
    if not (code.isascii() and code.isalnum() and code.isupper()):
        return cf.decode_raw(code)
    match = cf.CODICEFISCALE_RE.match(code)
    if not match:
        raise ValueError(code)
    return {"code": code, **match.groupdict()}


def _birth_date_and_place(raw: dict[str, str]) -> tuple[dt.date, dict[str, Any]]:
    """The birth date and birthplace of a code, as ``codicefiscale.decode`` finds them —
    the year in the current century, or the one before when it would be in the future or
    when the birthplace did not exist on that date — without the rest of that function's
    work (the 128 omocodes and their check characters, the candidate first names, dates
    parsed by dateutil), which was most of an import's time per row."""
    place_code = raw["birthplace"][0] + raw["birthplace"][1:].translate(_OMOCODIA)
    try:
        # The library's pattern lets through letters that are no digit: no date then.
        year2 = int(raw["birthdate_year"].translate(_OMOCODIA))
        month = _MONTHS.index(raw["birthdate_month"]) + 1
        day = int(raw["birthdate_day"].translate(_OMOCODIA))
    except ValueError:
        year2 = month = day = 0
    if day > 40:
        day -= 40
    current_year = dt.datetime.now().year  # noqa: DTZ005 - the library's own rule
    year = (current_year // 100) * 100 + year2
    if year > current_year:
        year -= 100
    for attempt in (year, year - 100):
        try:
            birth = dt.datetime(attempt, month, day)  # noqa: DTZ001 - the library's dates are naive
        except ValueError:
            continue
        place = _birthplace(place_code, birth)
        if place:
            return birth.date(), place
    raise ValidationError(
        _(
            "Il codice fiscale contiene una data di nascita o un codice del luogo di "
            "nascita che non esiste."
        ),
        code="cf_invalid",
    )


@functools.cache
def _places_by_code() -> dict[str, list[dict[str, Any]]]:
    """The library's places (comuni, then countries) grouped by their cadastral code, in
    the library's order. Its own index (``codicefiscale.data.get_indexed_data``) also
    slugifies every name and encodes every first name — a quarter of a second once per
    process, which the first import of a worker paid — for lookups by name this module
    does not make: a code such as ``b898`` is never the slug of a place's name, so the
    library finds a code's places in this index too."""
    index: dict[str, list[dict[str, Any]]] = {}
    for place in cf_data.get_municipalities_data() + cf_data.get_countries_data():
        index.setdefault(place["code"], []).append(place)
    return index


@functools.lru_cache(maxsize=20_000)
def _place_options(place_code: str) -> tuple[tuple[dt.datetime, dt.datetime, dict], ...]:
    """The places that have had ``place_code`` (the library's data), each with the dates
    it existed between, read once per code."""
    return tuple(
        (
            cf._get_date(option["date_created"]) or dt.datetime.min,  # noqa: DTZ901 - naive, as above
            cf._get_date(option["date_deleted"]) or dt.datetime.max,  # noqa: DTZ901
            option,
        )
        for option in _places_by_code().get(place_code.upper(), ())
    )


def _birthplace(place_code: str, birth: dt.datetime) -> dict[str, Any] | None:
    """The place of ``place_code`` on the birth date, as the library's ``_get_birthplace``
    finds it; its own fallback for the rare dates outside every known period."""
    options = _place_options(place_code)
    if not options:
        return None
    for created, deleted, option in options:
        if created <= birth <= deleted:
            return option
    return cf._get_birthplace_fallback([option for _, _, option in options], birth)


def birth_date_mismatch(data: FiscalCodeData, birth_date: dt.date | None) -> str | None:
    """An Italian message when the typed birth date disagrees with the code, else None."""
    if birth_date is None or birth_date == data.birth_date:
        return None
    return _(
        "La data di nascita inserita (%(typed)s) non corrisponde a quella del codice fiscale "
        "(%(cf)s): correggere l'una o l'altro."
    ) % {
        "typed": formats.date_format(birth_date, "SHORT_DATE_FORMAT"),
        "cf": formats.date_format(data.birth_date, "SHORT_DATE_FORMAT"),
    }


def sex_mismatch(data: FiscalCodeData, gender: str | None) -> str | None:
    """An Italian warning when a typed woman/man disagrees with the sex in the code.

    Only a warning: gender identity may legitimately differ from the sex registered in
    the code. Non-binary and not stated are never compared.
    """
    if gender not in (Gender.WOMAN, Gender.MAN) or gender == data.sex:
        return None
    encoded = Gender.WOMAN.label if data.sex == "F" else Gender.MAN.label
    return _(
        "Attenzione: il codice fiscale indica il sesso «%(cf)s», diverso da quello inserito. "
        "Verificare che il codice sia della persona giusta."
    ) % {"cf": encoded}


def is_valid(value: str) -> bool:
    try:
        decode(value)
    except ValidationError:
        return False
    return True


def encode(
    *, last_name: str, first_name: str, birth_date: dt.date, sex: Sex, place_code: str
) -> str:
    """Compute the codice fiscale for the given data (used by demo data and tests).

    Built from the library's own encoders, skipping its slow birthplace-name lookup: the
    caller passes the codice catastale (or the Z code of a foreign state).
    """
    body = (
        cf.encode_lastname(last_name)
        + cf.encode_firstname(first_name)
        # The library wants a datetime; only its date part is encoded.
        + cf.encode_birthdate(
            dt.datetime(birth_date.year, birth_date.month, birth_date.day, tzinfo=dt.UTC), sex
        )
        + place_code.upper()
    )
    return body + cf.encode_cin(body)
