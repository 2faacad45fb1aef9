"""Where the data is: the first and last day with an intake or a meeting the user sees, at
the selected desks. The review opens on the last quarter with data when the last completed
quarter is empty, and an empty period says where the data is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Max, Min, Q

from casework.models import Intake, Meeting
from reports.periods import PROJECT_START, add_months, quarter_of
from sportelli.models import Desk

if TYPE_CHECKING:
    from activitycr.http import AnyUser


@dataclass(frozen=True)
class DataSpan:
    first: dt.date | None  # the first day with an intake or a meeting
    last: dt.date | None  # the last one, up to today
    last_completed: dt.date | None  # the last one up to the end of the last completed quarter

    @property
    def is_empty(self) -> bool:
        return self.last is None


def _later(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return max(d for d in (a, b) if d is not None) if (a or b) else None


def _earlier(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return min(d for d in (a, b) if d is not None) if (a or b) else None


def data_span(*, user: AnyUser, desks: Sequence[Desk] | None, today: dt.date) -> DataSpan:
    """Two aggregate queries (intakes, meetings), scoped like the review."""
    completed_end = quarter_of(today)[0] - dt.timedelta(days=1)
    intakes = Intake.objects.visible_to(user)
    meetings = Meeting.objects.visible_to(user)
    if desks is not None:
        intakes = intakes.filter(desk__in=desks)
        meetings = meetings.filter(intake__desk__in=desks)
    i = intakes.aggregate(
        first=Min("opened_on"),
        last=Max("opened_on", filter=Q(opened_on__lte=today)),
        done=Max("opened_on", filter=Q(opened_on__lte=completed_end)),
    )
    m = meetings.aggregate(
        first=Min("held_on"),
        last=Max("held_on", filter=Q(held_on__lte=today)),
        done=Max("held_on", filter=Q(held_on__lte=completed_end)),
    )
    return DataSpan(
        first=_earlier(i["first"], m["first"]),
        last=_later(i["last"], m["last"]),
        last_completed=_later(i["done"], m["done"]),
    )


def opening_period(today: dt.date, span: DataSpan) -> tuple[dt.date, dt.date]:
    """The last completed quarter, or, when it holds nothing, the last quarter with data
    (the current one when only it has data). No data at all: the last completed quarter."""
    start, _end = quarter_of(today)
    completed = add_months(start, -3), start - dt.timedelta(days=1)
    if span.last_completed is not None and span.last_completed >= completed[0]:
        return completed
    if span.last is None:
        return completed
    return quarter_of(max(span.last, PROJECT_START))
