"""The closed lists of the follow-through, with their Italian labels."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

# ESF+ (Reg. (EU) 2021/1057, Annex I): the immediate results are the situation "within four
# weeks of leaving"; the longer-term results six months after leaving.
EXIT_CHECK_DAYS = 28
SIX_MONTHS = 6
# The work list: tasks due within this many days; open cases idle for this many days.
DUE_SOON_DAYS = 7
IDLE_DAYS = 60


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


class ExitResult(models.TextChoices):
    """The ESF+ immediate results (a person may be in more than one: a qualification and a
    job); ``NONE`` is a known situation in none of them (e.g. inactive)."""

    JOB_SEARCHING = "ricerca", _("In cerca di lavoro")
    EDUCATION = "formazione", _("In istruzione o formazione")
    QUALIFICATION = "qualifica", _("Ha ottenuto una qualifica")
    EMPLOYED = "occupato", _("Occupato/a, compreso il lavoro autonomo")
    NONE = "nessuna", _("Nessuna di queste (ad esempio inattivo/a)")


class Source(models.TextChoices):
    STATEMENT = "dichiarazione", _("Dichiarazione della persona")
    PARTNER = "partner", _("Partner (agenzia, ente di formazione, servizio)")
    MANDATORY_NOTICES = "co", _("Comunicazioni obbligatorie")


class TaskKind(models.TextChoices):
    EXIT_CHECK = "uscita", _("Verifica della situazione in uscita (4 settimane)")
    SIX_MONTHS = "sei_mesi", _("Follow-up a sei mesi")

    def due_on(self, closed_on: dt.date) -> dt.date:
        if self is TaskKind.EXIT_CHECK:
            return closed_on + dt.timedelta(days=EXIT_CHECK_DAYS)
        return add_months(closed_on, SIX_MONTHS)


class TaskStatus(models.TextChoices):
    OPEN = "aperto", _("Da fare")
    ANSWERED = "risposta", _("Risposta registrata")
    UNREACHABLE = "irreperibile", _("Chiuso senza risposta")


class AttemptChannel(models.TextChoices):
    PHONE = "telefono", _("Telefono")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    IN_PERSON = "presenza", _("Di persona")


class AttemptOutcome(models.TextChoices):
    REACHED = "raggiunta", _("Persona raggiunta")
    NO_ANSWER = "nessuna_risposta", _("Nessuna risposta")
    MESSAGE_LEFT = "messaggio", _("Messaggio lasciato")
    WRONG_CONTACT = "recapito_errato", _("Recapito errato")
    REFUSED = "rifiuto", _("Non vuole rispondere")
