"""The quarterly review, put together: every figure of the page, the workbook and the ESF+
sheet.

One computation, ``compute_review``, feeds the page (``reports/views.py``) and the workbook
(``reports/workbook.py``), so the two can never disagree. It runs one way down the layers:

* ``reports.queries`` counts, in the database, in a fixed number of queries (the period rule
  is in its docstring);
* ``reports.layout`` lays the counts out as tables, with their titles and definitions;
* ``reports.summary`` writes the short paragraph from the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from casework.permissions import sees_all_desks, sees_special_categories
from reports.layout import build_tables
from reports.periods import previous_period
from reports.queries import count_review
from reports.summary import write_summary
from reports.tables import Table, Value
from sportelli.models import Desk

if TYPE_CHECKING:
    from activitycr.http import AnyUser


@dataclass(frozen=True)
class Review:
    start: dt.date
    end: dt.date
    desks: tuple[Desk, ...]  # the selection ("all" = every desk visible to the user)
    tables: dict[str, Table[Value]]  # ordered as shown on the page
    summary: str  # the short Italian summary paragraph
    previous_start: dt.date
    previous_end: dt.date

    @property
    def is_empty(self) -> bool:
        people = self.tables["people"]
        return not any(people.rows[0].values) and not any(people.rows[2].values)


def compute_review(
    *,
    user: AnyUser,
    start: dt.date,
    end: dt.date,
    desks: Iterable[Desk] | None = None,
) -> Review:
    """Every table of the review of [start, end] for the desks selected (default: all the
    desks ``user`` sees), scoped to what ``user`` may see."""
    visible = Desk.objects.visible_to(user).order_by("pk")
    if desks is not None:
        visible = visible.filter(pk__in=[desk.pk for desk in desks])
    selected = tuple(visible)
    include_special = sees_special_categories(user)
    every_desk = desks is None and sees_all_desks(user)  # no desk left out
    previous_start, previous_end = previous_period(start, end)

    counts = count_review(
        user=user,
        desks=selected,
        start=start,
        end=end,
        previous=(previous_start, previous_end),
        include_special=include_special,
        every_desk=every_desk,
    )
    tables = build_tables(counts, include_special=include_special)
    summary = write_summary(
        start=start,
        end=end,
        desks=selected,
        tables=tables,
        previous_start=previous_start,
        previous_end=previous_end,
    )
    return Review(
        start=start,
        end=end,
        desks=selected,
        tables=tables,
        summary=summary,
        previous_start=previous_start,
        previous_end=previous_end,
    )
