"""Database ids typed by hand or forged in a query string.

``str.isdigit()`` is true for "²" (which ``int()`` refuses) and ``int()`` reads "٣" as 3,
and a number of 20 digits does not fit in a 64-bit column: SQLite raises ``OverflowError``
and PostgreSQL refuses to compare a ``bigint`` with it. :func:`parse_id` accepts only what a
database id can be.
"""

from __future__ import annotations

# Ids are 64-bit signed integers (BigAutoField on both backends); 0 and negatives are not ids.
MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """The id written in ``value`` (ASCII digits only, 1 to 2**63 - 1), else ``None``."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        return None
    if len(value) > len(str(MAX_ID)):
        return None  # never int() a string of thousands of digits
    number = int(value)
    return number if 0 < number <= MAX_ID else None
