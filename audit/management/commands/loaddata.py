"""``loaddata`` without audit entries.

A restore writes rows that are already in the audit trail (the trail is restored with them):
Django marks the rows ``raw`` and auditlog skips them (``AUDITLOG_DISABLE_ON_RAW_SAVE``),
but many-to-many links (meeting activities) are set with ``m2m_changed``, which carries no
such flag and would add a fresh "change" entry for every restored meeting. This command is
Django's own, run with auditlog switched off.
"""

from __future__ import annotations

from typing import Any

from auditlog.context import disable_auditlog
from django.core.management.commands import loaddata


class Command(loaddata.Command):
    def handle(self, *fixture_labels: str, **options: Any) -> None:
        with disable_auditlog():
            super().handle(*fixture_labels, **options)
