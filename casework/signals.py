"""Signals casework sends for what Django's own signals do not cover.

``rows_created`` — the admin import writes new rows in batches (``bulk_create``), which sends
no ``post_save`` and no ``m2m_changed``. Whatever follows a save of a case record (the audit
trail, the agenda linking a recorded meeting to its appointment) listens to this signal as
well, and handles a whole batch at once.

Arguments: ``sender`` (the model), ``instances`` (the rows just inserted, with their keys),
``m2m`` (for each many-to-many field set on them: ``{field name: {pk: [related objects]}}``)
and ``dry_run`` (True in a preview, which is rolled back: receivers whose work would only be
undone may skip it). Who wrote them is auditlog's context (``set_actor``), as for a save.
"""

from __future__ import annotations

from django.dispatch import Signal

rows_created = Signal()
