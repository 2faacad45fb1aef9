"""ESF+ common output indicators for participants (Reg. (EU) 2021/1057, Annex I; DESIGN.md).

A participant is a person taken in during the period (counted once). Each indicator is a SQL
condition on the person's first intake in the period — the snapshot taken at the intake
(labour status, age, education, citizenship, comune of residence) — or, for the
special-category items, on the person's record. The result tables (``results``) count the
exits of the period and the six-month follow-ups due in it (app ``followup``). This module
declares each indicator once,
its label beside its condition, grouped in the tables of the page; ``reports.queries``
counts every condition by gender in the same query as the other person-level breakdowns, and
``reports.layout`` lays the counts out, every figure broken down by women, men and
non-binary people (plus "not stated", so that each row adds up to its total).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from casework.choices import (
    LONG_TERM_UNEMPLOYMENT_MONTHS,
    LONG_TERM_UNEMPLOYMENT_MONTHS_UNDER_25,
    Citizenship,
    EsfAgeBand,
    IscedBand,
    LabourStatus,
)
from followup.choices import TaskStatus
from reports.tables import Category

_UNEMPLOYED = Q(labour_status=LabourStatus.UNEMPLOYED)
_LONG_TERM = _UNEMPLOYED & (
    Q(unemployment_months__gt=LONG_TERM_UNEMPLOYMENT_MONTHS)
    | Q(age_at_intake__lt=25, unemployment_months__gt=LONG_TERM_UNEMPLOYMENT_MONTHS_UNDER_25)
)


@dataclass(frozen=True)
class EsfTable:
    """An ESF+ table: its indicators, each counted by gender."""

    key: str
    title: str
    definition: str
    indicators: tuple[Category, ...]
    special_category: bool = False  # art. 9 data: needs casework.view_special_category
    total: bool = False  # True when the indicators split the participants


def declared(*, include_special: bool) -> tuple[EsfTable, ...]:
    """Every ESF+ table the user may see, in the order of the page."""
    return tuple(
        table for table in (_labour(), _age(), _isced(), _other(), _special())
        if include_special or not table.special_category
    )  # fmt: skip


def _participants() -> str:
    return _(
        "Partecipanti = persone con una presa in carico nel periodo, contate una volta, "
        "con i dati rilevati alla prima presa in carico del periodo. "
    )


def _labour() -> EsfTable:
    definition = _(
        "Condizione dichiarata alla presa in carico. Disoccupato/a di lungo periodo: "
        "disoccupato/a da oltre %(months)s mesi, oppure da oltre %(months_u25)s mesi "
        "se con meno di 25 anni. Gli inattivi comprendono studenti e studentesse."
    ) % {
        "months": LONG_TERM_UNEMPLOYMENT_MONTHS,
        "months_u25": LONG_TERM_UNEMPLOYMENT_MONTHS_UNDER_25,
    }
    return EsfTable(
        "esf_labour",
        _("FSE+ · Condizione occupazionale"),
        _participants() + definition,
        (
            Category(
                "unemployed",
                _("Disoccupati/e, compresi i disoccupati di lungo periodo"),
                _UNEMPLOYED,
            ),
            Category(
                "long_term_unemployed",
                _("Disoccupati/e di lungo periodo (oltre 12 mesi; oltre 6 sotto i 25 anni)"),
                _LONG_TERM,
            ),
            Category(
                "inactive",
                _("Inattivi/e (compresi studenti e studentesse)"),
                Q(labour_status__in=(LabourStatus.INACTIVE, LabourStatus.STUDENT)),
            ),
            Category(
                "employed",
                _("Occupati/e, compresi i lavoratori autonomi"),
                Q(labour_status=LabourStatus.EMPLOYED),
            ),
        ),
    )


def _age() -> EsfTable:
    labels = {
        EsfAgeBand.UNDER_18: _("Meno di 18 anni"),
        EsfAgeBand.FROM_18_TO_29: _("Da 18 a 29 anni"),
        EsfAgeBand.FROM_30_TO_54: _("Da 30 a 54 anni (complemento, non è un indicatore)"),
        EsfAgeBand.FROM_55: _("55 anni e oltre"),
    }
    return EsfTable(
        "esf_age",
        _("FSE+ · Età"),
        _participants() + _("Età compiuta alla data della presa in carico."),
        tuple(
            Category(band.value, labels[band], Q(esf_age_band=band.value)) for band in EsfAgeBand
        ),
        total=True,
    )


def _isced() -> EsfTable:
    return EsfTable(
        "esf_isced",
        _("FSE+ · Livello di istruzione (ISCED)"),
        _participants() + _("Titolo di studio più alto, ricondotto alle fasce ISCED 2011."),
        tuple(
            Category(band.value, str(band.label), Q(isced_band=band.value)) for band in IscedBand
        ),
        total=True,
    )


def _other() -> EsfTable:
    return EsfTable(
        "esf_other",
        _("FSE+ · Cittadinanza, aree rurali, totale"),
        _participants()
        + _(
            "Paesi terzi: cittadinanza di un paese fuori dall'Unione europea. Aree rurali: "
            "comune di residenza alla presa in carico segnato come rurale nell'anagrafica "
            "dei comuni. Il dato vale quanto quella spunta: la impostano gli "
            "amministratori (predefinito: non rurale)."
        ),
        (
            Category(
                "third_country",
                _("Cittadini/e di paesi terzi (extra UE)"),
                Q(citizenship=Citizenship.NON_EU),
            ),
            Category("rural", _("Residenti in aree rurali"), Q(residence_comune__is_rural=True)),
            Category("total", _("Totale dei partecipanti"), Q()),
        ),
    )


def _special() -> EsfTable:
    return EsfTable(
        "esf_special",
        _("FSE+ · Dati particolari (art. 9 GDPR)"),
        _participants()
        + _(
            "Dati della scheda della persona, così come sono oggi; visibili solo a chi ha "
            "il permesso per i dati particolari. Chi non ha risposto non è contato."
        ),
        (
            Category(
                "disability", _("Partecipanti con disabilità"), Q(person__has_disability=True)
            ),
            Category(
                "foreign_background",
                _("Partecipanti con background migratorio"),
                Q(person__foreign_background=True),
            ),
            Category(
                "minority",
                _("Partecipanti appartenenti a minoranze (comprese le comunità emarginate)"),
                Q(person__is_minority=True),
            ),
            Category(
                "homeless",
                _("Senza dimora o in esclusione abitativa"),
                Q(person__is_homeless=True),
            ),
        ),
        special_category=True,
    )


# --- Results: at exit and six months after (followup) -------------------------------------


@dataclass(frozen=True)
class ResultTable:
    """An ESF+ result table: its indicators, each counted by gender on ``counted`` (the
    exits of the period, or the six-month follow-ups that fell due in it)."""

    key: str
    title: str
    definition: str
    indicators: tuple[Category, ...]
    counted: str  # "exits" (intakes) or "six_months" (follow-up tasks)


_KNOWN = Q(exit_situation__known=True)


def results() -> tuple[ResultTable, ...]:
    """The result tables, in the order of the page."""
    return (_exit_results(), _six_month_results())


def _exit_results() -> ResultTable:
    return ResultTable(
        "esf_exit",
        _("FSE+ · Risultati all'uscita"),
        _(
            "Persone uscite nel periodo: persone con una presa in carico chiusa nel periodo "
            "(data di chiusura tra il primo e l'ultimo giorno), contate una volta. Situazione "
            "in uscita registrata alla chiusura o con la verifica a quattro settimane, riferita "
            "a una data entro quattro settimane dalla chiusura, con la sua fonte (dichiarazione "
            "della persona, partner, comunicazioni obbligatorie). Una persona può stare in più "
            "righe (una qualifica e un lavoro): le righe non sommano al totale. Genere: quello "
            "rilevato alla presa in carico."
        ),
        (
            Category("left", _("Persone uscite nel periodo"), Q()),
            Category(
                "job_searching",
                _("In cerca di lavoro all'uscita"),
                _KNOWN & Q(exit_situation__job_searching=True),
            ),
            Category(
                "education",
                _("In istruzione o formazione all'uscita"),
                _KNOWN & Q(exit_situation__in_education=True),
            ),
            Category(
                "qualification",
                _("Hanno ottenuto una qualifica all'uscita"),
                _KNOWN & Q(exit_situation__qualification=True),
            ),
            Category(
                "employed",
                _("Occupati/e all'uscita, compresi i lavoratori autonomi"),
                _KNOWN & Q(exit_situation__employed=True),
            ),
            Category(
                "unknown",
                _("Situazione all'uscita non nota"),
                Q(exit_situation__isnull=True) | Q(exit_situation__known=False),
            ),
        ),
        counted="exits",
    )


def _six_month_results() -> ResultTable:
    answered = Q(status=TaskStatus.ANSWERED)
    return ResultTable(
        "esf_six_months",
        _("FSE+ · Risultati a sei mesi dall'uscita"),
        _(
            "Persone il cui follow-up a sei mesi dall'uscita cade nel periodo (sei mesi dopo "
            "la data di chiusura), contate una volta. Occupati/e: risposta registrata "
            "«occupato/a, compreso il lavoro autonomo». Situazione migliorata (definizione "
            "FSE+, solo per chi era occupato/a alla presa in carico): passaggio da un lavoro "
            "precario a uno stabile, da un impiego ridotto a uno a tempo pieno, a un lavoro "
            "che richiede più competenze o responsabilità, oppure una promozione. Senza "
            "risposta: attività ancora aperte o chiuse senza risposta."
        ),
        (
            Category("followed", _("Persone con follow-up a sei mesi nel periodo"), Q()),
            Category("answered", _("Risposta ottenuta"), answered),
            Category(
                "employed",
                _("Occupati/e a sei mesi, compresi i lavoratori autonomi"),
                answered & Q(employed=True),
            ),
            Category(
                "employed_at_intake",
                _("Occupati/e alla presa in carico"),
                Q(intake__labour_status=LabourStatus.EMPLOYED),
            ),
            Category(
                "improved",
                _("Con situazione lavorativa migliorata a sei mesi"),
                answered & Q(improved=True),
            ),
            Category("no_answer", _("Senza risposta"), ~answered),
        ),
        counted="six_months",
    )
