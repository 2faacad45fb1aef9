from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Registro accessi e modifiche")

    def ready(self) -> None:
        from audit import trail  # noqa: PLC0415 - it imports models: loaded once apps are ready

        trail.register_case_models()

        from casework.signals import rows_created  # noqa: PLC0415

        rows_created.connect(trail.log_rows_created, dispatch_uid="audit_rows_created")
