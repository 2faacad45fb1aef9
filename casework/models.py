"""People, intakes (prese in carico), follow-up meetings and referrals.

Scoping lives here, as QuerySet methods: every view, export and report starts from
``Intake.objects.visible_to(user)`` (or the Person/Meeting/Referral equivalents), so a list
and a detail page can never disagree on who sees what.

Invariants are named database constraints; the ones that span two tables or depend on
today's date are triggers installed by migration ``0002_guards`` (see ``casework/guards.py``).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from casework import fiscal_code, phones
from casework.choices import (
    EDUCATION_TO_ISCED,
    AckChannel,
    AgeBand,
    Citizenship,
    ClosureReason,
    CrossDeskReason,
    EducationLevel,
    EsfAgeBand,
    Gender,
    IntakeChannel,
    IntakeStatus,
    IscedBand,
    LabourStatus,
    MeetingMode,
    Need,
    PartnerKind,
    ReferralKind,
    ReferralOutcome,
    age_on,
    label_of,
)
from casework.permissions import sees_all_desks
from sportelli.models import Comune, Country, Desk, Origin, origin_for

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable
    from django_stubs_ext import StrOrPromise

    from activitycr.http import AnyUser


def in_choices(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    """A named constraint keeping a choice field to its values."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


# The longest free texts (characters): the forms count down to them, the models refuse more
# and so does the database (``length_check``).
NOTE_MAX_LENGTH = 2000
NEEDS_MAX_LENGTH = 2000
CLOSURE_NOTE_MAX_LENGTH = 2000
CROSS_DESK_NOTE_MAX_LENGTH = 1000


def long_text(verbose_name: StrOrPromise, max_length: int) -> models.TextField:
    """A free text of at most ``max_length`` characters: the form field gets the limit
    from ``max_length``, the model (and so the import) from the validator."""
    return models.TextField(
        verbose_name, blank=True, max_length=max_length, validators=[MaxLengthValidator(max_length)]
    )


def length_check(field: str, max_length: int, name: str) -> models.CheckConstraint:
    """A named constraint keeping a text field to ``max_length`` characters."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), max_length),
        name=name,
        violation_error_message=format_lazy(
            _("Il testo supera i {max} caratteri consentiti."), max=max_length
        ),
    )


def local_today() -> dt.date:
    return timezone.localdate()


def search_text(value: str) -> str:
    """Lowercase, accents stripped, spaces collapsed: what people search and are found by.

    "Nicolò D'Àlessandro" -> "nicolo d'alessandro". The same on every database backend.
    """
    decomposed = unicodedata.normalize("NFKD", value or "").translate(_APOSTROPHES)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


# The typographic apostrophes a name may be typed or pasted with, read as "'".
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


SEARCH_KEY_LENGTH = 240


def build_search_key(last_name: str, first_name: str, fiscal_code: str | None) -> str:
    """The key "surname name cf", then each name of several words written as one ("De Santis" ->
    "de santis mario desantis"), so that "desantis" and "dalessandro" find them too.

    The prefix search reads the key's start; the written-as-one forms only serve the
    "contains" search, so they go last (cut first when a key is too long).
    """
    key = search_text(f"{last_name} {first_name} {fiscal_code or ''}")
    joined = []
    for name in (last_name, first_name):
        words = search_text(name).replace("'", " ").replace("-", " ").split()
        if len(words) > 1:
            joined.append("".join(words))
    return " ".join([key, *joined])[:SEARCH_KEY_LENGTH].rstrip()


class Partner(models.Model):
    name = models.CharField(_("nome"), max_length=150, unique=True)
    kind = models.CharField(_("tipo"), max_length=30, choices=PartnerKind.choices)
    active = models.BooleanField(_("attivo"), default=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partner")
        ordering = ["name"]
        constraints = [in_choices("kind", PartnerKind, "casework_partner_kind_valid")]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """What was done in a meeting (reference list, editable in admin)."""

    code = models.SlugField(_("codice"), max_length=40, unique=True)
    name = models.CharField(_("nome"), max_length=120)
    name_en = models.CharField(_("nome in inglese"), max_length=120, blank=True)
    active = models.BooleanField(_("attivo"), default=True)

    class Meta:
        verbose_name = _("attività")
        verbose_name_plural = _("attività")
        ordering = ["name"]

    def __str__(self) -> str:
        """The name in the language of the page (Italian, or English when chosen and set)."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


# --- Optimistic concurrency ---------------------------------------------------------------


class VersionedSave(models.Model):
    """Every write of an existing row increases its ``version``, whoever makes it.

    The desk's edit forms carry the version they started from and update only if it is still
    the stored one (``casework.services._save_versioned``). Any other writer — the admin,
    an import, a service calling ``save()`` — goes through here, so a form opened before it
    sees a conflict instead of silently undoing it (security review M5).

    An abstract model with no field of its own: each model declares its ``version`` column
    where it stands among its fields (the column order of its exports). The annotation
    below only tells the type checker that the column exists, and that ``save()`` may set
    it to an expression (``F("version") + 1``).
    """

    version: models.PositiveIntegerField[float | int | str | Combinable, int]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        previous = self.version
        with transaction.atomic(using=kwargs.get("using")):
            self.version = F("version") + 1
            try:
                super().save(*args, **kwargs)
            except BaseException:
                self.version = previous
                raise
            self.refresh_from_db(fields=["version"])


# --- Person -------------------------------------------------------------------------------


# The four answers under GDPR art. 9 and similar (in the order the forms show them): only
# holders of casework.view_special_category see them; the audit trail masks their values.
SPECIAL_CATEGORY_FIELDS = ("foreign_background", "is_homeless", "has_disability", "is_minority")


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: AnyUser) -> PersonQuerySet:
        """People with at least one case at a desk the user works at (all for staff)."""
        if not user.is_authenticated:
            return self.none()
        if sees_all_desks(user):
            return self.all()
        return self.filter(pk__in=Intake.objects.filter(desk__operators=user).values("person_id"))


class Person(VersionedSave, models.Model):
    fiscal_code = models.CharField(
        _("codice fiscale"),
        max_length=16,
        null=True,
        blank=True,
        help_text=_("Facoltativo per chi non l'ha ancora (es. arrivi recenti)."),
    )
    last_name = models.CharField(_("cognome"), max_length=100)
    first_name = models.CharField(_("nome"), max_length=100)
    birth_date = models.DateField(_("data di nascita"))
    gender = models.CharField(_("genere"), max_length=1, choices=Gender.choices)
    birthplace_comune = models.ForeignKey(
        Comune,
        verbose_name=_("comune di nascita"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    birthplace_country = models.ForeignKey(
        Country,
        verbose_name=_("stato di nascita (se all'estero)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    residence_comune = models.ForeignKey(
        Comune,
        verbose_name=_("comune di residenza"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
    )
    residence_country = models.ForeignKey(
        Country,
        verbose_name=_("stato di residenza (se all'estero)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    citizenship = models.CharField(
        _("cittadinanza"), max_length=10, choices=Citizenship.choices, default=Citizenship.ITALIAN
    )
    education = models.CharField(
        _("titolo di studio"), max_length=20, choices=EducationLevel.choices
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telefono"), max_length=30, blank=True)
    privacy_ack_on = models.DateField(_("informativa privacy firmata il"), null=True, blank=True)
    # Special-category and sensitive items (GDPR art. 9): reported only in aggregate and
    # only to users who see them (casework.permissions.sees_special_categories).
    has_disability = models.BooleanField(_("persona con disabilità"), null=True, blank=True)
    is_minority = models.BooleanField(_("appartiene a una minoranza"), null=True, blank=True)
    foreign_background = models.BooleanField(_("background migratorio"), null=True, blank=True)
    is_homeless = models.BooleanField(
        _("senza dimora o in esclusione abitativa"), null=True, blank=True
    )
    anonymised_at = models.DateTimeField(_("anonimizzata il"), null=True, blank=True)
    # "surname name cf", lowercase and without accents (search_text), kept by save(): the
    # operators' search is a portable LIKE on it, accent-insensitive on SQLite and PostgreSQL.
    search_key = models.CharField(
        _("chiave di ricerca"), max_length=SEARCH_KEY_LENGTH, blank=True, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("creata il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modificata il"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("persone")
        ordering = ["last_name", "first_name"]
        permissions = [
            ("view_special_category", _("Può vedere i dati particolari (art. 9 GDPR)")),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="casework_person_name_idx"),
            models.Index(fields=["birth_date"], name="casework_person_birth_idx"),
            models.Index(fields=["search_key"], name="casework_person_search_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_code"], name="casework_person_cf_unique"),
            models.CheckConstraint(
                condition=Q(fiscal_code__isnull=True) | Q(fiscal_code__regex=r"^[A-Z0-9]{16}$"),
                name="casework_person_cf_format",
            ),
            models.CheckConstraint(
                condition=~Q(residence_comune__isnull=False, residence_country__isnull=False),
                name="casework_person_one_residence",
            ),
            in_choices("gender", Gender, "casework_person_gender_valid"),
            in_choices("citizenship", Citizenship, "casework_person_citizenship_valid"),
            in_choices("education", EducationLevel, "casework_person_education_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.prepare_save()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_key" not in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    def prepare_save(self) -> None:
        """What every write computes before the row goes to the database (``save()``, and
        the import's batched inserts, which do not call ``save()``)."""
        self.search_key = self.build_search_key()

    @property
    def phone_display(self) -> str:
        """The phone the Italian way (national for +39, international otherwise)."""
        return phones.display(self.phone)

    def build_search_key(self) -> str:
        return build_search_key(self.last_name, self.first_name, self.fiscal_code)

    @property
    def origin(self) -> str:
        return origin_for(self.residence_comune)

    @property
    def isced_band(self) -> str:
        return EDUCATION_TO_ISCED[self.education]

    def clean(self) -> None:
        errors: dict[str, list[StrOrPromise]] = {}
        if self.fiscal_code == "":
            self.fiscal_code = None
        if self.fiscal_code:
            self.fiscal_code = fiscal_code.normalise(self.fiscal_code)
            try:
                data = fiscal_code.decode(self.fiscal_code)
            except ValidationError as exc:
                errors.setdefault("fiscal_code", []).extend(exc.messages)
            else:
                mismatch = fiscal_code.birth_date_mismatch(data, self.birth_date)
                if mismatch:
                    errors.setdefault("birth_date", []).append(mismatch)
        if self.birth_date:
            age = age_on(self.birth_date, local_today())
            if age < fiscal_code.MIN_AGE or age > fiscal_code.MAX_AGE:
                errors.setdefault("birth_date", []).append(
                    _("Età non plausibile (%(age)d anni): controllare la data di nascita.")
                    % {"age": age}
                )
        if self.phone:
            try:
                self.phone = phones.normalise(self.phone)
            except ValidationError as exc:
                errors.setdefault("phone", []).extend(exc.messages)
        if self.residence_comune_id and self.residence_country_id:
            errors.setdefault("residence_country", []).append(
                _("Indicare il comune di residenza oppure lo stato estero, non entrambi.")
            )
        if errors:
            raise ValidationError(errors)


# --- Intake -------------------------------------------------------------------------------


# Generic in the model, so that annotate() keeps its names on the rows (django-stubs):
# ``Intake.objects.annotate(n=...).first().n`` type-checks.
_IntakeT = TypeVar("_IntakeT", bound="Intake", covariant=True)


class IntakeQuerySet(models.QuerySet[_IntakeT]):
    def visible_to(self, user: AnyUser) -> Self:
        """The one scoped query: operators see their desks' cases, staff see all."""
        if not user.is_authenticated:
            return self.none()
        if sees_all_desks(user):
            return self.all()
        return self.filter(desk__operators=user)

    def in_period(self, start: dt.date, end: dt.date) -> Self:
        """Intakes opened between ``start`` and ``end``, both included."""
        return self.filter(opened_on__gte=start, opened_on__lte=end)

    def at_desks(self, desks: Iterable[Desk]) -> Self:
        """Intakes at these desks (a QuerySet of them, or a list)."""
        return self.filter(desk__in=desks)

    def open(self) -> Self:
        return self.filter(status=IntakeStatus.OPEN)


class Intake(VersionedSave, models.Model):
    """A presa in carico: the first meeting at a desk, which opens a case."""

    person = models.ForeignKey(
        Person, verbose_name=_("persona"), on_delete=models.PROTECT, related_name="intakes"
    )
    desk = models.ForeignKey(
        Desk, verbose_name=_("sportello"), on_delete=models.PROTECT, related_name="intakes"
    )
    opened_on = models.DateField(_("data della presa in carico"), default=local_today)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operatore"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("canale di accesso"), max_length=20, choices=IntakeChannel.choices)
    main_need = models.CharField(_("bisogno principale"), max_length=20, choices=Need.choices)
    needs = long_text(_("bisogni espressi"), NEEDS_MAX_LENGTH)
    labour_status = models.CharField(
        _("condizione occupazionale"), max_length=20, choices=LabourStatus.choices
    )
    unemployment_months = models.PositiveSmallIntegerField(
        _("mesi di disoccupazione"), null=True, blank=True
    )
    recent_graduate = models.BooleanField(_("neolaureato/a o neodiplomato/a"), default=False)
    returning_after_care = models.BooleanField(
        _("rientro dopo una pausa per cura di figli o familiari"), default=False
    )
    status = models.CharField(
        _("stato"), max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.OPEN
    )
    closed_on = models.DateField(_("data di chiusura"), null=True, blank=True)
    closure_reason = models.CharField(
        _("motivo della chiusura"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_note = long_text(_("nota di chiusura"), CLOSURE_NOTE_MAX_LENGTH)

    # Snapshot at intake of what the reports group by: a later move or birthday does not
    # change past quarters, and the database aggregates without per-row date functions.
    age_at_intake = models.PositiveSmallIntegerField(_("età alla presa in carico"), editable=False)
    age_band = models.CharField(
        _("fascia d'età"), max_length=5, choices=AgeBand.choices, editable=False
    )
    esf_age_band = models.CharField(
        _("fascia d'età FSE+"), max_length=5, choices=EsfAgeBand.choices, editable=False
    )
    gender = models.CharField(_("genere"), max_length=1, choices=Gender.choices, editable=False)
    origin = models.CharField(
        _("provenienza"), max_length=10, choices=Origin.choices, editable=False
    )
    residence_comune = models.ForeignKey(
        Comune,
        verbose_name=_("comune di residenza alla presa in carico"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    citizenship = models.CharField(
        _("cittadinanza"), max_length=10, choices=Citizenship.choices, editable=False
    )
    isced_band = models.CharField(
        _("livello ISCED"), max_length=3, choices=IscedBand.choices, editable=False
    )

    version = models.PositiveIntegerField(default=1, editable=False)
    # The intake form's one-time token: the same form sent twice (a double click, a
    # resend) opens one case, not two, and never an error (security review L1).
    submission_token = models.CharField(
        max_length=32, null=True, blank=True, unique=True, editable=False
    )
    created_at = models.DateTimeField(_("creata il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modificata il"), auto_now=True)

    objects = IntakeQuerySet.as_manager()

    class Meta:
        verbose_name = _("presa in carico")
        verbose_name_plural = _("prese in carico")
        ordering = ["-opened_on", "-id"]
        permissions = [
            ("view_all_desks", _("Può vedere i casi di tutti gli sportelli")),
            ("view_reports", _("Può vedere i report trimestrali")),
        ]
        indexes = [
            models.Index(fields=["desk", "opened_on"], name="casework_intake_desk_date_idx"),
            models.Index(fields=["opened_on"], name="casework_intake_date_idx"),
            models.Index(fields=["person", "opened_on"], name="casework_intake_person_idx"),
            # The review's exits of a quarter (ESF+ results): the intakes closed in it.
            models.Index(
                fields=["closed_on"],
                name="casework_intake_closed_idx",
                condition=Q(closed_on__isnull=False),
            ),
        ]
        constraints = [
            length_check("needs", NEEDS_MAX_LENGTH, "casework_intake_needs_length"),
            length_check(
                "closure_note", CLOSURE_NOTE_MAX_LENGTH, "casework_intake_closure_note_length"
            ),
            models.UniqueConstraint(
                fields=["person", "desk"],
                condition=Q(status=IntakeStatus.OPEN),
                name="casework_one_open_intake_per_desk",
                violation_error_message=_(
                    "Questa persona ha già una presa in carico aperta in questo sportello."
                ),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="casework_intake_closed_after_opened",
                violation_error_message=_(
                    "La data di chiusura non può precedere la presa in carico."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=IntakeStatus.OPEN, closed_on__isnull=True, closure_reason="")
                    | (
                        Q(status=IntakeStatus.CLOSED, closed_on__isnull=False)
                        & ~Q(closure_reason="")
                    )
                ),
                name="casework_intake_closure_complete",
                violation_error_message=_(
                    "Una presa in carico chiusa ha data e motivo di chiusura; una aperta no."
                ),
            ),
            models.CheckConstraint(
                condition=Q(labour_status=LabourStatus.UNEMPLOYED)
                | Q(unemployment_months__isnull=True),
                name="casework_intake_unemployment_months_only_if_unemployed",
            ),
            models.CheckConstraint(
                condition=Q(age_at_intake__lte=120), name="casework_intake_age_plausible"
            ),
            in_choices("status", IntakeStatus, "casework_intake_status_valid"),
            in_choices("channel", IntakeChannel, "casework_intake_channel_valid"),
            in_choices("main_need", Need, "casework_intake_main_need_valid"),
            in_choices("labour_status", LabourStatus, "casework_intake_labour_status_valid"),
            models.CheckConstraint(
                condition=Q(closure_reason="") | Q(closure_reason__in=ClosureReason.values),
                name="casework_intake_closure_reason_valid",
            ),
            in_choices("age_band", AgeBand, "casework_intake_age_band_valid"),
            in_choices("esf_age_band", EsfAgeBand, "casework_intake_esf_age_band_valid"),
            in_choices("gender", Gender, "casework_intake_gender_valid"),
            in_choices("origin", Origin, "casework_intake_origin_valid"),
            in_choices("citizenship", Citizenship, "casework_intake_citizenship_valid"),
            in_choices("isced_band", IscedBand, "casework_intake_isced_band_valid"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.desk} · {self.opened_on:%d/%m/%Y}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.prepare_save()
        super().save(*args, **kwargs)

    def prepare_save(self) -> None:
        """What every write computes before the row goes to the database (``save()``, and
        the import's batched inserts, which do not call ``save()``)."""
        if self._state.adding and not self.age_band:
            self.take_snapshot()

    @property
    def is_open(self) -> bool:
        return self.status == IntakeStatus.OPEN

    def take_snapshot(self, person: Person | None = None) -> None:
        """Copy from the person what the reports group by, as it is on the intake date."""
        person = person or self.person
        self.age_at_intake = age_on(person.birth_date, self.opened_on)
        self.age_band = AgeBand.for_age(self.age_at_intake)
        self.esf_age_band = EsfAgeBand.for_age(self.age_at_intake)
        self.gender = person.gender
        self.residence_comune_id = person.residence_comune_id
        comune = person.residence_comune
        if isinstance(self, Intake):  # (the demo generator passes a plain stand-in)
            # The comune as read with the person: validation need not look it up again.
            Intake.residence_comune.field.set_cached_value(self, comune)
        self.origin = origin_for(comune)
        self.citizenship = person.citizenship
        self.isced_band = EDUCATION_TO_ISCED[person.education]

    def correct_snapshot(self, residence_comune: Comune | None) -> None:
        """After a correction of the intake: the age and its bands from the intake date,
        the residence at intake as corrected and its origin. The rest of the snapshot stays
        as taken: a later change in the person's life does not reach past intakes."""
        self.age_at_intake = age_on(self.person.birth_date, self.opened_on)
        self.age_band = AgeBand.for_age(self.age_at_intake)
        self.esf_age_band = EsfAgeBand.for_age(self.age_at_intake)
        self.residence_comune = residence_comune
        self.origin = origin_for(residence_comune)

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        today = local_today()
        if self.opened_on and self.opened_on > today:
            errors["opened_on"] = _("La data della presa in carico non può essere nel futuro.")
        if self.closed_on and self.closed_on > today:
            errors["closed_on"] = _("La data di chiusura non può essere nel futuro.")
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            errors["closed_on"] = _("La data di chiusura non può precedere la presa in carico.")
        if self.labour_status != LabourStatus.UNEMPLOYED and self.unemployment_months is not None:
            errors["unemployment_months"] = _(
                "I mesi di disoccupazione si indicano solo per chi è disoccupato."
            )
        if self.status == IntakeStatus.CLOSED:
            if not self.closed_on:
                errors["closed_on"] = _("Indicare la data di chiusura.")
            if not self.closure_reason:
                errors["closure_reason"] = _("Indicare il motivo della chiusura.")
        if "opened_on" not in errors:
            self._clean_desk_opening(errors)
        if "unemployment_months" not in errors:
            self._clean_unemployment_months(errors)
        if self.closed_on and "closed_on" not in errors:
            self._clean_closure_after_last_event(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_desk_opening(self, errors: dict[str, StrOrPromise]) -> None:
        """Not before the desk opened, when its opening date is known (a desk without one
        takes intakes with a notice on the page: docs/operators.md)."""
        if not (self.opened_on and self.desk_id):
            return
        opened = self.desk.opened_on
        if opened is not None and self.opened_on < opened:
            errors["opened_on"] = _(
                "La presa in carico non può precedere l'apertura dello sportello (%(date)s)."
            ) % {"date": f"{opened:%d/%m/%Y}"}

    def early_check_errors(self, birth_date: dt.date | None) -> dict[str, StrOrPromise]:
        """The checks against the desk's opening and the person's birth date, for an intake
        not yet tied to its person: the new-intake form gives them in the same round as the
        person's errors (the model's clean() repeats them on save)."""
        errors: dict[str, StrOrPromise] = {}
        if self.opened_on:
            self._clean_desk_opening(errors)
            self._clean_unemployment_months(errors, birth_date)
        return errors

    def _clean_unemployment_months(
        self, errors: dict[str, StrOrPromise], birth_date: dt.date | None = None
    ) -> None:
        """No more months of unemployment than since the 15th birthday, on the intake date."""
        if birth_date is None and self.person_id:
            birth_date = self.person.birth_date
        if self.unemployment_months is None or not (self.opened_on and birth_date):
            return
        limit = months_since_15(birth_date, self.opened_on)
        if self.unemployment_months > limit:
            errors["unemployment_months"] = _(
                "I mesi di disoccupazione non possono superare i mesi trascorsi dal "
                "quindicesimo compleanno alla presa in carico (%(limit)s)."
            ) % {"limit": limit}

    def _clean_closure_after_last_event(self, errors: dict[str, StrOrPromise]) -> None:
        """Not closed before its last meeting, referral or outcome."""
        if self.pk is None or self.closed_on is None:
            return
        last = last_event_on(self)
        if last is not None and self.closed_on < last:
            errors["closed_on"] = _(
                "La chiusura non può precedere l'ultimo colloquio, invio o esito (%(date)s)."
            ) % {"date": f"{last:%d/%m/%Y}"}


def months_since_15(birth_date: dt.date, on: dt.date) -> int:
    """Whole months from the 15th birthday to ``on`` (0 before it)."""
    fifteenth = _years_after(birth_date, 15)
    if on < fifteenth:
        return 0
    return (on.year - fifteenth.year) * 12 + on.month - fifteenth.month - (on.day < fifteenth.day)


def last_event_on(intake: Intake) -> dt.date | None:
    """The date of an intake's last meeting, referral or referral outcome (None if none)."""
    dates = [
        *Meeting.objects.filter(intake=intake).aggregate(d=models.Max("held_on")).values(),
        *Referral.objects.filter(intake=intake)
        .aggregate(r=models.Max("referred_on"), o=models.Max("outcome_on"))
        .values(),
    ]
    known = [d for d in dates if d is not None]
    return max(known) if known else None


# --- Meeting ------------------------------------------------------------------------------


# How far ahead a next appointment may be fixed: further is a typing error (year 9999 would
# sit on the dashboards forever), and year 1 does not even convert to UTC.
APPOINTMENT_YEARS_AHEAD = 1


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _within_days(moment: dt.datetime, first: dt.date, last: dt.date) -> bool:
    """Whether ``moment`` falls on a day from ``first`` to ``last`` (local time).

    Compares aware datetimes, which never builds a date outside Python's range: converting
    a moment in year 1 or late in year 9999 to another time zone would overflow.
    """
    start = dt.datetime.combine(first, dt.time.min)
    end = dt.datetime.combine(last, dt.time.max)
    if timezone.is_aware(moment):
        start, end = timezone.make_aware(start), timezone.make_aware(end)
    return start <= moment <= end


def _after_closure(closed: dt.date) -> StrOrPromise:
    return _(
        "Il caso è stato chiuso il %(date)s: riaprirlo, oppure correggere la data di chiusura, "
        "prima di registrare date successive."
    ) % {"date": f"{closed:%d/%m/%Y}"}


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: AnyUser) -> MeetingQuerySet:
        if sees_all_desks(user):
            return self.all()  # no semi-join over every intake: the reports read millions
        return self.filter(intake__in=Intake.objects.visible_to(user))

    def in_period(self, start: dt.date, end: dt.date) -> MeetingQuerySet:
        return self.filter(held_on__gte=start, held_on__lte=end)


class Meeting(VersionedSave, models.Model):
    """A follow-up meeting (colloquio / incontro di approfondimento) within a case."""

    intake = models.ForeignKey(
        Intake, verbose_name=_("presa in carico"), on_delete=models.CASCADE, related_name="meetings"
    )
    held_on = models.DateField(_("data"), default=local_today)
    start_time = models.TimeField(_("ora"), null=True, blank=True)
    mode = models.CharField(_("modalità"), max_length=10, choices=MeetingMode.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("durata (minuti)"), default=45)
    activities = models.ManyToManyField(
        Activity, verbose_name=_("attività svolte"), blank=True, related_name="meetings"
    )
    notes = long_text(_("note"), NOTE_MAX_LENGTH)
    attended = models.BooleanField(_("la persona si è presentata"), default=True)
    next_appointment_at = models.DateTimeField(_("prossimo appuntamento"), null=True, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operatore"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modificato il"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("colloquio")
        verbose_name_plural = _("colloqui")
        ordering = ["held_on", "start_time", "id"]
        indexes = [
            models.Index(fields=["intake", "held_on"], name="casework_meeting_intake_idx"),
            models.Index(fields=["held_on"], name="casework_meeting_date_idx"),
            models.Index(fields=["next_appointment_at"], name="casework_meeting_next_idx"),
        ]
        constraints = [
            in_choices("mode", MeetingMode, "casework_meeting_mode_valid"),
            length_check("notes", NOTE_MAX_LENGTH, "casework_meeting_notes_length"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=600),
                name="casework_meeting_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%d/%m/%Y} · {label_of(MeetingMode, self.mode)}"

    @property
    def is_remote(self) -> bool:
        return MeetingMode(self.mode).is_remote

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.held_on and self.held_on > local_today():
            errors["held_on"] = _(
                "Un colloquio non può avere una data futura: per fissarlo usare "
                "«prossimo appuntamento»."
            )
        if self.held_on and self.intake_id and self.held_on < self.intake.opened_on:
            errors["held_on"] = _(
                "Il colloquio non può precedere la presa in carico (%(date)s)."
            ) % {"date": f"{self.intake.opened_on:%d/%m/%Y}"}
        if "held_on" not in errors and self.held_on and self.intake_id:
            closed = self.intake.closed_on
            if closed is not None and self.held_on > closed:
                errors["held_on"] = _after_closure(closed)
        if self.next_appointment_at is not None:
            earliest = self.held_on if isinstance(self.held_on, dt.date) else local_today()
            latest = _years_after(local_today(), APPOINTMENT_YEARS_AHEAD)
            if not _within_days(self.next_appointment_at, earliest, latest):
                errors["next_appointment_at"] = _(
                    "Il prossimo appuntamento va fissato tra il giorno del colloquio "
                    "(%(earliest)s) e il %(latest)s."
                ) % {"earliest": f"{earliest:%d/%m/%Y}", "latest": f"{latest:%d/%m/%Y}"}
        if errors:
            raise ValidationError(errors)


# --- Referral -----------------------------------------------------------------------------


class ReferralQuerySet(models.QuerySet["Referral"]):
    def visible_to(self, user: AnyUser) -> ReferralQuerySet:
        if sees_all_desks(user):
            return self.all()  # no semi-join over every intake: the reports read millions
        return self.filter(intake__in=Intake.objects.visible_to(user))


class Referral(VersionedSave, models.Model):
    """An invio / segnalazione: to a course, an agency, an internship, a service or measure."""

    intake = models.ForeignKey(
        Intake,
        verbose_name=_("presa in carico"),
        on_delete=models.CASCADE,
        related_name="referrals",
    )
    kind = models.CharField(_("tipo di invio"), max_length=30, choices=ReferralKind.choices)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    description = models.CharField(
        _("descrizione"), max_length=200, blank=True, help_text=_("Es. corso, azienda, offerta.")
    )
    referred_on = models.DateField(_("data dell'invio"), default=local_today)
    outcome = models.CharField(
        _("esito"), max_length=20, choices=ReferralOutcome.choices, default=ReferralOutcome.PENDING
    )
    outcome_on = models.DateField(_("data dell'esito"), null=True, blank=True)
    notes = long_text(_("note"), NOTE_MAX_LENGTH)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modificato il"), auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("invio")
        verbose_name_plural = _("invii")
        ordering = ["referred_on", "id"]
        indexes = [
            models.Index(fields=["referred_on"], name="casework_referral_date_idx"),
        ]
        constraints = [
            in_choices("kind", ReferralKind, "casework_referral_kind_valid"),
            length_check("notes", NOTE_MAX_LENGTH, "casework_referral_notes_length"),
            in_choices("outcome", ReferralOutcome, "casework_referral_outcome_valid"),
            models.CheckConstraint(
                condition=Q(outcome_on__isnull=True) | Q(outcome_on__gte=F("referred_on")),
                name="casework_referral_outcome_after_referral",
                violation_error_message=_("L'esito non può precedere l'invio."),
            ),
            models.CheckConstraint(
                condition=Q(outcome=ReferralOutcome.PENDING, outcome_on__isnull=True)
                | (~Q(outcome=ReferralOutcome.PENDING) & Q(outcome_on__isnull=False)),
                name="casework_referral_outcome_dated",
                violation_error_message=_("Un esito ha la sua data; un invio in corso no."),
            ),
        ]

    def __str__(self) -> str:
        return f"{label_of(ReferralKind, self.kind)} · {self.referred_on:%d/%m/%Y}"

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        today = local_today()
        if self.referred_on and self.referred_on > today:
            errors["referred_on"] = _("La data dell'invio non può essere nel futuro.")
        if self.outcome_on and self.outcome_on > today:
            errors["outcome_on"] = _("La data dell'esito non può essere nel futuro.")
        if self.referred_on and self.intake_id and self.referred_on < self.intake.opened_on:
            errors["referred_on"] = _("L'invio non può precedere la presa in carico.")
        if self.outcome_on and self.referred_on and self.outcome_on < self.referred_on:
            errors["outcome_on"] = _("L'esito non può precedere l'invio.")
        closed = self.intake.closed_on if self.intake_id else None
        if closed is not None:
            for name in ("referred_on", "outcome_on"):
                value = getattr(self, name)
                if name not in errors and value and value > closed:
                    errors[name] = _after_closure(closed)
        if self.outcome != ReferralOutcome.PENDING and not self.outcome_on:
            errors["outcome_on"] = _("Indicare la data dell'esito.")
        if self.outcome == ReferralOutcome.PENDING and self.outcome_on:
            errors["outcome"] = _("Indicare l'esito, oppure togliere la data dell'esito.")
        if errors:
            raise ValidationError(errors)


# --- Taking in a person followed at another desk ------------------------------------------


class CrossDeskTakeInQuerySet(models.QuerySet["CrossDeskTakeIn"]):
    def notified_to(self, desk: Desk, *, since: dt.date) -> CrossDeskTakeInQuerySet:
        """Take-ins by other desks, since a date, of people this desk was following."""
        return self.filter(other_desks=desk, created_at__date__gte=since)


class CrossDeskTakeIn(models.Model):
    """An intake of a person whose cases were all at other desks: knowing a codice fiscale
    is not enough to reach someone's record, the operator states why (security review M6).

    The desks that were following the person see it on their dashboard; administrators
    see every one in the admin ("Prese in carico da altri sportelli").
    """

    intake = models.OneToOneField(
        Intake,
        verbose_name=_("presa in carico"),
        on_delete=models.CASCADE,
        related_name="cross_desk",
    )
    reason = models.CharField(_("motivo"), max_length=30, choices=CrossDeskReason.choices)
    note = long_text(_("spiegazione"), CROSS_DESK_NOTE_MAX_LENGTH)
    other_desks = models.ManyToManyField(
        Desk,
        verbose_name=_("sportelli che seguivano la persona"),
        related_name="+",
    )
    created_at = models.DateTimeField(_("registrata il"), auto_now_add=True)

    objects = CrossDeskTakeInQuerySet.as_manager()

    class Meta:
        verbose_name = _("presa in carico da un altro sportello")
        verbose_name_plural = _("prese in carico da altri sportelli")
        ordering = ["-created_at", "-id"]
        constraints = [
            in_choices("reason", CrossDeskReason, "casework_crossdesk_reason_valid"),
            length_check("note", CROSS_DESK_NOTE_MAX_LENGTH, "casework_crossdesk_note_length"),
            models.CheckConstraint(
                condition=~Q(reason=CrossDeskReason.OTHER) | ~Q(note=""),
                name="casework_crossdesk_other_explained",
                violation_error_message=_("Per «Altro motivo» scrivere la spiegazione."),
            ),
        ]

    def __str__(self) -> str:
        return _("Presa in carico #%(id)s da un altro sportello") % {"id": self.intake_id}


# --- Privacy notice and its acknowledgement -----------------------------------------------
#
# Part of taking someone in: the intake form asks when the person acknowledged the notice
# (``Person.privacy_ack_on`` mirrors the latest acknowledgement, so that lists show it
# without a join) and ``services.take_in`` records it. The GDPR tooling on top (the
# notices' admin, subject access, anonymisation) is the ``privacy`` app. The tables and
# constraint names are the ones the ``privacy`` app created (migration 0010 moved the
# models here without touching the database).


class PrivacyNoticeQuerySet(models.QuerySet["PrivacyNotice"]):
    def current(self, on: dt.date | None = None) -> PrivacyNotice | None:
        """The notice in force on a date (today by default): the latest already valid."""
        on = on or local_today()
        return self.filter(valid_from__lte=on).order_by("-valid_from", "-id").first()


class PrivacyNotice(models.Model):
    """One version of the privacy notice given to the people who come to a desk."""

    version = models.CharField(_("versione"), max_length=20, unique=True)
    text = models.TextField(_("testo"))
    valid_from = models.DateField(_("in vigore dal"))
    created_at = models.DateTimeField(_("creata il"), auto_now_add=True)

    objects = PrivacyNoticeQuerySet.as_manager()

    class Meta:
        db_table = "privacy_privacynotice"
        verbose_name = _("informativa privacy")
        verbose_name_plural = _("informative privacy")
        ordering = ["-valid_from", "-id"]
        permissions = [
            (
                "handle_data_requests",
                _("Può gestire le richieste degli interessati (accesso, cancellazione)"),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="privacy_notice_text_not_empty"),
        ]

    def __str__(self) -> str:
        return _("Informativa v. %(version)s del %(date)s") % {
            "version": self.version,
            "date": f"{self.valid_from:%d/%m/%Y}",
        }


class PrivacyAcknowledgementQuerySet(models.QuerySet["PrivacyAcknowledgement"]):
    def visible_to(self, user: AnyUser) -> PrivacyAcknowledgementQuerySet:
        return self.filter(person__in=Person.objects.visible_to(user))


class PrivacyAcknowledgement(models.Model):
    """A person was given a notice version and acknowledged it, on a date, via a channel."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("persona"),
        on_delete=models.CASCADE,
        related_name="privacy_acknowledgements",
    )
    notice = models.ForeignKey(
        PrivacyNotice,
        verbose_name=_("informativa"),
        on_delete=models.PROTECT,
        related_name="acknowledgements",
    )
    acknowledged_on = models.DateField(_("data"))
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operatore"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("modalità"), max_length=10, choices=AckChannel.choices)
    created_at = models.DateTimeField(_("registrata il"), auto_now_add=True)

    objects = PrivacyAcknowledgementQuerySet.as_manager()

    class Meta:
        db_table = "privacy_privacyacknowledgement"
        verbose_name = _("presa visione dell'informativa")
        verbose_name_plural = _("prese visione dell'informativa")
        ordering = ["-acknowledged_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "notice"],
                name="privacy_one_ack_per_notice",
                violation_error_message=_(
                    "La presa visione di questa versione dell'informativa è già registrata."
                ),
            ),
            in_choices("channel", AckChannel, "privacy_ack_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"#{self.person_id} · v. {self.notice.version} · {self.acknowledged_on:%d/%m/%Y}"


# --- Background imports ------------------------------------------------------------------


class ImportPhase(models.TextChoices):
    PREVIEW = "preview", _("Controllo del file")
    IMPORT = "import", _("Importazione")


class ImportState(models.TextChoices):
    QUEUED = "queued", _("In coda")
    RUNNING = "running", _("In corso")
    DONE = "done", _("Terminato")
    FAILED = "failed", _("Non riuscito")


class ImportJob(models.Model):
    """A large admin import run by the background worker (``casework/importjobs.py``).

    The id is random and is the only thing in the job's addresses; only ``user`` sees the
    job. ``file_name`` is the private copy of the upload in ``IMPORT_TMP_DIR``; ``report``
    is what the import page shows (``casework.resources.import_report``): bad rows and the
    first rows of the file, so personal data. The job, its report and its file are deleted
    together by the sweep (``importjobs.sweep``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utente"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    model = models.CharField(_("tipo di dati"), max_length=100)  # "casework.person"
    resource = models.CharField(_("risorsa"), max_length=200)  # the resource's dotted path
    file_name = models.CharField(_("file"), max_length=64)
    file_format = models.CharField(_("formato"), max_length=10)  # "csv", "xlsx"
    language = models.CharField(_("lingua"), max_length=10, default="it")
    phase = models.CharField(
        _("fase"), max_length=10, choices=ImportPhase.choices, default=ImportPhase.PREVIEW
    )
    state = models.CharField(
        _("stato"), max_length=10, choices=ImportState.choices, default=ImportState.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("righe"), default=0)
    rows_done = models.PositiveIntegerField(_("righe lette"), default=0)
    report = models.JSONField(_("esito"), null=True, blank=True)
    message = models.TextField(_("messaggio"), blank=True)  # why it failed, in Italian
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    queued_at = models.DateTimeField(_("in coda dal"), default=timezone.now)
    started_at = models.DateTimeField(_("iniziato il"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminato il"), null=True, blank=True)

    class Meta:
        verbose_name = _("importazione in background")
        verbose_name_plural = _("importazioni in background")
        constraints = [
            in_choices("phase", ImportPhase, "casework_importjob_phase_valid"),
            in_choices("state", ImportState, "casework_importjob_state_valid"),
        ]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED)
