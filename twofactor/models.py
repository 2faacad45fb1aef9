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
