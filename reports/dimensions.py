"""The rows of the review's tables, each declared once: its key, its label and the SQL
condition it counts. ``reports.queries`` counts the conditions; ``reports.layout`` writes the
labels beside the counts. (The ESF+ indicators are declared the same way in ``esf.py``.)

Functions rather than constants, so that the labels are translated when called.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Choices, Q
from django.utils.translation import gettext as _

from casework.choices import (
    AgeBand,
    EsfAgeBand,
    Gender,
    IscedBand,
    LabourStatus,
    MeetingMode,
)
from reports import definitions
from reports.tables import Category
from sportelli.models import Origin

# The gender columns of the age x gender table and of the ESF+ tables.
GENDER_COLUMNS = (Gender.WOMAN, Gender.MAN, Gender.NON_BINARY, Gender.NOT_STATED)


@dataclass(frozen=True)
class Breakdown:
    """A per-desk table of the people taken in, split by what was recorded at their first
    intake in the period (the representative intake, see ``reports.queries``)."""

    key: str  # the table's key
    title: str
    label_header: str
    rows: tuple[Category, ...]  # conditions on the representative intake
    definition: str = ""  # what it adds to ``definitions.snapshot()``
    total: bool = True  # False when a person can be in more than one row


def choice_rows(choices: type[Choices], field: str) -> tuple[Category, ...]:
    """A row per choice, in the choices' order: the people whose ``field`` holds it."""
    return tuple(
        Category(key=str(value), label=str(label), condition=Q(**{field: value}))
        for value, label in choices.choices
    )


def age_bands() -> tuple[Category, ...]:
    return choice_rows(AgeBand, "age_band")


def groups() -> tuple[Category, ...]:
    """The groups the desks follow; a person can be in several."""
    return (
        Category("recent_graduate", _("Neolaureati/e o neodiplomati/e"), Q(recent_graduate=True)),
        Category(
            "women_returning",
            _("Donne che rientrano dopo una pausa per cura di figli o familiari"),
            Q(returning_after_care=True, gender=Gender.WOMAN),
        ),
        Category("aged_45_plus", _("Persone con 45 anni o più"), Q(age_at_intake__gte=45)),
    )


def breakdowns() -> tuple[Breakdown, ...]:
    """The person-level tables, in the order of the page."""
    return (
        Breakdown(
            "age_band",
            _("Fasce d'età degli sportelli"),
            _("Fascia d'età"),
            age_bands(),
            definitions.age(),
        ),
        Breakdown(
            "age_band_esf",
            _("Fasce d'età FSE+"),
            _("Fascia d'età"),
            choice_rows(EsfAgeBand, "esf_age_band"),
            definitions.age(),
        ),
        Breakdown("gender", _("Genere"), _("Genere"), choice_rows(Gender, "gender")),
        Breakdown(
            "origin",
            _("Provenienza"),
            _("Provenienza"),
            choice_rows(Origin, "origin"),
            definitions.origin(),
        ),
        Breakdown(
            "labour_status",
            _("Condizione occupazionale"),
            _("Condizione"),
            choice_rows(LabourStatus, "labour_status"),
        ),
        Breakdown(
            "isced",
            _("Titolo di studio (fasce ISCED)"),
            _("Livello ISCED"),
            choice_rows(IscedBand, "isced_band"),
            definitions.isced(),
        ),
        Breakdown(
            "groups",
            _("Gruppi seguiti dagli sportelli"),
            _("Gruppo"),
            groups(),
            definitions.groups(),
            total=False,
        ),
    )


# --- Meetings (conditions on the meetings held in the period) ------------------------------


def meeting_modes() -> tuple[Category, ...]:
    return choice_rows(MeetingMode, "mode")


def attendance() -> tuple[Category, ...]:
    return (
        Category("attended", _("Svolti"), Q(attended=True)),
        Category("no_show", _("Mancate presentazioni"), Q(attended=False)),
    )


def meetings_per_person() -> tuple[Category, ...]:
    """Conditions on ``m``, the meetings a person attended (one row per person)."""
    return (
        Category("0", _("Nessun colloquio"), Q(m=0)),
        Category("1", _("1 colloquio"), Q(m=1)),
        Category("2", _("2 colloqui"), Q(m=2)),
        Category("3+", _("3 colloqui o più"), Q(m__gte=3)),
    )
