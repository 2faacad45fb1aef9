"""ESF+ common output indicators for participants (Reg. (EU) 2021/1057, Annex I; DESIGN.md).

A participant is a person taken in during the period (counted once). Each indicator is a SQL
condition on the person's first intake in the period — the snapshot taken at the intake
(labour status, age, education, citizenship, comune of residence) — or, for the
special-category items, on the person's record. ``reports.queries`` counts every condition
by gender in the same query as the other person-level breakdowns; this module names the
conditions and lays the counts out as tables, every figure broken down by women, men and
non-binary people (plus "not stated", so that each row adds up to its total).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from casework.choices import (
    LONG_TERM_UNEMPLOYMENT_MONTHS,
    LONG_TERM_UNEMPLOYMENT_MONTHS_UNDER_25,
    Citizenship,
    EsfAgeBand,
    Gender,
    IscedBand,
    LabourStatus,
)

if TYPE_CHECKING:
    from reports.queries import Table

_UNEMPLOYED = Q(labour_status=LabourStatus.UNEMPLOYED)
_LONG_TERM = _UNEMPLOYED & (
    Q(unemployment_months__gt=LONG_TERM_UNEMPLOYMENT_MONTHS)
    | Q(age_at_intake__lt=25, unemployment_months__gt=LONG_TERM_UNEMPLOYMENT_MONTHS_UNDER_25)
)

# (table key, special category?, [(row key, condition)])
_GROUPS: list[tuple[str, bool, list[tuple[str, Q]]]] = [
    (
        "esf_labour",
        False,
        [
            ("unemployed", _UNEMPLOYED),
            ("long_term_unemployed", _LONG_TERM),
            (
                "inactive",
                Q(labour_status__in=(LabourStatus.INACTIVE, LabourStatus.STUDENT)),
            ),
            ("employed", Q(labour_status=LabourStatus.EMPLOYED)),
        ],
    ),
    ("esf_age", False, [(band, Q(esf_age_band=band)) for band in EsfAgeBand.values]),
    ("esf_isced", False, [(band, Q(isced_band=band)) for band in IscedBand.values]),
    (
        "esf_other",
        False,
        [
            ("third_country", Q(citizenship=Citizenship.NON_EU)),
            ("rural", Q(residence_comune__is_rural=True)),
            ("total", Q()),
        ],
    ),
    (
        "esf_special",
        True,
        [
            ("disability", Q(person__has_disability=True)),
            ("foreign_background", Q(person__foreign_background=True)),
            ("minority", Q(person__is_minority=True)),
            ("homeless", Q(person__is_homeless=True)),
        ],
    ),
]

GENDER_COLUMNS = (Gender.WOMAN, Gender.MAN, Gender.NON_BINARY, Gender.NOT_STATED)


def conditions(*, include_special: bool) -> dict[str, Q]:
    """Row key -> SQL condition, for every indicator the user may see."""
    return {
        key: condition
        for _table, special, rows in _GROUPS
        if include_special or not special
        for key, condition in rows
    }


def _labels() -> dict[str, str]:
    return {
        "unemployed": _("Disoccupati/e, compresi i disoccupati di lungo periodo"),
        "long_term_unemployed": _(
            "Disoccupati/e di lungo periodo (oltre 12 mesi; oltre 6 sotto i 25 anni)"
        ),
        "inactive": _("Inattivi/e (compresi studenti e studentesse)"),
        "employed": _("Occupati/e, compresi i lavoratori autonomi"),
        EsfAgeBand.UNDER_18: _("Meno di 18 anni"),
        EsfAgeBand.FROM_18_TO_29: _("Da 18 a 29 anni"),
        EsfAgeBand.FROM_30_TO_54: _("Da 30 a 54 anni (complemento, non è un indicatore)"),
        EsfAgeBand.FROM_55: _("55 anni e oltre"),
        IscedBand.ISCED_0_2: str(IscedBand.ISCED_0_2.label),
        IscedBand.ISCED_3_4: str(IscedBand.ISCED_3_4.label),
        IscedBand.ISCED_5_8: str(IscedBand.ISCED_5_8.label),
        "third_country": _("Cittadini/e di paesi terzi (extra UE)"),
        "rural": _("Residenti in aree rurali"),
        "total": _("Totale dei partecipanti"),
        "disability": _("Partecipanti con disabilità"),
        "foreign_background": _("Partecipanti con background migratorio"),
        "minority": _("Partecipanti appartenenti a minoranze (comprese le comunità emarginate)"),
        "homeless": _("Senza dimora o in esclusione abitativa"),
    }


def _titles() -> dict[str, tuple[str, str]]:
    participants = _(
        "Partecipanti = persone con una presa in carico nel periodo, contate una volta, "
        "con i dati rilevati alla prima presa in carico del periodo. "
    )
    return {
        "esf_labour": (
            _("FSE+ · Condizione occupazionale"),
            participants
            + _(
                "Condizione dichiarata alla presa in carico. Disoccupato/a di lungo periodo: "
                "disoccupato/a da oltre %(months)s mesi, oppure da oltre %(months_u25)s mesi "
                "se con meno di 25 anni. Gli inattivi comprendono studenti e studentesse."
            )
            % {
                "months": LONG_TERM_UNEMPLOYMENT_MONTHS,
                "months_u25": LONG_TERM_UNEMPLOYMENT_MONTHS_UNDER_25,
            },
        ),
        "esf_age": (
            _("FSE+ · Età"),
            participants + _("Età compiuta alla data della presa in carico."),
        ),
        "esf_isced": (
            _("FSE+ · Livello di istruzione (ISCED)"),
            participants + _("Titolo di studio più alto, ricondotto alle fasce ISCED 2011."),
        ),
        "esf_other": (
            _("FSE+ · Cittadinanza, aree rurali, totale"),
            participants
            + _(
                "Paesi terzi: cittadinanza di un paese fuori dall'Unione europea. Aree rurali: "
                "comune di residenza alla presa in carico segnato come rurale nell'anagrafica "
                "dei comuni. Il dato vale quanto quella spunta: la impostano gli "
                "amministratori (predefinito: non rurale)."
            ),
        ),
        "esf_special": (
            _("FSE+ · Dati particolari (art. 9 GDPR)"),
            participants
            + _(
                "Dati della scheda della persona, così come sono oggi; visibili solo a chi ha "
                "il permesso per i dati particolari. Chi non ha risposto non è contato."
            ),
        ),
    }


def tables(counts: dict[tuple, int], *, include_special: bool) -> list[Table]:
    """The ESF+ tables from the per-gender counts computed by ``reports.queries``."""
    from reports.queries import Row, Table

    labels = _labels()
    titles = _titles()
    columns = (*(str(g.label) for g in GENDER_COLUMNS), _("Totale"))
    result: list[Table] = []
    for table_key, special, rows in _GROUPS:
        if special and not include_special:
            continue
        table_rows = []
        for key, _condition in rows:
            by_gender = [counts[("esf", key, g)] for g in GENDER_COLUMNS]
            table_rows.append(Row(label=labels[key], key=key, values=(*by_gender, sum(by_gender))))
        title, definition = titles[table_key]
        total = None
        if table_key in ("esf_age", "esf_isced"):  # these rows split the participants
            total = Row(
                label=_("Totale"),
                key="total",
                values=tuple(sum(int(r.values[i] or 0) for r in table_rows) for i in range(5)),
            )
        result.append(
            Table(
                key=table_key,
                title=title,
                columns=columns,
                label_header=_("Indicatore"),
                rows=tuple(table_rows),
                total=total,
                definition=definition,
                counts_people=True,
                special_category=special,
            )
        )
    return result
