"""Running the real task worker in the test's own process (the background imports)."""

from __future__ import annotations

from django.core.management import call_command


def run_worker() -> None:
    """django-tasks-db's worker, once over every queued task of every queue, then back."""
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--queue-name",
        "*",
        verbosity=0,
    )
