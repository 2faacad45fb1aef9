"""The quarterly review: every figure of the page, the workbook and the ESF+ sheet.

One computation, ``compute_review``, feeds the page (``reports/views.py``) and the workbook,
so the two can never disagree. It starts from the scoped ``Intake.objects.visible_to(user)``
(and the Meeting/Referral equivalents) and aggregates in the database, in a fixed number of
queries whatever the data size: Python only reshapes the handful of grouped result rows.

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
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, QuerySet, Sum
from django.utils import formats
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from casework.choices import (
    AgeBand,
    EsfAgeBand,
    Gender,
    IscedBand,
    LabourStatus,
    MeetingMode,
)
from casework.models import Intake, Meeting, Referral
from casework.permissions import sees_special_categories
from reports import esf
from reports.periods import previous_period
from sportelli.models import Desk, Origin

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

TOP_COMUNI = 10
TOTAL = "total"


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

    @property
    def is_empty(self) -> bool:
        people = self.tables["people"]
        return not any(people.rows[0].values) and not any(people.rows[2].values)


# --- Small helpers ------------------------------------------------------------------------


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every calendar month touched by [start, end]."""
    first = start.year * 12 + start.month - 1
    last = end.year * 12 + end.month - 1
    return [dt.date(index // 12, index % 12 + 1, 1) for index in range(first, last + 1)]


def month_label(month: dt.date) -> str:
    return f"{MONTHS[month.month]} {month.year}"


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


class _Cells:
    """Named aggregate expressions with generated SQL aliases (values make poor aliases)."""

    def __init__(self) -> None:
        self.exprs: dict[str, Any] = {}
        self._alias: dict[tuple, str] = {}

    def add(self, key: tuple, expr: Any) -> None:  # noqa: ANN401 - a Django expression
        alias = f"c{len(self.exprs)}"
        self.exprs[alias] = expr
        self._alias[key] = alias

    def run(self, queryset: QuerySet) -> dict[tuple, int]:
        if not self.exprs:
            return {}
        result = queryset.aggregate(**self.exprs)
        return {key: result[alias] or 0 for key, alias in self._alias.items()}


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


# --- The computation ----------------------------------------------------------------------

# Person-level breakdowns: dimension -> (field, choices). Counted on the representative intake.
_DIMENSIONS: dict[str, tuple[str, type]] = {
    "age_band": ("age_band", AgeBand),
    "esf_age": ("esf_age_band", EsfAgeBand),
    "gender": ("gender", Gender),
    "origin": ("origin", Origin),
    "labour_status": ("labour_status", LabourStatus),
    "isced": ("isced_band", IscedBand),
}


def group_conditions() -> list[tuple[str, str, Q]]:
    return [
        ("recent_graduate", _("Neolaureati/e o neodiplomati/e"), Q(recent_graduate=True)),
        (
            "women_returning",
            _("Donne che rientrano dopo una pausa per cura di figli o familiari"),
            Q(returning_after_care=True, gender=Gender.WOMAN),
        ),
        ("aged_45_plus", _("Persone con 45 anni o più"), Q(age_at_intake__gte=45)),
    ]


def _person_cells(columns: Sequence[str], *, esf_cells: bool, include_special: bool) -> _Cells:
    """Every person-level count: (dimension, value, column) -> Count filtered in SQL."""
    cells = _Cells()
    for col in columns:
        desk_q = Q() if col == TOTAL else Q(desk_id=int(col))
        cells.add(("people", "", col), Count("pk", filter=desk_q))
        for dim, (field, choices) in _DIMENSIONS.items():
            for value in choices.values:
                cells.add((dim, value, col), Count("pk", filter=desk_q & Q(**{field: value})))
        for key, _label, condition in group_conditions():
            cells.add(("groups", key, col), Count("pk", filter=desk_q & condition))
    if esf_cells:
        for age in AgeBand.values:
            for gender in Gender.values:
                cells.add(
                    ("age_gender", age, gender), Count("pk", filter=Q(age_band=age, gender=gender))
                )
        for key, condition in esf.conditions(include_special=include_special).items():
            for gender in Gender.values:
                cells.add(("esf", key, gender), Count("pk", filter=condition & Q(gender=gender)))
    return cells


def _first_intakes(period_intakes: QuerySet, *, per_desk: bool) -> QuerySet:
    """The representative intakes: each person's first in the period (per desk, if asked)."""
    earlier = period_intakes.filter(person=OuterRef("person")).filter(
        Q(opened_on__lt=OuterRef("opened_on"))
        | Q(opened_on=OuterRef("opened_on"), pk__lt=OuterRef("pk"))
    )
    if per_desk:
        earlier = earlier.filter(desk=OuterRef("desk"))
    return period_intakes.exclude(Exists(earlier)).order_by()


def _distribution(per_person: QuerySet, cols: Sequence[str], *, by_desk: bool) -> dict[tuple, int]:
    """Meetings per person: ``per_person`` has one row per person (and desk) with ``m``, the
    meetings they attended; the aggregate over it runs as one statement (FROM a subquery)."""
    cells = _Cells()
    for col in cols:
        desk_q = Q(desk_id=int(col)) if by_desk else Q()
        cells.add(("mpp", "people", col), Count("person_id", filter=desk_q))
        cells.add(("mpp", "0", col), Count("person_id", filter=desk_q & Q(m=0)))
        cells.add(("mpp", "1", col), Count("person_id", filter=desk_q & Q(m=1)))
        cells.add(("mpp", "2", col), Count("person_id", filter=desk_q & Q(m=2)))
        cells.add(("mpp", "3+", col), Count("person_id", filter=desk_q & Q(m__gte=3)))
        cells.add(("mpp", "meetings", col), Sum("m", filter=desk_q))
    return cells.run(per_person)


def _desk_q(col: str, field: str = "desk_id") -> Q:
    return Q() if col == TOTAL else Q(**{field: int(col)})


def compute_review(
    *,
    user: AbstractBaseUser | AnonymousUser,
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
    cols = Columns(selected)
    desk_ids = [desk.pk for desk in selected]
    include_special = sees_special_categories(user)
    months = months_between(start, end)
    previous_start, previous_end = previous_period(start, end)

    intakes = Intake.objects.visible_to(user).filter(desk__in=desk_ids)
    period_intakes = intakes.in_period(start, end)
    person_first = _first_intakes(period_intakes, per_desk=False)
    meetings = (
        Meeting.objects.visible_to(user).filter(intake__desk__in=desk_ids).in_period(start, end)
    )

    # 1-2. Person-level breakdowns: per desk (first intake at each desk) and in total
    # (first intake in the period), ESF+ indicators and the age x gender table included.
    counts: dict[tuple, int] = {}
    if cols.desk_keys:
        desk_first = _first_intakes(period_intakes, per_desk=True)
        counts |= _person_cells(cols.desk_keys, esf_cells=False, include_special=False).run(
            desk_first
        )
    total_cells = _person_cells((TOTAL,), esf_cells=True, include_special=include_special)
    for month in months:
        total_cells.add(("people_month", month), Count("pk", filter=_in_month(month)))
    counts |= total_cells.run(person_first)

    # 3. Intakes per desk and per month.
    intake_cells = _Cells()
    for col in cols.keys:
        intake_cells.add(("intakes", col), Count("pk", filter=_desk_q(col)))
    for month in months:
        intake_cells.add(("intakes_month", month), Count("pk", filter=_in_month(month)))
    counts |= intake_cells.run(period_intakes)

    # 4. Meetings held in the period: by desk and mode, attendance, by month.
    meeting_cells = _Cells()
    for col in cols.keys:
        desk_q = _desk_q(col, "intake__desk_id")
        for mode in MeetingMode.values:
            meeting_cells.add(("mode", mode, col), Count("pk", filter=desk_q & Q(mode=mode)))
        meeting_cells.add(("attended", col), Count("pk", filter=desk_q & Q(attended=True)))
        meeting_cells.add(("no_show", col), Count("pk", filter=desk_q & Q(attended=False)))
    for month in months:
        meeting_cells.add(
            ("meetings_month", month),
            Count("pk", filter=Q(attended=True) & _in_month(month, "held_on")),
        )
    counts |= meeting_cells.run(meetings)

    # 5. Meetings per person: per desk and in total.
    # The meetings' conditions go in the JOIN (FilteredRelation), so that the database reads
    # the period's meetings through their date index instead of every meeting ever held.
    held = FilteredRelation(
        "meetings",
        condition=Q(
            meetings__attended=True, meetings__held_on__gte=start, meetings__held_on__lte=end
        ),
    )
    with_held = period_intakes.order_by().annotate(held=held)
    if cols.desk_keys:
        per_desk_person = with_held.values("desk_id", "person_id").annotate(m=Count("held"))
        counts |= _distribution(per_desk_person, cols.desk_keys, by_desk=True)
    per_person = with_held.values("person_id").annotate(m=Count("held"))
    counts |= _distribution(per_person, (TOTAL,), by_desk=False)

    # 6. Referrals made in the period, by kind, partner and outcome (a few grouped rows).
    referral_rows = list(
        Referral.objects.visible_to(user)
        .filter(intake__desk__in=desk_ids, referred_on__gte=start, referred_on__lte=end)
        .order_by()
        .values("kind", "partner_id", "partner__name", "outcome")
        .annotate(n=Count("pk"))
    )

    # 7. Comuni of residence (a row per comune and desk).
    comune_rows: list[dict[str, Any]] = []
    if cols.desk_keys:
        comune_rows += list(
            desk_first.values("desk_id", "residence_comune_id", "residence_comune__name")
            .annotate(n=Count("pk"))
            .order_by()
        )
    comune_rows += [
        {**row, "desk_id": None}
        for row in person_first.values("residence_comune_id", "residence_comune__name")
        .annotate(n=Count("pk"))
        .order_by()
    ]

    # 8. The previous period, for the comparison.
    previous_intakes = intakes.in_period(previous_start, previous_end)
    previous = previous_intakes.aggregate(
        intakes=Count("pk"), people=Count("person", distinct=True)
    )
    previous |= (
        Meeting.objects.visible_to(user)
        .filter(intake__desk__in=desk_ids, attended=True)
        .in_period(previous_start, previous_end)
        .aggregate(
            meetings=Count("pk"),
            own=Count(
                "pk",
                filter=Q(
                    intake__opened_on__gte=previous_start, intake__opened_on__lte=previous_end
                ),
            ),
        )
    )

    from reports.layout import build_tables, write_summary  # lays out these counts

    tables = build_tables(
        cols=cols,
        counts=counts,
        months=months,
        referral_rows=referral_rows,
        comune_rows=comune_rows,
        previous={k: v or 0 for k, v in previous.items()},
        include_special=include_special,
    )
    return Review(
        start=start,
        end=end,
        desks=selected,
        tables=tables,
        summary=write_summary(start, end, selected, tables, previous_start, previous_end),
        previous_start=previous_start,
        previous_end=previous_end,
    )


def _in_month(month: dt.date, field: str = "opened_on") -> Q:
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return Q(**{f"{field}__gte": month, f"{field}__lte": last})
