"""The period rule at its edges, scoping, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.choices import Gender, MeetingMode, ReferralKind
from casework.models import Person, Referral
from reports.review import Review, compute_review
from sportelli.models import Comune, Desk
from tests import factories

Q2_START, Q2_END = dt.date(2021, 4, 1), dt.date(2021, 6, 30)


def values(review: Review, table: str) -> dict[str, tuple]:
    return {row.key: row.values for row in review.tables[table].rows}


def total(review: Review, table: str, row: str) -> int | float | None:
    return values(review, table)[row][-1]


def test_person_at_two_desks_counts_once_in_total_and_once_per_desk(udp_reader):
    person = factories.person()
    first = factories.intake(person, desk_slug="casalmaggiore", opened_on=dt.date(2021, 4, 6))
    second = factories.intake(person, desk_slug="gussola", opened_on=dt.date(2021, 5, 3))
    factories.meeting(first, days_after=1)
    factories.meeting(second, days_after=1)
    factories.meeting(second, days_after=2)

    review = compute_review(user=udp_reader, start=Q2_START, end=Q2_END)
    # Casalmaggiore, Piadena Drizzona, San Giovanni in Croce, Gussola, total.
    assert values(review, "people")["people"] == (1, 0, 0, 1, 1)
    assert values(review, "people")["intakes"] == (1, 0, 0, 1, 2)
    assert values(review, "meetings_per_person")["1"] == (1, 0, 0, 0, 0)
    assert values(review, "meetings_per_person")["2"] == (0, 0, 0, 1, 0)
    assert values(review, "meetings_per_person")["3+"] == (0, 0, 0, 0, 1)
    assert values(review, "meetings_mean")["mean"] == (1.0, None, None, 2.0, 3.0)
    assert values(review, "gender")["F"] == (1, 0, 0, 1, 1)
    assert values(review, "trend")["2021-05"] == (0, 1, 2, 3)  # an intake, not a new person

    only_gussola = compute_review(
        user=udp_reader, start=Q2_START, end=Q2_END, desks=[factories.desk("gussola")]
    )
    assert only_gussola.tables["people"].columns == ("Gussola",)
    assert values(only_gussola, "people") == {
        "people": (1,),
        "intakes": (1,),
        "meetings": (2,),
        "accesses": (3,),
    }


def test_age_is_taken_on_the_day_of_the_intake(udp_reader):
    # Born 10/05/1985: 35 at the intake on 05/04/2021, 36 from 10/05 (inside the quarter).
    person = factories.person(birth_date=dt.date(1985, 5, 10))
    intake = factories.intake(person, opened_on=dt.date(2021, 4, 5))
    factories.meeting(intake, days_after=60)  # held on 04/06, after the birthday
    # Turns 18 on 20/06/2021, the day after the intake: under 18.
    teen = factories.person(birth_date=dt.date(2003, 6, 20))
    factories.intake(teen, opened_on=dt.date(2021, 6, 19))

    review = compute_review(user=udp_reader, start=Q2_START, end=Q2_END)
    assert total(review, "age_band", "18-35") == 1
    assert total(review, "age_band", "36-44") == 0
    assert total(review, "age_band", "u18") == 1
    assert total(review, "age_band_esf", "30-54") == 1
    assert total(review, "age_band_esf", "u18") == 1


def test_first_and_last_day_of_the_quarter_are_inside(udp_reader):
    days = {
        dt.date(2021, 3, 31): "before",
        Q2_START: "first",
        Q2_END: "last",
        dt.date(2021, 7, 1): "after",
    }
    for day in days:
        intake = factories.intake(opened_on=day)
        factories.meeting(intake, days_after=0)  # held the same day

    review = compute_review(user=udp_reader, start=Q2_START, end=Q2_END)
    assert total(review, "people", "people") == 2
    assert total(review, "people", "meetings") == 2
    trend = values(review, "trend")
    assert list(trend) == ["2021-04", "2021-05", "2021-06"]
    assert trend["2021-04"] == (1, 1, 1, 2)
    assert trend["2021-06"] == (1, 1, 1, 2)
    # The previous quarter holds the intake of 31/03 and its meeting.
    assert (review.previous_start, review.previous_end) == (
        dt.date(2021, 1, 1),
        dt.date(2021, 3, 31),
    )
    assert values(review, "change")["people"] == (2, 1, 1, 100.0)
    assert values(review, "change")["meetings"] == (2, 1, 1, 100.0)


def test_an_empty_period_is_all_zeros_and_says_so(udp_reader):
    factories.intake(opened_on=dt.date(2021, 2, 1))  # outside the period
    review = compute_review(user=udp_reader, start=dt.date(2020, 1, 1), end=dt.date(2020, 3, 31))
    assert review.is_empty
    for key, table in review.tables.items():
        for row in (*table.rows, *([table.total] if table.total else [])):
            for value in row.values:
                assert value in (0, None), (key, row.key, value)
    assert values(review, "meetings_mean")["mean"] == (None, None, None, None, None)
    assert values(review, "meeting_shares")["remote"] == (None, None, None, None, None)
    assert review.summary == (
        "Dal 01/01/2020 al 31/03/2020 non risultano prese in carico né colloqui per gli "
        "sportelli selezionati: tutte le tabelle valgono zero."
    )
    # The next period compares with this empty one: no division by zero either.
    after = compute_review(user=udp_reader, start=dt.date(2021, 1, 1), end=dt.date(2021, 3, 31))
    assert values(after, "change")["people"] == (1, 0, 1, None)


def test_a_person_who_moved_after_the_intake_keeps_their_origin(udp_reader):
    person = factories.person(residence="Casalmaggiore")
    factories.intake(person, opened_on=dt.date(2021, 4, 12))
    person.residence_comune = Comune.objects.get(name="Milano")
    person.save()
    review = compute_review(user=udp_reader, start=Q2_START, end=Q2_END)
    assert total(review, "origin", "casalasco") == 1
    assert total(review, "origin", "lombardia") == 0
    assert next(r.label for r in review.tables["comuni"].rows) == "Casalmaggiore"
    # A later intake records the new residence.
    factories.intake(person, desk_slug="gussola", opened_on=dt.date(2021, 7, 5))
    later = compute_review(user=udp_reader, start=dt.date(2021, 7, 1), end=dt.date(2021, 9, 30))
    assert total(later, "origin", "lombardia") == 1


def test_operators_see_their_own_desks_only(op_gussola):
    at_gussola = factories.intake(desk_slug="gussola", opened_on=dt.date(2021, 4, 20))
    factories.meeting(at_gussola, days_after=1, mode=MeetingMode.PHONE)
    casalmaggiore = factories.intake(desk_slug="casalmaggiore", opened_on=dt.date(2021, 4, 20))
    factories.meeting(casalmaggiore, days_after=1)
    Referral.objects.create(
        intake=casalmaggiore, kind=ReferralKind.GOL, referred_on=dt.date(2021, 4, 21)
    )

    review = compute_review(user=op_gussola, start=Q2_START, end=Q2_END)
    assert [d.slug for d in review.desks] == ["gussola"]
    assert values(review, "people") == {
        "people": (1,),
        "intakes": (1,),
        "meetings": (1,),
        "accesses": (2,),
    }
    assert values(review, "meeting_mode")["telefono"] == (1,)
    assert values(review, "meeting_mode")["presenza"] == (0,)
    assert review.tables["referral_kind"].total.values[-1] == 0
    assert "esf_special" not in review.tables
    # Asking for a desk they do not work at gives nothing, not that desk's figures.
    other = compute_review(
        user=op_gussola, start=Q2_START, end=Q2_END, desks=[factories.desk("casalmaggiore")]
    )
    assert other.desks == ()
    assert other.is_empty


def test_every_desk_counts_as_the_same_desks_named_one_by_one(udp_reader):
    """With every desk selected the review does not filter meetings and referrals by their
    intake's desk (it would keep them all); its figures equal those of the four desks
    named, which are filtered: every table, the previous period's included."""
    Desk.objects.update(opened_on=None)  # an intake of the previous quarter anywhere
    _populate(12)
    earlier = factories.intake(desk_slug="gussola", opened_on=dt.date(2021, 2, 10))
    factories.meeting(earlier, days_after=3)  # the previous period's own meeting
    factories.meeting(earlier, days_after=60)  # held in the quarter, intake before it
    everything = compute_review(user=udp_reader, start=Q2_START, end=Q2_END)
    named = compute_review(
        user=udp_reader,
        start=Q2_START,
        end=Q2_END,
        desks=list(everything.desks),
    )
    assert len(everything.desks) == 4
    assert everything.tables == named.tables
    assert values(everything, "change")["meetings"][:2] == (13, 1)
    assert values(everything, "change")["mean"][1] == 1  # the previous quarter's own meeting
    assert everything.tables["referral_kind"].total.values[-1] == 12
    # One desk chosen by someone who sees them all: filtered, the other desks' records out.
    gussola = compute_review(
        user=udp_reader, start=Q2_START, end=Q2_END, desks=[factories.desk("gussola")]
    )
    assert values(gussola, "change")["meetings"][:2] == (3 + 1, 1)
    assert gussola.tables["referral_kind"].total.values[-1] == 3


def _populate(n_intakes: int) -> None:
    partner_kinds = [ReferralKind.JOB_CANDIDACY, ReferralKind.GOL]
    slugs = ["casalmaggiore", "piadena-drizzona", "san-giovanni-in-croce", "gussola"]
    for i in range(n_intakes):
        person = factories.person(
            gender=Gender.MAN if i % 2 else Gender.WOMAN,
            birth_date=dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
            residence=["Casalmaggiore", "Cremona", "Viadana", "Milano", None][i % 5],
            with_cf=False,
        )
        intake = factories.intake(
            person, desk_slug=slugs[i % 4], opened_on=dt.date(2021, 4, 1 + i % 60 // 2)
        )
        factories.meeting(intake, days_after=1 + i % 3, mode=MeetingMode.values[i % 4])
        Referral.objects.create(
            intake=intake, kind=partner_kinds[i % 2], referred_on=intake.opened_on
        )


def _queries_for_review(username: str) -> int:
    user = User.objects.get(username=username)  # a fresh object: no cached permissions
    with CaptureQueriesContext(connection) as ctx:
        compute_review(user=user, start=Q2_START, end=Q2_END)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["udp_reader", "administrator", "op_gussola"])
def test_the_number_of_queries_does_not_grow_with_the_data(db, persona, request):
    user = request.getfixturevalue(persona)
    _populate(10)
    small = _queries_for_review(user.username)
    _populate(90)
    assert Person.objects.count() == 100
    large = _queries_for_review(user.username)
    assert small == large
    # permissions (2), desks, people per desk and in total (2), intakes, meetings, meetings
    # per person (2), referrals, comuni (2, and their names), previous period (2), ESF+
    # results (2: at exit, at six months), the agenda's appointments; with one desk the
    # three per-desk queries are not needed.
    assert large == (15 if persona == "op_gussola" else 18)
