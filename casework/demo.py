"""Synthetic demo data and the demo logins (``manage.py demo_data``).

Realistic, reproducible from a seed, and fast enough for the benchmarks: one million
meetings in a few minutes. People are generated in chronological chunks; each chunk is
written with one multi-row statement per table (``executemany`` on SQLite, ``COPY`` on
PostgreSQL) inside one transaction, with ids assigned here so that meetings, their
activities and referrals can point at rows that are not yet read back. The database's
constraints and guard triggers still check every row.

What reports group by is computed by the models' own code, never re-implemented here:
``Intake.take_snapshot`` for the intake snapshot and ``Person.build_search_key`` for the
search column, both called on a light record (the same attribute names) instead of a model
instance, because building a million model instances would cost more than the inserts.
Codici fiscali come from the library's encoders, as in ``casework.fiscal_code.encode``,
with the surname, name and birth-date parts cached.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import time
import unicodedata
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from codicefiscale import codicefiscale as cf
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import roles
from casework.choices import (
    POSITIVE_OUTCOMES,
    ClosureReason,
    EducationLevel,
    Gender,
    IntakeChannel,
    IntakeStatus,
    LabourStatus,
    MeetingMode,
    Need,
    ReferralKind,
    ReferralOutcome,
)
from casework.models import Activity, Intake, Meeting, Partner, Person, Referral
from sportelli.models import Comune, Country, Desk

ROME = zoneinfo.ZoneInfo("Europe/Rome")

# --- Demo logins --------------------------------------------------------------------------

DEMO_PASSWORD = "demo-activitycr"  # noqa: S105 - printed on purpose; refused in production


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: str
    desks: tuple[str, ...] = ()
    is_admin: bool = False


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("op.casalmaggiore", roles.OPERATOR, ("casalmaggiore",)),
    DemoLogin("op.piadena", roles.OPERATOR, ("piadena-drizzona",)),
    DemoLogin("op.sangiovanni", roles.OPERATOR, ("san-giovanni-in-croce",)),
    DemoLogin("op.gussola", roles.OPERATOR, ("gussola",)),
    DemoLogin("op.multi", roles.OPERATOR, ("piadena-drizzona", "san-giovanni-in-croce")),
    DemoLogin("udp", roles.PLANNING_OFFICE),
    DemoLogin("admin", roles.ADMINISTRATOR, is_admin=True),
)


class DemoRefused(Exception):
    """Demo data or logins asked for where they must not exist (production)."""


def refuse_in_production() -> None:
    if settings.PRODUCTION:
        raise DemoRefused(
            _(
                "In produzione (PRODUCTION=true) non si creano dati né accessi dimostrativi: "
                "gli accessi demo hanno una password pubblica."
            )
        )


@transaction.atomic
def ensure_demo_logins() -> list[User]:
    """Create the demo logins that are missing and fix their role and desks (idempotent).

    A login that already exists keeps its password; a new one gets ``DEMO_PASSWORD``.
    """
    refuse_in_production()
    desks = {d.slug: d for d in Desk.objects.all()}
    groups = {g.name: g for g in Group.objects.filter(name__in={lg.role for lg in DEMO_LOGINS})}
    password_hash: str | None = None
    users = []
    for login in DEMO_LOGINS:
        user = User.objects.filter(username=login.username).first()
        if user is None:
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user = User(username=login.username, password=password_hash)
        user.is_active = True
        user.is_staff = login.is_admin
        user.is_superuser = login.is_admin
        user.save()
        user.groups.add(groups[login.role])
        for slug in login.desks:
            if slug in desks:
                desks[slug].operators.add(user)
        users.append(user)
    return users


def describe_login(login: DemoLogin) -> str:
    desks = {d.slug: d.name for d in Desk.objects.filter(slug__in=login.desks)}
    where = ", ".join(desks[s] for s in login.desks if s in desks)
    return f"{login.role} — {where}" if where else login.role


# --- Reference lists (synthetic; names are common, not of real people) --------------------


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES_IT = _words(
    "Rossi Ferrari Bianchi Colombo Bertoli Bonvicini Superti Zanoni Ghisolfi Feraboli Bodini "
    "Galli Zaffanella Azzali Bassi Bertolotti Rizzi Araldi Storti Vezzoni Tosi Mantovani "
    "Pezzini Frosi Barbieri Bettoni Gandolfi Marenghi Capelli Sanfelici Stringhini Toscani "
    "Bolzoni Ghezzi Corbari Carra Gozzi Ruggeri Maffezzoni Bernardi Bellini Tirelli Gualtieri "
    "Mondini Manfredini Bergamaschi Ferrarini Arcari Zanichelli Cavalli Bonaldi Zanetti "
    "Pedrazzini Bottoli Anselmi Guarneri Ghidetti Viola Pasquali Ravara Chiozzi Conti Fontana "
    "Moretti Ricci Marchetti Lombardi Martini Grandi Negri Zani Cantoni Freddi Ziliani "
    "Bazzani Aroldi Rebecchi Soldi Gorni Frigeri Nolli Bergonzi Vaccari Cerioli Sartori "
    "Mazzolari Feroldi Scaglioni Ventura Esposito Russo Romano Greco Bruno Gallo Costa"
) + ["Lodi Rizzini", "Dall'Asta", "Dalla Costa", "De Santis", "Dell'Aglio", "Nicolò"]
FIRST_NAMES_IT = {
    "F": _words(
        "Giulia Chiara Sara Francesca Martina Elena Valentina Silvia Alessia Federica Laura "
        "Anna Paola Elisa Serena Roberta Monica Barbara Cristina Daniela Manuela Giorgia "
        "Alice Beatrice Greta Noemi Marta Ilaria Veronica Sofia Aurora Lucia Stefania Erica"
    ),
    "M": _words(
        "Marco Luca Andrea Paolo Matteo Alessandro Davide Simone Stefano Francesco Lorenzo "
        "Riccardo Federico Giorgio Massimo Roberto Fabio Daniele Michele Gabriele Emanuele "
        "Tommaso Filippo Giacomo Mattia Nicola Pietro Enrico Claudio Mirko Alberto Diego"
    )
    + ["Nicolò", "Mosè"],
}
# Born abroad: country code (codice fiscale), weight, group of names.
BIRTH_COUNTRIES = (
    ("Z129", 5.0, "ro"),
    ("Z127", 0.8, "ro"),
    ("Z104", 0.7, "ro"),
    ("Z330", 4.0, "ar"),
    ("Z336", 1.0, "ar"),
    ("Z352", 1.0, "ar"),
    ("Z222", 4.0, "in"),
    ("Z236", 1.2, "in"),
    ("Z249", 0.6, "in"),
    ("Z100", 2.0, "al"),
    ("Z138", 2.0, "ua"),
    ("Z140", 1.0, "ua"),
    ("Z343", 1.5, "af"),
    ("Z335", 1.0, "af"),
    ("Z318", 1.0, "af"),
    ("Z210", 1.0, "cn"),
    ("Z216", 0.5, "cn"),
    ("Z602", 0.5, "la"),
    ("Z611", 0.5, "la"),
)
FOREIGN_NAMES = {
    "ro": (
        "Popescu Ionescu Stan Dumitru Constantin Moldovan Kowalski Nowak Petrov",
        "Andrei Mihai Ionut Bogdan Piotr",
        "Elena Ioana Maria Andreea Agnieszka",
    ),
    "ar": (
        "El Amrani Benali Haddad Mansour Trabelsi Saidi Farouk",
        "Mohamed Youssef Karim Omar Ahmed",
        "Fatima Amina Khadija Salma Yasmine",
    ),
    "in": (
        "Singh Kaur Kumar Sharma Ali Khan Hossain",
        "Gurpreet Harpreet Rajesh Amit Imran",
        "Simran Priya Navdeep Sunita Ayesha",
    ),
    "al": (
        "Hoxha Shehu Berisha Krasniqi Gjoka",
        "Arben Ergys Klajdi Besnik Ardit",
        "Elira Anisa Klea Jonida Arta",
    ),
    "ua": (
        "Shevchenko Kovalenko Bondarenko Tkachenko Rusu Ceban",
        "Oleksandr Andrii Dmytro Serghei Ion",
        "Olena Iryna Natalia Tetiana Svetlana",
    ),
    "af": (
        "Diop Ndiaye Fall Okafor Mensah Boateng Traore",
        "Mamadou Ibrahima Chinedu Kwame Moussa",
        "Awa Fatou Grace Aminata Blessing",
    ),
    "cn": (
        "Wang Li Zhang Chen Liu Santos Reyes",
        "Wei Jun Hao Jose Mark",
        "Mei Xin Ying Maria Joy",
    ),
    "la": (
        "Silva Oliveira Quispe Flores Souza Mendoza",
        "Joao Carlos Luis Diego Rafael",
        "Ana Camila Rosa Daniela Beatriz",
    ),
}

CASALASCO_WEIGHTS = {
    "Casalmaggiore": 15.0,
    "Piadena Drizzona": 4.0,
    "Gussola": 2.8,
    "San Giovanni in Croce": 1.9,
    "Rivarolo del Re ed Uniti": 2.0,
    "Martignana di Po": 2.0,
    "Scandolara Ravara": 1.4,
    "Cingia de' Botti": 1.2,
    "Calvatone": 1.2,
    "Motta Baluffi": 0.9,
    "Solarolo Rainerio": 1.0,
    "Torricella del Pizzo": 0.6,
    "Casteldidone": 0.6,
    "Spineda": 0.6,
    "San Martino del Lago": 0.5,
    "Tornata": 0.5,
    "Voltido": 0.4,
}
NEAR_COMUNI = {  # neighbours outside the district, by weight
    "Cremona": 5.0,
    "Torre de' Picenardi": 1.0,
    "San Daniele Po": 1.0,
    "Isola Dovarese": 0.8,
    "Pieve San Giacomo": 0.8,
    "Viadana": 5.0,
    "Sabbioneta": 2.0,
    "Bozzolo": 2.0,
    "Rivarolo Mantovano": 1.5,
    "Dosolo": 1.0,
    "Pomponesco": 1.0,
    "Commessaggio": 0.8,
    "Marcaria": 1.2,
    "Mantova": 1.5,
    "Colorno": 1.5,
    "Parma": 1.0,
    "Sissa Trecasali": 0.6,
    "Brescia": 0.5,
    "Milano": 0.5,
}
# Shares of residence: district, named neighbours, anywhere in CR/MN, anywhere else, abroad.
RESIDENCE_SHARES = (
    ("casalasco", 83.0),
    ("near", 9.0),
    ("province", 4.5),
    ("italy", 2.5),
    ("abroad", 1.0),
)

DESK_WEIGHTS = {
    "casalmaggiore": 1.6,
    "piadena-drizzona": 0.9,
    "san-giovanni-in-croce": 0.8,
    "gussola": 0.8,
}
# Opening dates the seed data leaves empty ("between February and April 2021").
ASSUMED_OPENING = dt.date(2021, 2, 15)
# The article's first quarter: 72 people taken in from the first opening to 30 April 2021.
ARTICLE_QUARTER = (dt.date(2021, 1, 28), dt.date(2021, 4, 30))
ARTICLE_PEOPLE = 72

# Meetings per person: 0..5, mean about 2 (the article: "in media 2 incontri").
MEETINGS_PER_PERSON = (0.10, 0.26, 0.32, 0.19, 0.08, 0.05)
REFERRALS_PER_INTAKE = (0.55, 0.30, 0.12, 0.03)  # mean about 0.63
AGE_BRACKETS = (
    ((16, 17), 1.5),
    ((18, 24), 24.0),
    ((25, 29), 20.0),
    ((30, 35), 16.0),
    ((36, 44), 13.0),
    ((45, 54), 18.0),
    ((55, 64), 7.5),
)
GENDERS = (
    (Gender.WOMAN, 52.0),
    (Gender.MAN, 45.5),
    (Gender.NON_BINARY, 1.2),
    (Gender.NOT_STATED, 1.3),
)
E = EducationLevel
EDUCATION_BY_AGE = {  # (young < 30, middle < 45, older)
    "young": (
        (E.NONE, 1),
        (E.PRIMARY, 1),
        (E.LOWER_SECONDARY, 18),
        (E.VOCATIONAL, 14),
        (E.UPPER_SECONDARY, 38),
        (E.POST_SECONDARY, 2),
        (E.SHORT_TERTIARY, 3),
        (E.BACHELOR, 13),
        (E.MASTER, 9),
        (E.DOCTORATE, 1),
    ),
    "middle": (
        (E.NONE, 2),
        (E.PRIMARY, 2),
        (E.LOWER_SECONDARY, 22),
        (E.VOCATIONAL, 14),
        (E.UPPER_SECONDARY, 33),
        (E.POST_SECONDARY, 2),
        (E.SHORT_TERTIARY, 2),
        (E.BACHELOR, 11),
        (E.MASTER, 11),
        (E.DOCTORATE, 1),
    ),
    "older": (
        (E.NONE, 3),
        (E.PRIMARY, 6),
        (E.LOWER_SECONDARY, 35),
        (E.VOCATIONAL, 16),
        (E.UPPER_SECONDARY, 28),
        (E.POST_SECONDARY, 1),
        (E.SHORT_TERTIARY, 0.5),
        (E.BACHELOR, 5),
        (E.MASTER, 5),
        (E.DOCTORATE, 0.5),
    ),
}
L = LabourStatus
LABOUR_BY_AGE = {
    "minor": ((L.STUDENT, 70), (L.UNEMPLOYED, 20), (L.INACTIVE, 10)),
    "young": ((L.UNEMPLOYED, 55), (L.STUDENT, 20), (L.INACTIVE, 10), (L.EMPLOYED, 15)),
    "adult": ((L.UNEMPLOYED, 62), (L.INACTIVE, 15), (L.EMPLOYED, 23)),
    "older": ((L.UNEMPLOYED, 65), (L.INACTIVE, 20), (L.EMPLOYED, 15)),
}
CHANNELS = (
    (IntakeChannel.WALK_IN, 35),
    (IntakeChannel.PHONE, 15),
    (IntakeChannel.EMAIL, 8),
    (IntakeChannel.SOCIAL_SERVICES, 12),
    (IntakeChannel.JOB_CENTRE, 12),
    (IntakeChannel.PARTNER, 8),
    (IntakeChannel.WORD_OF_MOUTH, 10),
)
NEEDS = {
    Need.GUIDANCE: (
        "Capire quale lavoro cercare dopo gli studi.",
        "Fare il punto sulle proprie competenze.",
        "",
    ),
    Need.JOB_SEARCH: (
        "Aggiornare il curriculum e capire quali canali usare.",
        "Prepararsi ai colloqui di lavoro.",
        "",
    ),
    Need.TRAINING: (
        "Cerca un corso di specializzazione in zona.",
        "Vuole riqualificarsi dopo la chiusura dell'azienda.",
        "",
    ),
    Need.INTERNSHIP: ("Interessata/o a un tirocinio in azienda.", ""),
    Need.MEASURES: (
        "Chiede informazioni su GOL e Dote Unica Lavoro.",
        "Chiede informazioni su Garanzia Giovani.",
        "",
    ),
    Need.OTHER: ("Informazioni generali sui servizi del territorio.",),
}
NEED_WEIGHTS = (
    (Need.GUIDANCE, 30),
    (Need.JOB_SEARCH, 35),
    (Need.TRAINING, 15),
    (Need.INTERNSHIP, 8),
    (Need.MEASURES, 10),
    (Need.OTHER, 2),
)
# Remote meetings were the rule while public offices were closed (spring 2021).
MODES_2021H1 = (
    (MeetingMode.IN_PERSON, 45),
    (MeetingMode.PHONE, 30),
    (MeetingMode.VIDEO, 18),
    (MeetingMode.EMAIL, 7),
)
MODES_LATER = (
    (MeetingMode.IN_PERSON, 62),
    (MeetingMode.PHONE, 20),
    (MeetingMode.VIDEO, 12),
    (MeetingMode.EMAIL, 6),
)
REMOTE_UNTIL = dt.date(2021, 6, 1)
SHOW_RATE = {
    MeetingMode.IN_PERSON: 0.90,
    MeetingMode.PHONE: 0.93,
    MeetingMode.VIDEO: 0.92,
    MeetingMode.EMAIL: 0.98,
}
DURATIONS = {
    MeetingMode.IN_PERSON: (30, 45, 45, 60, 60, 90),
    MeetingMode.VIDEO: (30, 45, 45, 60),
    MeetingMode.PHONE: (15, 20, 30, 30, 45),
    MeetingMode.EMAIL: (10, 15, 20),
}
MEETING_NOTES = (
    "",
    "",
    "",
    "",
    "Curriculum rivisto insieme.",
    "Individuati tre annunci da inviare.",
    "Simulazione di colloquio.",
    "Iscrizione al portale regionale.",
    "Da ricontattare dopo l'esito della candidatura.",
)
NO_SHOW_NOTE = "Non si è presentata/o: ricontattata/o per un nuovo appuntamento."
ACTIVITY_WEIGHTS = {
    "orientamento": 5,
    "bilancio-competenze": 3,
    "cv": 5,
    "canali-ricerca": 4,
    "preparazione-colloquio": 3,
    "info-corsi": 3,
    "info-misure": 3,
    "candidatura": 3,
}
K = ReferralKind
REFERRAL_KINDS = (
    (K.VOCATIONAL_COURSE, 18),
    (K.SPECIALISATION_COURSE, 8),
    (K.JOB_CANDIDACY, 30),
    (K.INTERNSHIP, 14),
    (K.SIL, 6),
    (K.GOL, 12),
    (K.DOTE_UNICA, 6),
    (K.GARANZIA_GIOVANI, 8),
    (K.OTHER_MEASURE, 4),
)
REFERRAL_PARTNERS = {  # partner name (or None), weight
    K.JOB_CANDIDACY: (("Mestieri Lombardia", 70), ("Energheia Impresa Sociale", 30)),
    K.INTERNSHIP: (
        ("Mestieri Lombardia", 60),
        ("SIL Con.Ca.S.S.", 25),
        ("Energheia Impresa Sociale", 15),
    ),
    K.SIL: (("SIL Con.Ca.S.S.", 1),),
    K.VOCATIONAL_COURSE: (
        ("Energheia Impresa Sociale", 60),
        ("Mestieri Lombardia", 20),
        (None, 20),
    ),
    K.SPECIALISATION_COURSE: (("Energheia Impresa Sociale", 50), (None, 50)),
    K.GOL: (("Mestieri Lombardia", 50), (None, 50)),
    K.DOTE_UNICA: (("Mestieri Lombardia", 60), (None, 40)),
    K.GARANZIA_GIOVANI: (("Mestieri Lombardia", 50), (None, 50)),
    K.OTHER_MEASURE: (("Energheia Impresa Sociale", 30), (None, 70)),
}
REFERRAL_DESCRIPTIONS = {
    K.VOCATIONAL_COURSE: (
        "Corso per operatore di magazzino e carrellista",
        "Corso di saldatura",
        "Corso ASA/OSS",
        "Corso di contabilità di base",
    ),
    K.SPECIALISATION_COURSE: (
        "Corso di specializzazione in logistica",
        "Corso CAD",
        "Corso di lingua inglese B1",
    ),
    K.JOB_CANDIDACY: (
        "Addetto/a al confezionamento",
        "Operaio/a agroalimentare",
        "Impiegato/a amministrativo/a",
        "Magazziniere/a",
        "Addetto/a alle pulizie",
        "Commesso/a",
    ),
    K.INTERNSHIP: (
        "Tirocinio in azienda metalmeccanica",
        "Tirocinio in cooperativa sociale",
        "Tirocinio in ufficio amministrativo",
    ),
    K.SIL: ("Percorso di inserimento lavorativo",),
    K.GOL: ("Patto di servizio GOL",),
    K.DOTE_UNICA: ("Dote Unica Lavoro",),
    K.GARANZIA_GIOVANI: ("Adesione a Garanzia Giovani",),
    K.OTHER_MEASURE: ("Servizio di conciliazione", ""),
}
Out = ReferralOutcome
OUTCOMES = {
    "candidacy": (
        (Out.HIRED, 20),
        (Out.NOT_SELECTED, 35),
        (Out.NO_RESPONSE, 20),
        (Out.WITHDRAWN, 5),
        (Out.PENDING, 20),
    ),
    "internship": (
        (Out.INTERNSHIP_STARTED, 50),
        (Out.WITHDRAWN, 10),
        (Out.PENDING, 15),
        (Out.NOT_SELECTED, 15),
        (Out.NO_RESPONSE, 10),
    ),
    "course": (
        (Out.COURSE_STARTED, 45),
        (Out.QUALIFICATION, 15),
        (Out.WITHDRAWN, 12),
        (Out.PENDING, 18),
        (Out.NO_RESPONSE, 10),
    ),
    "measure": (
        (Out.PENDING, 30),
        (Out.COURSE_STARTED, 20),
        (Out.HIRED, 10),
        (Out.INTERNSHIP_STARTED, 10),
        (Out.WITHDRAWN, 10),
        (Out.NO_RESPONSE, 20),
    ),
    "sil": ((Out.INTERNSHIP_STARTED, 40), (Out.HIRED, 10), (Out.PENDING, 40), (Out.WITHDRAWN, 10)),
}
OUTCOME_GROUP = {
    K.JOB_CANDIDACY: "candidacy",
    K.INTERNSHIP: "internship",
    K.SIL: "sil",
    K.VOCATIONAL_COURSE: "course",
    K.SPECIALISATION_COURSE: "course",
}
CLOSURE_FOR_OUTCOME = {
    Out.HIRED: ClosureReason.HIRED,
    Out.INTERNSHIP_STARTED: ClosureReason.INTERNSHIP,
    Out.COURSE_STARTED: ClosureReason.COURSE,
    Out.QUALIFICATION: ClosureReason.GOALS_MET,
}
CLOSURES = (
    (ClosureReason.GOALS_MET, 25),
    (ClosureReason.WITHDRAWN, 35),
    (ClosureReason.OTHER_SERVICE, 15),
    (ClosureReason.MOVED, 10),
    (ClosureReason.OTHER, 15),
)
HOLIDAYS = {(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)}
SECOND_DESK_SHARE = 0.05
CHUNK_PEOPLE = 5000
DIGIT_POSITIONS = (14, 13, 12, 10, 9, 7, 6)  # omocodia replaces digits from the right
OMOCODIA = dict(zip("0123456789", "LMNPQRSTUV", strict=True))


class Weighted:
    """Pick from weighted items with one random number (faster than random.choices)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Iterable[tuple[object, float]]) -> None:
        pairs = [(item, w) for item, w in pairs if w > 0]
        self.items = [item for item, _w in pairs]
        self.cum, total = [], 0.0
        for _item, w in pairs:
            total += w
            self.cum.append(total)
        self.total = total

    def __call__(self, rng: random.Random):  # noqa: ANN204
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _values(pairs: Iterable[tuple[models.TextChoices, float]]) -> Weighted:
    return Weighted((str(choice.value), w) for choice, w in pairs)


# --- Writing rows -------------------------------------------------------------------------


class _Table:
    """Rows for one table: the columns the generator fills, then every other column at its
    model default (so a field added later does not break the command), ``auto_now`` at now."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], now: dt.datetime) -> None:
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        by_attname = {f.attname: f for f in meta.concrete_fields}
        unknown = set(columns) - set(by_attname)
        if unknown:
            raise ValueError(f"{self.table}: unknown columns {sorted(unknown)}")
        tail_fields = [f for f in meta.concrete_fields if f.attname not in columns]
        tail = []
        for f in tail_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            else:
                raise ValueError(f"{self.table}.{f.attname}: the demo generator must fill it")
            tail.append(f.get_db_prep_save(value, connection))
        self.columns = [by_attname[c].column for c in columns] + [f.column for f in tail_fields]
        self.tail = tuple(tail)
        self.rows: list[tuple] = []

    def add(self, row: tuple) -> None:
        self.rows.append(row + self.tail)

    def flush(self) -> int:
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        qn = connection.ops.quote_name
        cols = ", ".join(qn(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {qn(self.table)} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {qn(self.table)} ({cols}) VALUES ({marks})",  # noqa: S608
                    rows,
                )
        return len(rows)


def _next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        (value,) = cursor.fetchone()
    return (value or 0) + 1


# --- Time axis ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeskInfo:
    id: int
    slug: str
    name: str
    comune_id: int
    opened_on: dt.date
    weight: float


def desk_infos() -> list[DeskInfo]:
    return [
        DeskInfo(
            id=d.id,
            slug=d.slug,
            name=d.name,
            comune_id=d.comune_id,
            opened_on=d.opened_on or ASSUMED_OPENING,
            weight=DESK_WEIGHTS.get(d.slug, 0.8),
        )
        for d in Desk.objects.filter(active=True).order_by("id")
    ]


def _is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS


def _day_weight(day: dt.date, desks: Sequence[DeskInfo]) -> float:
    if not _is_working_day(day):
        return 0.0
    weight = sum(d.weight for d in desks if d.opened_on <= day)
    return weight * (0.5 if day.month == 8 else 1.0)


def capacity(start: dt.date, end: dt.date, desks: Sequence[DeskInfo]) -> float:
    days = (end - start).days + 1
    return sum(_day_weight(start + dt.timedelta(n), desks) for n in range(max(days, 0)))


@dataclass(slots=True)
class _Axis:
    """Working days between start and end with their weight: person i of P gets the day at
    quantile (i + u) / P of the cumulative weight, so chunks are chronological."""

    days: list[dt.date]
    cum: list[float]

    @classmethod
    def build(cls, start: dt.date, end: dt.date, desks: Sequence[DeskInfo]) -> _Axis:
        days, cum, total = [], [], 0.0
        day = start
        while day <= end:
            w = _day_weight(day, desks)
            if w:
                total += w
                days.append(day)
                cum.append(total)
            day += dt.timedelta(1)
        return cls(days, cum)

    def at(self, q: float) -> dt.date:
        index = bisect.bisect_left(self.cum, q * self.cum[-1])
        return self.days[min(index, len(self.days) - 1)]


def plan_period(
    *,
    people: int,
    desks: Sequence[DeskInfo],
    start: dt.date | None,
    end: dt.date | None,
    limit: dt.date,
) -> tuple[dt.date, dt.date]:
    """The intake period: from ``start`` (the first opening) at the article's density
    (72 people in the first quarter), stopping at ``limit`` and denser when more fit."""
    first_opening = min(d.opened_on for d in desks)
    start = max(start or first_opening, first_opening)
    if end is not None:
        return start, end
    rate = ARTICLE_PEOPLE / capacity(*ARTICLE_QUARTER, desks)
    needed, total, day = people / rate, 0.0, start
    while day < limit:
        total += _day_weight(day, desks)
        if total >= needed:
            break
        day += dt.timedelta(1)
    return start, min(day, limit)


# --- The generator ------------------------------------------------------------------------


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

    __slots__ = (
        "opened_on",
        "age_at_intake",
        "age_band",
        "esf_age_band",
        "gender",
        "residence_comune_id",
        "origin",
        "citizenship",
        "isced_band",
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
        self._cf_date: dict[tuple[dt.date, str], str] = {}
        self.used_cf: set[str] = set(
            Person.objects.exclude(fiscal_code=None).values_list("fiscal_code", flat=True)
        )
        self.is_pg = connection.vendor == "postgresql"

    # reference data, read once
    def _load_reference(self) -> None:
        comuni = list(Comune.objects.filter(active=True).order_by("id"))
        by_name = {}
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
        self.meetings_per_person = Weighted(enumerate(MEETINGS_PER_PERSON))
        self.referrals_per_intake = Weighted(enumerate(REFERRALS_PER_INTAKE))

    # value helpers
    def _dt_value(self, day: dt.date, at: dt.time) -> object:
        aware = dt.datetime.combine(day, at, tzinfo=ROME)
        if self.is_pg:
            return aware
        return aware.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")

    def _fiscal_code(self, last: str, first: str, birth: dt.date, sex: str, place: str) -> str:
        names = self._cf_parts.get((last, first))
        if names is None:
            names = self._cf_parts[(last, first)] = cf.encode_lastname(last) + cf.encode_firstname(
                first
            )
        born = self._cf_date.get((birth, sex))
        if born is None:
            born = self._cf_date[(birth, sex)] = cf.encode_birthdate(
                dt.datetime(birth.year, birth.month, birth.day), sex
            )
        body = names + born + place
        code = body + cf.encode_cin(body)
        level = 0
        while code in self.used_cf:  # a real homocode: the agency substitutes digits
            level += 1
            chars = list(body)
            for pos in DIGIT_POSITIONS[:level]:
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
        axis: _Axis,
        meetings: int,
        t: dict[str, _Table],
        ids: dict[str, int],
        res: DemoResult,
    ) -> None:  # noqa: E501
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
        sex = gender if gender in ("F", "M") else rng.choice("FM")
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
        res.without_cf += no_cf

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
                and _is_working_day(second_day)
            ):
                first_share = rng.randint(0, meetings)
                plan = [(desk, opened, first_share), (other, second_day, meetings - first_share)]
        recent = index >= total - max(24, total // 30)
        for desk_, day, count in plan:
            self.intake(record, person_id, desk_, day, count, age, recent, t, ids, res)

    def intake(
        self,
        record: PersonRecord,
        person_id: int,
        desk: DeskInfo,
        opened: dt.date,
        count: int,
        age: int,
        recent: bool,
        t: dict[str, _Table],
        ids: dict[str, int],
        res: DemoResult,
    ) -> None:  # noqa: E501
        rng, limit = self.rng, self.limit
        snap = _SnapshotTarget()
        snap.opened_on = opened
        Intake.take_snapshot(snap, record)  # type: ignore[arg-type]
        age_now = snap.age_at_intake
        intake_id = ids["intake"]
        ids["intake"] += 1
        operator = rng.choice(self.operator_for[desk.id])

        # meetings
        contacts = [opened]
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
        contacts.extend(meeting_days)

        # referrals
        referrals = []
        has_positive = None
        for _n in range(self.referrals_per_intake(rng)):
            kind = self.kinds(rng)
            if kind == K.GARANZIA_GIOVANI and age_now > 29:
                kind = str(K.GOL.value)
            referred = rng.choice(contacts)
            outcome = self.outcomes[OUTCOME_GROUP.get(kind, "measure")](rng)
            outcome_on = None
            if outcome != Out.PENDING:
                outcome_on = referred + dt.timedelta(days=rng.randint(7, 90))
                if outcome_on > limit:
                    outcome, outcome_on = str(Out.PENDING.value), None
            if outcome in POSITIVE_OUTCOMES and has_positive is None:
                has_positive = outcome
            referrals.append((kind, referred, outcome, outcome_on))
        last_contact = max([*contacts, *(r[3] for r in referrals if r[3])])

        # closed or still open
        status, closed_on, reason = str(IntakeStatus.OPEN.value), None, ""
        if (limit - last_contact).days > 20 and rng.random() < 0.65 and not recent:
            status = str(IntakeStatus.CLOSED.value)
            closed_on = min(limit, last_contact + dt.timedelta(days=rng.randint(0, 45)))
            reason = (
                str(CLOSURE_FOR_OUTCOME[has_positive].value)
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
        unemployed = labour == L.UNEMPLOYED
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
                min(int(rng.expovariate(1 / 10)) + 1, 120) if unemployed else None,
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
                    rng.choice(REFERRAL_DESCRIPTIONS[K(kind)]),
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
    meetings: int,
    seed: int = 2021,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date | None = None,
    progress=None,  # noqa: ANN001 - callable(DemoResult) or None
) -> DemoResult:
    """Add exactly ``meetings`` follow-up meetings, with the people, intakes and referrals
    around them, reproducibly from ``seed``. Nothing is dated after yesterday (or ``end``)."""
    refuse_in_production()
    started = time.perf_counter()
    today = today or timezone.localdate()
    limit = end or (today - dt.timedelta(days=1))
    if limit > today:
        raise ValueError(_("La data di fine non può essere nel futuro."))
    if meetings < 0:
        raise ValueError(_("Il numero di colloqui non può essere negativo."))
    result = DemoResult()
    desks = desk_infos()
    if not desks:
        raise ValueError(_("Nessuno sportello attivo."))

    rng = random.Random(seed)
    counts = bytearray()
    total_meetings = 0
    per_person = Weighted(enumerate(MEETINGS_PER_PERSON))
    while total_meetings < meetings:
        k = min(per_person(rng), meetings - total_meetings)
        counts.append(k)
        total_meetings += k
    people = len(counts)
    start, end = plan_period(people=people, desks=desks, start=start, end=end, limit=limit)
    if start > end:
        raise ValueError(_("La data di inizio è successiva a quella di fine."))
    result.start, result.end = start, end
    if people == 0:
        result.seconds = time.perf_counter() - started
        return result
    axis = _Axis.build(start, end, desks)
    if not axis.days:
        raise ValueError(_("Nessuno sportello è aperto nel periodo indicato."))

    with transaction.atomic():
        gen = Generator(seed=rng.randrange(2**32), today=today, limit=limit)
        now = gen.now
        through = Meeting.activities.through
        tables = {
            "person": _Table(Person, PERSON_COLUMNS, now),
            "intake": _Table(Intake, INTAKE_COLUMNS, now),
            "meeting": _Table(Meeting, MEETING_COLUMNS, now),
            "activities": _Table(through, ("id", "meeting_id", "activity_id"), now),
            "referral": _Table(Referral, REFERRAL_COLUMNS, now),
        }
        ids = {name: _next_id(table.model) for name, table in tables.items()}
        for chunk_start in range(0, people, CHUNK_PEOPLE):
            for index in range(chunk_start, min(chunk_start + CHUNK_PEOPLE, people)):
                gen.person(index, people, axis, counts[index], tables, ids, result)
            for name, table in tables.items():  # parents first: the guards look them up
                result.tables[name] = result.tables.get(name, 0) + table.flush()
            if progress:
                progress(result)
        reset = connection.ops.sequence_reset_sql(no_style(), _case_models())
        with connection.cursor() as cursor:
            for sql in reset:
                cursor.execute(sql)
    with connection.cursor() as cursor:
        for model in _case_models():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    result.seconds = time.perf_counter() - started
    return result


@transaction.atomic
def flush() -> dict[str, int]:
    """Delete every person, intake, meeting and referral (and rows of other apps that point
    at them, as their ``on_delete`` says). Reference data and users stay."""
    refuse_in_production()
    own = _case_models()
    deleted: dict[str, int] = {}
    for model in own:
        for rel in model._meta.related_objects:
            if rel.related_model in own or not (rel.many_to_one or rel.one_to_one):
                continue
            manager = rel.related_model._base_manager
            pointing = manager.filter(**{f"{rel.field.name}__isnull": False})
            if rel.on_delete is models.CASCADE:
                deleted[rel.related_model._meta.label] = pointing.delete()[0]
            elif rel.on_delete in (models.SET_NULL,):
                pointing.update(**{rel.field.name: None})
            elif pointing.exists():
                raise ValueError(
                    _("Impossibile svuotare: %(model)s fa riferimento ai casi.")
                    % {"model": rel.related_model._meta.verbose_name_plural}
                )
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (Meeting.activities.through, Referral, Meeting, Intake, Person):
            cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")  # noqa: S608
            deleted[model._meta.label] = cursor.rowcount
    return deleted


def expected_people(meetings: int) -> float:
    """About how many people ``meetings`` meetings bring (mean of the distribution)."""
    mean = sum(k * p for k, p in enumerate(MEETINGS_PER_PERSON)) / math.fsum(MEETINGS_PER_PERSON)
    return meetings / mean
