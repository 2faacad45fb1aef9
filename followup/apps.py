from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Uscite e follow-up")

    def ready(self) -> None:
        # The audit trail (audit/trail.py) records every change of the situation at exit,
        # the tasks' answers and the contact attempts, like the case records.
        from auditlog.registry import auditlog  # noqa: PLC0415 - loaded once apps are ready

        from followup.models import (  # noqa: PLC0415 - models: loaded once apps are ready
            ContactAttempt,
            ExitSituation,
            FollowUpTask,
        )

        auditlog.register(ExitSituation, exclude_fields=["updated_at"])
        auditlog.register(FollowUpTask)
        auditlog.register(ContactAttempt)
