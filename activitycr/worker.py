"""Running the task worker once, in this process: every queued task of every queue."""

from __future__ import annotations

from django.core.management import call_command


def run_queued_tasks(verbosity: int = 0) -> None:
    """django-tasks-db's worker, once over every queued task of every queue, then back
    (``run_due_work``, and the tests of the background imports)."""
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--queue-name",
        "*",
        verbosity=verbosity,
    )
