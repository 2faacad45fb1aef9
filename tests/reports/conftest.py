"""The article's first quarter as a known dataset (DESIGN.md; issue 4, "Correct by construction").

From 28/01/2021 to 27/04/2021 the four desks took in **72 people** (73 intakes: one woman
came to Casalmaggiore and later to Gussola) who had **144 meetings** held in the period
(2 each on average), plus 5 no-shows. The composition is written out below as cohorts of
identical people, so that every expected figure in the tests is worked out by hand from
these lists — never by re-running the query under test.

Edge cases built in:

* ``C11``: one person with intakes at Casalmaggiore and Gussola (once in total, once per desk);
* ``C9``: a birthday inside the quarter (35 at the intake on 05/03, 36 from 10/03);
* ``C7`` / ``C8``: intakes on the first and the last day of the period; C8's only meeting and
  referral are on 28/04, the day after the period;
* ``C10``: moved to Milano after the intake (origin stays Casalasco, comune Casalmaggiore);
* ``S4``: residence abroad (no comune);
* ``Z``: an intake on 20/01/2021, before the period, whose meeting on 01/02 is in the period
  (it counts among the meetings and accesses of Casalmaggiore, not among the people taken in
  nor in "meetings per person"); Z is the only person of the previous period.

Rural areas: the fixture flags Calvatone, Solarolo Rainerio and Casteldidone as rural.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from casework.choices import (
    Citizenship,
    EducationLevel,
    Gender,
    LabourStatus,
    MeetingMode,
    ReferralKind,
    ReferralOutcome,
)
from casework.models import Intake, Meeting, Partner, Person, Referral
from sportelli.models import Comune, Desk
from tests import factories

START = dt.date(2021, 1, 28)
END = dt.date(2021, 4, 27)
PREVIOUS_START = dt.date(2020, 10, 28)
PREVIOUS_END = dt.date(2021, 1, 27)

C, P, S, G = "casalmaggiore", "piadena-drizzona", "san-giovanni-in-croce", "gussola"
F, M, X, N = Gender.WOMAN, Gender.MAN, Gender.NON_BINARY, Gender.NOT_STATED
U, IN, E, ST = (
    LabourStatus.UNEMPLOYED,
    LabourStatus.INACTIVE,
    LabourStatus.EMPLOYED,
    LabourStatus.STUDENT,
)
PRES, TEL, VID, MAIL = (
    MeetingMode.IN_PERSON,
    MeetingMode.PHONE,
    MeetingMode.VIDEO,
    MeetingMode.EMAIL,
)
NO_SHOW = "no-show"  # a meeting mode prefixed with this was recorded as not attended

RURAL_COMUNI = ("Calvatone", "Solarolo Rainerio", "Casteldidone")


@dataclass(frozen=True)
class Ref:
    """A referral given to the first ``members`` people of a cohort, the day after intake."""

    kind: str
    partner: str | None
    outcome: str
    members: int


@dataclass(frozen=True)
class Visit:
    """One intake: meeting j is held ``j + 1`` days after the intake."""

    desk: str
    opened_on: dt.date
    labour: str
    months: int | None = None  # months of unemployment
    meetings: tuple[str, ...] = ()  # modes; (NO_SHOW, mode) for a no-show
    referrals: tuple[Ref, ...] = ()
    outside: tuple[str, ...] = ()  # meetings on the day after the period (not counted)


@dataclass(frozen=True)
class Cohort:
    key: str
    n: int
    born: dt.date
    gender: str
    residence: str | None  # comune name, None = abroad
    education: str
    visits: tuple[Visit, ...]
    citizenship: str = Citizenship.ITALIAN
    recent_graduate: bool = False
    returning_after_care: bool = False
    special: dict[str, bool] = field(default_factory=dict)
    moved_to: str | None = None


def d(month: int, day: int, year: int = 2021) -> dt.date:
    return dt.date(year, month, day)


ns = (NO_SHOW, PRES)  # a no-show, in person
ns_video = (NO_SHOW, VID)
ED = EducationLevel

COHORTS: tuple[Cohort, ...] = (
    # --- Casalmaggiore: 30 people ---------------------------------------------------------
    Cohort("C1", 8, d(6, 10, 1996), F, "Casalmaggiore", ED.UPPER_SECONDARY,
           (Visit(C, d(2, 3), U, 4, (PRES, TEL), (
               Ref(ReferralKind.VOCATIONAL_COURSE, "Energheia Impresa Sociale",
                   ReferralOutcome.COURSE_STARTED, 3),
               Ref(ReferralKind.VOCATIONAL_COURSE, "Energheia Impresa Sociale",
                   ReferralOutcome.PENDING, 5),
           )),), recent_graduate=True),
    Cohort("C2", 6, d(9, 1, 1990), M, "Casalmaggiore", ED.BACHELOR,
           (Visit(C, d(2, 10), U, 14, (PRES, VID), (
               Ref(ReferralKind.JOB_CANDIDACY, "Mestieri Lombardia", ReferralOutcome.HIRED, 2),
               Ref(ReferralKind.JOB_CANDIDACY, "Mestieri Lombardia",
                   ReferralOutcome.NOT_SELECTED, 4),
           )),)),
    Cohort("C3", 4, d(11, 20, 1980), F, "Viadana", ED.LOWER_SECONDARY,
           (Visit(C, d(3, 1), IN, None, (TEL, TEL, PRES)),), returning_after_care=True),
    Cohort("C4", 3, d(12, 5, 1970), M, "Cremona", ED.VOCATIONAL,
           (Visit(C, d(3, 15), U, 24, (PRES, TEL)),), special={"has_disability": True}),
    Cohort("C5", 2, d(7, 7, 1962), F, "Casalmaggiore", ED.PRIMARY,
           (Visit(C, d(4, 6), U, 30),), citizenship=Citizenship.NON_EU,
           special={"foreign_background": True}),
    Cohort("C6", 1, d(5, 5, 2000), X, "Casalmaggiore", ED.UPPER_SECONDARY,
           (Visit(C, d(2, 20), ST, None, (MAIL, VID, TEL, PRES)),), special={"is_minority": True}),
    Cohort("C7", 1, d(8, 8, 1998), F, "Casalmaggiore", ED.BACHELOR,
           (Visit(C, START, E, None, (PRES, ns, PRES)),)),
    Cohort("C8", 1, d(6, 1, 1985), M, "Milano", ED.UPPER_SECONDARY,
           (Visit(C, END, U, 1, (), (), outside=(TEL,)),)),
    Cohort("C9", 1, d(3, 10, 1985), F, "Casalmaggiore", ED.UPPER_SECONDARY,
           (Visit(C, d(3, 5), E, None, (TEL, PRES)),)),
    Cohort("C10", 1, d(10, 10, 1992), M, "Casalmaggiore", ED.UPPER_SECONDARY,
           (Visit(C, d(2, 25), U, 13, (PRES, TEL)),), returning_after_care=True,
           moved_to="Milano"),
    Cohort("C11", 1, d(5, 15, 1987), F, "Gussola", ED.BACHELOR,
           (Visit(C, d(2, 15), U, 6, (PRES, TEL)), Visit(G, d(4, 12), U, 8, (VID,)))),
    Cohort("C12", 1, d(9, 9, 2003), F, "Casalmaggiore", ED.LOWER_SECONDARY,
           (Visit(C, d(3, 20), ST, None, (PRES,)),)),
    # --- Piadena Drizzona: 16 people ------------------------------------------------------
    Cohort("P1", 6, d(10, 4, 1993), F, "Piadena Drizzona", ED.BACHELOR,
           (Visit(P, d(2, 22), U, 3, (PRES, VID), (
               Ref(ReferralKind.INTERNSHIP, "Mestieri Lombardia",
                   ReferralOutcome.INTERNSHIP_STARTED, 2),
           )),), recent_graduate=True),
    Cohort("P2", 5, d(12, 12, 2001), M, "Calvatone", ED.UPPER_SECONDARY,
           (Visit(P, d(3, 8), U, 8, (TEL, TEL), (
               Ref(ReferralKind.GARANZIA_GIOVANI, None, ReferralOutcome.PENDING, 5),
           )),)),
    Cohort("P3", 3, d(8, 30, 1973), F, "Bozzolo", ED.UPPER_SECONDARY,
           (Visit(P, d(3, 22), IN, None, (PRES, PRES, VID)),), citizenship=Citizenship.EU,
           returning_after_care=True),
    Cohort("P4", 2, d(11, 11, 1982), M, "Parma", ED.SHORT_TERTIARY,
           (Visit(P, d(4, 13), E, None, (MAIL,)),)),
    # --- San Giovanni in Croce: 14 people -------------------------------------------------
    Cohort("S1", 5, d(7, 1, 1989), F, "San Giovanni in Croce", ED.MASTER,
           (Visit(S, d(3, 2), U, 2, (PRES, TEL)),)),
    Cohort("S2", 4, d(12, 1, 1995), M, "Solarolo Rainerio", ED.LOWER_SECONDARY,
           (Visit(S, d(3, 16), U, 10, (VID, PRES)),), citizenship=Citizenship.NON_EU,
           special={"foreign_background": True}),
    Cohort("S3", 3, d(6, 20, 1965), F, "Casteldidone", ED.NONE,
           (Visit(S, d(3, 29), U, 13, (TEL, TEL, TEL), (
               Ref(ReferralKind.SIL, "SIL Con.Ca.S.S.", ReferralOutcome.PENDING, 3),
           )),)),
    Cohort("S4", 2, d(9, 9, 1997), N, None, ED.UPPER_SECONDARY,
           (Visit(S, d(4, 19), IN),), special={"is_homeless": True}),
    # --- Gussola: 12 people (+ C11's second intake) ---------------------------------------
    Cohort("G1", 5, d(11, 30, 1999), F, "Gussola", ED.UPPER_SECONDARY,
           (Visit(G, d(4, 7), U, 7, (PRES, TEL), (
               Ref(ReferralKind.GOL, None, ReferralOutcome.WITHDRAWN, 1),
           )),), recent_graduate=True),
    Cohort("G2", 4, d(8, 8, 1986), M, "Martignana di Po", ED.VOCATIONAL,
           (Visit(G, d(4, 14), U, 5, (VID, TEL, ns_video)),), citizenship=Citizenship.EU),
    Cohort("G3", 3, d(6, 6, 1975), F, "Casalmaggiore", ED.BACHELOR,
           (Visit(G, d(4, 21), E, None, (PRES, VID)),)),
)  # fmt: skip

# Before the period: one person, one intake, one meeting held inside the period.
PRE_PERIOD = Cohort(
    "Z",
    1,
    d(4, 4, 1990),
    M,
    "Casalmaggiore",
    ED.UPPER_SECONDARY,
    (Visit(C, d(1, 20), U, 2),),
)
PRE_PERIOD_MEETING_ON = d(2, 1)


@dataclass
class ArticleQuarter:
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    people: dict[str, list[Person]]
    intakes: dict[str, list[Intake]]


def _build(cohort: Cohort, people: dict, intakes: dict) -> None:
    partners = {p.name: p for p in Partner.objects.all()}
    for _member in range(cohort.n):
        person = factories.person(
            birth_date=cohort.born,
            gender=cohort.gender,
            residence=cohort.residence,
            education=cohort.education,
            citizenship=cohort.citizenship,
            **cohort.special,
        )
        people.setdefault(cohort.key, []).append(person)
    for member, person in enumerate(people[cohort.key]):
        for visit in cohort.visits:
            intake = factories.intake(
                person,
                desk_slug=visit.desk,
                opened_on=visit.opened_on,
                labour_status=visit.labour,
                unemployment_months=visit.months,
                recent_graduate=cohort.recent_graduate,
                returning_after_care=cohort.returning_after_care,
            )
            intakes.setdefault(cohort.key, []).append(intake)
            for j, mode in enumerate(visit.meetings):
                attended = not isinstance(mode, tuple)
                Meeting.objects.create(
                    intake=intake,
                    held_on=visit.opened_on + dt.timedelta(days=j + 1),
                    mode=mode if attended else mode[1],
                    attended=attended,
                )
            for mode in visit.outside:
                Meeting.objects.create(intake=intake, held_on=END + dt.timedelta(days=1), mode=mode)
                Referral.objects.create(
                    intake=intake,
                    kind=ReferralKind.OTHER_MEASURE,
                    referred_on=END + dt.timedelta(days=1),
                )
            for ref in visit.referrals:
                if member >= ref.members:
                    continue
                referred_on = visit.opened_on + dt.timedelta(days=1)
                pending = ref.outcome == ReferralOutcome.PENDING
                Referral.objects.create(
                    intake=intake,
                    kind=ref.kind,
                    partner=partners[ref.partner] if ref.partner else None,
                    referred_on=referred_on,
                    outcome=ref.outcome,
                    outcome_on=None if pending else referred_on + dt.timedelta(days=10),
                )
        if cohort.moved_to:
            Person.objects.filter(pk=person.pk).update(
                residence_comune=Comune.objects.get(name=cohort.moved_to)
            )


@pytest.fixture
def article_quarter(db) -> ArticleQuarter:
    """The article's first quarter (see the module docstring for its exact composition)."""
    return build_article_quarter()


def build_article_quarter() -> ArticleQuarter:
    Comune.objects.filter(name__in=RURAL_COMUNI).update(is_rural=True)
    people: dict[str, list[Person]] = {}
    intakes: dict[str, list[Intake]] = {}
    for cohort in COHORTS:
        _build(cohort, people, intakes)
    # The person taken in before the period (20/01/2021) predates Casalmaggiore's recorded
    # opening (28/01/2021), which the database refuses (issue 10): the fixture keeps the
    # article's figures by leaving that desk's opening date unknown, as for a desk whose
    # date is not recorded yet.
    Desk.objects.filter(slug=C).update(opened_on=None)
    _build(PRE_PERIOD, people, intakes)
    Meeting.objects.create(
        intake=intakes["Z"][0], held_on=PRE_PERIOD_MEETING_ON, mode=MeetingMode.IN_PERSON
    )
    return ArticleQuarter(START, END, PREVIOUS_START, PREVIOUS_END, people, intakes)
