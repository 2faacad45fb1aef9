"""Reads behind the operators' pages: the desk dashboard, the people search, the case page.

Every function starts from the scoped QuerySets (``Intake.objects.visible_to(user)``,
``Person.objects.visible_to(user)``) and runs a fixed number of queries whatever the data
size: lists are sliced in the database, related rows come with ``select_related`` /
``prefetch_related``, figures are computed by the database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Collate
from django.utils import timezone

from casework import fiscal_code
from casework.models import (
    CrossDeskTakeIn,
    Intake,
    Meeting,
    Person,
    Referral,
    local_today,
    search_text,
)
from sportelli.models import Desk

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from activitycr.http import AnyUser
    from casework.models import IntakeQuerySet

APPOINTMENTS_SHOWN = 20
OVERDUE_SHOWN = 20
OVERDUE_PAGE_SIZE = 50  # the page of all the overdue follow-ups
# The overdue follow-ups are counted up to this many ("più di 199"): past it the exact figure
# changes nothing for the desk, and counting stops early instead of scanning every case.
OVERDUE_COUNT_CAP = 200
RECENT_SHOWN = 10
# Other desks' take-ins of this desk's people stay on the dashboard this many days.
CROSS_DESK_DAYS = 30
CROSS_DESK_SHOWN = 20
SEARCH_RESULTS_SHOWN = 50


# --- Dashboard ----------------------------------------------------------------------------


class LastMeeting(TypedDict):
    last_meeting_on: dt.date | None  # None: no meeting since the intake


@dataclass(frozen=True)
class OverdueRow:
    """One overdue follow-up: the intake (with its person), its last meeting and how many
    days past the follow-up limit its last contact (meeting, else the intake) is."""

    intake: Intake
    last_meeting_on: dt.date | None
    days_overdue: int


@dataclass(frozen=True)
class Dashboard:
    desk: Desk
    today: dt.date
    overdue_days: int
    overdue: list[OverdueRow]
    overdue_count: int  # capped at OVERDUE_COUNT_CAP

    @property
    def overdue_capped(self) -> bool:
        return self.overdue_count >= OVERDUE_COUNT_CAP

    @property
    def overdue_cap_shown(self) -> int:
        return OVERDUE_COUNT_CAP - 1

    recent: list[Intake]
    # Other desks' take-ins of people this desk follows, recent first (review M6).
    cross_desk: list[CrossDeskTakeIn]


def overdue_cutoff(today: dt.date | None = None) -> dt.date:
    """Open cases whose last contact is before this date are overdue follow-ups."""
    return (today or local_today()) - dt.timedelta(days=settings.OVERDUE_FOLLOWUP_DAYS)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def overdue_intakes(desk: Desk, *, today: dt.date | None = None) -> IntakeQuerySet[Intake]:
    """Open intakes at ``desk`` with no meeting (and no intake) since the cutoff, whose
    person has no appointment booked from today on (a person with a booked appointment is
    followed).

    Anti-joins on the meeting (intake, held_on) and the appointments' (person, status,
    starts_at) indexes: no per-case aggregation. The appointments are the ``agenda`` app's,
    reached through their reverse relation (``Person.appointments``) so that casework,
    below the agenda, imports nothing of it; "prenotato" is ``AppointmentStatus.BOOKED``.
    """
    today = today or local_today()
    cutoff = overdue_cutoff(today)
    recent_meeting = Meeting.objects.filter(intake=OuterRef("pk"), held_on__gte=cutoff)
    booked = Person.objects.filter(
        pk=OuterRef("person_id"),
        appointments__status="prenotato",
        appointments__starts_at__gte=_start_of(today),
    )
    return (
        Intake.objects.open()
        .filter(desk=desk, opened_on__lt=cutoff)
        .filter(~Exists(recent_meeting), ~Exists(booked))
    )


def overdue_rows(
    desk: Desk, *, today: dt.date | None = None
) -> IntakeQuerySet[WithAnnotations[Intake, LastMeeting]]:
    """The overdue follow-ups to list, oldest intake first, with their person and last
    meeting date (one query, whatever is sliced of it); ``overdue_row`` makes the rows."""
    last_meeting = (
        Meeting.objects.filter(intake=OuterRef("pk")).order_by("-held_on").values("held_on")[:1]
    )
    return (
        overdue_intakes(desk, today=today)
        .select_related("person")
        .annotate(last_meeting_on=Subquery(last_meeting))
        .order_by("opened_on", "id")
    )


def overdue_row(intake: WithAnnotations[Intake, LastMeeting], today: dt.date) -> OverdueRow:
    last_contact = intake.last_meeting_on or intake.opened_on
    days = (overdue_cutoff(today) - last_contact).days
    return OverdueRow(intake=intake, last_meeting_on=intake.last_meeting_on, days_overdue=days)


def dashboard(*, desk: Desk, today: dt.date | None = None) -> Dashboard:
    """The figures of one desk's dashboard: 4 queries (overdue list and count, recent
    intakes, other desks' take-ins of this desk's people). The upcoming appointments are
    the agenda's (``{% agenda_upcoming %}``, one query).

    The caller has already checked that ``desk`` is visible to the user.
    """
    today = today or local_today()
    overdue = [
        overdue_row(intake, today) for intake in overdue_rows(desk, today=today)[:OVERDUE_SHOWN]
    ]
    overdue_qs = overdue_intakes(desk, today=today)
    # Ordered like an index (newest first): the planner then stops after the cap.
    overdue_count = overdue_qs.order_by("-opened_on")[:OVERDUE_COUNT_CAP].count()
    recent = list(
        Intake.objects.filter(desk=desk)
        .select_related("person", "operator")
        .order_by("-opened_on", "-id")[:RECENT_SHOWN]
    )
    cross_desk = list(
        CrossDeskTakeIn.objects.notified_to(
            desk, since=today - dt.timedelta(days=CROSS_DESK_DAYS)
        ).select_related("intake__person", "intake__desk", "intake__operator")[:CROSS_DESK_SHOWN]
    )
    return Dashboard(
        desk=desk,
        today=today,
        overdue_days=settings.OVERDUE_FOLLOWUP_DAYS,
        overdue=overdue,
        overdue_count=overdue_count,
        recent=recent,
        cross_desk=cross_desk,
    )


# --- Search -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    query: str
    people: list[Person]
    truncated: bool
    # A valid CF typed in full that belongs to a person known only at other desks: the
    # operator is told so (no case content) and may take the person in at this desk.
    known_elsewhere_cf: str | None = None
    # What is wrong with a typed CF that finds nobody ("la lettera di controllo è sbagliata").
    cf_problem: str | None = None


# The shape of a codice fiscale (omocodia letters included), whether or not it is valid.
CF_SHAPE = re.compile(r"[A-Z]{6}[0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{3}[A-Z]")


def _cf_problem(query: str) -> str | None:
    """Why a typed CF-shaped text is not a valid codice fiscale, if it is not."""
    code = fiscal_code.normalise(query)
    if not CF_SHAPE.fullmatch(code):
        return None
    try:
        fiscal_code.decode(code)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def _exact_cf(query: str) -> str | None:
    code = fiscal_code.normalise(query)
    if len(code) != 16:
        return None
    try:
        fiscal_code.decode(code)
    except ValidationError:
        return None
    return code


def _byte_ordered_key() -> Collate:
    """``search_key`` compared byte by byte ("C" on PostgreSQL, BINARY on SQLite): a prefix is
    then an exact range, served in order by an index (migration 0006 on PostgreSQL)."""
    return Collate("search_key", "C" if connection.vendor == "postgresql" else "BINARY")


def _successor(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def search_people(*, user: AnyUser, query: str) -> SearchResult:
    """People visible to ``user`` whose surname, name or CF contain every word typed.

    Partial, case- and accent-insensitive through ``Person.search_key`` ("surname name cf").
    People whose key starts with what was typed (the surname, or surname and name) come
    first, from an index range read in order that stops at the page size whatever the number
    of matches; the other matches follow (a trigram index serves them on PostgreSQL).
    At most 4 queries: the two lists, the visible intakes of the people found, and the
    "known at another desk" check when an exact CF finds nobody visible.
    """
    words = search_text(query).split()[:5]
    if not words:
        return SearchResult(query=query, people=[], truncated=False)
    wanted = SEARCH_RESULTS_SHOWN + 1
    contains_all = Q()
    for word in words:
        contains_all &= Q(search_key__contains=word)
    prefix = " ".join(words)
    starts = Q(k__gte=prefix, k__lt=_successor(prefix))
    base = Person.objects.visible_to(user).annotate(k=_byte_ordered_key())
    people = list(base.filter(starts).order_by("k", "id")[:wanted])
    if len(people) < wanted:
        people += list(
            base.filter(contains_all).exclude(starts).order_by("k", "id")[: wanted - len(people)]
        )
    truncated = len(people) > SEARCH_RESULTS_SHOWN
    people = people[:SEARCH_RESULTS_SHOWN]
    visible_intakes = Intake.objects.visible_to(user).select_related("desk").order_by("-opened_on")
    prefetch_related_objects(
        people, Prefetch("intakes", queryset=visible_intakes, to_attr="visible_intakes")
    )
    known_elsewhere = None
    code = _exact_cf(query)
    found_here = any(p.fiscal_code == code for p in people)
    if code and not found_here and Person.objects.filter(fiscal_code=code).exists():
        known_elsewhere = code
    return SearchResult(
        query=query,
        people=people,
        truncated=truncated,
        known_elsewhere_cf=known_elsewhere,
        cf_problem=None if people or code else _cf_problem(query),
    )


def person_by_cf(*, user: AnyUser, code: str) -> tuple[Person | None, bool]:
    """Who holds this codice fiscale, and whether ``user`` may see them: (None, False) when
    nobody does. At most 2 queries. Knowing a CF reaches someone's record only through the
    intake page, where a person known at other desks is taken in with a stated reason."""
    code = fiscal_code.normalise(code)
    person = Person.objects.filter(fiscal_code=code).first() if code else None
    if person is None:
        return None, False
    return person, Person.objects.visible_to(user).filter(pk=person.pk).exists()


@dataclass(frozen=True)
class Duplicate:
    """A likely duplicate: shown by name only when the user may see the person."""

    person: Person | None  # None: known only at another desk

    @property
    def elsewhere(self) -> bool:
        return self.person is None


def likely_duplicates(
    *, user: AnyUser, last_name: str, first_name: str, birth_date: dt.date
) -> list[Duplicate]:
    """People with the same name and birth date, for people taken in without a CF, each
    with the cases the user may see (desk, date, status: what the operator needs to decide):
    3 queries."""
    key = search_text(f"{last_name} {first_name}")
    same = list(
        Person.objects.filter(birth_date=birth_date)
        .filter(Q(search_key=key) | Q(search_key__startswith=f"{key} "))
        .values_list("pk", flat=True)[:5]
    )
    if not same:
        return []
    visible = {
        p.pk: p
        for p in Person.objects.visible_to(user)
        .filter(pk__in=same)
        .prefetch_related(
            Prefetch(
                "intakes",
                queryset=Intake.objects.visible_to(user)
                .select_related("desk")
                .order_by("-opened_on", "-id"),
                to_attr="visible_intakes",
            )
        )
    }
    return [Duplicate(person=visible.get(pk)) for pk in same]


# --- Case page ----------------------------------------------------------------------------


def case_intakes(*, user: AnyUser, person: Person) -> list[Intake]:
    """The person's intakes at the user's desks, newest first, each with its meetings
    (and their activities) and referrals (and partners): 4 queries."""
    return list(
        Intake.objects.visible_to(user)
        .filter(person=person)
        .select_related("desk", "operator")
        .prefetch_related(
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("operator")
                .prefetch_related("activities")
                .order_by("-held_on", "-start_time", "-id"),
            )
        )
        .prefetch_related(
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("partner").order_by("-referred_on", "-id"),
            )
        )
        .order_by("-opened_on", "-id")
    )
