"""One-time enrolment codes: with ``TWO_FACTOR_ENROLMENT_CODE_REQUIRED`` a user enrols an
authenticator app only after typing a code an administrator issued to them (in admin, or with
``manage.py enrolment_code``). Only a hash of the code is stored; the code is shown once,
when it is issued."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EnrolmentCodeQuerySet(models.QuerySet):
    def usable(self) -> EnrolmentCodeQuerySet:
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class EnrolmentCode(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolment_codes",
        verbose_name=_("utente"),
    )
    code_hash = models.CharField(_("impronta del codice"), max_length=128, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("rilasciato da"),
    )
    created_at = models.DateTimeField(_("rilasciato il"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("scade il"), editable=False)
    used_at = models.DateTimeField(_("usato il"), null=True, blank=True, editable=False)

    objects = EnrolmentCodeQuerySet.as_manager()

    # Not a field: the code in clear, set by the admin on the row it has just issued, for the
    # one page that shows it (twofactor/admin.py); the database keeps only its hash.
    plain_code: str

    class Meta:
        verbose_name = _("codice di attivazione")
        verbose_name_plural = _("codici di attivazione")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="twofactor_enrolmentcode_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(used_at__gte=F("created_at")),
                name="twofactor_enrolmentcode_used_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return _("Codice di attivazione n. %(id)s") % {"id": self.pk}

    @property
    def status(self) -> str:
        if self.used_at is not None:
            return str(_("usato"))
        if self.expires_at <= timezone.now():
            return str(_("scaduto"))
        return str(_("da usare"))


class PendingForm(models.Model):
    """What a user had typed in a form sent after their session expired for inactivity,
    kept for :data:`twofactor.pending.KEEP_FOR` so that the same user, logging in again,
    finds it in the form (``twofactor.pending``). The browser holds only the opaque
    ``token`` (an HttpOnly cookie); the typed data stays here and goes at its first read,
    when another user logs in instead, or at ``twofactor_cleanup``."""

    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        verbose_name=_("utente"),
    )
    path = models.CharField(_("pagina"), max_length=300, editable=False)
    data = models.JSONField(_("dati inviati"), editable=False)
    created_at = models.DateTimeField(
        _("creato il"), default=timezone.now, editable=False, db_index=True
    )

    class Meta:
        verbose_name = _("modulo in sospeso")
        verbose_name_plural = _("moduli in sospeso")

    def __str__(self) -> str:
        return f"{self.path} ({self.created_at:%Y-%m-%d %H:%M})"
