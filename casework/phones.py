"""Phone numbers: stored in E.164 ("+390375123456"), typed the way operators type them
("0375 123456", "333 1234567", "+39 ...", "0039 ..."), shown the Italian way (the national
format for +39 numbers, the international one otherwise).
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

REGION = "IT"  # a number typed without a prefix is Italian

INVALID_MESSAGE = _(
    "Numero di telefono non valido: scriverlo come «0375 123456», «333 1234567» "
    "o con il prefisso internazionale, ad esempio «+41 44 668 18 00»."
)


def normalise(raw: str) -> str:
    """The number in E.164, or "" for an empty value; ValidationError if it is not a
    valid number."""
    text = (raw or "").strip()
    if not text:
        return ""
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID_MESSAGE, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(stored: str) -> str:
    """A stored number the Italian way; a value that does not parse (kept as it was typed
    before numbers were checked) is shown as it is."""
    if not stored:
        return ""
    try:
        number = phonenumbers.parse(stored, REGION)
    except phonenumbers.NumberParseException:
        return stored
    if not phonenumbers.is_valid_number(number):
        return stored
    if number.country_code == phonenumbers.country_code_for_region(REGION):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
