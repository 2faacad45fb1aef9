"""The generator: people, intakes, meetings and referrals, in chronological chunks."""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from codicefiscale import codicefiscale as cf
from django.contrib.auth.models import User
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.choices import (
    POSITIVE_OUTCOMES,
    IntakeStatus,
    LabourStatus,
    ReferralKind,
    ReferralOutcome,
)
from casework.models import (
    Activity,
    Intake,
    Meeting,
    Partner,
    Person,
    Referral,
    months_since_15,
)
from devtools.demo.logins import DEMO_LOGINS, refuse_in_production
from devtools.demo.period import (
    Axis,
    DeskInfo,
    desk_infos,
    is_working_day,
    people_at_article_density,
    plan_period,
)
from devtools.demo.reference import (
    ACTIVITY_WEIGHTS,
    AGE_BRACKETS,
    BIRTH_COUNTRIES,
    CASALASCO_WEIGHTS,
    CHANNELS,
    CHUNK_PEOPLE,
    CLOSURE_FOR_OUTCOME,
    CLOSURES,
    DIGIT_POSITIONS,
    DURATIONS,
    EDUCATION_BY_AGE,
    FIRST_NAMES_IT,
    FOREIGN_NAMES,
    GENDERS,
    LABOUR_BY_AGE,
    MEETING_NOTES,
    MEETINGS_PER_PERSON,
    MODES_2021H1,
    MODES_LATER,
    NEAR_COMUNI,
    NEED_WEIGHTS,
    NEEDS,
    NO_SHOW_NOTE,
    OMOCODIA,
    OUTCOME_GROUP,
    OUTCOMES,
    REFERRAL_DESCRIPTIONS,
    REFERRAL_KINDS,
    REFERRAL_PARTNERS,
    REFERRALS_PER_INTAKE,
    REMOTE_UNTIL,
    RESIDENCE_SHARES,
    SECOND_DESK_SHARE,
    SHOW_RATE,
    SURNAMES_IT,
)
from devtools.demo.writer import Table, next_id
from sportelli.models import Comune, Country

ROME = zoneinfo.ZoneInfo("Europe/Rome")
Sex = Literal["F", "M"]  # as the codice fiscale encodes it


class Weighted:
    """Pick from weighted items with one random number (faster than random.choices)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Iterable[tuple[object, float]]) -> None:
        pairs = [(item, w) for item, w in pairs if w > 0]
        self.items = [item for item, _w in pairs]
        self.cum, total = [], 0.0
        for _item, w in pairs:
            total += w
            self.cum.append(total)
        self.total = total

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _values(pairs: Iterable[tuple[models.TextChoices, float]]) -> Weighted:
    return Weighted((str(choice.value), w) for choice, w in pairs)


@dataclass(slots=True)
class PersonRecord:
    """The attributes ``Intake.take_snapshot`` and ``Person.build_search_key`` read."""

    last_name: str
    first_name: str
    fiscal_code: str | None
    birth_date: dt.date
    gender: str
    residence_comune: Comune | None
    residence_comune_id: int | None
    citizenship: str
    education: str


class _SnapshotTarget:
    """What ``Intake.take_snapshot`` writes to."""

    opened_on: dt.date
    age_at_intake: int
    age_band: str
    esf_age_band: str
    gender: str
    residence_comune_id: int | None
    origin: str
    citizenship: str
    isced_band: str

    __slots__ = (
        "age_at_intake",
        "age_band",
        "citizenship",
        "esf_age_band",
        "gender",
        "isced_band",
        "opened_on",
        "origin",
        "residence_comune_id",
    )


@dataclass
class DemoResult:
    people: int = 0
    intakes: int = 0
    meetings: int = 0
    referrals: int = 0
    activity_links: int = 0
    without_cf: int = 0
    start: dt.date | None = None
    end: dt.date | None = None
    seconds: float = 0.0
    finish_seconds: float = 0.0  # commit (deferred foreign-key checks) and ANALYZE
    tables: dict[str, int] = field(default_factory=dict)


class Generator:
    def __init__(self, *, seed: int, today: dt.date, limit: dt.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.limit = limit  # no date after this one (yesterday by default)
        self.now = timezone.now()
        self.desks = desk_infos()
        self._load_reference()
        self._desk_pickers: dict[tuple[DeskInfo, ...], Weighted] = {}
        self._cf_parts: dict[tuple[str, str], str] = {}
        self._cf_date: dict[tuple[dt.date, Sex], str] = {}
        self.used_cf: set[str | None] = set(
            Person.objects.exclude(fiscal_code=None).values_list("fiscal_code", flat=True)
        )
        self.is_pg = connection.vendor == "postgresql"

    # reference data, read once
    def _load_reference(self) -> None:
        comuni = list(Comune.objects.filter(active=True).order_by("id"))
        by_name: dict[str, Comune] = {}
        for c in comuni:
            by_name.setdefault(c.name, c)
        self.comuni_by_id = {c.id: c for c in comuni}
        casalasco = [c for c in comuni if c.is_casalasco]
        if not casalasco:
            raise ValueError(_("Nessun comune è segnato come distretto Casalasco."))
        self.casalasco = Weighted((c, CASALASCO_WEIGHTS.get(c.name, 1.0)) for c in casalasco)
        self.near = Weighted((by_name[n], w) for n, w in NEAR_COMUNI.items() if n in by_name)
        self.province = Weighted(
            (c, 1.0) for c in comuni if c.province in ("CR", "MN") and not c.is_casalasco
        )
        self.anywhere = Weighted((c, 1.0) for c in comuni if c.province not in ("CR", "MN"))
        self.residence_kind = Weighted(RESIDENCE_SHARES)
        self.hospital = [
            by_name[n] for n in ("Casalmaggiore", "Cremona", "Mantova", "Parma") if n in by_name
        ]
        countries = {c.code: c for c in Country.objects.all()}
        self.birth_country = Weighted(
            ((countries[code], group), w) for code, w, group in BIRTH_COUNTRIES if code in countries
        )
        self.residence_country = [countries[c] for c, _w, _g in BIRTH_COUNTRIES if c in countries]
        self.eu_codes = set(Country.objects.filter(is_eu=True).values_list("code", flat=True))
        self.partners = {p.name: p.id for p in Partner.objects.filter(active=True)}
        activities = list(Activity.objects.filter(active=True).order_by("id"))
        self.activity = Weighted((a.id, ACTIVITY_WEIGHTS.get(a.code, 2)) for a in activities)
        operators = dict(
            User.objects.filter(username__in=[lg.username for lg in DEMO_LOGINS]).values_list(
                "username", "id"
            )
        )
        self.operator_for: dict[int, list[int | None]] = {}
        for desk in self.desks:
            ops = [operators.get(lg.username) for lg in DEMO_LOGINS if desk.slug in lg.desks]
            self.operator_for[desk.id] = [o for o in ops if o] or [None]
        self.ages = Weighted(AGE_BRACKETS)
        self.genders = _values(GENDERS)
        self.education = {k: _values(v) for k, v in EDUCATION_BY_AGE.items()}
        self.labour = {k: _values(v) for k, v in LABOUR_BY_AGE.items()}
        self.channels = _values(CHANNELS)
        self.needs = _values(NEED_WEIGHTS)
        self.modes_early, self.modes_later = _values(MODES_2021H1), _values(MODES_LATER)
        self.kinds = _values(REFERRAL_KINDS)
        self.partner_pick = {
            str(k): Weighted((self.partners.get(n) if n else None, w) for n, w in pairs)
            for k, pairs in REFERRAL_PARTNERS.items()
        }
        self.outcomes = {k: _values(v) for k, v in OUTCOMES.items()}
        self.closures = _values(CLOSURES)
        self.referrals_per_intake = Weighted(enumerate(REFERRALS_PER_INTAKE))

    # value helpers
    def _dt_value(self, day: dt.date, at: dt.time) -> object:
        aware = dt.datetime.combine(day, at, tzinfo=ROME)
        if self.is_pg:
            return aware
        return aware.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")

    def _fiscal_code(
        self, last: str, first: str, birth: dt.date, sex: Sex, place: str
    ) -> str | None:
        names = self._cf_parts.get((last, first))
        if names is None:
            names = self._cf_parts[(last, first)] = cf.encode_lastname(last) + cf.encode_firstname(
                first
            )
        born = self._cf_date.get((birth, sex))
        if born is None:
            born = self._cf_date[(birth, sex)] = cf.encode_birthdate(
                # The library wants a datetime; only its date part is encoded.
                dt.datetime(birth.year, birth.month, birth.day, tzinfo=dt.UTC),
                sex,
            )
        body = names + born + place
        code = body + cf.encode_cin(body)
        # Equal codes are told apart as the agency does (omocodia): digits replaced by
        # letters, rightmost first, through the 127 combinations of the 7 digit positions.
        variant = 0
        while code in self.used_cf:
            variant += 1
            if variant >= 2 ** len(DIGIT_POSITIONS):
                return None
            chars = list(body)
            for bit, pos in enumerate(DIGIT_POSITIONS):
                if variant >> bit & 1:
                    chars[pos] = OMOCODIA[body[pos]]
            omocode = "".join(chars)
            code = omocode + cf.encode_cin(omocode)
        self.used_cf.add(code)
        return code

    def _residence(self, desk: DeskInfo) -> tuple[Comune | None, Country | None]:
        kind = self.residence_kind(self.rng)
        if kind == "casalasco":
            local = self.comuni_by_id.get(desk.comune_id)
            if local is not None and local.is_casalasco and self.rng.random() < 0.45:
                return local, None
            return self.casalasco(self.rng), None
        if kind == "near" and self.near.items:
            return self.near(self.rng), None
        if kind == "province" and self.province.items:
            return self.province(self.rng), None
        if kind == "abroad" and self.residence_country:
            return None, self.rng.choice(self.residence_country)
        return self.anywhere(self.rng), None

    def _working_day_on_or_after(self, day: dt.date, bound: dt.date) -> dt.date:
        while day.weekday() >= 5 and day < bound:
            day += dt.timedelta(1)
        return day

    # one person, their intakes and everything in them
    def person(
        self,
        index: int,
        total: int,
        axis: Axis,
        meetings: int,
        t: dict[str, Table],
        ids: dict[str, int],
        res: DemoResult,
    ) -> None:
        rng = self.rng
        opened = axis.at((index + rng.random()) / total)
        open_desks = tuple(d for d in self.desks if d.opened_on <= opened)
        pick_desk = self._desk_pickers.get(open_desks)
        if pick_desk is None:
            pick_desk = self._desk_pickers[open_desks] = Weighted((d, d.weight) for d in open_desks)
        desk = pick_desk(rng)
        lo, hi = self.ages(rng)
        age = rng.randint(lo, hi)
        birth = opened - dt.timedelta(days=int((age + rng.random()) * 365.2425))
        gender = self.genders(rng)
        sex: Sex = "F" if gender == "F" else "M" if gender == "M" else rng.choice(("F", "M"))
        residence, residence_country = self._residence(desk)

        roll = rng.random()
        if roll < 0.82:  # born in Italy
            if residence is not None and rng.random() < 0.55:
                place = residence
            elif rng.random() < 0.7 and self.hospital:
                place = rng.choice(self.hospital)
            else:
                place = self.anywhere(rng)
            born_in, born_abroad, citizenship = place, None, "IT"
            place_code, group = place.code, "it"
        else:
            born_abroad, group = self.birth_country(rng)
            born_in, place_code = None, born_abroad.code
            if born_abroad.code in self.eu_codes:
                citizenship = "UE" if rng.random() < 0.85 else "IT"
            else:
                citizenship = "EXTRA_UE" if rng.random() < 0.75 else "IT"
        if group == "it":
            last = rng.choice(SURNAMES_IT)
            first = rng.choice(FIRST_NAMES_IT[sex])
        else:
            surnames, males, females = FOREIGN_NAMES[group]
            last = rng.choice(surnames.split())
            first = rng.choice((females if sex == "F" else males).split())
        no_cf = citizenship == "EXTRA_UE" and rng.random() < 0.45
        code = None if no_cf else self._fiscal_code(last, first, birth, sex, place_code)
        res.without_cf += code is None

        band = "young" if age < 30 else "middle" if age < 45 else "older"
        education = self.education[band](rng)
        record = PersonRecord(
            last_name=last,
            first_name=first,
            fiscal_code=code,
            birth_date=birth,
            gender=gender,
            residence_comune=residence,
            residence_comune_id=residence.id if residence else None,
            citizenship=citizenship,
            education=education,
        )
        person_id = ids["person"]
        ids["person"] += 1
        email_name = _ascii(f"{first}.{last}")
        t["person"].add(
            (
                person_id,
                code,
                last,
                first,
                birth.isoformat(),
                gender,
                born_in.id if born_in else None,
                born_abroad.id if born_abroad else None,
                record.residence_comune_id,
                residence_country.id if residence_country else None,
                citizenship,
                education,
                f"{email_name}{person_id % 997}@example.org" if rng.random() < 0.7 else "",
                f"3{rng.randint(20, 49)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                if rng.random() < 0.85
                else "",
                opened.isoformat(),
                rng.random() < 0.04,
                None,
                born_in is None,
                rng.random() < 0.01,
                Person.build_search_key(record),  # type: ignore[arg-type]
            )
        )
        res.people += 1

        # a few people also go to a second desk later on
        plan = [(desk, opened, meetings)]
        others = [d for d in self.desks if d.id != desk.id]
        if others and rng.random() < SECOND_DESK_SHARE:
            second_day = opened + dt.timedelta(days=rng.randint(20, 240))
            other = rng.choice(others)
            if (
                second_day <= axis.days[-1]
                and other.opened_on <= second_day
                and is_working_day(second_day)
            ):
                first_share = rng.randint(0, meetings)
                plan = [(desk, opened, first_share), (other, second_day, meetings - first_share)]
        recent = index >= total - max(24, total // 30)
        for desk_, day, count in plan:
            self.intake(record, person_id, desk_, day, count, age, recent, t, ids, res)

    def _meeting_days(self, opened: dt.date, count: int) -> tuple[list[dt.date], list[dt.time]]:
        """The days and times of an intake's ``count`` meetings, squeezed into what has
        happened so far and moved to working days."""
        rng, limit = self.rng, self.limit
        day = opened
        meeting_days = []
        for n in range(count):
            day = day + dt.timedelta(days=rng.randint(3, 21) if n == 0 else rng.randint(7, 35))
            meeting_days.append(day)
        if meeting_days and meeting_days[-1] > limit:  # squeeze into what has happened so far
            span = max((limit - opened).days, 0)
            last = (meeting_days[-1] - opened).days
            meeting_days = [
                opened + dt.timedelta(days=(d - opened).days * span // last) for d in meeting_days
            ]
        meeting_days = [self._working_day_on_or_after(d, limit) for d in meeting_days]
        slots = [dt.time(rng.randint(9, 16), rng.choice((0, 30))) for _d in meeting_days]
        return meeting_days, slots

    def _referrals(
        self, contacts: list[dt.date], age_now: int
    ) -> tuple[list[tuple[str, dt.date, str, dt.date | None]], str | None]:
        """An intake's referrals (kind, date, outcome, outcome date), each made on a day of
        contact, and the first positive outcome among them."""
        rng, limit = self.rng, self.limit
        referrals = []
        has_positive = None
        for _n in range(self.referrals_per_intake(rng)):
            kind = self.kinds(rng)
            if kind == ReferralKind.GARANZIA_GIOVANI and age_now > 29:
                kind = str(ReferralKind.GOL.value)
            referred = rng.choice(contacts)
            outcome = self.outcomes[OUTCOME_GROUP.get(kind, "measure")](rng)
            outcome_on = None
            if outcome != ReferralOutcome.PENDING:
                outcome_on = referred + dt.timedelta(days=rng.randint(7, 90))
                if outcome_on > limit:
                    outcome, outcome_on = str(ReferralOutcome.PENDING.value), None
            if outcome in POSITIVE_OUTCOMES and has_positive is None:
                has_positive = outcome
            referrals.append((kind, referred, outcome, outcome_on))
        return referrals, has_positive

    def intake(
        self,
        record: PersonRecord,
        person_id: int,
        desk: DeskInfo,
        opened: dt.date,
        count: int,
        age: int,
        recent: bool,
        t: dict[str, Table],
        ids: dict[str, int],
        res: DemoResult,
    ) -> None:
        rng, limit = self.rng, self.limit
        snap = _SnapshotTarget()
        snap.opened_on = opened
        # ``snap`` stands in for the intake: only the fields the snapshot writes, no model.
        Intake.take_snapshot(snap, record)  # type: ignore[arg-type]
        age_now = snap.age_at_intake
        intake_id = ids["intake"]
        ids["intake"] += 1
        operator = rng.choice(self.operator_for[desk.id])

        meeting_days, slots = self._meeting_days(opened, count)
        contacts = [opened, *meeting_days]
        referrals, has_positive = self._referrals(contacts, age_now)
        last_contact = max([*contacts, *(r[3] for r in referrals if r[3])])

        # closed or still open
        status, closed_on, reason = str(IntakeStatus.OPEN.value), None, ""
        if (limit - last_contact).days > 20 and rng.random() < 0.65 and not recent:
            status = str(IntakeStatus.CLOSED.value)
            closed_on = min(limit, last_contact + dt.timedelta(days=rng.randint(0, 45)))
            reason = (
                str(CLOSURE_FOR_OUTCOME[ReferralOutcome(has_positive)].value)
                if has_positive and rng.random() < 0.85
                else self.closures(rng)
            )

        band = (
            "minor"
            if age_now < 18
            else "young"
            if age_now < 25
            else "adult"
            if age_now < 45
            else "older"
        )
        labour = self.labour[band](rng)
        unemployed = labour == LabourStatus.UNEMPLOYED
        need = self.needs(rng)
        t["intake"].add(
            (
                intake_id,
                person_id,
                desk.id,
                opened.isoformat(),
                operator,
                self.channels(rng),
                need,
                rng.choice(NEEDS[need]),
                labour,
                # never more months than since the 15th birthday (Intake.clean)
                min(
                    int(rng.expovariate(1 / 10)) + 1,
                    120,
                    months_since_15(record.birth_date, opened),
                )
                if unemployed
                else None,
                age_now <= 30
                and record.education not in ("nessuno", "elementare", "media")
                and rng.random() < 0.45,
                record.gender == "F"
                and 28 <= age_now <= 55
                and labour in ("disoccupato", "inattivo")
                and rng.random() < 0.35,
                status,
                closed_on.isoformat() if closed_on else None,
                reason,
                "",
                snap.age_at_intake,
                str(snap.age_band),
                str(snap.esf_age_band),
                str(snap.gender),
                str(snap.origin),
                snap.residence_comune_id,
                str(snap.citizenship),
                str(snap.isced_band),
            )
        )
        res.intakes += 1

        # meeting rows, each pointing at the next one; the last of a recent open case may
        # point at an appointment still to come, so the dashboards have upcoming items
        early = opened < REMOTE_UNTIL
        for n, held in enumerate(meeting_days):
            mode = (self.modes_early if early else self.modes_later)(rng)
            attended = rng.random() < SHOW_RATE[mode]
            if n + 1 < len(meeting_days):
                next_at = self._dt_value(meeting_days[n + 1], slots[n + 1])
            elif (
                status == IntakeStatus.OPEN
                and (recent or (limit - held).days < 45)
                and rng.random() < 0.7
            ):
                when = self._working_day_on_or_after(
                    self.today + dt.timedelta(days=rng.randint(0, 20)), dt.date.max
                )
                next_at = self._dt_value(when, dt.time(rng.randint(9, 16), rng.choice((0, 30))))
            else:
                next_at = None
            meeting_id = ids["meeting"]
            ids["meeting"] += 1
            t["meeting"].add(
                (
                    meeting_id,
                    intake_id,
                    held.isoformat(),
                    slots[n].isoformat(),
                    mode,
                    rng.choice(DURATIONS[mode]),
                    rng.choice(MEETING_NOTES) if attended else NO_SHOW_NOTE,
                    attended,
                    next_at,
                    operator,
                )
            )
            res.meetings += 1
            if attended and self.activity.items:
                chosen = {self.activity(rng) for _k in range(rng.randint(1, 3))}
                for activity_id in sorted(chosen):
                    t["activities"].add((ids["activities"], meeting_id, activity_id))
                    ids["activities"] += 1
                    res.activity_links += 1

        for kind, referred, outcome, outcome_on in referrals:
            partner = self.partner_pick[kind](rng)
            t["referral"].add(
                (
                    ids["referral"],
                    intake_id,
                    kind,
                    partner,
                    rng.choice(REFERRAL_DESCRIPTIONS[ReferralKind(kind)]),
                    referred.isoformat(),
                    outcome,
                    outcome_on.isoformat() if outcome_on else None,
                    "",
                )
            )
            ids["referral"] += 1
            res.referrals += 1


PERSON_COLUMNS = (
    "id",
    "fiscal_code",
    "last_name",
    "first_name",
    "birth_date",
    "gender",
    "birthplace_comune_id",
    "birthplace_country_id",
    "residence_comune_id",
    "residence_country_id",
    "citizenship",
    "education",
    "email",
    "phone",
    "privacy_ack_on",
    "has_disability",
    "is_minority",
    "foreign_background",
    "is_homeless",
    "search_key",
)
INTAKE_COLUMNS = (
    "id",
    "person_id",
    "desk_id",
    "opened_on",
    "operator_id",
    "channel",
    "main_need",
    "needs",
    "labour_status",
    "unemployment_months",
    "recent_graduate",
    "returning_after_care",
    "status",
    "closed_on",
    "closure_reason",
    "closure_note",
    "age_at_intake",
    "age_band",
    "esf_age_band",
    "gender",
    "origin",
    "residence_comune_id",
    "citizenship",
    "isced_band",
)
MEETING_COLUMNS = (
    "id",
    "intake_id",
    "held_on",
    "start_time",
    "mode",
    "duration_minutes",
    "notes",
    "attended",
    "next_appointment_at",
    "operator_id",
)
REFERRAL_COLUMNS = (
    "id",
    "intake_id",
    "kind",
    "partner_id",
    "description",
    "referred_on",
    "outcome",
    "outcome_on",
    "notes",
)


def _ascii(value: str) -> str:
    bare = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(ch for ch in bare.lower() if ch.isalnum() or ch == ".")


def _case_models() -> list[type[models.Model]]:
    return [Person, Intake, Meeting, Meeting.activities.through, Referral]


def generate(
    *,
    meetings: int | None,
    seed: int = 2021,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
    progress=None,
) -> DemoResult:
    """Add exactly ``meetings`` follow-up meetings, with the people, intakes and referrals
    around them, reproducibly from ``seed``. Nothing is dated after yesterday (or ``end``).

    ``meetings=None``: as many people as the article's density gives from the first opening
    (or ``start``) to yesterday (or ``end``), so that every quarter is full."""
    refuse_in_production()
    started = time.perf_counter()
    today = today or timezone.localdate()
    limit = end or (today - dt.timedelta(days=1))
    if limit > today:
        raise ValueError(_("La data di fine non può essere nel futuro."))
    if meetings is not None and meetings < 0:
        raise ValueError(_("Il numero di colloqui non può essere negativo."))
    result = DemoResult()
    desks = desk_infos()
    if not desks:
        raise ValueError(_("Nessuno sportello attivo."))

    rng = random.Random(seed)
    if meetings is None:
        first = max(start or min(d.opened_on for d in desks), min(d.opened_on for d in desks))
        counts = _people_meetings(rng, people_at_article_density(desks, first, end or limit))
        start, end = first, end or limit
    else:
        counts = _meetings_per_person(rng, meetings)
    people = len(counts)
    start, end = plan_period(people=people, desks=desks, start=start, end=end, limit=limit)
    if start > end:
        raise ValueError(_("La data di inizio è successiva a quella di fine."))
    result.start, result.end = start, end
    if people == 0:
        result.seconds = time.perf_counter() - started
        return result
    axis = Axis.build(start, end, desks)
    if not axis.days:
        raise ValueError(_("Nessuno sportello è aperto nel periodo indicato."))

    _write(rng=rng, today=today, limit=limit, axis=axis, counts=counts, result=result,
           started=started, progress=progress)  # fmt: skip
    result.seconds = time.perf_counter() - started
    return result


def _people_meetings(rng: random.Random, people: int) -> bytearray:
    """How many meetings each of ``people`` people has."""
    per_person = Weighted(enumerate(MEETINGS_PER_PERSON))
    return bytearray(per_person(rng) for _n in range(people))


def _meetings_per_person(rng: random.Random, meetings: int) -> bytearray:
    """How many meetings each person has, drawn until there are ``meetings`` in all."""
    counts = bytearray()
    total_meetings = 0
    per_person = Weighted(enumerate(MEETINGS_PER_PERSON))
    while total_meetings < meetings:
        k = min(per_person(rng), meetings - total_meetings)
        counts.append(k)
        total_meetings += k
    return counts


def _write(
    *,
    rng: random.Random,
    today: dt.date,
    limit: dt.date,
    axis: Axis,
    counts: bytearray,
    result: DemoResult,
    started: float,
    progress: Callable[[DemoResult], object] | None,
) -> None:
    """Generate and write the people, chunk by chunk, in one transaction; then refresh the
    sequences and the planner's statistics."""
    people = len(counts)
    with transaction.atomic():
        gen = Generator(seed=rng.randrange(2**32), today=today, limit=limit)
        now = gen.now
        through = Meeting.activities.through
        tables = {
            "person": Table(Person, PERSON_COLUMNS, now),
            "intake": Table(Intake, INTAKE_COLUMNS, now),
            "meeting": Table(Meeting, MEETING_COLUMNS, now),
            "activities": Table(through, ("id", "meeting_id", "activity_id"), now),
            "referral": Table(Referral, REFERRAL_COLUMNS, now),
        }
        ids = {name: next_id(table.model) for name, table in tables.items()}
        for chunk_start in range(0, people, CHUNK_PEOPLE):
            for index in range(chunk_start, min(chunk_start + CHUNK_PEOPLE, people)):
                gen.person(index, people, axis, counts[index], tables, ids, result)
            for name, table in tables.items():  # parents first: the guards look them up
                result.tables[name] = result.tables.get(name, 0) + table.flush()
            result.seconds = time.perf_counter() - started
            if progress:
                progress(result)
        reset = connection.ops.sequence_reset_sql(no_style(), _case_models())
        with connection.cursor() as cursor:
            for sql in reset:
                cursor.execute(sql)
        written = time.perf_counter()
    with connection.cursor() as cursor:  # fresh statistics for the reports' planner
        for model in _case_models():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    result.finish_seconds = time.perf_counter() - written


@transaction.atomic
def flush() -> dict[str, int]:
    """Delete every person, intake, meeting and referral (and rows of other apps that point
    at them, as their ``on_delete`` says). Reference data and users stay."""
    refuse_in_production()
    own = _case_models()
    deleted: dict[str, int] = {}
    whole_tables = True  # every row pointing at the cases goes with them
    for model in own:
        for rel in model._meta.related_objects:
            related = rel.field.model  # rel.related_model: the model holding the foreign key
            if related in own:
                continue
            if rel.many_to_many:
                whole_tables = False  # a many-to-many from another app: row by row
                continue
            manager = related._base_manager
            pointing = manager.filter(**{f"{rel.field.name}__isnull": False})
            whole_tables &= rel.on_delete is models.CASCADE and not rel.field.null
            if rel.on_delete is models.CASCADE:
                deleted[related._meta.label] = pointing.delete()[0]
            elif rel.on_delete is models.SET_NULL:
                pointing.update(**{rel.field.name: None})
            elif pointing.exists():
                raise ValueError(
                    _("Impossibile svuotare: %(model)s fa riferimento ai casi.")
                    % {"model": related._meta.verbose_name_plural}
                )
    qn = connection.ops.quote_name
    order = (Meeting.activities.through, Referral, Meeting, Intake, Person)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and whole_tables:
            # TRUNCATE is instant where DELETE would check millions of rows; the tables
            # that point at the cases were emptied above (a NOT NULL cascade) and go too.
            truncated: set[type[models.Model]] = set(order)
            for model in own:
                truncated.update(
                    rel.field.model for rel in model._meta.related_objects if not rel.many_to_many
                )
            # Their many-to-many rows (e.g. CrossDeskTakeIn.other_desks) point at them.
            truncated.update(
                field.remote_field.through
                for model in list(truncated)
                for field in model._meta.local_many_to_many
                if field.remote_field.through is not None  # None only before models load
            )
            tables = {m._meta.db_table for m in truncated}
            for model in order:
                cursor.execute(f"SELECT COUNT(*) FROM {qn(model._meta.db_table)}")  # noqa: S608
                deleted[model._meta.label] = cursor.fetchone()[0]
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
            cursor.execute(f"TRUNCATE {', '.join(qn(t) for t in sorted(tables))}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's default again
        else:
            for model in order:
                cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")  # noqa: S608
                deleted[model._meta.label] = cursor.rowcount
    return deleted
