from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TwofactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = _("Accesso a due fattori")

    def ready(self) -> None:
        # Models and what imports them load once every app is ready: here, not at the top.
        from auditlog.registry import auditlog  # noqa: PLC0415
        from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

        from twofactor import signals  # noqa: F401, PLC0415 - connects the login receiver

        # Who enrolled a device (or which administrator deleted it), and when: in the audit
        # trail. Never the key, nor the counters each login updates.
        if not auditlog.contains(TOTPDevice):
            auditlog.register(TOTPDevice, include_fields=["name", "confirmed"])
