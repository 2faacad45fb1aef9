"""Large admin imports in the background worker (issue 12, item 5).

A file over ``IMPORT_BACKGROUND_ROWS`` rows (set low here) leaves the request: the admin is
sent to the job's page, the real django-tasks database worker (``db_worker --batch``, run in
this process as the agenda's tests run it) checks the file, the page shows the same report
as the import page, the confirmation runs the import in the worker with the same
all-or-nothing rule, and the progress file reaches the total. Only the job's own user sees
it. Nothing is mocked: real files, the real queue, the real worker.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import threading
import time
import uuid

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from activitycr.worker import run_queued_tasks
from casework import fiscal_code, importjobs, roles
from casework.models import ImportJob, ImportPhase, ImportState, Person, PrivacyNotice
from casework.resources import files
from tests import factories
from tests.casework.test_import_files import PEOPLE, italian_excel_csv, tmp_files, upload

# The worker runs in this process and closes connections that are inside a transaction
# (``close_old_connections``): on PostgreSQL that would end the test's own transaction, so
# these tests commit for real and get the seeded rows back afterwards (as the agenda's).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

JOB_URL = re.compile(r"^/admin/casework/person/import/lavoro/([0-9a-f-]{36})/$")


@pytest.fixture(autouse=True)
def _small_threshold(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"
    settings.IMPORT_BACKGROUND_ROWS = 3


def many_people(n: int) -> list[list[str]]:
    """A header and ``n`` good rows, each person with a valid codice fiscale of their own."""
    rows = [["codice_fiscale", "cognome", "nome", "data_nascita", "genere", "comune_residenza",
             "cittadinanza", "titolo_studio"]]  # fmt: skip
    first = dt.date(1980, 1, 1)
    for i in range(n):
        birth = first + dt.timedelta(days=i)
        code = fiscal_code.encode(
            last_name="Ferrari", first_name="Chiara", birth_date=birth, sex="F", place_code="B898"
        )
        rows.append([code, "Ferrari", "Chiara", f"{birth:%d/%m/%Y}", "F", "Casalmaggiore", "IT",
                     "diploma"])  # fmt: skip
    return rows


def job_of(response) -> ImportJob:
    assert response.status_code == 302, response.content.decode()[:500]
    match = JOB_URL.match(response["Location"])
    assert match, response["Location"]
    return ImportJob.objects.get(pk=match.group(1))


def page_url(job: ImportJob, name: str = "import_job") -> str:
    return reverse(f"admin:casework_person_{name}", kwargs={"job_id": job.pk})


class ProgressWatcher:
    """Reads a job's progress file, as the progress page does, while the worker runs."""

    def __init__(self, job: ImportJob) -> None:
        self.name = job.file_name
        self.seen: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            done = files.read_progress(self.name)
            if done is not None and (not self.seen or self.seen[-1] != done):
                self.seen.append(done)
            time.sleep(0.002)

    def __enter__(self) -> ProgressWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def test_a_large_file_with_a_bad_row_is_checked_in_the_worker_and_writes_nothing(
    client, administrator, settings
):
    client.force_login(administrator)
    bad = [*PEOPLE, ["", "Blu", "Luca", "31/02/1985", "M", "Casalmaggiore", "IT", "diploma", ""]]
    job = job_of(upload(client, "person", italian_excel_csv(bad), "persone.csv"))
    assert (job.phase, job.state, job.rows_total, job.user) == (
        "preview",
        "queued",
        5,
        administrator,
    )
    # The task carries the job's id only.
    (queued,) = DBTaskResult.objects.all()
    assert queued.args_kwargs == {"args": [str(job.pk)], "kwargs": {}}
    assert queued.queue_name == "imports"

    page = client.get(page_url(job))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<progress id="import-job-progress" max="5" value="0"' in html
    assert "0 di 5 righe" in html and "In coda" in html
    # Without JavaScript the page reloads itself; with it, a static file polls (no inline
    # script: the Content-Security-Policy would refuse it).
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert "js/admin-import-progress.js" in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    status = client.get(page_url(job, "import_job_status")).json()
    assert status == {
        "phase": "preview",
        "phase_label": "Controllo del file",
        "state": "queued",
        "state_label": "In coda",
        "done": 0,
        "total": 5,
        "text": "0 di 5 righe",
        "finished": False,
        "stalled": False,
    }

    run_queued_tasks()

    job.refresh_from_db()
    assert (job.state, job.rows_done) == ("done", 5)
    page = client.get(page_url(job))
    report = page.context["report"]
    assert [number for number, _problems in report["bad_rows"]] == [6]  # header = row 1
    html = page.content.decode()
    assert "1 riga da correggere: nessuna riga è stata importata" in html
    assert "31/02/1985" in html and "Conferma l&#x27;importazione" not in html
    assert "<noscript>" not in html and "admin-import-progress.js" not in html
    assert Person.objects.count() == 0
    assert tmp_files(settings) == []  # a preview that cannot be confirmed keeps no file
    status = client.get(page_url(job, "import_job_status")).json()
    assert (status["state"], status["done"], status["finished"]) == ("done", 5, True)
    # Confirming it anyway changes nothing.
    client.post(page_url(job, "import_job_confirm"))
    job.refresh_from_db()
    assert (job.phase, job.state) == ("preview", "done")


def test_a_good_large_file_previews_confirms_and_imports_every_row(client, administrator, settings):
    settings.IMPORT_BACKGROUND_ROWS = 100
    client.force_login(administrator)
    rows = many_people(600)
    job = job_of(upload(client, "person", italian_excel_csv(rows), "persone.csv"))

    with ProgressWatcher(job) as preview:
        run_queued_tasks()
    job.refresh_from_db()
    assert (job.phase, job.state, job.rows_done) == ("preview", "done", 600)
    # The progress moved through the file (every 250 rows) up to the total.
    assert preview.seen == sorted(preview.seen) and len(preview.seen) > 0
    assert any(0 < n < 600 for n in preview.seen), preview.seen
    assert Person.objects.count() == 0

    page = client.get(page_url(job))
    html = page.content.decode()
    assert "Il file è corretto: 600 righe, di cui 600 nuove e 0 da aggiornare" in html
    assert "Le prime 100 righe di 600." in html
    assert page.context["report"]["preview"][0][0] == 2  # numbered as the spreadsheet
    assert f'action="{page_url(job, "import_job_confirm")}"' in html
    assert len(tmp_files(settings)) == 1  # the upload waits for the confirmation

    confirmed = client.post(page_url(job, "import_job_confirm"))
    assert confirmed["Location"] == page_url(job)
    client.post(page_url(job, "import_job_confirm"))  # a second click queues nothing
    assert DBTaskResult.objects.filter(task_path__endswith="confirmed_import").count() == 1
    job.refresh_from_db()
    assert (job.phase, job.state, job.report) == ("import", "queued", None)
    assert "Importazione" in client.get(page_url(job)).content.decode()

    with ProgressWatcher(job) as importing:
        run_queued_tasks()
    assert any(0 < n < 600 for n in importing.seen), importing.seen
    job.refresh_from_db()
    assert (job.phase, job.state, job.rows_done) == ("import", "done", 600)
    assert Person.objects.count() == 600
    # The audit trail names the administrator as the actor, as for an import in the request.
    trail = LogEntry.objects.get_for_model(Person)
    assert trail.exists() and set(trail.values_list("actor", flat=True)) == {administrator.pk}
    # The file is gone, and the report keeps the counts only.
    assert tmp_files(settings) == []
    assert job.report == {"new": 600, "update": 0, "total": 600}
    html = client.get(page_url(job)).content.decode()
    assert "Importazione completata (persone): 600 nuove righe, 0 aggiornate." in html
    status = client.get(page_url(job, "import_job_status")).json()
    assert (status["done"], status["total"], status["text"]) == (600, 600, "600 di 600 righe")


def test_the_confirmation_checks_every_row_again_all_or_nothing(client, administrator):
    client.force_login(administrator)
    job = job_of(upload(client, "person", italian_excel_csv(PEOPLE), "persone.csv"))
    run_queued_tasks()
    job.refresh_from_db()
    assert importjobs.outcome(job) == "preview_ok"
    # Meanwhile the privacy notice that row 2 acknowledges moves later: the row is now bad.
    PrivacyNotice.objects.update(valid_from=dt.date(2022, 1, 1))
    client.post(page_url(job, "import_job_confirm"))
    run_queued_tasks()
    job.refresh_from_db()
    assert importjobs.outcome(job) == "import_bad"
    assert Person.objects.count() == 0
    html = client.get(page_url(job)).content.decode()
    assert "Nessuna riga importata: nel frattempo i dati sono cambiati" in html
    assert [n for n, _problems in job.report["bad_rows"]] == [2]


def test_only_its_user_sees_a_job(client, administrator):
    other = factories.user("admin.due", role=roles.ADMINISTRATOR, is_staff=True)
    client.force_login(administrator)
    job = job_of(upload(client, "person", italian_excel_csv(PEOPLE), "persone.csv"))
    run_queued_tasks()

    client.force_login(other)
    assert client.get(page_url(job)).status_code == 404
    assert client.get(page_url(job, "import_job_status")).status_code == 404
    assert client.post(page_url(job, "import_job_confirm")).status_code == 404
    job.refresh_from_db()
    assert (job.phase, job.state) == ("preview", "done")
    # An id that is nobody's, and the owner's job under another list's address.
    client.force_login(other)
    missing = reverse("admin:casework_person_import_job", kwargs={"job_id": uuid.uuid4()})
    assert client.get(missing).status_code == 404
    client.force_login(administrator)
    elsewhere = reverse("admin:casework_intake_import_job", kwargs={"job_id": job.pk})
    assert client.get(elsewhere).status_code == 404
    assert client.get(page_url(job)).status_code == 200


def test_a_small_file_stays_in_the_request(client, administrator, settings):
    settings.IMPORT_BACKGROUND_ROWS = 4  # "more than": four rows stay
    client.force_login(administrator)
    response = upload(client, "person", italian_excel_csv(PEOPLE), "persone.csv")
    assert response.status_code == 200 and response.context["confirm_form"] is not None
    assert not ImportJob.objects.exists() and not DBTaskResult.objects.exists()


def test_a_file_problem_is_still_shown_at_once(client, administrator, settings):
    client.force_login(administrator)
    response = upload(client, "person", b"cognme;nome\r\nRossi;Giulia\r\n" * 5, "p.csv")
    assert response.status_code == 200
    assert "Colonne sconosciute: cognme" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert tmp_files(settings) == []


def test_a_failure_in_the_worker_is_a_general_italian_message_and_logs_nothing_personal(
    client, administrator, caplog
):
    client.force_login(administrator)
    job = job_of(upload(client, "person", italian_excel_csv(PEOPLE), "persone.csv"))
    # A job whose resource is not a casework resource: the worker refuses it.
    ImportJob.objects.filter(pk=job.pk).update(resource="casework.models.Person")
    with caplog.at_level(logging.INFO):
        run_queued_tasks()
    job.refresh_from_db()
    assert job.state == "failed"
    html = client.get(page_url(job)).content.decode()
    assert "Si è verificato un errore imprevisto: nessuna riga è stata importata." in html
    assert "Traceback" not in html and "ValueError" not in html
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"background import {job.pk} (preview) failed: ValueError" in logged
    for personal in ("Rossi", "Bianchi", PEOPLE[1][0]):
        assert personal not in logged
    assert not any(r.exc_info for r in caplog.records if r.name.startswith("casework"))


def test_an_expired_upload_says_so(client, administrator, settings):
    client.force_login(administrator)
    job = job_of(upload(client, "person", italian_excel_csv(PEOPLE), "persone.csv"))
    files.PrivateImportStorage(name=job.file_name).remove()
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == "failed"
    assert "non è più disponibile" in client.get(page_url(job)).content.decode()


def test_a_running_job_whose_progress_stopped_says_its_worker_may_have_stopped(
    client, administrator
):
    client.force_login(administrator)
    job = job_of(upload(client, "person", italian_excel_csv(PEOPLE), "persone.csv"))
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.RUNNING, started_at=timezone.now())
    files.write_progress(job.file_name, 2, 4)
    hint = '<p class="help" id="import-job-stalled" hidden>'
    assert client.get(page_url(job, "import_job_status")).json()["stalled"] is False
    assert hint in client.get(page_url(job)).content.decode()
    old = time.time() - importjobs.STALLED_AFTER - 10
    os.utime(files.progress_path(job.file_name), (old, old))
    status = client.get(page_url(job, "import_job_status")).json()
    assert (status["stalled"], status["text"]) == (True, "2 di 4 righe")
    html = client.get(page_url(job)).content.decode()
    assert hint not in html and "potrebbe essersi fermato" in html


def test_a_job_and_its_files_are_swept_with_its_report(client, administrator, settings):
    client.force_login(administrator)
    done = job_of(upload(client, "person", italian_excel_csv(PEOPLE), "a.csv"))
    run_queued_tasks()
    running = job_of(upload(client, "person", italian_excel_csv(PEOPLE), "b.csv"))
    stuck = job_of(upload(client, "person", italian_excel_csv(PEOPLE), "c.csv"))
    long_ago = timezone.now() - dt.timedelta(seconds=settings.IMPORT_TMP_MAX_AGE + 10)
    ImportJob.objects.filter(pk=done.pk).update(finished_at=long_ago)
    # Two jobs a worker took long ago: one still moves, one's worker was stopped.
    ImportJob.objects.filter(pk__in=[running.pk, stuck.pk]).update(
        state=ImportState.RUNNING, started_at=long_ago
    )
    files.write_progress(running.file_name, 250, 4)
    files.write_progress(stuck.file_name, 250, 4)
    old = time.time() - settings.IMPORT_TMP_MAX_AGE - 10
    os.utime(files.progress_path(stuck.file_name), (old, old))
    assert ImportJob.objects.get(pk=done.pk).report["preview"]  # rows of the file
    young = ImportJob.objects.create(
        user=administrator,
        model="casework.person",
        resource="casework.resources.PersonResource",
        file_name="x" * 32,
        file_format="csv",
        phase=ImportPhase.PREVIEW,
    )

    out = io.StringIO()
    call_command("sweep_imports", stdout=out)

    assert set(ImportJob.objects.values_list("pk", flat=True)) == {running.pk, young.pk}
    assert "Importazioni in background rimosse: 2." in out.getvalue()
    left = set(tmp_files(settings))
    assert running.file_name in left and f"{running.file_name}.progress" in left
    assert not any(name.startswith((done.file_name, stuck.file_name)) for name in left)


def test_the_worker_reports_in_the_language_of_the_upload(client, administrator):
    client.force_login(administrator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    # Codes only: the closed lists take labels in the language of the import.
    bad = [PEOPLE[0], PEOPLE[1], *PEOPLE[3:], ["", "Blu", "Luca", "31/02/1985", "M", "", "IT",
                                                "diploma", ""]]  # fmt: skip
    job = job_of(upload(client, "person", italian_excel_csv(bad), "p.csv"))
    assert job.language == "en"
    status = client.get(page_url(job, "import_job_status")).json()
    assert (status["text"], status["state_label"]) == ("0 of 4 rows", "Queued")
    run_queued_tasks()
    html = client.get(page_url(job)).content.decode()
    assert "1 row to correct: no row was imported" in html
    assert "“31/02/1985” is not a valid date: write dd/mm/yyyy." in html
    assert [n for n, _problems in ImportJob.objects.get(pk=job.pk).report["bad_rows"]] == [5]
