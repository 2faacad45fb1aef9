"""What every part of the review shares: the table and its rows, the declared row (a label
and the SQL condition it counts), the value columns, and the number and date formats.

This module is the leaf of ``reports``: it imports nothing else of the app. The review flows
one way over it: ``queries`` counts, ``layout`` lays the counts out as tables, ``summary``
writes the paragraph, ``review`` puts them together (see ``reports/review.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Q
from django.utils import formats
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from sportelli.models import Desk

TOP_COMUNI = 10
TOTAL = "total"

# A figure of the review: a count, a mean or a percentage (None: no figure, e.g. a mean of
# nobody). The review's tables hold these: Table[Value].
Value = int | float | None
# A figure as it may leave the consortium: small-cell suppression (reports/suppression.py)
# shows "<3" or "n.d." in place of some. The workbook's tables hold these: Table[Shown].
Shown = Value | str
# Covariant: the review's tables (Value) are also tables of what may be shown (Shown).
V = TypeVar("V", bound=Shown, covariant=True)


@dataclass(frozen=True)
class Row(Generic[V]):
    label: str  # Italian row label (already translated str)
    values: tuple[V, ...]
    key: str = ""  # stable machine key (e.g. the choice value)


@dataclass(frozen=True)
class Table(Generic[V]):
    key: str  # stable id, e.g. "people", "age_band", "esf_age", ...
    title: str  # Italian title
    columns: tuple[str, ...]  # headers of the value columns
    label_header: str  # header of the row-label column
    rows: tuple[Row[V], ...]
    total: Row[V] | None  # the total row, when it makes sense
    definition: str  # Italian: what the figures count (for the definitions sheet)
    counts_people: bool  # True when cells count people/intakes/meetings (suppression applies)
    special_category: bool = False  # needs casework.view_special_category
    # Stable keys of the value columns, in order (a desk's pk, a gender, an outcome, TOTAL
    # for the column holding each row's total): what the external file's disclosure control
    # (reports/suppression.py) reads to link the same figure across tables. Empty: the
    # headers are the keys.
    column_keys: tuple[str, ...] = ()
    # What the columns split: "desk" (a person at two desks counts in both), "gender",
    # "outcome", or "" (nothing the other tables share).
    column_dim: str = ""
    # A sentence shown under the title (the external file says what it hid or merged here).
    note: str = ""

    @property
    def keys_of_columns(self) -> tuple[str, ...]:
        return self.column_keys or self.columns


@dataclass(frozen=True)
class Category:
    """A row a table declares once: its stable key, its label, and the SQL condition that
    picks what the row counts (on the queryset the table counts)."""

    key: str
    label: str  # Italian (already translated str)
    condition: Q


@dataclass(frozen=True)
class Columns:
    """The value columns of the per-desk tables: one per desk, then the total."""

    desks: tuple[Desk, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        if len(self.desks) == 1:
            return (TOTAL,)
        return (*(str(desk.pk) for desk in self.desks), TOTAL)

    @property
    def headers(self) -> tuple[str, ...]:
        if len(self.desks) == 1:
            return (self.desks[0].name,)
        return (*(desk.name for desk in self.desks), _("Totale"))

    @property
    def desk_keys(self) -> tuple[str, ...]:
        return tuple(k for k in self.keys if k != TOTAL)

    def row(self, label: str, per_column: Mapping[str, Value], key: str) -> Row[Value]:
        """A row of a per-desk table: the value of each column, in the columns' order."""
        return Row(label, tuple(per_column[k] for k in self.keys), key)


def total_row(rows: Sequence[Row[Value]], label: str | None = None) -> Row[Value]:
    """The column sums of ``rows`` (counts: ``None`` adds nothing)."""
    width = len(rows[0].values) if rows else 0
    return Row(
        label=label or _("Totale"),
        key=TOTAL,
        values=tuple(sum(int(r.values[i] or 0) for r in rows) for i in range(width)),
    )


# --- Figures and their formats ------------------------------------------------------------


def percent(part: float, whole: float) -> float | None:
    """A share in percent with one decimal, or None when the whole is zero."""
    if not whole:
        return None
    return round(100 * part / whole, 1)


def mean(total: float, count: float) -> float | None:
    if not count:
        return None
    return round(total / count, 2)


def fmt_number(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    value = round(value, decimals)  # number_format truncates; the figures are rounded
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def fmt_date(value: dt.date) -> str:
    return f"{value:%d/%m/%Y}"


def month_label(month: dt.date) -> str:
    return f"{MONTHS[month.month]} {month.year}"
