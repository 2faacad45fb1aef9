"""Small builders for test data: valid codici fiscali, people, intakes, meetings, users."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import Group, User

from casework import fiscal_code
from casework.choices import EducationLevel, Gender, IntakeChannel, LabourStatus, MeetingMode, Need
from casework.models import Intake, Meeting, Person
from sportelli.models import Comune, Desk

_counter = itertools.count(1)
_SURNAMES = ["Rossi", "Bianchi", "Ferrari", "Bonvicini", "Superti", "Zanoni", "Ghisolfi"]
_NAMES = {"M": ["Marco", "Luca", "Andrea", "Paolo"], "F": ["Giulia", "Chiara", "Sara", "Anna"]}


def desk(slug: str) -> Desk:
    return Desk.objects.get(slug=slug)


def comune(name: str) -> Comune:
    return Comune.objects.get(name=name)


def user(username: str, *, role: str | None = None, desks: tuple[str, ...] = (), **extra) -> User:
    u = User.objects.create_user(username=username, password="pw-test-1234", **extra)
    if role:
        u.groups.add(Group.objects.get(name=role))
    for slug in desks:
        Desk.objects.get(slug=slug).operators.add(u)
    return u


def person(
    *,
    birth_date: dt.date = dt.date(1995, 3, 14),
    gender: str = Gender.WOMAN,
    residence: str | None = "Casalmaggiore",
    with_cf: bool = True,
    last_name: str | None = None,
    first_name: str | None = None,
    **extra,
) -> Person:
    n = next(_counter)
    sex = "F" if gender == Gender.WOMAN else "M"
    last_name = last_name or f"{_SURNAMES[n % len(_SURNAMES)]}{'abcdefghij'[n % 10]}"
    first_name = first_name or _NAMES[sex][n % 4]
    birth = birth_date + dt.timedelta(days=0)
    cf = None
    if with_cf:
        # Vary the birthplace so that people with the same names and dates differ.
        places = list(Comune.objects.filter(province="CR").values_list("code", flat=True)[:100])
        cf = fiscal_code.encode(
            last_name=last_name,
            first_name=first_name,
            birth_date=birth,
            sex=sex,
            place_code=places[n % len(places)],
        )
    return Person.objects.create(
        fiscal_code=cf,
        last_name=last_name,
        first_name=first_name,
        birth_date=birth,
        gender=gender,
        residence_comune=Comune.objects.get(name=residence) if residence else None,
        education=extra.pop("education", EducationLevel.UPPER_SECONDARY),
        **extra,
    )


def intake(
    person_: Person | None = None,
    *,
    desk_slug: str = "casalmaggiore",
    opened_on: dt.date | None = None,
    **extra,
) -> Intake:
    desk_ = desk(desk_slug)
    if opened_on is None:  # 15/02/2021, or the desk's opening if it opened later
        opened_on = max(dt.date(2021, 2, 15), desk_.opened_on or dt.date.min)
    return Intake.objects.create(
        person=person_ or person(),
        desk=desk_,
        opened_on=opened_on,
        channel=extra.pop("channel", IntakeChannel.WALK_IN),
        main_need=extra.pop("main_need", Need.GUIDANCE),
        labour_status=extra.pop("labour_status", LabourStatus.UNEMPLOYED),
        **extra,
    )


def meeting(
    intake_: Intake, *, days_after: int = 7, mode: str = MeetingMode.IN_PERSON, **extra
) -> Meeting:
    return Meeting.objects.create(
        intake=intake_,
        held_on=intake_.opened_on + dt.timedelta(days=days_after),
        mode=mode,
        **extra,
    )
