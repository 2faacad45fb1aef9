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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import formats
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.choices import (
    AgeBand,
    EsfAgeBand,
    Gender,
    IscedBand,
    LabourStatus,
    MeetingMode,
    ReferralKind,
    ReferralOutcome,
)
from casework.models import Intake, Meeting, Referral
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
    months: list[dt.date] = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


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
class _Columns:
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


def _choice_rows(
    choices: Iterable[tuple[str, str]], cols: Sequence[str], counts: dict[tuple, int], dim: str
) -> tuple[Row, ...]:
    return tuple(
        Row(label=str(label), key=str(value), values=tuple(counts[(dim, value, c)] for c in cols))
        for value, label in choices
    )


def _total_row(rows: Sequence[Row], label: str | None = None) -> Row:
    width = len(rows[0].values) if rows else 0
    return Row(
        label=label or _("Totale"),
        key=TOTAL,
        values=tuple(sum(int(r.values[i] or 0) for r in rows) for i in range(width)),
    )


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


def _groups() -> list[tuple[str, str, Q]]:
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
        for key, _label, condition in _groups():
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
    cols = _Columns(selected)
    desk_ids = [desk.pk for desk in selected]
    include_special = user.has_perm("casework.view_special_category")
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
    held = Q(meetings__attended=True, meetings__held_on__gte=start, meetings__held_on__lte=end)
    if cols.desk_keys:
        per_desk_person = (
            period_intakes.order_by()
            .values("desk_id", "person_id")
            .annotate(m=Count("meetings", filter=held))
        )
        counts |= _distribution(per_desk_person, cols.desk_keys, by_desk=True)
    per_person = (
        period_intakes.order_by().values("person_id").annotate(m=Count("meetings", filter=held))
    )
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

    tables = _build_tables(
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
        summary=_summary(start, end, selected, tables, previous_start, previous_end),
        previous_start=previous_start,
        previous_end=previous_end,
    )


def _in_month(month: dt.date, field: str = "opened_on") -> Q:
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return Q(**{f"{field}__gte": month, f"{field}__lte": last})


# --- Laying the counts out as tables ------------------------------------------------------


def _people_def() -> str:
    return _(
        "Persone accolte: persone distinte con almeno una presa in carico aperta nel "
        "periodo (data della presa in carico tra il primo e l'ultimo giorno, inclusi); chi è "
        "stato preso in carico in due sportelli conta una volta nel totale e una volta in "
        "ciascuno sportello. "
    )


def _snapshot_def() -> str:
    return _(
        "Dati rilevati alla prima presa in carico della persona nel periodo (nelle colonne degli "
        "sportelli: alla prima presa in carico in quello sportello): un trasloco o un compleanno "
        "successivi non cambiano i periodi passati. "
    )


def _build_tables(
    *,
    cols: _Columns,
    counts: dict[tuple, int],
    months: list[dt.date],
    referral_rows: list[dict[str, Any]],
    comune_rows: list[dict[str, Any]],
    previous: dict[str, int],
    include_special: bool,
) -> dict[str, Table]:
    keys = cols.keys
    headers = cols.headers
    desk_header = _("Sportello") if len(cols.desks) == 1 else _("Dato")
    tables: dict[str, Table] = {}

    def per_desk(key: str, title: str, label_header: str, rows, total, definition: str,
                 counts_people: bool = True) -> None:  # fmt: skip
        tables[key] = Table(
            key=key,
            title=title,
            columns=headers,
            label_header=label_header,
            rows=tuple(rows),
            total=total,
            definition=definition,
            counts_people=counts_people,
        )

    people = {c: counts[("people", "", c)] for c in keys}
    intakes = {c: counts[("intakes", c)] for c in keys}
    attended = {c: counts[("attended", c)] for c in keys}
    recorded = {c: attended[c] + counts[("no_show", c)] for c in keys}

    # 1. People, intakes, meetings, accesses; meetings per person.
    per_desk(
        "people",
        _("Persone, prese in carico, colloqui e accessi"),
        desk_header,
        [
            Row(_("Persone accolte"), tuple(people[c] for c in keys), "people"),
            Row(_("Nuove prese in carico"), tuple(intakes[c] for c in keys), "intakes"),
            Row(_("Colloqui svolti"), tuple(attended[c] for c in keys), "meetings"),
            Row(
                _("Accessi (prese in carico + colloqui svolti)"),
                tuple(intakes[c] + attended[c] for c in keys),
                "accesses",
            ),
        ],
        None,
        _people_def()
        + _(
            "Nuove prese in carico: prese in carico aperte nel periodo. Colloqui svolti: "
            "colloqui tenuti nel periodo a cui la persona si è presentata, anche se la presa in "
            "carico è di un periodo precedente. Accessi: prese in carico più colloqui svolti."
        ),
    )
    distribution_rows = [
        Row(_("Nessun colloquio"), tuple(counts[("mpp", "0", c)] for c in keys), "0"),
        Row(_("1 colloquio"), tuple(counts[("mpp", "1", c)] for c in keys), "1"),
        Row(_("2 colloqui"), tuple(counts[("mpp", "2", c)] for c in keys), "2"),
        Row(_("3 colloqui o più"), tuple(counts[("mpp", "3+", c)] for c in keys), "3+"),
    ]
    mpp_def = _(
        "Colloqui per persona: colloqui svolti nel periodo che appartengono alle prese in "
        "carico aperte nel periodo, per ciascuna persona accolta (nelle colonne degli "
        "sportelli: i colloqui in quello sportello). "
    )
    per_desk(
        "meetings_per_person",
        _("Persone accolte per numero di colloqui"),
        _("Colloqui per persona"),
        distribution_rows,
        Row(_("Persone accolte"), tuple(counts[("mpp", "people", c)] for c in keys), TOTAL),
        mpp_def,
    )
    per_desk(
        "meetings_mean",
        _("Colloqui per persona (media)"),
        desk_header,
        [
            Row(
                _("Media dei colloqui per persona accolta"),
                tuple(
                    mean(counts[("mpp", "meetings", c)], counts[("mpp", "people", c)]) for c in keys
                ),
                "mean",
            )
        ],
        None,
        mpp_def + _("Media: quei colloqui divisi per le persone accolte."),
        counts_people=False,
    )

    # 2. Age bands.
    snapshot = _people_def() + _snapshot_def()
    for key, dim, choices, title, extra in (
        ("age_band", "age_band", AgeBand, _("Fasce d'età degli sportelli"), ""),
        ("age_band_esf", "esf_age", EsfAgeBand, _("Fasce d'età FSE+"), ""),
        ("gender", "gender", Gender, _("Genere"), ""),
        (
            "origin",
            "origin",
            Origin,
            _("Provenienza"),
            _(
                "Provenienza dal comune di residenza (non dal luogo di nascita); il Distretto "
                "Casalasco sono i comuni soci del Con.Ca.S.S. segnati nell'anagrafica dei comuni."
            ),
        ),
        ("labour_status", "labour_status", LabourStatus, _("Condizione occupazionale"), ""),
        (
            "isced",
            "isced",
            IscedBand,
            _("Titolo di studio (fasce ISCED)"),
            _("Titolo di studio più alto, ricondotto alle fasce ISCED 2011."),
        ),
    ):
        label_header = {
            "age_band": _("Fascia d'età"),
            "age_band_esf": _("Fascia d'età"),
            "gender": _("Genere"),
            "origin": _("Provenienza"),
            "labour_status": _("Condizione"),
            "isced": _("Livello ISCED"),
        }[key]
        definition = snapshot + (_("Età compiuta alla presa in carico. ") if "age" in key else "")
        rows = _choice_rows(choices.choices, keys, counts, dim)
        per_desk(key, title, label_header, rows, _total_row(rows), definition + extra)
        if key == "origin":
            tables["comuni"] = _comuni_table(cols, comune_rows, snapshot)

    groups = [
        Row(label, tuple(counts[("groups", key, c)] for c in keys), key)
        for key, label, _condition in _groups()
    ]
    per_desk(
        "groups",
        _("Gruppi seguiti dagli sportelli"),
        _("Gruppo"),
        groups,
        None,
        snapshot
        + _(
            "Neolaureati/e o neodiplomati/e e rientro dopo una pausa di cura: come indicati "
            "alla presa in carico; 45 anni o più: età alla presa in carico. Una persona può "
            "stare in più gruppi, per questo la tabella non ha totale."
        ),
    )

    # 3. Meetings by mode, attendance, remote share.
    mode_rows = [
        Row(str(label), tuple(counts[("mode", value, c)] for c in keys), value)
        for value, label in MeetingMode.choices
    ]
    meetings_def = _(
        "Colloqui registrati con data nel periodo, in tutte le prese in carico degli "
        "sportelli selezionati, comprese le mancate presentazioni. "
    )
    per_desk(
        "meeting_mode",
        _("Colloqui per modalità"),
        _("Modalità"),
        mode_rows,
        Row(_("Totale"), tuple(recorded[c] for c in keys), TOTAL),
        meetings_def,
    )
    per_desk(
        "meeting_attendance",
        _("Colloqui svolti e mancate presentazioni"),
        _("Esito del colloquio"),
        [
            Row(_("Svolti"), tuple(attended[c] for c in keys), "attended"),
            Row(
                _("Mancate presentazioni"),
                tuple(counts[("no_show", c)] for c in keys),
                "no_show",
            ),
        ],
        Row(_("Totale"), tuple(recorded[c] for c in keys), TOTAL),
        meetings_def,
    )
    remote = {
        c: sum(counts[("mode", m, c)] for m in MeetingMode.values if MeetingMode(m).is_remote)
        for c in keys
    }
    per_desk(
        "meeting_shares",
        _("Colloqui a distanza e mancate presentazioni (%)"),
        _("Quota"),
        [
            Row(
                _("Quota a distanza (telefono, videochiamata, e-mail)"),
                tuple(percent(remote[c], recorded[c]) for c in keys),
                "remote",
            ),
            Row(
                _("Quota di mancate presentazioni"),
                tuple(percent(counts[("no_show", c)], recorded[c]) for c in keys),
                "no_show",
            ),
        ],
        None,
        meetings_def + _("Percentuali sul totale dei colloqui registrati."),
        counts_people=False,
    )

    # 4. Referrals.
    tables.update(_referral_tables(referral_rows))

    # 5. Month by month, age x gender, change against the previous period.
    trend_rows = []
    for month in months:
        i, m = counts[("intakes_month", month)], counts[("meetings_month", month)]
        trend_rows.append(
            Row(
                month_label(month),
                (counts[("people_month", month)], i, m, i + m),
                f"{month:%Y-%m}",
            )
        )
    tables["trend"] = Table(
        key="trend",
        title=_("Andamento mese per mese"),
        columns=(
            _("Persone accolte"),
            _("Nuove prese in carico"),
            _("Colloqui svolti"),
            _("Accessi"),
        ),
        label_header=_("Mese"),
        rows=tuple(trend_rows),
        total=_total_row(trend_rows),
        definition=_(
            "Per mese di calendario. Persone accolte: persone alla loro prima presa in carico "
            "del periodo, nel mese in cui è avvenuta (così i mesi sommano al totale del "
            "periodo). Il primo e l'ultimo mese possono essere parziali."
        ),
        counts_people=True,
    )
    genders = (Gender.WOMAN, Gender.MAN, Gender.NON_BINARY, Gender.NOT_STATED)
    cross_rows = []
    for value, label in AgeBand.choices:
        by_gender = [counts[("age_gender", value, g)] for g in genders]
        cross_rows.append(Row(str(label), (*by_gender, sum(by_gender)), value))
    tables["age_gender"] = Table(
        key="age_gender",
        title=_("Fascia d'età per genere"),
        columns=(*(str(g.label) for g in genders), _("Totale")),
        label_header=_("Fascia d'età"),
        rows=tuple(cross_rows),
        total=_total_row(cross_rows),
        definition=snapshot,
        counts_people=True,
    )
    tables["change"] = _change_table(counts, previous)

    for table in esf.tables(counts, include_special=include_special):
        tables[table.key] = table
    return tables


def _comuni_table(cols: _Columns, comune_rows: list[dict[str, Any]], snapshot: str) -> Table:
    """The ten comuni with most people (in total), then the others and residence abroad."""
    by_comune: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[int | None, str] = {}
    for row in comune_rows:
        comune = row["residence_comune_id"]
        names[comune] = row["residence_comune__name"] or ""
        col = TOTAL if row["desk_id"] is None else str(row["desk_id"])
        by_comune[comune][col] += row["n"]
    ranked = sorted(
        (c for c in by_comune if c is not None),
        key=lambda c: (-by_comune[c][TOTAL], names[c]),
    )
    keys = cols.keys
    rows = [
        Row(names[c], tuple(by_comune[c][k] for k in keys), str(c)) for c in ranked[:TOP_COMUNI]
    ]
    others = ranked[TOP_COMUNI:]
    rows.append(
        Row(
            _("Altri comuni"),
            tuple(sum(by_comune[c][k] for c in others) for k in keys),
            "others",
        )
    )
    rows.append(Row(_("Residenza all'estero"), tuple(by_comune[None][k] for k in keys), "abroad"))
    return Table(
        key="comuni",
        title=_("Comuni di residenza (i primi %(n)s)") % {"n": TOP_COMUNI},
        columns=cols.headers,
        label_header=_("Comune"),
        rows=tuple(rows),
        total=_total_row(rows),
        definition=snapshot
        + _(
            "I comuni sono ordinati per numero di persone nel totale (a parità, per nome). "
            "Nei piccoli comuni un numero basso può identificare una persona: il foglio per "
            "l'esterno nasconde i valori piccoli."
        ),
        counts_people=True,
    )


def _referral_tables(referral_rows: list[dict[str, Any]]) -> dict[str, Table]:
    outcomes = ReferralOutcome.values
    columns = (*(str(label) for label in ReferralOutcome.labels), _("Totale"))
    definition = _(
        "Invii (segnalazioni e candidature) con data nel periodo, negli sportelli selezionati, "
        "per esito registrato a oggi."
    )

    def table(key: str, title: str, header: str, row_keys: list[tuple[str, str]], field: str):
        rows = []
        for row_key, label in row_keys:
            values = [
                sum(r["n"] for r in referral_rows if r[field] == row_key and r["outcome"] == o)
                for o in outcomes
            ]
            rows.append(Row(label, (*values, sum(values)), str(row_key)))
        return Table(
            key=key,
            title=title,
            columns=columns,
            label_header=header,
            rows=tuple(rows),
            total=_total_row(rows),
            definition=definition,
            counts_people=True,
        )

    kinds = [(value, str(label)) for value, label in ReferralKind.choices]
    partner_names = {r["partner_id"]: r["partner__name"] for r in referral_rows if r["partner_id"]}
    partners = sorted(partner_names.items(), key=lambda item: item[1])
    partners.append((None, _("Nessun partner")))
    return {
        "referral_kind": table(
            "referral_kind", _("Invii per tipo ed esito"), _("Tipo di invio"), kinds, "kind"
        ),
        "referral_partner": table(
            "referral_partner",
            _("Invii per partner ed esito"),
            _("Partner"),
            partners,
            "partner_id",
        ),
    }


def _change_table(counts: dict[tuple, int], previous: dict[str, int]) -> Table:
    people = counts[("people", "", TOTAL)]
    intakes = counts[("intakes", TOTAL)]
    meetings = counts[("attended", TOTAL)]
    current_mean = mean(counts[("mpp", "meetings", TOTAL)], counts[("mpp", "people", TOTAL)])
    previous_mean = mean(previous["own"], previous["people"])
    rows = []
    for key, label, now, before in (
        ("people", _("Persone accolte"), people, previous["people"]),
        ("intakes", _("Nuove prese in carico"), intakes, previous["intakes"]),
        ("meetings", _("Colloqui svolti"), meetings, previous["meetings"]),
        ("accesses", _("Accessi"), intakes + meetings, previous["intakes"] + previous["meetings"]),
        ("mean", _("Colloqui per persona (media)"), current_mean, previous_mean),
    ):
        if now is None or before is None:
            change = None
        else:
            change = round(now - before, 2) if key == "mean" else now - before
        rows.append(Row(label, (now, before, change, percent(change or 0, before or 0)), key))
    return Table(
        key="change",
        title=_("Confronto con il periodo precedente"),
        columns=(
            _("Periodo"),
            _("Periodo precedente"),
            _("Variazione"),
            _("Variazione %"),
        ),
        label_header=_("Dato"),
        rows=tuple(rows),
        total=None,
        definition=_(
            "Periodo precedente: della stessa durata e subito prima (per un trimestre, il "
            "trimestre precedente). Stesse definizioni delle altre tabelle, sul totale degli "
            "sportelli selezionati. La variazione percentuale manca quando il periodo "
            "precedente vale zero."
        ),
        counts_people=False,
    )


# --- The summary --------------------------------------------------------------------------


def _summary(
    start: dt.date,
    end: dt.date,
    desks: tuple[Desk, ...],
    tables: dict[str, Table],
    previous_start: dt.date,
    previous_end: dt.date,
) -> str:
    """A short Italian paragraph written from the figures, in the spirit of the article."""

    def total(table: str, row: str) -> int | float | None:
        found = next(r for r in tables[table].rows if r.key == row)
        return found.values[-1]

    span = {"start": fmt_date(start), "end": fmt_date(end)}
    who = (
        _("lo sportello di %(desk)s") % {"desk": desks[0].name}
        if len(desks) == 1
        else _("gli sportelli")
    )
    people = int(total("people", "people") or 0)
    intakes = int(total("people", "intakes") or 0)
    meetings = int(total("people", "meetings") or 0)
    if not people and not meetings:
        return _(
            "Dal %(start)s al %(end)s non risultano prese in carico né colloqui per %(who)s "
            "selezionati: tutte le tabelle valgono zero."
        ) % {**span, "who": who}
    parts: list[str] = []
    verb = _("ha accolto") if len(desks) == 1 else _("hanno accolto")
    parts.append(
        ngettext(
            "Dal %(start)s al %(end)s %(who)s %(verb)s %(people)s persona",
            "Dal %(start)s al %(end)s %(who)s %(verb)s %(people)s persone",
            people,
        )
        % {**span, "who": who, "verb": verb, "people": fmt_number(people)}
        + " "
        + ngettext("(%(n)s presa in carico)", "(%(n)s prese in carico)", intakes)
        % {"n": fmt_number(intakes)}
    )
    average = total("meetings_mean", "mean")
    if people:
        parts[-1] += _(", con una media di %(mean)s incontri ciascuna") % {
            "mean": fmt_number(average, 1)
        }
    parts[-1] += _("; in tutto %(accesses)s accessi tra prese in carico e colloqui.") % {
        "accesses": fmt_number(intakes + meetings)
    }
    if people:
        young = int(total("age_band", AgeBand.FROM_18_TO_35) or 0)
        casalasco = int(total("origin", Origin.CASALASCO) or 0)
        women = int(total("gender", Gender.WOMAN) or 0)
        parts.append(
            _(
                "%(young)s persone su %(people)s (%(young_pct)s%%) avevano tra 18 e 35 anni, "
                "%(local)s (%(local_pct)s%%) risiedono nel Distretto Casalasco e %(women)s "
                "sono donne."
            )
            % {
                "young": fmt_number(young),
                "people": fmt_number(people),
                "young_pct": fmt_number(percent(young, people)),
                "local": fmt_number(casalasco),
                "local_pct": fmt_number(percent(casalasco, people)),
                "women": fmt_number(women),
            }
        )
    recorded = int(tables["meeting_mode"].total.values[-1] or 0)
    if recorded:
        parts.append(
            _(
                "Il %(pct)s%% dei colloqui si è svolto a distanza "
                "(telefono, videochiamata o e-mail)."
            )
            % {"pct": fmt_number(total("meeting_shares", "remote"))}
        )
    before = next(r for r in tables["change"].rows if r.key == "people").values[1]
    parts.append(
        ngettext(
            "Nel periodo precedente (dal %(start)s al %(end)s) era stata accolta %(n)s persona.",
            "Nel periodo precedente (dal %(start)s al %(end)s) erano state accolte %(n)s persone.",
            int(before or 0),
        )
        % {
            "start": fmt_date(previous_start),
            "end": fmt_date(previous_end),
            "n": fmt_number(before),
        }
    )
    return " ".join(parts)
