"""What each figure of the review counts, in Italian: the text of the page's notes and of the
workbook's "Definizioni" sheet. Functions, so that they are translated when called (in the
language of the request). The ESF+ tables carry theirs in ``reports/esf.py``."""

from __future__ import annotations

from django.utils.translation import gettext as _


def people() -> str:
    return _(
        "Persone accolte: persone distinte con almeno una presa in carico aperta nel "
        "periodo (data della presa in carico tra il primo e l'ultimo giorno, inclusi); chi è "
        "stato preso in carico in due sportelli conta una volta nel totale e una volta in "
        "ciascuno sportello. "
    )


def snapshot() -> str:
    """The people taken in, described by what was recorded at their first intake."""
    return people() + _(
        "Dati rilevati alla prima presa in carico della persona nel periodo (nelle colonne degli "
        "sportelli: alla prima presa in carico in quello sportello): un trasloco o un compleanno "
        "successivi non cambiano i periodi passati. "
    )


def accesses() -> str:
    return people() + _(
        "Nuove prese in carico: prese in carico aperte nel periodo. Colloqui svolti: "
        "colloqui tenuti nel periodo a cui la persona si è presentata, anche se la presa in "
        "carico è di un periodo precedente. Accessi: prese in carico più colloqui svolti."
    )


def meetings_per_person() -> str:
    return _(
        "Colloqui per persona: colloqui svolti nel periodo che appartengono alle prese in "
        "carico aperte nel periodo, per ciascuna persona accolta (nelle colonne degli "
        "sportelli: i colloqui in quello sportello). "
    )


def meetings_mean() -> str:
    return meetings_per_person() + _("Media: quei colloqui divisi per le persone accolte.")


def age() -> str:
    return _("Età compiuta alla presa in carico. ")


def origin() -> str:
    return _(
        "Provenienza dal comune di residenza (non dal luogo di nascita); il Distretto "
        "Casalasco sono i comuni soci del Con.Ca.S.S. segnati nell'anagrafica dei comuni."
    )


def isced() -> str:
    return _("Titolo di studio più alto, ricondotto alle fasce ISCED 2011.")


def groups() -> str:
    return _(
        "Neolaureati/e o neodiplomati/e e rientro dopo una pausa di cura: come indicati "
        "alla presa in carico; 45 anni o più: età alla presa in carico. Una persona può "
        "stare in più gruppi, per questo la tabella non ha totale."
    )


def comuni() -> str:
    return snapshot() + _(
        "I comuni sono ordinati per numero di persone nel totale (a parità, per nome). "
        "Nei piccoli comuni un numero basso può identificare una persona: il foglio per "
        "l'esterno nasconde i valori piccoli."
    )


def meetings() -> str:
    return _(
        "Colloqui registrati con data nel periodo, in tutte le prese in carico degli "
        "sportelli selezionati, comprese le mancate presentazioni. "
    )


def meeting_shares() -> str:
    return meetings() + _("Percentuali sul totale dei colloqui registrati.")


def referrals() -> str:
    return _(
        "Invii (segnalazioni e candidature) con data nel periodo, negli sportelli selezionati, "
        "per esito registrato a oggi."
    )


def trend() -> str:
    return _(
        "Per mese di calendario. Persone accolte: persone alla loro prima presa in carico "
        "del periodo, nel mese in cui è avvenuta (così i mesi sommano al totale del "
        "periodo). Il primo e l'ultimo mese possono essere parziali."
    )


def change() -> str:
    return _(
        "Periodo precedente: della stessa durata e subito prima (per un trimestre, il "
        "trimestre precedente). Stesse definizioni delle altre tabelle, sul totale degli "
        "sportelli selezionati. La variazione percentuale manca quando il periodo "
        "precedente vale zero."
    )


def appointments() -> str:
    return _(
        "Appuntamenti dell'agenda con data nel periodo, negli sportelli selezionati, per "
        "modalità, con l'esito registrato: svolti, non presentati o assenze giustificate "
        "(non contano quelli ancora da segnare, annullati o rinviati). "
    )


def no_show_rate() -> str:
    return appointments() + _(
        "Tasso di mancata presentazione: appuntamenti «non presentato» diviso gli "
        "appuntamenti con esito registrato, in percentuale."
    )
