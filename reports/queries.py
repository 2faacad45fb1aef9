"""The quarterly review: every figure of the page, the workbook and the ESF+ sheet.

One computation, ``compute_review``, feeds the page (``reports/views.py``) and the workbook,
so the two can never disagree. It starts from the scoped ``Intake.objects.visible_to(user)``
and aggregates in the database in a fixed number of queries whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sportelli.models import Desk


@dataclass(frozen=True)
class Row:
    label: str  # Italian row label (already translated str)
    values: tuple[int | float | None, ...]
    key: str = ""  # stable machine key (e.g. the choice value)


@dataclass(frozen=True)
class Table:
    key: str  # stable id, e.g. "people", "age_band", "esf_age", ...
    title: str  # Italian title
    columns: tuple[str, ...]  # headers of the value columns
    label_header: str  # header of the row-label column
    rows: tuple[Row, ...]
    total: Row | None  # the total row, when it makes sense
    definition: str  # Italian: what the figures count (for the definitions sheet)
    counts_people: bool  # True when cells count people/intakes/meetings (suppression applies)
    special_category: bool = False  # needs casework.view_special_category


@dataclass(frozen=True)
class Review:
    start: dt.date
    end: dt.date
    desks: tuple[Desk, ...]  # the selection ("all" = every desk visible to the user)
    tables: dict[str, Table]  # ordered as shown on the page
    summary: str  # the short Italian summary paragraph
    previous_start: dt.date
    previous_end: dt.date


def compute_review(*, user, start: dt.date, end: dt.date, desks=None) -> Review:  # noqa: ANN001
    raise NotImplementedError  # filled in by the next commit
