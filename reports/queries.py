"""The review's counting: every figure of the page, the workbook and the ESF+ sheet, counted
in the database.

``count_review`` starts from the scoped ``Intake.objects.visible_to(user)`` (and the
Meeting/Referral equivalents) and aggregates in the database, in a fixed number of queries
whatever the data size: Python only reshapes the handful of grouped result rows. It returns
the counts as a typed :class:`reports.counts.Counts`, keyed by the rows each table declares
(``reports/dimensions.py``, ``reports/esf.py``); ``reports.layout`` lays them out.

The period rule, the same everywhere (and spelled out in each table's ``definition``):

* an **intake** belongs to the period when it was opened in it (both days included);
* the **people taken in** are the distinct persons with an intake in the period, counted once
  in the total even with intakes at two desks, and once at each desk in the desk columns;
* a person's characteristics (age band, gender, origin, labour status, education...) are
  those recorded at their **first intake in the period** (in a desk column: their first
  intake at that desk), so every breakdown adds up to the people taken in;
* a **meeting** belongs to the period when it was held in it; "colloqui svolti" are the
  meetings the person attended; **accesses** are intakes plus meetings attended;
* **meetings per person** are the meetings attended in the period that belong to the intakes
  of the period, divided by the people taken in (and their distribution: 0, 1, 2, 3 or more).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Aggregate, Count, Exists, FilteredRelation, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from agenda.models import Appointment, AppointmentMode, AppointmentStatus
from casework.choices import Gender, IntakeStatus
from casework.models import Intake, IntakeQuerySet, Meeting, MeetingQuerySet, Referral
from followup.choices import TaskKind
from followup.models import FollowUpTask
from reports import dimensions, esf
from reports.counts import (
    ComuneCount,
    Counts,
    MeetingCounts,
    Monthly,
    PerColumn,
    PerPersonCounts,
    PersonCounts,
    PreviousCounts,
    ReferralCount,
    Tally,
)
from reports.tables import TOTAL, Category, Columns
from sportelli.models import Comune, Desk

if TYPE_CHECKING:
    from activitycr.http import AnyUser

K = TypeVar("K")
Q_ = TypeVar("Q_", bound=QuerySet[Any])


def _tally(rows: Iterable[Category]) -> Tally:
    return {row.key: {} for row in rows}


class _Aggregates:
    """Aggregate expressions run as one statement; each result fills the cell it was added
    for. (Generated SQL aliases: row keys and dates make poor aliases.)"""

    def __init__(self) -> None:
        self._exprs: dict[str, Aggregate] = {}
        self._cells: dict[str, tuple[dict[Any, int], Any]] = {}

    def add(self, into: dict[K, int], key: K, expr: Aggregate) -> None:
        alias = f"c{len(self._exprs)}"
        self._exprs[alias] = expr
        self._cells[alias] = (into, key)

    def run(self, queryset: QuerySet[Any]) -> None:
        if not self._exprs:
            return
        for alias, value in queryset.aggregate(**self._exprs).items():
            into, key = self._cells[alias]
            into[key] = value or 0


class _Grouped:
    """Aggregate expressions run as one statement grouped by ``field`` (a desk, a gender):
    each expression is compiled once whatever the number of groups — compiling hundreds of
    filtered aggregates costs more than counting a quarter — and fills one cell per group,
    keyed by the group's value as a string. Every group of ``groups`` gets a cell (0 when
    the database returned no row for it); a row of another group gets a cell of its own
    (counted by a sum over the cells, read by no table)."""

    def __init__(self, field: str, groups: Iterable[str]) -> None:
        self.field = field
        self.groups = tuple(groups)
        self._exprs: dict[str, Aggregate] = {}
        self._cells: dict[str, dict[str, int]] = {}

    def add(self, expr: Aggregate) -> dict[str, int]:
        """The cells (group -> count) that ``expr`` fills when the statement runs."""
        alias = f"c{len(self._exprs)}"
        self._exprs[alias] = expr
        cells = self._cells[alias] = dict.fromkeys(self.groups, 0)
        return cells

    def run(self, queryset: QuerySet[Any]) -> None:
        if not self._exprs:
            return
        for row in queryset.order_by().values(self.field).annotate(**self._exprs).order_by():
            group = str(row.pop(self.field))
            for alias, value in row.items():
                self._cells[alias][group] = value or 0


# --- Small helpers ------------------------------------------------------------------------


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every calendar month touched by [start, end]."""
    first = start.year * 12 + start.month - 1
    last = end.year * 12 + end.month - 1
    return [dt.date(index // 12, index % 12 + 1, 1) for index in range(first, last + 1)]


def _in_month(month: dt.date, field: str = "opened_on") -> Q:
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return Q(**{f"{field}__gte": month, f"{field}__lte": last})


def _first_intakes(
    period_intakes: IntakeQuerySet[Intake], *, per_desk: bool
) -> IntakeQuerySet[Intake]:
    """The representative intakes: each person's first in the period (per desk, if asked)."""
    earlier = period_intakes.filter(person=OuterRef("person")).filter(
        Q(opened_on__lt=OuterRef("opened_on"))
        | Q(opened_on=OuterRef("opened_on"), pk__lt=OuterRef("pk"))
    )
    if per_desk:
        earlier = earlier.filter(desk=OuterRef("desk"))
    return period_intakes.exclude(Exists(earlier)).order_by()


# --- The counting, section by section -----------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """What every count starts from: the user's scoped querysets over the selection."""

    user: AnyUser
    columns: Columns
    start: dt.date
    end: dt.date
    # Every desk there is, for a user who sees them all: filtering meetings and referrals by
    # their intake's desk would then keep every row, at the price of a probe of the intake
    # per row, so it is left out.
    every_desk: bool = False

    @property
    def desk_ids(self) -> list[int]:
        return [desk.pk for desk in self.columns.desks]

    @property
    def desk_keys(self) -> list[str]:
        """Every selected desk's key (its column's, when there are desk columns)."""
        return [str(pk) for pk in self.desk_ids]

    def columns_of(self, per_desk: dict[str, int]) -> PerColumn:
        """The columns of a count per desk where each record is at one desk: the desk
        columns (when shown) and the total, their sum."""
        columns = {col: per_desk[col] for col in self.columns.desk_keys}
        columns[TOTAL] = sum(per_desk[key] for key in self.desk_keys)
        return columns

    def intakes(self) -> IntakeQuerySet[Intake]:
        return Intake.objects.visible_to(self.user).filter(desk__in=self.desk_ids)

    def period_intakes(self) -> IntakeQuerySet[Intake]:
        return self.intakes().in_period(self.start, self.end)

    def _at_the_desks(self, queryset: Q_) -> Q_:
        """Meetings or referrals (anything with an intake) at the selected desks."""
        return queryset if self.every_desk else queryset.filter(intake__desk__in=self.desk_ids)

    def meetings(self) -> MeetingQuerySet:
        return self._at_the_desks(Meeting.objects.visible_to(self.user))

    def referrals(self) -> QuerySet[Referral]:
        return self._at_the_desks(Referral.objects.visible_to(self.user))


def _count_people(
    scope: _Scope, months: Sequence[dt.date], *, include_special: bool
) -> PersonCounts:
    """Per desk (first intake at each desk) and in total (first intake in the period), the
    age x gender table and the ESF+ indicators (by gender) included: two queries at most,
    grouped by desk and by gender (each row's condition is compiled once)."""
    breakdowns = dimensions.breakdowns()
    counts = PersonCounts(breakdowns={b.key: _tally(b.rows) for b in breakdowns})
    period_intakes = scope.period_intakes()
    if scope.columns.desk_keys:
        per_desk = _Grouped("desk_id", scope.columns.desk_keys)
        people = per_desk.add(Count("pk"))
        rows = [
            (counts.breakdowns[b.key][row.key], per_desk.add(Count("pk", filter=row.condition)))
            for b in breakdowns
            for row in b.rows
        ]
        per_desk.run(_first_intakes(period_intakes, per_desk=True))
        counts.people.update(people)
        for tally, cells in rows:
            tally.update(cells)
    # The total column: grouped by gender (each person's first intake has one), so that
    # the age x gender and ESF+ tables come from the same cells; the total is their sum.
    by_gender = _Grouped("gender", Gender.values)
    people = by_gender.add(Count("pk"))
    total_rows = [
        (b, row, by_gender.add(Count("pk", filter=row.condition)))
        for b in breakdowns
        for row in b.rows
    ]
    indicators = [
        (indicator.key, by_gender.add(Count("pk", filter=indicator.condition)))
        for table in esf.declared(include_special=include_special)
        for indicator in table.indicators
    ]
    monthly = [(month, by_gender.add(Count("pk", filter=_in_month(month)))) for month in months]
    by_gender.run(_first_intakes(period_intakes, per_desk=False))
    counts.people[TOTAL] = sum(people.values())
    for breakdown, row, cells in total_rows:
        counts.breakdowns[breakdown.key][row.key][TOTAL] = sum(cells.values())
        if breakdown.key == "age_band":
            counts.age_gender[row.key] = {gender: cells[gender] for gender in Gender.values}
    for key, cells in indicators:
        counts.esf[key] = {gender: cells[gender] for gender in Gender.values}
    for month, cells in monthly:
        counts.by_month[month] = sum(cells.values())
    return counts


def _count_intakes(scope: _Scope, months: Sequence[dt.date]) -> tuple[PerColumn, Monthly]:
    """Intakes per desk and per month: grouped by desk; an intake is at one desk, so the
    total is the desks' sum."""
    per_desk = _Grouped("desk_id", scope.desk_keys)
    intakes = per_desk.add(Count("pk"))
    monthly = [(month, per_desk.add(Count("pk", filter=_in_month(month)))) for month in months]
    per_desk.run(scope.period_intakes())
    per_column = scope.columns_of(intakes)
    return per_column, {month: sum(cells.values()) for month, cells in monthly}


def _count_meetings(scope: _Scope, months: Sequence[dt.date]) -> MeetingCounts:
    """Meetings held in the period: by desk and mode, attendance, attended by month.
    Grouped by their intake's desk; a meeting is at one desk, so the total is the sum."""
    modes, attendance = dimensions.meeting_modes(), dimensions.attendance()
    counts = MeetingCounts(by_mode=_tally(modes), attendance=_tally(attendance))
    per_desk = _Grouped("intake__desk_id", scope.desk_keys)
    rows = [
        (tally[row.key], per_desk.add(Count("pk", filter=row.condition)))
        for rows, tally in ((modes, counts.by_mode), (attendance, counts.attendance))
        for row in rows
    ]
    monthly = [
        (month, per_desk.add(Count("pk", filter=Q(attended=True) & _in_month(month, "held_on"))))
        for month in months
    ]
    per_desk.run(scope.meetings().in_period(scope.start, scope.end))
    for tally, cells in rows:
        tally.update(scope.columns_of(cells))
    for month, cells in monthly:
        counts.attended_by_month[month] = sum(cells.values())
    return counts


def _add_per_person_cells(
    cells: _Aggregates, counts: PerPersonCounts, columns: Sequence[str], *, by_desk: bool
) -> None:
    for col in columns:
        desk_q = Q(desk_id=int(col)) if by_desk else Q()
        cells.add(counts.people, col, Count("person_id", filter=desk_q))
        for bucket in dimensions.meetings_per_person():
            tally = counts.distribution[bucket.key]
            cells.add(tally, col, Count("person_id", filter=desk_q & bucket.condition))
        cells.add(counts.meetings, col, Sum("m", filter=desk_q))


def _count_per_person(scope: _Scope) -> PerPersonCounts:
    """Meetings per person: per desk and in total. Each aggregate runs over one row per
    person (and desk) with ``m``, the meetings they attended (FROM a subquery)."""
    counts = PerPersonCounts(distribution=_tally(dimensions.meetings_per_person()))
    # The meetings' conditions go in the JOIN (FilteredRelation), so that the database reads
    # the period's meetings through their date index instead of every meeting ever held.
    held = FilteredRelation(
        "meetings",
        condition=Q(
            meetings__attended=True,
            meetings__held_on__gte=scope.start,
            meetings__held_on__lte=scope.end,
        ),
    )
    with_held = scope.period_intakes().order_by().annotate(held=held)
    if scope.columns.desk_keys:
        per_desk = _Aggregates()
        _add_per_person_cells(per_desk, counts, scope.columns.desk_keys, by_desk=True)
        per_desk.run(with_held.values("desk_id", "person_id").annotate(m=Count("held")))
    total = _Aggregates()
    _add_per_person_cells(total, counts, (TOTAL,), by_desk=False)
    total.run(with_held.values("person_id").annotate(m=Count("held")))
    return counts


def _count_referrals(scope: _Scope) -> tuple[ReferralCount, ...]:
    """Referrals made in the period, by kind, partner and outcome (a few grouped rows)."""
    rows = (
        scope.referrals()
        .filter(referred_on__gte=scope.start, referred_on__lte=scope.end)
        .order_by()
        .values("kind", "partner_id", "partner__name", "outcome")
        .annotate(n=Count("pk"))
    )
    return tuple(
        ReferralCount(r["kind"], r["partner_id"], r["partner__name"], r["outcome"], r["n"])
        for r in rows
    )


def _count_comuni(scope: _Scope) -> tuple[ComuneCount, ...]:
    """The people by comune of residence: a row per comune and desk, then per comune; the
    comuni's names read apart, for the few hundred found (grouping the period's people by a
    join with every comune of Italy costs more than the counting)."""
    period_intakes = scope.period_intakes()
    found: list[tuple[str, int | None, int]] = []
    if scope.columns.desk_keys:
        per_desk = _first_intakes(period_intakes, per_desk=True)
        for r in per_desk.values("desk_id", "residence_comune_id").annotate(n=Count("pk")):
            found.append((str(r["desk_id"]), r["residence_comune_id"], r["n"]))
    total = _first_intakes(period_intakes, per_desk=False)
    for r in total.values("residence_comune_id").annotate(n=Count("pk")):
        found.append((TOTAL, r["residence_comune_id"], r["n"]))
    ids = {comune for _col, comune, _n in found if comune is not None}
    names = dict(Comune.objects.filter(pk__in=ids).values_list("pk", "name"))
    return tuple(
        ComuneCount(col, comune, names.get(comune, "") if comune else "", n)
        for col, comune, n in found
    )


def _count_previous(scope: _Scope, start: dt.date, end: dt.date) -> PreviousCounts:
    """The previous period [start, end], for the comparison: two queries. A meeting is
    the period's own when its intake is one of the period's (a set the database hashes
    once, rather than reading each meeting's intake)."""
    period_intakes = scope.intakes().in_period(start, end)
    intakes = period_intakes.aggregate(intakes=Count("pk"), people=Count("person", distinct=True))
    meetings = (
        scope.meetings()
        .filter(attended=True)
        .in_period(start, end)
        .aggregate(
            meetings=Count("pk"),
            own=Count("pk", filter=Q(intake__in=period_intakes.values("pk"))),
        )
    )
    return PreviousCounts(
        intakes=intakes["intakes"] or 0,
        people=intakes["people"] or 0,
        meetings=meetings["meetings"] or 0,
        own=meetings["own"] or 0,
    )


def _count_results(scope: _Scope) -> Tally:
    """The ESF+ results by gender, people counted once: of the exits of the period (one
    query) and of the six-month follow-ups due in it (one query)."""
    tally: Tally = {}
    exits = scope.intakes().filter(
        status=IntakeStatus.CLOSED, closed_on__gte=scope.start, closed_on__lte=scope.end
    )
    six_months = FollowUpTask.objects.filter(
        intake__in=scope.intakes().filter(status=IntakeStatus.CLOSED),
        kind=TaskKind.SIX_MONTHS,
        due_on__gte=scope.start,
        due_on__lte=scope.end,
    )
    counted: dict[str, tuple[QuerySet[Any], str, str]] = {
        "exits": (exits, "gender", "person"),
        "six_months": (six_months, "intake__gender", "intake__person"),
    }
    for table in esf.results():
        queryset, gender_field, person_field = counted[table.counted]
        by_gender = _Grouped(gender_field, Gender.values)
        for indicator in table.indicators:
            tally[f"{table.key}.{indicator.key}"] = by_gender.add(
                Count(person_field, filter=indicator.condition, distinct=True)
            )
        by_gender.run(queryset)
    return tally


# An appointment's outcome is recorded when it was held, missed or excused (not when it is
# still booked, nor cancelled or moved).
RECORDED_APPOINTMENTS = (
    AppointmentStatus.HELD,
    AppointmentStatus.MISSED,
    AppointmentStatus.EXCUSED,
)


def _count_appointments(scope: _Scope) -> tuple[Tally, Tally]:
    """The appointments of the period by desk and mode: those with an outcome recorded and
    those missed (one query)."""
    per_desk = _Grouped("desk_id", scope.desk_keys)
    cells = [
        (
            mode,
            per_desk.add(Count("pk", filter=Q(mode=mode, status__in=RECORDED_APPOINTMENTS))),
            per_desk.add(Count("pk", filter=Q(mode=mode, status=AppointmentStatus.MISSED))),
        )
        for mode in AppointmentMode.values
    ]
    start = timezone.make_aware(dt.datetime.combine(scope.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(scope.end + dt.timedelta(days=1), dt.time.min))
    per_desk.run(
        Appointment.objects.visible_to(scope.user).filter(
            desk__in=scope.desk_ids, starts_at__gte=start, starts_at__lt=end
        )
    )
    recorded: Tally = {mode: scope.columns_of(held) for mode, held, _missed in cells}
    missed: Tally = {mode: scope.columns_of(absent) for mode, _held, absent in cells}
    return recorded, missed


def count_review(
    *,
    user: AnyUser,
    desks: tuple[Desk, ...],
    start: dt.date,
    end: dt.date,
    previous: tuple[dt.date, dt.date],
    include_special: bool,
    every_desk: bool = False,
) -> Counts:
    """Every count of the review of [start, end] over ``desks`` (already scoped to the
    desks ``user`` sees), within what ``user`` may see; ``previous`` is the period compared
    with; ``every_desk``: ``desks`` are all the desks there are. At most fifteen queries
    for several desks, twelve for one (no per-desk columns; no comune's name to read when
    nobody was taken in)."""
    scope = _Scope(user=user, columns=Columns(desks), start=start, end=end, every_desk=every_desk)
    months = tuple(months_between(start, end))
    persons = _count_people(scope, months, include_special=include_special)
    intakes, intakes_by_month = _count_intakes(scope, months)
    appointments = _count_appointments(scope)
    return Counts(
        columns=scope.columns,
        months=months,
        persons=persons,
        intakes=intakes,
        intakes_by_month=intakes_by_month,
        meetings=_count_meetings(scope, months),
        per_person=_count_per_person(scope),
        referrals=_count_referrals(scope),
        comuni=_count_comuni(scope),
        previous=_count_previous(scope, *previous),
        results=_count_results(scope),
        appointments_recorded=appointments[0],
        appointments_missed=appointments[1],
    )
