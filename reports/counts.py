"""The review's counts, as ``reports.queries`` hands them to ``reports.layout``: typed, and
keyed by the rows the tables declare (``reports/dimensions.py``, ``reports/esf.py``) and by
the value columns (a desk's key, or ``TOTAL``). Nothing here queries or lays out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reports.tables import Columns

PerColumn = dict[str, int]  # column key (a desk's pk, or TOTAL) -> count
Tally = dict[str, dict[str, int]]  # declared row key -> column key -> count
Monthly = dict[dt.date, int]  # first day of a month -> count


@dataclass(frozen=True)
class PersonCounts:
    """The people taken in, by column, and what their representative intakes record."""

    breakdowns: dict[str, Tally]  # Breakdown.key -> its rows by column (groups included)
    people: PerColumn = field(default_factory=dict)
    by_month: Monthly = field(default_factory=dict)  # by month of their first intake
    age_gender: Tally = field(default_factory=dict)  # age band -> gender -> people (total)
    esf: Tally = field(default_factory=dict)  # ESF+ indicator -> gender -> participants


@dataclass(frozen=True)
class MeetingCounts:
    """The meetings held in the period (attended or not), by column."""

    by_mode: Tally
    attendance: Tally  # "attended" / "no_show" -> column -> meetings
    attended_by_month: Monthly = field(default_factory=dict)


@dataclass(frozen=True)
class PerPersonCounts:
    """The meetings attended in the period of the period's intakes, per person taken in."""

    distribution: Tally  # declared bucket ("0", "1", "2", "3+") -> column -> people
    people: PerColumn = field(default_factory=dict)
    meetings: PerColumn = field(default_factory=dict)


@dataclass(frozen=True)
class ReferralCount:
    kind: str
    partner_id: int | None
    partner_name: str | None
    outcome: str
    n: int


@dataclass(frozen=True)
class ComuneCount:
    column: str  # a desk's key, or TOTAL
    comune_id: int | None  # None: residence abroad
    name: str
    n: int


@dataclass(frozen=True)
class PreviousCounts:
    """The previous period, on the whole selection."""

    intakes: int
    people: int
    meetings: int  # attended
    own: int  # attended, of the intakes of that period (for its meetings per person)


@dataclass(frozen=True)
class Counts:
    """Every count of a review; the rows are the keys the tables declare."""

    columns: Columns
    months: tuple[dt.date, ...]
    persons: PersonCounts
    intakes: PerColumn
    intakes_by_month: Monthly
    meetings: MeetingCounts
    per_person: PerPersonCounts
    referrals: tuple[ReferralCount, ...]
    comuni: tuple[ComuneCount, ...]
    previous: PreviousCounts
    results: Tally = field(default_factory=dict)  # ESF+ result -> gender -> people
    # Appointments of the period (agenda) by mode -> column: with an outcome recorded
    # (held, missed, excused), and missed (the no-shows).
    appointments_recorded: Tally = field(default_factory=dict)
    appointments_missed: Tally = field(default_factory=dict)
