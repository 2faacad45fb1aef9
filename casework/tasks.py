"""The background tasks of large admin imports (django-tasks, database queue).

Each task's only argument is the job's id (``casework.models.ImportJob``: a random UUID),
never anything from the file. The preview is a dry run of the whole file; the import, once
the administrator confirms, runs the same call for real (``importjobs.run_import``). Both
run on the ``imports`` queue: its worker reads the uploads, so it must see
``IMPORT_TMP_DIR`` (``manage.py db_worker --queue-name '*'`` runs every queue).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from casework import importjobs
from casework.models import ImportJob, ImportPhase, ImportState
from casework.resources import files

QUEUE = "imports"


@task(queue_name=QUEUE)
def preview_import(job_id: str) -> str:
    return importjobs.run(job_id, ImportPhase.PREVIEW)


@task(queue_name=QUEUE)
def confirmed_import(job_id: str) -> str:
    return importjobs.run(job_id, ImportPhase.IMPORT)


def start_preview(job: ImportJob) -> None:
    """Queue the preview of a new job (with the job's own transaction, when there is one:
    the queue is a table of the same database)."""
    preview_import.enqueue(str(job.pk))


def confirm(job: ImportJob) -> bool:
    """Queue the import of a job whose preview is ready and clean; False if it is not (not
    ready, bad rows, already confirmed: a second click changes nothing). The preview's
    report, which holds rows of the file, is dropped now."""
    if importjobs.outcome(job) != "preview_ok":
        return False
    with transaction.atomic():
        moved = ImportJob.objects.filter(
            pk=job.pk, phase=ImportPhase.PREVIEW, state=ImportState.DONE
        ).update(
            phase=ImportPhase.IMPORT,
            state=ImportState.QUEUED,
            report=None,
            rows_done=0,
            queued_at=timezone.now(),
            started_at=None,
            finished_at=None,
        )
        if moved:
            confirmed_import.enqueue(str(job.pk))
    if moved:
        files.touch(job.file_name)  # kept for the worker as long as a new upload
    return bool(moved)
