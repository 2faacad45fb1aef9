from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwofactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = _("Accesso a due fattori")

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from twofactor import signals  # noqa: F401 - connects the login receiver

        # Who enrolled a device (or which administrator deleted it), and when: in the audit
        # trail. Never the key, nor the counters each login updates.
        if not auditlog.contains(TOTPDevice):
            auditlog.register(TOTPDevice, include_fields=["name", "confirmed"])
