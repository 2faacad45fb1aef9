"""A quarter once sent: the review's figures and files as they left the consortium.

The Ufficio di Piano marks a review (a period and a desk selection) as sent: to whom, on
which day, by whom. The figures of both variants (internal: every figure; external: after
small-cell suppression) and the two workbooks, byte for byte with their SHA-256, are frozen
here. Nothing in these rows is ever updated: a correction is a new version, with its reason,
and the earlier versions stay readable and downloadable (``reports/sending.py``).

No personal data: aggregated figures only (the external file is the one meant to leave; the
internal one is the consortium's copy of what it computed).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sportelli.models import Desk

VARIANTS = (("external", _("esterna")), ("internal", _("interna")))


class SentReview(models.Model):
    """One version of a review as sent."""

    start = models.DateField(_("dal"))
    end = models.DateField(_("al"))
    desk = models.ForeignKey(
        Desk,
        verbose_name=_("sportello"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Vuoto: tutti gli sportelli."),
    )
    version = models.PositiveSmallIntegerField(_("versione"))
    recipients = models.CharField(_("destinatari"), max_length=300)
    sent_on = models.DateField(_("inviata il"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inviata da"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("registrata il"), auto_now_add=True)
    reason = models.TextField(_("motivo della nuova versione"), max_length=2000, blank=True)
    includes_special = models.BooleanField(
        _("contiene categorie particolari"),
        default=False,
        help_text=_("Tabelle FSE+ di categorie particolari (art. 9 GDPR) nelle cifre inviate."),
    )
    # {"desks": [[id, slug, name], ...], "previous": [start, end],
    #  "internal": {"summary": str, "tables": [...]}, "external": {"tables": [...]}}
    figures = models.JSONField(_("cifre inviate"))

    class Meta:
        verbose_name = _("revisione inviata")
        verbose_name_plural = _("revisioni inviate")
        ordering = ["start", "end", "desk_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["start", "end", "desk", "version"],
                condition=Q(desk__isnull=False),
                name="reports_sent_one_version_per_desk",
            ),
            models.UniqueConstraint(
                fields=["start", "end", "version"],
                condition=Q(desk__isnull=True),
                name="reports_sent_one_version_all_desks",
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="reports_sent_period"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="reports_sent_version"),
        ]

    def __str__(self) -> str:
        desk = self.desk.name if self.desk_id and self.desk else _("tutti gli sportelli")
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y} · {desk} · v{self.version}"


class SentFile(models.Model):
    """A workbook exactly as it was sent: its bytes and their SHA-256."""

    sending = models.ForeignKey(
        SentReview, verbose_name=_("invio"), on_delete=models.PROTECT, related_name="files"
    )
    variant = models.CharField(_("versione del foglio"), max_length=10, choices=VARIANTS)
    filename = models.CharField(_("nome del file"), max_length=200)
    content = models.BinaryField(_("contenuto"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("dimensione (byte)"))

    class Meta:
        verbose_name = _("file inviato")
        verbose_name_plural = _("file inviati")
        ordering = ["sending", "variant"]
        constraints = [
            models.UniqueConstraint(fields=["sending", "variant"], name="reports_sentfile_variant"),
        ]

    def __str__(self) -> str:
        return self.filename
