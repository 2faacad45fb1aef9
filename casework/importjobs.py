"""Large admin imports, run by the background worker instead of inside the request.

When a file has more than ``IMPORT_BACKGROUND_ROWS`` rows the admin's import page reads it,
checks it as a whole (format, encoding, limits, header) and then, instead of the preview,
creates an :class:`~casework.models.ImportJob` and queues its preview
(``casework/tasks.py``); the administrator follows it on the job's page, with a progress bar.

* **The same import.** Preview and confirmed import run :func:`run_import`, the very call
  the admin makes inside the request for a smaller file: the same resource, the importing
  user (rows and foreign keys scoped to what they may see; the audit trail names them as
  the actor), all or nothing (any bad row: nothing written), and the confirmation checks
  every row again.
* **Progress.** The import notes the rows read so far every 250 rows in a small file beside
  the upload (``files.write_progress``, where the reason for a file is given); the page reads
  it every second.
* **Only its user.** The job's id is random; every view looks the job up among the user's
  own (anyone else gets 404).
* **Personal data.** The report (bad rows with their values, the first rows of the file) is
  kept only as long as the file: the sweep (:func:`sweep`) deletes a job, its report and its
  files ``IMPORT_TMP_MAX_AGE`` seconds after its last step ended (a preview ready, an import
  done, a failure), or after it was queued if its worker never took it; a job still running
  is kept while its progress file moves. When the import is done the file is removed at once and
  the report shrinks to the three counts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import tablib
from auditlog.context import set_actor
from django.conf import settings
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext, ngettext
from import_export.results import Result

from casework.models import ImportJob, ImportPhase, ImportState
from casework.resources import CaseworkResource, files, import_report

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from activitycr.http import AnyUser

logger = logging.getLogger(__name__)

# The admin's import formats (``CaseImportExportAdmin.get_import_formats``), by extension.
FORMATS: dict[str, type] = {"xlsx": files.ImportXLSX, "csv": files.ImportCSV}


def background_rows() -> int:
    return int(settings.IMPORT_BACKGROUND_ROWS)


def run_import(
    resource_class: type[CaseworkResource],
    dataset: Any,
    *,
    user: AnyUser,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
) -> Result:
    """The one import call, in the request and in the worker alike.

    No ``retain_instance_in_row_result``: it only feeds Django's admin log of imports,
    which is off (``IMPORT_EXPORT_SKIP_ADMIN_LOG``; the audit trail has every row), and it
    would keep every imported object in memory."""
    resource = resource_class()
    kwargs: dict[str, Any] = {"user": user}
    if progress is not None:
        kwargs["progress"] = progress
    return resource.import_data(dataset, dry_run=dry_run, raise_errors=False, **kwargs)


def header_problems(
    resource_class: type[CaseworkResource], dataset: Any, *, user: AnyUser
) -> Result | None:
    """Before a file goes to the background: its columns checked at once, by a dry run of
    its first row (unknown or missing columns are the resource's file-level errors). The
    result when the file cannot be imported as a whole, else None (its rows are for the
    worker to check)."""
    head = tablib.Dataset(*dataset[:1], headers=dataset.headers)
    result = run_import(resource_class, head, user=user, dry_run=True)
    return result if result.base_errors else None


def succeeded(result: Result) -> bool:
    return not result.has_errors() and not result.has_validation_errors()


def success_message(what: str, new: int, update: int) -> str:
    """What a completed import says, in the request and on the job's page alike."""
    return gettext(
        "Importazione completata (%(what)s): %(new)d nuove righe, %(update)d aggiornate."
    ) % {"what": what, "new": new, "update": update}


# --- Creating and reading a job ------------------------------------------------------------


def create(
    *,
    user: User,
    resource_class: type[CaseworkResource],
    file_name: str,
    file_format: str,
    rows: int,
) -> ImportJob:
    """A queued preview of the upload ``file_name`` (the caller queues its task)."""
    files.PrivateImportStorage(name=file_name)  # a valid name, or ImportFileError
    if file_format not in FORMATS:
        raise ValueError(file_format)
    return ImportJob.objects.create(
        user=user,
        model=resource_class._meta.model._meta.label_lower,
        resource=f"{resource_class.__module__}.{resource_class.__qualname__}",
        file_name=file_name,
        file_format=file_format,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=rows,
    )


def resource_class_of(job: ImportJob) -> type[CaseworkResource]:
    """The job's resource: a casework resource for the job's model, nothing else."""
    found = import_string(job.resource)
    if not (isinstance(found, type) and issubclass(found, CaseworkResource)):
        raise ValueError("not a casework resource")
    if found._meta.model._meta.label_lower != job.model:
        raise ValueError("not the job's model")
    return found


def rows_done(job: ImportJob) -> int:
    """How many rows the job has read: from its progress file while it runs."""
    if job.state == ImportState.RUNNING:
        return min(files.read_progress(job.file_name) or 0, job.rows_total)
    if job.state == ImportState.QUEUED:
        return 0
    return job.rows_done


# A running job whose progress has not moved for this long may have lost its worker (stopped
# or killed: its transaction is then rolled back, nothing written): the page says so.
STALLED_AFTER = 300


def stalled(job: ImportJob) -> bool:
    if job.state != ImportState.RUNNING:
        return False
    age = files.progress_age(job.file_name)
    return age is not None and age > STALLED_AFTER


def progress_text(done: int, total: int) -> str:
    return ngettext("%(done)s di %(total)s riga", "%(done)s di %(total)s righe", total) % {
        "done": formats.number_format(done, force_grouping=True),
        "total": formats.number_format(total, force_grouping=True),
    }


def outcome(job: ImportJob) -> str:
    """What the job's page shows: ``waiting`` (queued or running), ``failed``, ``preview_ok``
    (confirmable), ``preview_bad``, ``imported`` or ``import_bad`` (nothing written)."""
    if not job.finished:
        return "waiting"
    if job.state == ImportState.FAILED:
        return "failed"
    report = job.report or {}
    bad = bool(report.get("file_errors") or report.get("bad_rows"))
    if job.phase == ImportPhase.PREVIEW:
        return "preview_bad" if bad else "preview_ok"
    return "import_bad" if bad else "imported"


def status(job: ImportJob) -> dict[str, Any]:
    """The JSON the progress page polls: numbers and labels, nothing from the file."""
    done = rows_done(job)
    return {
        "phase": job.phase,
        "phase_label": str(ImportPhase(job.phase).label),
        "state": job.state,
        "state_label": str(ImportState(job.state).label),
        "done": done,
        "total": job.rows_total,
        "text": progress_text(done, job.rows_total),
        "finished": job.finished,
        "stalled": stalled(job),
    }


# --- Running a job (the worker) ------------------------------------------------------------


def run(job_id: str, phase: str) -> str:
    """Run the queued ``phase`` of a job; returns its state afterwards (or ``missing``).

    Claimed by moving it from queued to running, so a task run twice does nothing twice.
    Any failure ends the job in the failed state with an Italian message for the page (an
    unreadable file: what to do; anything else: a general message); the log names the job
    by its id and the error by its class, nothing from the file."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, phase=phase, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING, started_at=now
    )
    job = ImportJob.objects.select_related("user").filter(pk=job_id).first() if claimed else None
    if job is None:
        return "missing"  # not queued (run already, or swept)
    total = job.rows_total

    def progress(done: int) -> None:
        files.write_progress(job.file_name, done, total)

    changes: dict[str, Any]
    keep_upload = False
    try:
        progress(0)
        with translation.override(job.language), set_actor(job.user):
            resource_class = resource_class_of(job)
            data = files.PrivateImportStorage(name=job.file_name).read()
            dataset = FORMATS[job.file_format]().create_dataset(data)
            result = run_import(
                resource_class,
                dataset,
                user=job.user,
                dry_run=phase == ImportPhase.PREVIEW,
                progress=progress,
            )
            changes = _finished_phase(job, result, len(dataset))
            # Only a clean preview keeps the file, for the confirmation.
            keep_upload = phase == ImportPhase.PREVIEW and succeeded(result)
    except files.ImportFileError as exc:
        changes = {"state": ImportState.FAILED, "message": exc.message, "report": None}
    except Exception as exc:  # whatever went wrong, the page says so in Italian
        logger.warning("background import %s (%s) failed: %s", job.pk, phase, type(exc).__name__)
        changes = {"state": ImportState.FAILED, "message": "", "report": None}
    # The state first, then the files: the page never sees a running job without progress.
    try:
        ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **changes)
    except Exception as exc:  # the report could not be stored: the job failed all the same
        logger.warning("background import %s (%s) not saved: %s", job.pk, phase, type(exc).__name__)
        changes = {"state": ImportState.FAILED, "message": "", "report": None}
        ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **changes)
        keep_upload = False
    if keep_upload:
        files.touch(job.file_name)  # the hour to confirm starts now
        files.progress_path(job.file_name).unlink(missing_ok=True)
    else:
        files.remove_with_progress(job.file_name)
    return str(changes["state"])


def _finished_phase(job: ImportJob, result: Result, rows: int) -> dict[str, Any]:
    report = import_report(result)
    if job.phase == ImportPhase.IMPORT and succeeded(result):
        report = {key: report[key] for key in ("new", "update", "total")}
    return {"state": ImportState.DONE, "report": report, "rows_done": rows, "message": ""}


# --- Sweeping ------------------------------------------------------------------------------


def sweep(max_age: float | None = None) -> int:
    """Delete the jobs (report and files with them) whose last step ended more than
    ``max_age`` seconds ago (default ``IMPORT_TMP_MAX_AGE``); a running job only once its
    progress file has not moved for as long (its worker was stopped). Their number."""
    age = float(settings.IMPORT_TMP_MAX_AGE if max_age is None else max_age)
    limit = timezone.now() - dt.timedelta(seconds=age)
    old = ImportJob.objects.filter(
        Q(finished_at__lt=limit)
        | Q(finished_at=None, state=ImportState.QUEUED, queued_at__lt=limit)
        | Q(finished_at=None, state=ImportState.RUNNING, started_at__lt=limit)
    ).only("pk", "state", "file_name")
    removed = 0
    for job in old:
        if job.state == ImportState.RUNNING:
            moved = files.progress_age(job.file_name)
            if moved is not None and moved < age:
                continue  # still reading rows
        files.remove_with_progress(job.file_name)
        ImportJob.objects.filter(pk=job.pk).delete()
        removed += 1
    return removed
