"""Review periods: calendar quarters, "the first three months" of a desk or of the project,
and the previous period a review compares with."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sportelli.models import Desk

# The first desk (Casalmaggiore) opened on 28/01/2021: the project's first day (DESIGN.md).
PROJECT_START = dt.date(2021, 1, 28)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier), clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = _last_day(year, month)
    return dt.date(year, month, min(day.day, last))


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]  # December 9999 too


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar quarter holding ``day``."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    return start, add_months(start, 3) - dt.timedelta(days=1)


def first_three_months(opened_on: dt.date) -> tuple[dt.date, dt.date]:
    """From the opening day to the day before the same day three months later."""
    return opened_on, add_months(opened_on, 3) - dt.timedelta(days=1)


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length immediately before [start, end].

    When the period is a whole number of months (a calendar quarter, "the first three
    months" from 28/01 to 27/04) the previous one is the same number of months before
    (the previous quarter); otherwise it has the same number of days.

    Near the limits of Python's dates (year 1, year 9999: the review's form refuses them,
    this stays safe anyway) the previous period is cut at the first representable day.
    """
    if start == dt.date.min:
        return start, start  # nothing before it: an empty comparison, not an error
    previous_end = start - dt.timedelta(days=1)
    following = end + dt.timedelta(days=1) if end < dt.date.max else None
    for months in range(1, 121):
        if following is None or _month_index(start) + months > _month_index(dt.date.max):
            break
        shifted = add_months(start, months)
        if shifted == following:
            if _month_index(start) - months < _month_index(dt.date.min):
                return dt.date.min, previous_end
            return add_months(start, -months), previous_end
        if shifted > following:
            break
    days = (end - start).days + 1
    earliest = (start - dt.date.min).days
    return start - dt.timedelta(days=min(days, earliest)), previous_end


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    start: dt.date
    end: dt.date


def _span(start: dt.date, end: dt.date) -> str:
    return f"{start:%d/%m/%Y}–{end:%d/%m/%Y}"


def quarter_key(start: dt.date) -> str:
    """``q2021-1`` for the quarter starting on ``start`` (the review's ``?period=``)."""
    return f"q{start.year}-{(start.month - 1) // 3 + 1}"


def quarter_presets(today: dt.date) -> list[Preset]:
    """Every calendar quarter from the project's first (2021 Q1) to the current one, newest
    first: each is selectable and bookmarkable as ``?period=q2021-1``."""
    presets: list[Preset] = []
    start, _end = quarter_of(today)
    first, _first_end = quarter_of(min(PROJECT_START, today))
    q_start = start
    while q_start >= first:
        q_end = add_months(q_start, 3) - dt.timedelta(days=1)
        number = (q_start.month - 1) // 3 + 1
        label = _("%(n)sº trimestre %(year)s (%(span)s)") % {
            "n": number,
            "year": q_start.year,
            "span": _span(q_start, q_end),
        }
        if q_start == start:
            label = _("%(label)s, in corso") % {"label": label}
        presets.append(Preset(quarter_key(q_start), label, q_start, q_end))
        q_start = add_months(q_start, -3)
    return presets


def opening_presets(desks: Iterable[Desk], *, whole_project: bool) -> list[Preset]:
    """ "The first three months": of the project (for whoever sees every desk) and of each
    desk with a known opening date."""
    presets: list[Preset] = []
    if whole_project:
        start, end = first_three_months(PROJECT_START)
        presets.append(
            Preset(
                "first-project",
                _("Primi tre mesi del progetto (%(span)s)") % {"span": _span(start, end)},
                start,
                end,
            )
        )
    for desk in desks:
        if desk.opened_on is None:
            continue
        start, end = first_three_months(desk.opened_on)
        presets.append(
            Preset(
                f"first-{desk.slug}",
                _("Primi tre mesi dello sportello di %(desk)s (%(span)s)")
                % {"desk": desk.name, "span": _span(start, end)},
                start,
                end,
            )
        )
    return presets


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last completed calendar quarter."""
    start, _end = quarter_of(today)
    return add_months(start, -3), start - dt.timedelta(days=1)


def period_slug(start: dt.date, end: dt.date) -> str:
    """``2021Q1`` for a calendar quarter, else ``20210128-20210427``."""
    if start.day == 1 and start.month in (1, 4, 7, 10):
        quarter_end_month = start.month + 2
        next_month = dt.date(start.year + (quarter_end_month == 12), quarter_end_month % 12 + 1, 1)
        if end == next_month - dt.timedelta(days=1):
            return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return f"{start:%Y%m%d}-{end:%Y%m%d}"
