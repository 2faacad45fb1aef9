"""GDPR records: the privacy notice (informativa) and each person's acknowledgement of it.

The acknowledgement is taken at intake (in person, by phone, by e-mail or by video call,
like the meetings themselves); ``Person.privacy_ack_on`` mirrors the latest one so that
lists can show it without a join. Writes go through ``privacy.services``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Person


class AckChannel(models.TextChoices):
    IN_PERSON = "presenza", _("In presenza")
    PHONE = "telefono", _("Telefono")
    EMAIL = "email", _("E-mail")
    VIDEO = "video", _("Videochiamata")


class PrivacyNoticeQuerySet(models.QuerySet["PrivacyNotice"]):
    def current(self, on: dt.date | None = None) -> PrivacyNotice | None:
        """The notice in force on a date (today by default): the latest already valid."""
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(valid_from__lte=on).order_by("-valid_from", "-id").first()


class PrivacyNotice(models.Model):
    """One version of the privacy notice given to the people who come to a desk."""

    version = models.CharField(_("versione"), max_length=20, unique=True)
    text = models.TextField(_("testo"))
    valid_from = models.DateField(_("in vigore dal"))
    created_at = models.DateTimeField(_("creata il"), auto_now_add=True)

    objects = PrivacyNoticeQuerySet.as_manager()

    class Meta:
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
    def visible_to(self, user) -> PrivacyAcknowledgementQuerySet:  # noqa: ANN001
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
            models.CheckConstraint(
                condition=Q(channel__in=AckChannel.values), name="privacy_ack_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.person_id} · v. {self.notice.version} · {self.acknowledged_on:%d/%m/%Y}"
