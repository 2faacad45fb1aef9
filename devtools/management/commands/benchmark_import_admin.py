"""Issue 12's done-when, end to end: the admin's import of large files through the
background worker, timed as an administrator sees it.

    DATABASE_URL=postgres://…/scratch python manage.py benchmark_import_admin [--rows 100000]

On a **scratch database** (migrated, no person in it: the command refuses otherwise,
because it keeps what it imports — the worker commits). It starts the real worker
(``db_worker --queue-name '*'``, ``DEBUG=false``) as a separate process, logs in as an
administrator (a user it creates), and for each of the three csv files of
``benchmark_import`` (Italian Excel, keyed by codice fiscale, no internal id) uploads it
through the admin's import page, follows the job's status as the progress page does (every
second), confirms, and follows it again until the import is done. Prints, per file, the
seconds of each pass as the administrator waits for them (from the upload to the confirm
button; from the click to "Importazione completata"), the slowest status answer, and the
worker's peak memory.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework import roles
from casework.models import ImportJob, Person
from devtools.management.commands.benchmark_import import make_files

JOB_URL = re.compile(r"/import/lavoro/([0-9a-f-]{36})/$")
MODELS = {"persone": "person", "prese in carico": "intake", "colloqui": "meeting"}


class Command(BaseCommand):
    help = "Times large admin imports end to end through the background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--timeout", type=int, default=900, help="seconds per pass")

    def handle(self, *args: Any, **options: Any) -> None:
        if Person.objects.exists():
            raise CommandError(
                "The database holds people: run this on a scratch database (it keeps what "
                "it imports)."
            )
        rows = options["rows"]
        files = make_files(rows)
        admin = self.administrator()
        env = {**os.environ, "DEBUG": "false"}
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with override_settings(DEBUG=False):
                client = Client()
                client.force_login(admin)
                # Administrators use a second factor: a confirmed TOTP device, and the
                # session marked as verified with it, as django-otp's login() marks it.
                device, _ = TOTPDevice.objects.get_or_create(
                    user=admin, name="benchmark", defaults={"confirmed": True}
                )
                session = client.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
                self.stdout.write(
                    f"{rows:,} rows a file; worker pid {worker.pid}; "
                    f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
                )
                self.stdout.write(
                    "| file | preview (s) | import (s) | slowest status (s) | worker peak (MB) |"
                )
                self.stdout.write("|---|---:|---:|---:|---:|")
                for label, data in files.items():
                    timings = self.one_file(client, MODELS[label], data, options["timeout"])
                    peak = _peak_mb(worker.pid)
                    self.stdout.write(
                        f"| {label} | {timings[0]:.0f} | {timings[1]:.0f} | "
                        f"{timings[2]:.2f} | {peak:.0f} |"
                    )
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    def administrator(self) -> Any:
        user, _ = get_user_model().objects.get_or_create(
            username="benchmark.admin", defaults={"is_staff": True}
        )
        user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
        return user

    def one_file(
        self, client: Client, model: str, data: bytes, timeout: int
    ) -> tuple[float, float, float]:
        file = io.BytesIO(data)
        file.name = f"{model}.csv"
        started = time.perf_counter()
        response = client.post(
            reverse(f"admin:casework_{model}_import"),
            {"resource": "0", "format": "1", "import_file": file},
        )
        match = JOB_URL.search(response.get("Location", ""))
        if response.status_code != 302 or not match:
            raise CommandError(
                f"{model}: the upload did not start a job ({response.status_code} "
                f"{response.get('Location', '')})"
            )
        job = ImportJob.objects.get(pk=match.group(1))
        status_url = reverse(f"admin:casework_{model}_import_job_status", args=[job.pk])
        slowest = self.follow(client, status_url, timeout)
        preview = time.perf_counter() - started
        job.refresh_from_db()
        if (job.report or {}).get("bad_rows") or (job.report or {}).get("file_errors"):
            raise CommandError(f"{model}: the preview found bad rows")
        started = time.perf_counter()
        client.post(reverse(f"admin:casework_{model}_import_job_confirm", args=[job.pk]))
        slowest = max(slowest, self.follow(client, status_url, timeout))
        imported = time.perf_counter() - started
        job.refresh_from_db()
        if job.state != "done" or (job.report or {}).get("new") != job.rows_total:
            raise CommandError(f"{model}: the import did not complete ({job.state})")
        return preview, imported, slowest

    def follow(self, client: Client, status_url: str, timeout: int) -> float:
        """Polls the status every second until the phase has finished; the slowest answer."""
        slowest = 0.0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            asked = time.perf_counter()
            status = client.get(status_url).json()
            slowest = max(slowest, time.perf_counter() - asked)
            if status["finished"]:
                if status["state"] != "done":
                    raise CommandError(f"the job ended {status['state']}")
                return slowest
            time.sleep(1)
        raise CommandError(f"no end after {timeout} s")


def _peak_mb(pid: int) -> float:
    """The process's resident-memory high-water mark (Linux), in megabytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")
