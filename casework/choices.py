"""The closed lists of the domain, with their Italian labels and the behaviour they carry."""

from __future__ import annotations

import datetime as dt
import functools

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def label_of(choices: type[models.TextChoices], value: str) -> str:
    """The label of ``value`` in ``choices`` (the value itself when it is not among them).

    What ``get_FOO_display()`` gives, without building and hashing a dictionary of every
    label at each call (it did so for each row a large import wrote to the audit trail).
    """
    try:
        return _label(choices, value, translation.get_language())
    except ValueError:
        return str(value)


@functools.cache
def _label(choices: type[models.TextChoices], value: str, language: str | None) -> str:
    return str(choices(value).label)  # translated in ``language``, the active one


class Gender(models.TextChoices):
    WOMAN = "F", _("Donna")
    MAN = "M", _("Uomo")
    NON_BINARY = "X", _("Non binario")
    NOT_STATED = "N", _("Non dichiarato")


class Citizenship(models.TextChoices):
    ITALIAN = "IT", _("Italiana")
    EU = "UE", _("Altro paese UE")
    NON_EU = "EXTRA_UE", _("Paese extra UE")


class IscedBand(models.TextChoices):
    """The three ESF+ education bands."""

    ISCED_0_2 = "0-2", _("ISCED 0–2 (fino alla licenza media)")
    ISCED_3_4 = "3-4", _("ISCED 3–4 (diploma, qualifica, post-diploma)")
    ISCED_5_8 = "5-8", _("ISCED 5–8 (terziaria: ITS, laurea, dottorato)")


class EducationLevel(models.TextChoices):
    NONE = "nessuno", _("Nessun titolo")
    PRIMARY = "elementare", _("Licenza elementare")
    LOWER_SECONDARY = "media", _("Licenza media")
    VOCATIONAL = "qualifica", _("Qualifica professionale (IeFP)")
    UPPER_SECONDARY = "diploma", _("Diploma di scuola superiore")
    POST_SECONDARY = "post_diploma", _("Post-diploma non terziario (IFTS)")
    SHORT_TERTIARY = "its", _("ITS Academy")
    BACHELOR = "laurea", _("Laurea triennale")
    MASTER = "laurea_magistrale", _("Laurea magistrale o a ciclo unico")
    DOCTORATE = "dottorato", _("Dottorato")

    @property
    def isced_band(self) -> str:
        return EDUCATION_TO_ISCED[self.value]


EDUCATION_TO_ISCED: dict[str, str] = {
    EducationLevel.NONE: IscedBand.ISCED_0_2,
    EducationLevel.PRIMARY: IscedBand.ISCED_0_2,
    EducationLevel.LOWER_SECONDARY: IscedBand.ISCED_0_2,
    EducationLevel.VOCATIONAL: IscedBand.ISCED_3_4,
    EducationLevel.UPPER_SECONDARY: IscedBand.ISCED_3_4,
    EducationLevel.POST_SECONDARY: IscedBand.ISCED_3_4,
    EducationLevel.SHORT_TERTIARY: IscedBand.ISCED_5_8,
    EducationLevel.BACHELOR: IscedBand.ISCED_5_8,
    EducationLevel.MASTER: IscedBand.ISCED_5_8,
    EducationLevel.DOCTORATE: IscedBand.ISCED_5_8,
}


class LabourStatus(models.TextChoices):
    UNEMPLOYED = "disoccupato", _("Disoccupato/a")
    INACTIVE = "inattivo", _("Inattivo/a (non cerca lavoro)")
    EMPLOYED = "occupato", _("Occupato/a (anche autonomo)")
    STUDENT = "studente", _("Studente/ssa")


# ESF+: long-term unemployed = more than 12 months (more than 6 below 25 years of age).
LONG_TERM_UNEMPLOYMENT_MONTHS = 12
LONG_TERM_UNEMPLOYMENT_MONTHS_UNDER_25 = 6


class AgeBand(models.TextChoices):
    """The desks' own bands (DESIGN.md)."""

    UNDER_18 = "u18", _("meno di 18")
    FROM_18_TO_35 = "18-35", _("18–35")
    FROM_36_TO_44 = "36-44", _("36–44")
    FROM_45_TO_54 = "45-54", _("45–54")
    FROM_55 = "55+", _("55 e oltre")

    @classmethod
    def for_age(cls, age: int) -> AgeBand:
        if age < 18:
            return cls.UNDER_18
        if age <= 35:
            return cls.FROM_18_TO_35
        if age <= 44:
            return cls.FROM_36_TO_44
        if age <= 54:
            return cls.FROM_45_TO_54
        return cls.FROM_55


class EsfAgeBand(models.TextChoices):
    """The ESF+ common indicator bands."""

    UNDER_18 = "u18", _("meno di 18")
    FROM_18_TO_29 = "18-29", _("18–29")
    FROM_30_TO_54 = "30-54", _("30–54")
    FROM_55 = "55+", _("55 e oltre")

    @classmethod
    def for_age(cls, age: int) -> EsfAgeBand:
        if age < 18:
            return cls.UNDER_18
        if age <= 29:
            return cls.FROM_18_TO_29
        if age <= 54:
            return cls.FROM_30_TO_54
        return cls.FROM_55


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Completed years on a date: the age on the day of the intake, not today."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


class IntakeChannel(models.TextChoices):
    WALK_IN = "spontaneo", _("Accesso spontaneo allo sportello")
    PHONE = "telefono", _("Telefono")
    EMAIL = "email", _("E-mail o modulo online")
    SOCIAL_SERVICES = "servizi_sociali", _("Invio dai servizi sociali")
    JOB_CENTRE = "cpi", _("Invio dal Centro per l'impiego")
    PARTNER = "partner", _("Invio da un partner di progetto")
    WORD_OF_MOUTH = "passaparola", _("Passaparola o stampa")


class AckChannel(models.TextChoices):
    """How a person was given the privacy notice (like the meetings themselves)."""

    IN_PERSON = "presenza", _("In presenza")
    PHONE = "telefono", _("Telefono")
    EMAIL = "email", _("E-mail")
    VIDEO = "video", _("Videochiamata")

    @classmethod
    def for_intake(cls, channel: str) -> AckChannel:
        """How the notice was given, from how the intake came in (a walk-in, a referral:
        in person)."""
        by_intake: dict[str, AckChannel] = {
            IntakeChannel.PHONE: cls.PHONE,
            IntakeChannel.EMAIL: cls.EMAIL,
        }
        return by_intake.get(channel, cls.IN_PERSON)


class Need(models.TextChoices):
    GUIDANCE = "orientamento", _("Orientamento")
    JOB_SEARCH = "ricerca_attiva", _("Ricerca attiva del lavoro (CV, canali, colloqui)")
    TRAINING = "formazione", _("Corsi di formazione o specializzazione")
    INTERNSHIP = "tirocinio", _("Tirocinio")
    MEASURES = "misure", _("Informazioni su misure attive (GOL, Dote Unica, Garanzia Giovani)")
    OTHER = "altro", _("Altro")


class IntakeStatus(models.TextChoices):
    OPEN = "aperta", _("Aperta")
    CLOSED = "chiusa", _("Chiusa")


class ClosureReason(models.TextChoices):
    HIRED = "assunzione", _("Ha trovato lavoro")
    INTERNSHIP = "tirocinio", _("Ha avviato un tirocinio")
    COURSE = "corso", _("Ha avviato un corso")
    GOALS_MET = "obiettivi", _("Obiettivi raggiunti")
    OTHER_SERVICE = "altro_servizio", _("Preso in carico da un altro servizio")
    WITHDRAWN = "ritiro", _("Ha rinunciato o non è più reperibile")
    MOVED = "trasferimento", _("Trasferito fuori territorio")
    OTHER = "altro", _("Altro")


class MeetingMode(models.TextChoices):
    IN_PERSON = "presenza", _("In presenza")
    PHONE = "telefono", _("Telefono")
    VIDEO = "video", _("Videochiamata")
    EMAIL = "email", _("E-mail")

    @property
    def is_remote(self) -> bool:
        return self is not MeetingMode.IN_PERSON


REMOTE_MODES = (MeetingMode.PHONE, MeetingMode.VIDEO, MeetingMode.EMAIL)


class ReferralKind(models.TextChoices):
    VOCATIONAL_COURSE = "corso_professionale", _("Corso professionale")
    SPECIALISATION_COURSE = "corso_specializzazione", _("Corso di specializzazione")
    JOB_CANDIDACY = "candidatura", _("Candidatura a un'offerta di lavoro")
    INTERNSHIP = "tirocinio", _("Tirocinio")
    SIL = "sil", _("Servizio Inserimenti Lavorativi (SIL)")
    GOL = "gol", _("Programma GOL")
    DOTE_UNICA = "dote_unica", _("Dote Unica Lavoro")
    GARANZIA_GIOVANI = "garanzia_giovani", _("Garanzia Giovani")
    OTHER_MEASURE = "altra_misura", _("Altra misura o servizio")


class ReferralOutcome(models.TextChoices):
    PENDING = "in_corso", _("In corso, nessun esito")
    HIRED = "assunzione", _("Assunzione")
    INTERNSHIP_STARTED = "tirocinio_avviato", _("Tirocinio avviato")
    COURSE_STARTED = "corso_avviato", _("Corso avviato")
    QUALIFICATION = "qualifica", _("Qualifica o attestato conseguito")
    NOT_SELECTED = "non_selezionato", _("Non selezionato/a")
    WITHDRAWN = "rinuncia", _("Rinuncia")
    NO_RESPONSE = "nessuna_risposta", _("Nessuna risposta")

    @property
    def is_positive(self) -> bool:
        return self in POSITIVE_OUTCOMES


POSITIVE_OUTCOMES = (
    ReferralOutcome.HIRED,
    ReferralOutcome.INTERNSHIP_STARTED,
    ReferralOutcome.COURSE_STARTED,
    ReferralOutcome.QUALIFICATION,
)


class PartnerKind(models.TextChoices):
    AGENCY = "agenzia", _("Agenzia per il lavoro accreditata")
    SOCIAL_ENTERPRISE = "impresa_sociale", _("Impresa sociale")
    PUBLIC_SERVICE = "servizio_pubblico", _("Servizio pubblico")
    TRAINING = "ente_formazione", _("Ente di formazione")
    EMPLOYER = "azienda", _("Azienda")
    OTHER = "altro", _("Altro")


class CrossDeskReason(models.TextChoices):
    """Why a desk takes in a person whose cases are all at other desks (review M6)."""

    MOVED = "trasferimento", _("La persona si è trasferita o frequenta ora questo sportello")
    OWN_REQUEST = "richiesta_persona", _("Su richiesta della persona")
    REFERRED = "invio_servizio", _("Inviata da un altro servizio o dall'altro sportello")
    JOINT = "progetto_condiviso", _("Percorso condiviso con l'altro sportello")
    OTHER = "altro", _("Altro motivo (da specificare)")
