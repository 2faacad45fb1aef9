from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "agenda"
    verbose_name = _("Agenda e promemoria")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Models and what imports them load once every app is ready: here, not at the top.
        from auditlog.registry import auditlog  # noqa: PLC0415

        from agenda import signals  # noqa: F401, PLC0415 - connects the meeting receiver
        from agenda.models import Appointment, ReminderConsent  # noqa: PLC0415

        # Who booked, moved, cancelled or marked an appointment, who recorded or withdrew
        # a consent: in the audit trail like the case records.
        if not auditlog.contains(Appointment):
            auditlog.register(Appointment, exclude_fields=["updated_at"])
            auditlog.register(ReminderConsent)
