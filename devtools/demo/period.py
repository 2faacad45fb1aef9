"""When the intakes happen: working days at the open desks, at the article's density."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from devtools.demo.reference import (
    ARTICLE_PEOPLE,
    ARTICLE_QUARTER,
    ASSUMED_OPENING,
    DESK_WEIGHTS,
    HOLIDAYS,
)
from sportelli.models import Desk


@dataclass(frozen=True, slots=True)
class DeskInfo:
    id: int
    slug: str
    name: str
    comune_id: int
    opened_on: dt.date
    weight: float


def desk_infos() -> list[DeskInfo]:
    return [
        DeskInfo(
            id=d.id,
            slug=d.slug,
            name=d.name,
            comune_id=d.comune_id,
            opened_on=d.opened_on or ASSUMED_OPENING,
            weight=DESK_WEIGHTS.get(d.slug, 0.8),
        )
        for d in Desk.objects.filter(active=True).order_by("id")
    ]


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS


def _day_weight(day: dt.date, desks: Sequence[DeskInfo]) -> float:
    if not is_working_day(day):
        return 0.0
    weight = sum(d.weight for d in desks if d.opened_on <= day)
    return weight * (0.5 if day.month == 8 else 1.0)


def capacity(start: dt.date, end: dt.date, desks: Sequence[DeskInfo]) -> float:
    days = (end - start).days + 1
    return sum(_day_weight(start + dt.timedelta(n), desks) for n in range(max(days, 0)))


@dataclass(slots=True)
class Axis:
    """Working days between start and end with their weight: person i of P gets the day at
    quantile (i + u) / P of the cumulative weight, so chunks are chronological."""

    days: list[dt.date]
    cum: list[float]

    @classmethod
    def build(cls, start: dt.date, end: dt.date, desks: Sequence[DeskInfo]) -> Axis:
        days, cum, total = [], [], 0.0
        day = start
        while day <= end:
            w = _day_weight(day, desks)
            if w:
                total += w
                days.append(day)
                cum.append(total)
            day += dt.timedelta(1)
        return cls(days, cum)

    def at(self, q: float) -> dt.date:
        index = bisect.bisect_left(self.cum, q * self.cum[-1])
        return self.days[min(index, len(self.days) - 1)]


def people_at_article_density(desks: Sequence[DeskInfo], start: dt.date, end: dt.date) -> int:
    """How many people the desks open between ``start`` and ``end`` take in at the article's
    density (72 people in the first quarter, per working day and desk weight)."""
    rate = ARTICLE_PEOPLE / capacity(*ARTICLE_QUARTER, desks)
    return round(rate * capacity(start, end, desks))


def plan_period(
    *,
    people: int,
    desks: Sequence[DeskInfo],
    start: dt.date | None,
    end: dt.date | None,
    limit: dt.date,
) -> tuple[dt.date, dt.date]:
    """The intake period: from ``start`` (the first opening) at the article's density
    (72 people in the first quarter), stopping at ``limit`` and denser when more fit."""
    first_opening = min(d.opened_on for d in desks)
    start = max(start or first_opening, first_opening)
    if end is not None:
        return start, end
    rate = ARTICLE_PEOPLE / capacity(*ARTICLE_QUARTER, desks)
    needed, total, day = people / rate, 0.0, start
    while day < limit:
        total += _day_weight(day, desks)
        if total >= needed:
            break
        day += dt.timedelta(1)
    return start, min(day, limit)
